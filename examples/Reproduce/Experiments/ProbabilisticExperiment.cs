using System.Diagnostics;
using Probabilistic.Nn.Data;
using Probabilistic.Distill.Output;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Training;
using Probabilistic.Plots;
using Probabilistic.Reproduce.Results;
using static Probabilistic.Reproduce.Results.SeedStatistics;

namespace Probabilistic.Reproduce.Experiments;

/// <summary>
/// The <c>probabilistic</c> experiment: P1's probabilistic distillation (methods.md §1.4). Synthetic 3-class set with
/// and without the teacher; the T–λ sweep; FashionMNIST with the LeNet teacher (Paper and Corrected modes); the
/// privileged-information variant (teacher on clean images, student on 2×-downsampled ones, |I|/m varied); and a
/// note that the Twitter experiment cannot run here. Tables show mean ± sd over seeds beside the paper's numbers.
/// Every gradient-trained student (one seed × one configuration) is a run through <c>context.Runs</c>, a section's
/// students submitted at once: <c>probabilistic/student</c> (synthetic set) and <c>probabilistic/fashion-student</c>
/// (FashionMNIST; the teacher trained once per process). The tables' <c>seconds</c> are the students' training time summed.
/// </summary>
public sealed class ProbabilisticExperiment : IExperiment
{
    public string Name => "probabilistic";

    public string Description => "Probabilistic (Hinton/Vapnik) distillation of P1: synthetic, T–λ sweep, FashionMNIST (paper/corrected), privileged information";

    public int DefaultSeedCount => 5;

    private static readonly double[] SweepTemperatures = [0.25, 0.5, 1, 2, 4, 8];
    private static readonly double[] SweepLambdas = Enumerable.Range(0, 11).Select(i => i / 10.0).ToArray();
    private static readonly int[] ProbeObjects = [.. ProbabilisticStudentRun.ProbeObjects];
    private static readonly double[] PrivilegedFractions = [0, 0.1, 0.5, 1];

    /// <summary>Sizes of one run: full (the paper's) or quick (a smoke run of about a minute).</summary>
    private sealed record Plan(int SyntheticEpochs, int SweepEpochs, int SweepSeeds, double[] SweepT, double[] SweepLambda,
        int TeacherEpochs, int StudentEpochs, int CorrectedSeeds, int PrivilegedEpochs, int PrivilegedSeeds, int? TrainSubset)
    {
        // The corrected normaliser makes a FashionMNIST epoch about 5× slower (a K = 10 divided-difference table per
        // object), so the full plan runs that mode and the privileged-information grid on fewer seeds.
        public static Plan Full(int seeds) => new(200, 200, seeds, SweepTemperatures, SweepLambdas, 20, 100, Math.Min(seeds, 3), 10, Math.Min(seeds, 2), null);
        public static Plan Quick => new(50, 30, 1, [0.5, 2, 8], [0, 0.5, 1], 1, 3, 2, 3, 1, 10_000);
    }

    public ExperimentResult Run(ExperimentContext context)
    {
        var result = new ExperimentResult();
        var plan = context.Quick ? Plan.Quick : Plan.Full(context.Seeds.Count);
        if (context.Quick)
        {
            const string quick = "QUICK RUN: fewer epochs, seeds and a FashionMNIST training subset; the numbers are a smoke test, not the reproduction.";
            context.Status(quick);
            result.Notes.Add(quick);
        }
        result.Config["plan"] = new Dictionary<string, object?>
        {
            ["synthetic_epochs"] = plan.SyntheticEpochs, ["sweep_epochs"] = plan.SweepEpochs, ["sweep_seeds"] = plan.SweepSeeds,
            ["teacher_epochs"] = plan.TeacherEpochs, ["student_epochs"] = plan.StudentEpochs, ["fashion_corrected_seeds"] = plan.CorrectedSeeds,
            ["privileged_epochs"] = plan.PrivilegedEpochs, ["privileged_seeds"] = plan.PrivilegedSeeds,
            ["fashion_train_subset"] = plan.TrainSubset, ["batch"] = ProbabilisticExperiments.BatchSize, ["optimizer"] = "Adam lr 1e-3",
        };
        Synthetic(context, result, plan);
        BayesianStudents.Regression(context, result);
        Sweep(context, result, plan);
        Fashion(context, result, plan);
        result.AddTable("twitter", "Twitter sentiment (P1 §1.4c)", "status", "paper without teacher", "paper with teacher")
            .AddRow("not run: the 1.58M-tweet data set and the BERT encoder are not available here, and the authors' notebook is an unfinished stub",
                "CE 0.501 ± 0.006, acc 0.747 ± 0.004", "CE 0.489 ± 0.003, acc 0.764 ± 0.005");
        result.Notes.Add("Twitter experiment not reproduced: no data set, no BERT encoder on this machine (methods.md §1.4c, §7).");
        return result;
    }

    // ---- synthetic -------------------------------------------------------------------------------------------

    private static void Synthetic(ExperimentContext context, ExperimentResult result, Plan plan)
    {
        SyntheticClassification data = context.Data.SyntheticClassification;
        const double teacherT = 10, lambda = 0.75;
        float[] soft = data.SoftLabels(data.Train, teacherT);
        result.Config["synthetic"] = new Dictionary<string, object?>
        {
            ["teacher"] = "softmax(x W / 10)", ["lambda"] = lambda, ["student_temperature"] = 1, ["student"] = "linear 10→3",
            ["epochs"] = plan.SyntheticEpochs, ["reduction"] = "CodeBatchMean",
        };
        // The student temperature is 1; the normaliser term is on for probabilistic-corrected only (ProbabilisticStudentRun).
        (string Label, string Method)[] conditions =
        [
            ("without teacher", "ml"),
            ("with teacher (paper code: terms 1-3)", "probabilistic-paper"),
            ("with teacher + corrected term 4", "probabilistic-corrected"),
            ("Hinton (T = 1)", "hinton"),
        ];
        string[] paper = ["0.422 ± 0.002", "0.831 ± 0.001", "0.75 ± 0.22", "2.64 ± 0.02"];
        string[] paperWith = ["0.618 ± 0.001", "0.828 ± 0.002", "0.45 ± 0.20", "1.17 ± 0.05"];
        var table = result.AddTable("synthetic", $"Synthetic (K = 3, n = 10), final epoch {plan.SyntheticEpochs}, mean ± sd over {context.Seeds.Count} seeds (paper: 5 runs)",
            "condition", "method", "runs", "test CE", "CE sd", "accuracy", "acc sd", "max−min", "max−min sd", "RealCE", "RealCE sd", "paper CE", "paper acc", "paper max−min", "paper RealCE", "seconds");
        var figure = new Figure("Synthetic: test cross-entropy per epoch (mean ± sd over seeds)", 900, 500);
        var axes = figure.Axes(xLabel: "epoch", yLabel: "test CE");
        var gradient = new List<BayesianStudents.GradientRuns>();
        // Every student a probabilistic/student run (its normaliser on for probabilistic-corrected only, as here),
        // all submitted at once; each has its own generator from its seed, so the numbers are those of training them in turn.
        var requests = conditions.SelectMany(condition => context.Seeds.Select(seed =>
            ProbabilisticStudentRun.Request(context.Runs, condition.Method, teacherT, lambda, plan.SyntheticEpochs, seed, detail: true))).ToList();
        var outcomes = context.Runs.Payloads(requests, context.Cancellation).Select(ProbabilisticStudentRun.ReadOutcome).ToList();
        int next = 0;
        foreach (var (label, method) in conditions)
        {
            var done = outcomes.GetRange(next, context.Seeds.Count);
            next += context.Seeds.Count;
            var runs = done.Select(o => o.Outcome).ToList();
            double seconds = done.Sum(o => o.Seconds);
            string[] reference = method == "ml" ? paper : method == "probabilistic-paper" ? paperWith : ["—", "—", "—", "—"];
            AddMetricsRow(table, label, method, runs, reference, seconds);
            gradient.Add(new(label, method, runs, seconds));
            AddCurve(axes, label, runs);
            context.Status($"synthetic {label}: CE {Mean(runs, m => m.CrossEntropy):F4}, acc {Mean(runs, m => m.Accuracy):F4} ({seconds:F1} s of training)");
        }
        result.Figures["synthetic_learning_curves"] = figure;
        BayesianStudents.Synthetic(context, result, data, soft, lambda, gradient);
    }

    // ---- T–λ sweep --------------------------------------------------------------------------------------------

    private static void Sweep(ExperimentContext context, ExperimentResult result, Plan plan) =>
        TemperatureLambdaSweep(context, result, plan.SweepT, plan.SweepLambda, plan.SweepEpochs, context.Seeds.Take(plan.SweepSeeds).ToList());

    /// <summary>
    /// The T–λ sweep (table <c>sweep</c>, figure <c>sweep_probabilities</c>): a <c>probabilistic-paper</c> student per
    /// (T, λ, seed), each a <c>probabilistic/student</c> run carried out by <see cref="ExperimentContext.Runs"/> (so
    /// in parallel with <c>--jobs</c>, and stored); every student has its own generator from its seed, so the numbers
    /// do not depend on where or in which order the runs happen.
    /// </summary>
    public static void TemperatureLambdaSweep(ExperimentContext context, ExperimentResult result, double[] temperatures, double[] lambdas,
        int epochs, IReadOnlyList<ulong> seeds)
    {
        SyntheticClassification data = context.Data.SyntheticClassification;
        var table = result.AddTable("sweep", $"T–λ sweep on the synthetic set: predicted probabilities of test objects 4, 8, 16 (mean over {seeds.Count} seeds, epoch {epochs})",
            "T", "lambda", "object", "true class", "p0", "p1", "p2", "test accuracy", "test CE");
        // probabilities[object][class][T index][λ index]
        var probabilities = new double[ProbeObjects.Length, 3, temperatures.Length, lambdas.Length];
        var clock = Stopwatch.StartNew();
        var requests = new List<global::Probabilistic.Sweep.RunRequest>();
        foreach (double t in temperatures)
            foreach (double lambda in lambdas)
                foreach (ulong seed in seeds)
                    requests.Add(ProbabilisticStudentRun.Request(context.Runs, "probabilistic-paper", t, lambda, epochs, seed));
        var outcomes = context.Runs.Payloads(requests, context.Cancellation).Select(ProbabilisticStudentRun.Read).ToList();
        int next = 0;
        for (int ti = 0; ti < temperatures.Length; ti++)
        {
            for (int li = 0; li < lambdas.Length; li++)
            {
                var runs = outcomes.GetRange(next, seeds.Count);
                next += seeds.Count;
                for (int o = 0; o < ProbeObjects.Length; o++)
                {
                    int obj = ProbeObjects[o];
                    var p = new double[3];
                    for (int c = 0; c < 3; c++) p[c] = probabilities[o, c, ti, li] = runs.Average(r => r.ProbeProbabilities[o][c]);
                    table.AddRow(temperatures[ti], lambdas[li], obj, data.Test.Labels[obj], p[0], p[1], p[2],
                        runs.Average(m => m.Accuracy), runs.Average(m => m.CrossEntropy));
                }
            }
        }
        context.Status($"sweep: {temperatures.Length}×{lambdas.Length} settings × {seeds.Count} seeds in {clock.Elapsed.TotalSeconds:F1} s");
        var figure = new Figure("T-λ sweep: predicted class probabilities of test objects 4, 8, 16", 1200, 900, rows: ProbeObjects.Length, cols: 3);
        for (int o = 0; o < ProbeObjects.Length; o++)
        for (int c = 0; c < 3; c++)
        {
            var axes = figure.Axes(o, c, $"object {ProbeObjects[o]} (label {data.Test.Labels[ProbeObjects[o]]}), class {c}", "λ", "probability");
            axes.YLimits = (0, 1);
            for (int ti = 0; ti < temperatures.Length; ti++)
                axes.Line(lambdas, Enumerable.Range(0, lambdas.Length).Select(li => probabilities[o, c, ti, li]).ToArray(),
                    $"T = {temperatures[ti]}", markers: true);
        }
        result.Figures["sweep_probabilities"] = figure;
    }

    // ---- FashionMNIST and privileged information -------------------------------------------------------------

    private static void Fashion(ExperimentContext context, ExperimentResult result, Plan plan)
    {
        if (context.FashionMnistOrNote(result) is not { } fashion)
        {
            result.AddTable("fashion_mnist", "FashionMNIST", "status").AddRow("missing: " + result.Notes[^1]);
            return;
        }
        const double t = 2, lambda = 0.25;
        // One teacher (seed 0) per process and plan, shared with this process's student runs (each worker trains its own, the same).
        var teacher = context.Time("train teacher", () => FashionTeachers.Shared(context.Data, plan.TrainSubset, plan.TeacherEpochs,
            r => context.Status($"teacher epoch {r.Epoch}: loss {r.TrainLoss:F4}, train acc {r.TrainAccuracy:F4} ({r.Seconds:F1} s)")));
        LabeledDataset train = teacher.Train;
        result.Config["fashion_mnist"] = new Dictionary<string, object?>
        {
            ["train"] = train.Count, ["test"] = fashion.Test.Count, ["teacher"] = "LeNet-like (Zoo.LeNet), CE, one teacher (seed 0) for all students",
            ["teacher_epochs"] = plan.TeacherEpochs, ["student"] = "logistic 784→10", ["student_epochs"] = plan.StudentEpochs,
            ["temperature"] = t, ["lambda"] = lambda, ["reduction"] = "CodeBatchMean", ["paper_term4_clamp"] = 1e-6,
        };
        var teacherTest = teacher.Test;
        context.Status($"teacher: test accuracy {teacherTest.Accuracy:F4}, CE {teacherTest.CrossEntropy:F4}");
        float[] soft = teacher.Soft(t);

        var table = result.AddTable("fashion_mnist", $"FashionMNIST: logistic student, final epoch {plan.StudentEpochs}, T = 2, λ = 0.25, mean ± sd over the runs (teacher test acc {teacherTest.Accuracy:F4})",
            "condition", "method", "runs", "test CE", "CE sd", "accuracy", "acc sd", "max−min", "max−min sd", "RealCE", "RealCE sd", "paper CE", "paper acc", "paper max−min", "paper RealCE", "seconds");
        var figure = new Figure("FashionMNIST: student test cross-entropy per epoch (mean ± sd over seeds)", 900, 500);
        var axes = figure.Axes(xLabel: "epoch", yLabel: "test CE");
        (string Label, string Method, string[] Paper)[] conditions =
        [
            ("without teacher", "ml", ["0.4614 ± 0.0046", "0.8413 ± 0.0021", "0.86 ± 0.18", "—"]),
            ("with teacher, Paper mode (terms 1-4)", "probabilistic-paper", ["0.4538 ± 0.0031", "0.8421 ± 0.0021", "0.84 ± 0.13", "—"]),
            ("with teacher, Corrected mode", "probabilistic-corrected", ["—", "—", "—", "—"]),
        ];
        var settings = new DistillationSettings(lambda, TeacherTemperature: t, StudentTemperature: t);
        IReadOnlyList<ulong> SeedsOf(string method) => method == "probabilistic-corrected" ? [.. context.Seeds.Take(plan.CorrectedSeeds)] : context.Seeds;
        // Every student a probabilistic/fashion-student run, all submitted at once.
        var requests = conditions.SelectMany(condition => SeedsOf(condition.Method).Select(seed => FashionStudentRun.Request(context.Runs,
            new FashionStudent(condition.Method, settings, plan.StudentEpochs, plan.TeacherEpochs, plan.TrainSubset, Detail: true), seed))).ToList();
        var outcomes = context.Runs.Payloads(requests, context.Cancellation).Select(FashionStudentRun.Read).ToList();
        var gradient = new List<BayesianStudents.GradientRuns>();
        int next = 0;
        foreach (var (label, method, paper) in conditions)
        {
            var seeds = SeedsOf(method);
            var done = outcomes.GetRange(next, seeds.Count);
            next += seeds.Count;
            var runs = done.Select(o => o.Outcome).ToList();
            double seconds = done.Sum(o => o.Seconds);
            for (int i = 0; i < seeds.Count; i++)
                context.Status($"fashion {label} seed {seeds[i]}: CE {runs[i].Metrics.CrossEntropy:F4}, acc {runs[i].Metrics.Accuracy:F4}");
            AddMetricsRow(table, label, method, runs, paper, seconds);
            gradient.Add(new(label, method, runs, seconds));
            AddCurve(axes, label, runs);
        }
        result.Figures["fashion_learning_curves"] = figure;
        BayesianStudents.Fashion(context, result, context.Quick, train, fashion.Test, soft, t, lambda, gradient);

        Privileged(context, result, plan, settings);
    }

    private static void Privileged(ExperimentContext context, ExperimentResult result, Plan plan, DistillationSettings settings)
    {
        var seeds = context.Seeds.Take(plan.PrivilegedSeeds).ToList();
        var table = result.AddTable("privileged", $"Privileged information: teacher on clean 28×28 images, logistic student on 2×-downsampled 14×14 images; |I|/m varied (epoch {plan.PrivilegedEpochs}, {seeds.Count} seeds, T = 2, λ = 0.25)",
            "|I|/m", "method", "runs", "test CE", "CE sd", "accuracy", "acc sd", "CE gain vs |I| = 0", "acc gain vs |I| = 0");
        string[] methods = ["probabilistic-paper", "probabilistic-corrected"];
        // Every student a probabilistic/fashion-student run on the downsampled images, index set of seed + 100, all at once.
        var requests = methods.SelectMany(method => PrivilegedFractions.SelectMany(fraction => seeds.Select(seed => FashionStudentRun.Request(context.Runs,
            new FashionStudent(method, settings, plan.PrivilegedEpochs, plan.TeacherEpochs, plan.TrainSubset, Downsample: true,
                IndexFraction: fraction, IndexSeed: seed + 100), seed)))).ToList();
        var outcomes = context.Runs.Payloads(requests, context.Cancellation).Select(p => FashionStudentRun.Read(p).Outcome).ToList();
        int next = 0;
        foreach (string method in methods)
        {
            double baseCe = double.NaN, baseAcc = double.NaN;
            foreach (double fraction in PrivilegedFractions)
            {
                var runs = outcomes.GetRange(next, seeds.Count);
                next += seeds.Count;
                double ce = Mean(runs, m => m.CrossEntropy), acc = Mean(runs, m => m.Accuracy);
                if (fraction == 0) (baseCe, baseAcc) = (ce, acc);
                table.AddRow(fraction, method, runs.Count, ce, Sd(runs, m => m.CrossEntropy), acc, Sd(runs, m => m.Accuracy), baseCe - ce, acc - baseAcc);
                context.Status($"privileged {method} |I|/m = {fraction}: CE {ce:F4}, acc {acc:F4}");
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static void AddMetricsRow(ResultTable table, string label, string method, List<StudentOutcome> runs, string[] paper, double seconds) =>
        table.AddRow(label, method, runs.Count,
            Mean(runs, m => m.CrossEntropy), Sd(runs, m => m.CrossEntropy), Mean(runs, m => m.Accuracy), Sd(runs, m => m.Accuracy),
            Mean(runs, m => m.MaxMinusMin), Sd(runs, m => m.MaxMinusMin), Mean(runs, m => m.RealCrossEntropy), Sd(runs, m => m.RealCrossEntropy),
            paper[0], paper[1], paper[2], paper[3], seconds);

    private static void AddCurve(Axes axes, string label, List<StudentOutcome> runs)
    {
        int epochs = runs[0].Epochs.Count;
        var x = Enumerable.Range(1, epochs).Select(e => (double)e).ToArray();
        var mean = new double[epochs];
        var sd = new double[epochs];
        for (int e = 0; e < epochs; e++)
        {
            var values = runs.Select(r => r.Epochs[e].Validation!.CrossEntropy).ToList();
            mean[e] = values.Average();
            sd[e] = StandardDeviation(values);
        }
        axes.MeanBand(x, mean, sd, label);
    }

    private static double Mean(List<StudentOutcome> runs, Func<StudentMetrics, double> metric) => runs.Average(r => metric(r.Metrics));

    private static double Sd(List<StudentOutcome> runs, Func<StudentMetrics, double> metric) => StandardDeviation(runs.Select(r => metric(r.Metrics)).ToList());
}
