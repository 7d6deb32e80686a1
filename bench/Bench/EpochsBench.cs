using System.Globalization;
using Probabilistic.Core.Random;
using Probabilistic.Distill.DarkKnowledge;
using Probabilistic.Distill.MultiDomain;
using Probabilistic.Distill.Vid;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;
using Probabilistic.Nn.Training;

namespace Probabilistic.Bench;

/// <summary>
/// Seconds per training epoch on FashionMNIST (60,000 images) with the <see cref="Trainer"/> the tests use: Adam
/// lr 1e-3, cross-entropy, shuffled minibatches gathered per step. After a warm-up (rounds of W steps, at least 2 s), N epochs are timed; best and
/// median are reported with the peak resident memory (VmHWM) of the process. With <c>--steps S</c> each timed
/// "epoch" runs only S steps and its time is scaled by (steps per epoch)/S — the output says so; an S of at least
/// one epoch times ⌊S / steps per epoch⌋ whole epochs per sample and reports their mean (for the 10-step student).
/// The multi-domain workloads (issue #13) go through the product's own path, <see cref="MultiDomainTraining"/>:
/// <c>md-teacher</c> is <see cref="MultiDomainTraining.FitTeacher"/> with the identity map on FashionMNIST-Big
/// (59,000, <see cref="FashionMnist.BigSmall"/>), <c>md-student</c> is <see cref="MultiDomainTraining.FitStudent"/>
/// on FashionMNIST-Small (1,000) with the <see cref="MultiDomainDistillation"/> loss (CE + soft CE, weights 1 + 1,
/// T = 1) against a frozen teacher answering on φ(x) = x in every step (a freshly initialised teacher: its weights do
/// not change the work).
/// <c>bdk-step</c> (issue #15) is one iteration of Algorithm 1 through <see cref="DistilledSgld.Run"/> (built by
/// <see cref="BayesianDarkKnowledge.Create"/>): the teacher 784-400-400-10 takes an SGLD step on a labelled minibatch of
/// M = 100 (η = 4e-6 constant, λ = 1, N = 60,000), then D' = 100 training rows + N(0, 0.001²), the teacher's softmax on
/// it (evaluation mode, no gradient), and one step of the student 784-400-400-10 (soft cross-entropy, Adam lr 1e-3 with
/// coupled L2 γ = 1e-4). Its "epoch" is one iteration: the times are seconds per iteration (<c>--steps S</c> iterations
/// per sample, their mean).
/// <c>vid-student</c> (issue #14, item 7) is one epoch of the <c>vid</c> experiment's <c>all</c> student, through the
/// product as the experiment runs it: <see cref="VidDistillation"/> with <see cref="VidPreset.All"/> (free λ = 1, all 16
/// Gaussian connections, β = 0.5, the default connection options) bound to a frozen <see cref="Zoo.TinyCnn"/> teacher and a
/// <see cref="Zoo.VeryTinyCnn"/> student at <see cref="Zoo.TinyFeaturePaths"/>, <see cref="VidObjective.StudentLoss"/>
/// per batch and one Adam (lr 1e-3) over the student's and the connections' parameters; the first 10,112 training
/// images in file order, unshuffled batches of 128 (79 steps). The teacher is freshly initialised (its weights do not
/// change the work).
/// Every row also records the number of parameters the timed optimiser(s) update (the fairness check against PyTorch).
/// bench/torch_epochs.py runs the same protocol in PyTorch; run each model in a fresh process so peaks don't mix.
/// Usage: Bench epochs [--models logistic,mlp,lenet,cnn,md-teacher,md-student,bdk-step,vid-student] [--epochs N] [--steps S] [--warmup W] [--threads T] [--csv FILE]
/// </summary>
internal static class EpochsBench
{
    /// <summary>How a setting trains: the plain <see cref="Trainer"/> on all 60,000 images, a multi-domain fit, distilled SGLD, or a VID student.</summary>
    internal enum Workload { Plain, MultiDomainTeacher, MultiDomainStudent, DistilledSgld, VidStudent }

    /// <summary>One benchmarked network: its name, minibatch size, whether it takes [N,1,28,28] images, its factory and its workload.</summary>
    internal sealed record Setting(string Name, int BatchSize, bool Images, Func<Rng, Module> Create, Workload Workload = Workload.Plain);

    /// <summary>Seed 002's teacher, the MLP [784, 256, 128, 64, 64, 10] (also the frozen teacher of md-student).</summary>
    private static Module MultiDomainTeacher(Rng rng) => new Mlp(rng, 784, 256, 128, 64, 64, 10);

    /// <summary>The settings, shared with bench/torch_epochs.py (same names, batch sizes; Adam lr <see cref="LearningRate"/>).</summary>
    internal static readonly Setting[] Settings =
    [
        new("logistic", 64, false, rng => Zoo.Logistic(rng)),
        new("mlp", 128, false, rng => Zoo.Mlp784_800_50_10(rng)),
        new("lenet", 64, true, rng => Zoo.LeNet(rng)),
        new("cnn", 64, true, rng => Zoo.Cnn32_64_64(rng)),
        new("md-teacher", 64, false, MultiDomainTeacher, Workload.MultiDomainTeacher),
        new("md-student", 100, false, rng => new Mlp(rng, 784, 64, 10), Workload.MultiDomainStudent),
        new("bdk-step", 100, false, rng => new Mlp(rng, 784, 400, 400, 10), Workload.DistilledSgld),
        new("vid-student", 128, true, rng => Zoo.VeryTinyCnn(rng), Workload.VidStudent),
    ];

    /// <summary>
    /// The settings of <c>vid-student</c>: the <c>vid</c> experiment's <c>all</c> row (VidExperiment: free-form λ = 1 on
    /// all 4 × 4 connections, the preset's β = 0.5 and default <see cref="GaussianConnectionOptions"/>: σ² per channel or
    /// unit starting at 5, the student's map upsampled where smaller).
    /// </summary>
    internal static readonly VidSettings Vid = new(VidPreset.All, Form: VidLambdaForm.Free);

    /// <summary>The <c>vid</c> experiment's training set: the first 10,112 FashionMNIST training images in file order.</summary>
    internal const int VidTrainCount = 10_112;

    /// <summary>
    /// The settings of <c>bdk-step</c> (methods.md §5.4's MNIST run, with Adam for the student): M = |D'| = 100,
    /// η = 4e-6 constant (4e-5, the port's value for ~10k examples, diverges with N = 60,000: see bench/README.md), λ = 1, σ = 0.001,
    /// student Adam lr 1e-3 with coupled L2 γ = 1e-4, constant rates.
    /// </summary>
    internal static readonly DarkKnowledgeSettings DarkKnowledge = new(
        TeacherBatchSize: 100, StudentBatchSize: 100, TeacherStepSize: 4e-6, TeacherStepDecay: 1, TeacherPriorPrecision: 1,
        StudentLearningRate: 1e-3, StudentDecay: 1, StudentPriorPrecision: 1e-4,
        StudentOptimizer: DarkKnowledgeStudentOptimizer.Adam, InputNoise: 0.001, Seed: 1);

    internal const float LearningRate = 1e-3f;

    /// <summary>Least warm-up time before timing (the same in bench/torch_epochs.py).</summary>
    internal const double WarmupSeconds = 2.0;

    public static int Run(string[] args)
    {
        string[] models = Option(args, "--models")?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? Settings.Select(s => s.Name).ToArray();
        int epochs = int.Parse(Option(args, "--epochs") ?? "3", CultureInfo.InvariantCulture);
        int steps = int.Parse(Option(args, "--steps") ?? "0", CultureInfo.InvariantCulture);
        int warmup = int.Parse(Option(args, "--warmup") ?? "50", CultureInfo.InvariantCulture);
        string? csvPath = Option(args, "--csv");
        if (Option(args, "--threads") is { } threads) Gemm.MaxThreads = int.Parse(threads, CultureInfo.InvariantCulture);
        var unknown = models.Where(m => Settings.All(s => s.Name != m)).ToArray();
        if (unknown.Length > 0 || epochs < 1 || steps < 0 || warmup < 0)
        {
            Console.Error.WriteLine($"epochs: bad options (unknown models: {string.Join(",", unknown)}; epochs {epochs} ≥ 1, steps {steps} ≥ 0, warmup {warmup} ≥ 0 expected). Models: {string.Join(",", Settings.Select(s => s.Name))}");
            return 2;
        }

        var data = FashionMnist.Load();
        var rows = new List<string>();
        Console.WriteLine($"ours: gemm {Gemm.ActiveKernel}, gemm threads {Gemm.MaxThreads}, processors {Environment.ProcessorCount}");
        foreach (var setting in Settings.Where(s => models.Contains(s.Name)))
        {
            var (seconds, stepsTimed, stepsPerEpoch, lastLoss, parameters) = setting.Workload switch
            {
                Workload.Plain => TimeEpochs(setting, data.Train, epochs, steps, warmup),
                Workload.DistilledSgld => TimeDistilledSgld(setting, data.Train, epochs, steps, warmup),
                Workload.VidStudent => TimeVidStudent(setting, data.Train, epochs, steps, warmup),
                _ => TimeMultiDomain(setting, data.Train, epochs, steps, warmup),
            };
            Array.Sort(seconds);
            double best = seconds[0], median = Median(seconds);
            double peakMiB = PeakResidentMiB();
            bool perIteration = setting.Workload == Workload.DistilledSgld;
            string scaled = perIteration ? $" (mean of {stepsTimed} iterations per sample)"
                : stepsTimed < stepsPerEpoch ? $" (scaled from {stepsTimed} of {stepsPerEpoch} steps)"
                : stepsTimed > stepsPerEpoch ? $" (mean of {stepsTimed / stepsPerEpoch} epochs of {stepsPerEpoch} steps per sample)" : "";
            string unit = perIteration ? "s/iteration" : "s/epoch";
            string format = perIteration ? "F5" : "F3";
            Console.WriteLine($"{setting.Name,-9} batch {setting.BatchSize,3}: best {best.ToString(format, CultureInfo.InvariantCulture)} {unit}, " +
                              $"median {median.ToString(format, CultureInfo.InvariantCulture)}{scaled}, " +
                              $"last loss {lastLoss:F3}, peak RSS {peakMiB:F0} MiB, trained parameters {parameters}");
            rows.Add(string.Join(',', "ours", setting.Name, setting.BatchSize, stepsTimed, stepsPerEpoch, epochs,
                F(best, perIteration ? 6 : 4), F(median, perIteration ? 6 : 4), F(peakMiB), Gemm.MaxThreads, parameters));
        }
        if (csvPath is not null)
        {
            bool header = !File.Exists(csvPath) || new FileInfo(csvPath).Length == 0;
            using var writer = new StreamWriter(csvPath, append: true);
            if (header) writer.WriteLine(CsvHeader);
            foreach (var row in rows) writer.WriteLine(row);
        }
        return 0;
    }

    /// <summary>Columns of the CSV rows, shared with bench/torch_epochs.py (<c>params</c>: the parameters the timed optimiser(s) update).</summary>
    internal const string CsvHeader = "impl,model,batch,steps_timed,steps_per_epoch,epochs,best_s,median_s,peak_rss_mib,threads,params";

    /// <summary>
    /// The steps timed per sample for <c>--steps</c> <paramref name="steps"/>: a whole epoch (0), part of one
    /// (fewer than an epoch), or ⌊steps / epoch⌋ whole epochs; with the epochs per sample. The same rule as bench/torch_epochs.py.
    /// </summary>
    private static (int StepsTimed, int EpochsPerSample) TimedSteps(int steps, int stepsPerEpoch) =>
        steps == 0 ? (stepsPerEpoch, 1)
        : steps < stepsPerEpoch ? (steps, 1)
        : (steps / stepsPerEpoch * stepsPerEpoch, steps / stepsPerEpoch);

    /// <summary>Warm-up, then <paramref name="epochs"/> timed (possibly partial, then scaled) epochs.</summary>
    private static (double[] Seconds, int StepsTimed, int StepsPerEpoch, double LastLoss, long Parameters) TimeEpochs(
        Setting setting, LabeledDataset train, int epochs, int steps, int warmup)
    {
        var dataset = setting.Images ? train.WithSampleShape(1, FashionMnist.Side, FashionMnist.Side) : train;
        var model = setting.Create(new Rng(1));
        var trainer = new Trainer(model, new Adam(model.Parameters(), LearningRate));
        var loader = new BatchLoader(dataset, setting.BatchSize, seed: 1);
        var (stepsTimed, block) = TimedSteps(steps, loader.BatchCount);
        int perFit = Math.Min(stepsTimed, loader.BatchCount);
        // Warm-up: rounds of `warmup` steps until WarmupSeconds have passed, so the JIT has tiered up (a fixed 50
        // steps left LeNet ~3x slower than in later epochs).
        var warmupClock = System.Diagnostics.Stopwatch.StartNew();
        while (warmup > 0 && warmupClock.Elapsed.TotalSeconds < WarmupSeconds)
            trainer.Fit(_ => loader.LabelledBatches(0).Take(warmup), 1);
        var seconds = new double[epochs];
        double lastLoss = double.NaN;
        for (int e = 0; e < epochs; e++)
        {
            var reports = trainer.Fit(k => loader.LabelledBatches(e * block + k).Take(perFit), block, stepsPerEpoch: perFit);
            seconds[e] = reports.Sum(r => r.Seconds) * loader.BatchCount / stepsTimed;
            lastLoss = reports[^1].TrainLoss;
        }
        return (seconds, stepsTimed, loader.BatchCount, lastLoss, Count(model.Parameters()));
    }

    /// <summary>
    /// The multi-domain workloads through <see cref="MultiDomainTraining"/>, timed as <see cref="TimeEpochs"/> does:
    /// a warm-up of fits over <paramref name="warmup"/> batches' worth of images until 2 s have passed, then
    /// <paramref name="epochs"/> samples of <see cref="TimedSteps"/> steps, each the sum of the fits' per-epoch loop
    /// times (the <see cref="EpochReport.Seconds"/> of the trainer) scaled to one epoch.
    /// </summary>
    private static (double[] Seconds, int StepsTimed, int StepsPerEpoch, double LastLoss, long Parameters) TimeMultiDomain(
        Setting setting, LabeledDataset train, int epochs, int steps, int warmup)
    {
        var (big, small) = FashionMnist.BigSmall(train);
        var data = setting.Workload == Workload.MultiDomainTeacher ? big : small;
        int batch = setting.BatchSize;
        int stepsPerEpoch = (data.Count + batch - 1) / batch;
        var (stepsTimed, block) = TimedSteps(steps, stepsPerEpoch);
        var model = setting.Create(new Rng(1));
        var optimizer = new Adam(model.Parameters(), LearningRate);
        var teacher = setting.Workload == Workload.MultiDomainStudent ? MultiDomainTeacher(new Rng(2)) : null;
        var loss = new MultiDomainDistillation(new MultiDomainSettings());
        // One fit of `epochCount` epochs over `images` (the product's own loops; a subset for partial epochs).
        List<EpochReport> Fit(LabeledDataset images, int epochCount, ulong seed) => teacher is null
            ? MultiDomainTraining.FitTeacher(model, optimizer, images, IdentityMap.Instance, epochCount, batch, seed)
            : MultiDomainTraining.FitStudent(model, optimizer, images, loss, teacher, IdentityMap.Instance, epochCount, batch, seed);
        LabeledDataset First(int count) => count >= data.Count ? data : data.Subset(Enumerable.Range(0, count).ToArray());

        var warmupData = First(Math.Max(1, warmup) * batch);
        var warmupClock = System.Diagnostics.Stopwatch.StartNew();
        while (warmup > 0 && warmupClock.Elapsed.TotalSeconds < WarmupSeconds)
            Fit(warmupData, 1, seed: 0);
        var timedData = First(Math.Min(stepsTimed, stepsPerEpoch) * batch);
        var seconds = new double[epochs];
        double lastLoss = double.NaN;
        for (int e = 0; e < epochs; e++)
        {
            var reports = Fit(timedData, block, seed: (ulong)e + 1);
            seconds[e] = reports.Sum(r => r.Seconds) * stepsPerEpoch / stepsTimed;
            lastLoss = reports[^1].TrainLoss;
        }
        return (seconds, stepsTimed, stepsPerEpoch, lastLoss, Count(model.Parameters()));
    }

    /// <summary>
    /// <c>bdk-step</c>: distilled SGLD through the product (<see cref="BayesianDarkKnowledge.Create"/>, then
    /// <see cref="DistilledSgld.Run"/> on the 60,000 training images), timed as the others: a warm-up of runs of
    /// <paramref name="warmup"/> iterations until 2 s have passed, then <paramref name="epochs"/> samples of
    /// <paramref name="steps"/> iterations (at least 1), each reported as seconds per iteration ("epoch" = 1 iteration).
    /// </summary>
    private static (double[] Seconds, int StepsTimed, int StepsPerEpoch, double LastLoss, long Parameters) TimeDistilledSgld(
        Setting setting, LabeledDataset train, int epochs, int steps, int warmup)
    {
        var teacher = setting.Create(new Rng(1));
        var student = setting.Create(new Rng(2));
        var run = new BayesianDarkKnowledge(DarkKnowledge).Create(teacher, student, train);
        int iterations = Math.Max(1, steps);
        double lastLoss = double.NaN;
        void Record(DistilledSgldProgress p) => lastLoss = p.StudentLoss;
        var warmupClock = System.Diagnostics.Stopwatch.StartNew();
        while (warmup > 0 && warmupClock.Elapsed.TotalSeconds < WarmupSeconds)
            run.Run(train, DarkKnowledge.TeacherBatchSize, warmup);
        var seconds = new double[epochs];
        for (int e = 0; e < epochs; e++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            run.Run(train, DarkKnowledge.TeacherBatchSize, iterations, callbackEvery: iterations, callback: Record);
            seconds[e] = clock.Elapsed.TotalSeconds / iterations;
        }
        return (seconds, iterations, 1, lastLoss, Count([.. teacher.Parameters(), .. student.Parameters()]));
    }

    /// <summary>
    /// <c>vid-student</c>: the loop of the <c>vid</c> experiment's student (VidTraining.Student in examples/Reproduce,
    /// without its per-epoch evaluation): <see cref="VidDistillation.Bind"/>, then per unshuffled batch of the first
    /// <see cref="VidTrainCount"/> training images a tensor scope, <see cref="Optimizer.ZeroGrad"/>,
    /// <see cref="VidObjective.StudentLoss"/>, its value read and checked, backward and one Adam step over the student's
    /// and the connections' parameters. Timed as <see cref="TimeEpochs"/>: a warm-up of rounds of
    /// <paramref name="warmup"/> steps until 2 s have passed, then <paramref name="epochs"/> samples of
    /// <see cref="TimedSteps"/> steps (the first steps of an epoch, scaled, or whole epochs).
    /// </summary>
    private static (double[] Seconds, int StepsTimed, int StepsPerEpoch, double LastLoss, long Parameters) TimeVidStudent(
        Setting setting, LabeledDataset train, int epochs, int steps, int warmup)
    {
        var data = train.Subset(Enumerable.Range(0, VidTrainCount).ToArray(), "fmnist-train");
        var teacher = Zoo.TinyCnn(new Rng(1000));
        var rng = new Rng(1);
        var student = setting.Create(rng);
        using var objective = new VidDistillation(Vid).Bind(teacher, student, [1, FashionMnist.Side, FashionMnist.Side],
            Zoo.TinyFeaturePaths, Zoo.TinyFeaturePaths, rng);
        var optimizer = new Adam([.. student.Parameters(), .. objective.Parameters()], LearningRate);
        var loader = new BatchLoader(data, setting.BatchSize, rng.NextUInt64(), shuffle: false);
        var (stepsTimed, block) = TimedSteps(steps, loader.BatchCount);
        int perEpoch = Math.Min(stepsTimed, loader.BatchCount);
        double lastLoss = double.NaN;
        double Epoch(int epoch, int count)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            student.Train();
            foreach (var b in loader.LabelledBatches(epoch).Take(count))
            {
                using var scope = TensorScope.Begin();
                optimizer.ZeroGrad();
                var loss = objective.StudentLoss(b.Inputs, b.Labels);
                float value = loss.Item();
                if (!float.IsFinite(value)) throw new InvalidOperationException($"Bench epochs: the vid student's loss is {value}.");
                loss.Backward();
                optimizer.Step();
                lastLoss = value;
            }
            return clock.Elapsed.TotalSeconds;
        }
        var warmupClock = System.Diagnostics.Stopwatch.StartNew();
        while (warmup > 0 && warmupClock.Elapsed.TotalSeconds < WarmupSeconds)
            Epoch(0, Math.Min(warmup, loader.BatchCount));
        var seconds = new double[epochs];
        for (int e = 0; e < epochs; e++)
        {
            double total = 0;
            for (int k = 0; k < block; k++) total += Epoch(e * block + k, perEpoch);
            seconds[e] = total * loader.BatchCount / stepsTimed;
        }
        return (seconds, stepsTimed, loader.BatchCount, lastLoss, Count([.. student.Parameters(), .. objective.Parameters()]));
    }

    /// <summary>The number of scalars in <paramref name="parameters"/>.</summary>
    private static long Count(IEnumerable<Tensor> parameters) => parameters.Sum(p => (long)p.Length);

    /// <summary>Peak resident set size of this process (VmHWM in /proc/self/status), MiB; NaN where unavailable.</summary>
    private static double PeakResidentMiB()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return double.NaN;
        foreach (string line in File.ReadLines(path))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        return double.NaN;
    }

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);

    private static string F(double x, int decimals = 4) => x.ToString("F" + decimals, CultureInfo.InvariantCulture);

    internal static string? Option(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
