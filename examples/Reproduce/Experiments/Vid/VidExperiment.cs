using System.Globalization;
using Probabilistic.Core.Random;
using Probabilistic.Distill.Search;
using Probabilistic.Distill.Vid;
using Probabilistic.Nn.Data;
using Probabilistic.Plots;
using Probabilistic.Reproduce.Results;
using Probabilistic.Sweep;

namespace Probabilistic.Reproduce.Experiments.Vid;

/// <summary>
/// The <c>vid</c> experiment (seed 003, methods.md §4.2–§4.4, issue #14): all-to-all layer alignment by variational
/// mutual information on FashionMNIST. A TinyCnn teacher is trained once; VeryTinyCnn students are trained per method
/// and seed (none, Hinton, pairwise VID, all-to-all in the free and the column-stochastic form, random λ, and the λ of
/// a GP coefficient search scored on a held-out part of the training set). Tables <c>fmnist</c> and <c>search</c>;
/// figures of the test-accuracy curves, the best λ, and the per-connection −E[log q] before and after distillation.
/// Every student is a <c>vid/student</c> run (<see cref="VidStudentRun"/>, one seed × one configuration): the search's
/// trials one after another (each trial's λ depends on those before it), then every method × seed at once.
/// </summary>
public sealed class VidExperiment : IExperiment
{
    /// <summary>The sizes of a run: the 2023 protocol (full) or a smoke test (quick).</summary>
    /// <param name="Train">Training images (the first ones, in file order).</param>
    /// <param name="Validation">The next training images, held out to score the search's trials.</param>
    /// <param name="Test">Test images (the first ones; <see cref="int.MaxValue"/> for all).</param>
    /// <param name="Epochs">The students' epochs.</param>
    /// <param name="TeacherEpochs">The teacher's epochs.</param>
    /// <param name="Trials">The search's trials.</param>
    /// <param name="InfoSteps">Adam steps of the information probe's connection fit.</param>
    public sealed record Sizes(int Train, int Validation, int Test, int Epochs, int TeacherEpochs, int Trials, int InfoSteps)
    {
        /// <summary>The data plan of a student run scored on the validation images or the test images.</summary>
        public VidStudentRun.Plan Plan(bool onTest) => new(Train, Validation, TeacherEpochs, Test, onTest);

        /// <summary>The 2023 protocol.</summary>
        public static Sizes Full { get; } = new(10_112, 2_000, int.MaxValue, 30, 30, 12, 400);

        /// <summary>The smoke test of <c>--quick</c>.</summary>
        public static Sizes Quick { get; } = new(1_000, 500, 1_000, 1, 1, 2, 150);
    }

    private readonly Sizes? _sizes;

    /// <summary>The experiment at the protocol's sizes (<see cref="Sizes.Full"/>, or <see cref="Sizes.Quick"/> with <c>--quick</c>).</summary>
    public VidExperiment()
    {
    }

    /// <summary>The experiment at fixed <paramref name="sizes"/>, whatever <c>--quick</c> says.</summary>
    public VidExperiment(Sizes sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        _sizes = sizes;
    }

    internal const int Batch = 128, Layers = 4;
    internal const double Rate = 1e-3;

    /// <summary>The teacher's seed.</summary>
    internal const ulong TeacherSeed = 1000;

    /// <summary>The Adam rate of the information probe's connection fit (a probe, not the protocol: fast, so σ² reaches its fit in a few hundred steps).</summary>
    private const double ProbeRate = 3e-2;

    /// <summary>The thesis's FashionMNIST accuracies (VeryTiny student), by row.</summary>
    private static readonly Dictionary<string, double> Paper = new()
    {
        ["none"] = 0.839, ["hinton"] = 0.849, ["pairwise"] = 0.852, ["all"] = 0.853, ["random"] = 0.859, ["search"] = 0.857,
    };

    /// <inheritdoc/>
    public string Name => "vid";

    /// <inheritdoc/>
    public string Description => "All-to-all VID (seed 003): TinyCnn → VeryTinyCnn on FashionMNIST, none/Hinton/pairwise/all/random/searched λ";

    /// <inheritdoc/>
    public int DefaultSeedCount => 3;

    /// <inheritdoc/>
    public ExperimentResult Run(ExperimentContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = new ExperimentResult();
        var sizes = _sizes ?? (context.Quick ? Sizes.Quick : Sizes.Full);
        if (_sizes is null && context.Quick)
        {
            const string quick = "QUICK RUN: 1,000 training images, 1 epoch, 1,000 test images, 2 search trials; a smoke test, not the reproduction.";
            context.Status(quick);
            result.Notes.Add(quick);
        }
        result.Notes.Add("The thesis's main data set, CIFAR-10, cannot be had on this machine; FashionMNIST (1×28×28, padding 2 on the first conv gives the CIFAR feature shapes, §4.4) stands in, and the paper column is the thesis's FashionMNIST table.");
        result.Notes.Add($"2023 protocol: the training set is the first {sizes.Train:N0} training images in file order, never shuffled (the thesis code's loader); each epoch sees them in the same order.");
        result.Notes.Add($"The search scores a trial by validation accuracy on training images {sizes.Train:N0}..{sizes.Train + sizes.Validation - 1:N0} (held out from the student's training set, never the test set); it runs once (first seed), and its best λ trains the search student of every seed.");
        result.Config["data"] = $"FashionMNIST, train = first {sizes.Train} training images (no shuffle), validation = the next {sizes.Validation}, test = {(sizes.Test == int.MaxValue ? "all 10,000" : sizes.Test.ToString(CultureInfo.InvariantCulture))} test images";
        result.Config["models"] = "teacher Zoo.TinyCnn (16-32-64, FC 128), student Zoo.VeryTinyCnn (8-16-32, FC 64); features Zoo.TinyFeaturePaths (3 pooled blocks + FC ReLU)";
        result.Config["training"] = $"Adam lr {Rate}, batch {Batch}, {sizes.Epochs} epochs (teacher {sizes.TeacherEpochs}), connections trained with the student by the same Adam";
        result.Config["loss"] = "β = 0.5: 0.5·CE + 0.5·Σ λᵢⱼ ℓᵢⱼ (Hinton: 0.5·CE + 0.5·T²·KL, T = 3); heteroscedastic σ per channel, compat switches off";
        result.Config["search"] = $"CoefficientSearch, GP sampler, free-form λ ∈ [0,1]^16, {sizes.Trials} trials, maximise validation accuracy";
        result.Config["information picture"] = $"16 connections fitted on the frozen student's features (σ² starts at 1): {sizes.InfoSteps} Adam steps (lr {ProbeRate}, batch {Batch}) on the training set, −E[log q] on the test set";

        if (context.FashionMnistOrNote(result) is not { } fashion) return result;
        var test = sizes.Test < fashion.Test.Count ? fashion.Test.Subset(Enumerable.Range(0, sizes.Test).ToArray(), "fmnist-test") : fashion.Test;

        // The process's shared teacher, for its test accuracy; the student runs done in this process train against copies of it.
        var teacher = context.Time("teacher", () => VidTeachers.Shared(context.Data, sizes.Train, sizes.TeacherEpochs));
        var teacherReport = VidTraining.Evaluate(teacher, test);
        context.Status($"teacher: test accuracy {teacherReport.Accuracy:F4}, CE {teacherReport.CrossEntropy:F4}");
        result.Config["teacher test accuracy"] = teacherReport.Accuracy;

        // The search (once, first seed's student initialisation): trials train on `train`, score on `validation`.
        ulong searchSeed = context.Seeds.Count > 0 ? context.Seeds[0] : 0;
        var search = new CoefficientSearch(SearchSpace.Box(Layers * Layers), new GaussianProcessSampler(), sizes.Trials, searchSeed + 77, SearchDirection.Maximise);
        // Each trial is a vid/student run (stored, so a restarted experiment re-runs no finished trial); the GP sampler
        // picks a trial's λ from the trials before it, so the trials run one after another.
        var searched = context.Time("search", () => search.Run(trial =>
        {
            var request = context.Runs.Request(VidStudentRun.Body, VidStudentRun.Settings("custom", "free", 0.5, 3,
                trial.Point.ToArray(), sizes.Epochs, sizes.Plan(onTest: false)), searchSeed);
            var metrics = VidStudentRun.Read(context.Runs.Payloads([request], context.Cancellation)[0]);
            context.Status($"search trial {trial.Index}: validation accuracy {metrics.Accuracy:F4}");
            return metrics.Accuracy;
        }));
        double[] searchedPoint = searched.Best.Trial.Point.ToArray();
        var best = VidStudentRun.ToLambda(searchedPoint);
        var searchTable = result.AddTable("search", $"Every search trial: validation accuracy (training images held out) and its free-form λ (λ[i,j], teacher layer i, student layer j)",
            ["trial", "val accuracy", .. Enumerable.Range(0, Layers * Layers).Select(k => $"λ{k / Layers}{k % Layers}")]);
        foreach (var t in searched.Trials)
            searchTable.AddRow([t.Trial.Index, t.Value, .. t.Trial.Point.ToArray().Cast<object?>()]);

        // Every method × seed is one vid/student run scored on the test images, all submitted at once. The random
        // preset draws its λ from the run's seed (seed + 1); the all student of the first seed also carries the
        // information probe (its untrained and trained student, so the picture needs no student back).
        var methods = new (string Row, string Preset, string Form, double[] Lambda)[]
        {
            ("none", "none", "free", []),
            ("hinton", "hinton", "free", []),
            ("pairwise", "pairwise", "free", []),
            ("all", "all", "free", []),
            ("all (column-stochastic)", "all", "column-stochastic", []),
            ("random", "random", "free", []),
            ("search", "custom", "free", searchedPoint),
        };
        var probe = new VidStudentRun.Probe(sizes.InfoSteps, ProbeRate, 4242);
        var requests = new List<RunRequest>();
        foreach (var (row, preset, form, lambda) in methods)
            foreach (ulong seed in context.Seeds)
                requests.Add(context.Runs.Request(VidStudentRun.Body, VidStudentRun.Settings(preset, form, 0.5, 3, lambda, sizes.Epochs,
                    sizes.Plan(onTest: true), row == "all" && seed == context.Seeds[0] ? probe : null), seed));
        var students = context.Time("students", () => context.Runs.Payloads(requests, context.Cancellation)).Select(VidStudentRun.Read).ToArray();

        var table = result.AddTable("fmnist", $"FashionMNIST, VeryTinyCnn student: test accuracy and cross-entropy, mean ± sd over {context.Seeds.Count} seeds ({sizes.Epochs} epochs); teacher {teacherReport.Accuracy:F4}",
            "method", "accuracy", "acc sd", "test CE", "paper accuracy");
        var curves = new Dictionary<string, IReadOnlyList<double>>();
        VidStudentMetrics? allStudent = null;
        for (int m = 0; m < methods.Length; m++)
        {
            string row = methods[m].Row;
            var perSeed = students.AsSpan(m * context.Seeds.Count, context.Seeds.Count).ToArray();
            for (int k = 0; k < perSeed.Length; k++)
                context.Status($"{row} seed {context.Seeds[k]}: test accuracy {perSeed[k].Accuracy:F4}, CE {perSeed[k].CrossEntropy:F4}");
            if (perSeed.Length > 0)
            {
                curves[row] = perSeed[0].AccuracyCurve;
                if (row == "all") allStudent = perSeed[0];
            }
            List<double> accuracies = [.. perSeed.Select(x => x.Accuracy)];
            List<double> entropies = [.. perSeed.Select(x => x.CrossEntropy)];
            table.AddRow(row, accuracies.Average(), SeedStatistics.StandardDeviation(accuracies), entropies.Average(),
                Paper.TryGetValue(row, out double paper) ? paper : null);
        }

        var curveFigure = new Figure("Test accuracy per epoch (0 = initialisation), first seed", 900, 550);
        var axes = curveFigure.Axes(xLabel: "epoch", yLabel: "test accuracy");
        foreach (var (row, accuracy) in curves)
            axes.Line(Enumerable.Range(0, accuracy.Count).Select(e => (double)e).ToArray(), accuracy.ToArray(), row, markers: accuracy.Count < 4);
        result.Figures["fmnist_curves"] = curveFigure;

        string[] teacherLabels = [.. Enumerable.Range(0, Layers).Select(i => $"t{i + 1}")];
        string[] studentLabels = [.. Enumerable.Range(0, Layers).Select(j => $"s{j + 1}")];
        var lambdaFigure = new Figure($"Best λ: trial {searched.Best.Trial.Index}, val acc {searched.Best.Value:F3}", 620, 520);
        lambdaFigure.Axes(xLabel: "student layer", yLabel: "teacher layer").HeatMap(best.ToArray(), studentLabels, teacherLabels, min: 0, max: 1, annotate: "F2", colorbarLabel: "λ");
        result.Figures["search_lambda"] = lambdaFigure;

        if (allStudent is { InformationBefore: { } before, InformationAfter: { } after })
        {
            double min = Math.Min(Min(before), Min(after)), max = Math.Max(Max(before), Max(after));
            var info = new Figure("−E[log q(t|s)] per connection, all student (lower = more information)", 1200, 560, rows: 1, cols: 2);
            info.Axes(0, 0, "untrained student", "student layer", "teacher layer").HeatMap(before, studentLabels, teacherLabels, min: min, max: max, annotate: "F3", colorbarLabel: "−E[log q] per element");
            info.Axes(0, 1, "distilled student", "student layer", "teacher layer").HeatMap(after, studentLabels, teacherLabels, min: min, max: max, annotate: "F3", colorbarLabel: "−E[log q] per element");
            result.Figures["information"] = info;
            var infoTable = result.AddTable("information", "−E[log q(t | s)] per connection (per element, without ½ log 2π), frozen all student, before → after distillation",
                ["teacher layer", .. studentLabels.Select(l => $"{l} before"), .. studentLabels.Select(l => $"{l} after")]);
            for (int i = 0; i < Layers; i++)
                infoTable.AddRow([teacherLabels[i], .. Enumerable.Range(0, Layers).Select(j => (object?)before[i, j]), .. Enumerable.Range(0, Layers).Select(j => (object?)after[i, j])]);
        }
        return result;
    }

    private static double Min(double[,] a) => a.Cast<double>().Min();

    private static double Max(double[,] a) => a.Cast<double>().Max();
}
