using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Probabilistic.Distill.Bayesian;
using Probabilistic.Reproduce.Running;
using Probabilistic.Sweep;

namespace Probabilistic.Reproduce.Experiments.Bayesian;

/// <summary>One ordering's distillation within a seed run: its outcome and what the cost table reads.</summary>
/// <param name="Ordering">The ordering's name (<see cref="NeuronOrdering.Name"/>).</param>
/// <param name="Outcome">The three students' curves and the teacher's final ℓ (its alignment steps are not carried: empty).</param>
/// <param name="OrderingSeconds">Seconds to make the ordering.</param>
/// <param name="DistilSeconds">Seconds to align and train the three students.</param>
/// <param name="BelsleyIterations">The Belsley component's iterations (Belsley ordering only).</param>
/// <param name="BelsleyResidual">The Belsley component's residual (Belsley ordering only).</param>
public sealed record BayesianOrderingResult(string Ordering, DistillationOutcome Outcome, double OrderingSeconds, double DistilSeconds,
    int? BelsleyIterations, double? BelsleyResidual);

/// <summary>What a seed run of the <c>bayesian</c> experiment gives back.</summary>
/// <param name="TeacherSeconds">Seconds to train the teacher and build its posterior.</param>
/// <param name="Seconds">Seconds of the whole run.</param>
/// <param name="Orderings">One result per ordering that was run (orderings the mode cannot use are left out), in the tables' order.</param>
public sealed record BayesianSeedResult(double TeacherSeconds, double Seconds, IReadOnlyList<BayesianOrderingResult> Orderings);

/// <summary>
/// One seed × one posterior mode of the <c>bayesian</c> experiment as a run: the teacher (trained in the run, seeded by
/// the run's seed), its posterior, and for each ordering the alignment and the three students, exactly as
/// <see cref="BayesianDistillationRun"/> computes them. Bodies: <c>bayesian/synthetic-seed</c> (settings
/// <c>problem</c> = neuron or layer removal, <c>mode</c>, <c>teacher_steps</c>, <c>student_steps</c>; the four
/// orderings on neuron removal in the principled modes, random otherwise) and <c>bayesian/fashion-seed</c> (settings
/// <c>mode</c>, <c>steps</c>, <c>test</c>; random ordering). Each worker builds a problem once per process and settings.
/// </summary>
public static class BayesianSeedRuns
{
    /// <summary>The synthetic body's name.</summary>
    public const string SyntheticBody = "bayesian/synthetic-seed";

    /// <summary>The FashionMNIST body's name.</summary>
    public const string FashionBody = "bayesian/fashion-seed";

    private static readonly ConcurrentDictionary<(bool Layer, int TeacherSteps, int StudentSteps), Lazy<DistillationProblem>> SyntheticProblems = new();

    private static readonly ConcurrentDictionary<(DataCatalog Data, int Steps, int Test), Lazy<DistillationProblem>> FashionProblems = new();

    private static JsonSerializerOptions Json => Results.ExperimentPayload.RecordJson;

    /// <summary>The request of one synthetic seed run.</summary>
    public static RunRequest SyntheticRequest(RunService runs, bool layerRemoval, TeacherPosteriorKind mode, int teacherSteps, int studentSteps, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var c = CultureInfo.InvariantCulture;
        return runs.Request(SyntheticBody, [new("problem", layerRemoval ? "layer" : "neuron"), new("mode", mode.ToString()),
            new("teacher_steps", teacherSteps.ToString(c)), new("student_steps", studentSteps.ToString(c))], seed);
    }

    /// <summary>The request of one FashionMNIST seed run.</summary>
    public static RunRequest FashionRequest(RunService runs, TeacherPosteriorKind mode, int steps, int testCount, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var c = CultureInfo.InvariantCulture;
        return runs.Request(FashionBody, [new("mode", mode.ToString()), new("steps", steps.ToString(c)), new("test", testCount.ToString(c))], seed);
    }

    /// <summary>The orderings a synthetic run of <paramref name="mode"/> runs: all four on neuron removal in the principled modes (the compat mode is the paper's), random otherwise.</summary>
    public static IReadOnlyList<NeuronOrderingKind> SyntheticOrderings(bool layerRemoval, TeacherPosteriorKind mode) =>
        !layerRemoval && mode != TeacherPosteriorKind.CodeCompat ? BayesianDistillationRun.Orderings : [NeuronOrderingKind.Random];

    /// <summary>Carries out a <c>bayesian/synthetic-seed</c> request and returns the payload.</summary>
    public static string RunSynthetic(RunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var c = CultureInfo.InvariantCulture;
        bool layer = request["problem"] switch
        {
            "layer" => true,
            "neuron" => false,
            var p => throw new ArgumentException($"BayesianSeedRuns: problem '{p}' is not 'neuron' or 'layer'."),
        };
        var mode = Mode(request["mode"]);
        int teacherSteps = int.Parse(request["teacher_steps"], c), studentSteps = int.Parse(request["student_steps"], c);
        var problem = SyntheticProblems.GetOrAdd((layer, teacherSteps, studentSteps),
            key => new Lazy<DistillationProblem>(() => DistillationProblems.Synthetic(key.Layer, key.TeacherSteps, key.StudentSteps))).Value;
        return Write(Seed(problem, mode, SyntheticOrderings(layer, mode), request.Seed));
    }

    /// <summary>Carries out a <c>bayesian/fashion-seed</c> request (FashionMNIST from this worker's <paramref name="data"/>) and returns the payload.</summary>
    public static string RunFashion(RunRequest request, DataCatalog data)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(data);
        var c = CultureInfo.InvariantCulture;
        var mode = Mode(request["mode"]);
        int steps = int.Parse(request["steps"], c), test = int.Parse(request["test"], c);
        var problem = FashionProblems.GetOrAdd((data, steps, test),
            key => new Lazy<DistillationProblem>(() => DistillationProblems.FashionMnist(key.Data.FashionMnist, key.Steps, key.Steps, key.Test))).Value;
        return Write(Seed(problem, mode, [NeuronOrderingKind.Random], request.Seed));
    }

    /// <summary>
    /// One seed of one mode: trains the teacher, then for each of <paramref name="orderings"/> makes the ordering and
    /// distils (the experiment's sequential computation; orderings that read intermediate posteriors are left out in the
    /// full-covariance mode, whose joint precision-form alignment never forms them).
    /// </summary>
    public static BayesianSeedResult Seed(DistillationProblem problem, TeacherPosteriorKind mode, IReadOnlyList<NeuronOrderingKind> orderings, ulong seed,
        Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(orderings);
        var total = Stopwatch.StartNew();
        var watch = Stopwatch.StartNew();
        var teacher = BayesianDistillationRun.TrainTeacher(problem, mode, seed, log);
        double teacherSeconds = watch.Elapsed.TotalSeconds;
        var results = new List<BayesianOrderingResult>();
        foreach (var orderingKind in orderings)
        {
            var method = BayesianDistillationRun.Method(problem, mode, orderingKind, seed);
            watch.Restart();
            var ordering = method.MakeOrdering(teacher, problem.Train, problem.Likelihood);
            double orderingSeconds = watch.Elapsed.TotalSeconds;
            if (ordering.UsesPosteriorMoments && mode == TeacherPosteriorKind.LaplaceFull)
                continue;
            watch.Restart();
            var outcome = BayesianDistillationRun.Distil(problem, method, teacher, ordering, seed, log);
            double distilSeconds = watch.Elapsed.TotalSeconds;
            var belsley = (ordering as BelsleyOrdering)?.Component;
            results.Add(new BayesianOrderingResult(ordering.Name, outcome, orderingSeconds, distilSeconds, belsley?.Iterations, belsley?.Residual));
        }
        return new BayesianSeedResult(teacherSeconds, total.Elapsed.TotalSeconds, results);
    }

    /// <summary>Reads a payload of <see cref="RunSynthetic"/> or <see cref="RunFashion"/>.</summary>
    public static BayesianSeedResult Read(string payload)
    {
        var dto = JsonSerializer.Deserialize<SeedDto>(payload, Json)
            ?? throw new ArgumentException("BayesianSeedRuns.Read: the payload is empty.");
        static LearningCurve Curve(CurveDto c) => new(c.Steps, c.Values);
        return new BayesianSeedResult(dto.TeacherSeconds, dto.Seconds, [.. dto.Orderings.Select(o => new BayesianOrderingResult(o.Ordering,
            new DistillationOutcome(o.TeacherFinal, Curve(o.Student), Curve(o.Distil), Curve(o.DistilAll), []),
            o.OrderingSeconds, o.DistilSeconds, o.BelsleyIterations, o.BelsleyResidual))]);
    }

    private static string Write(BayesianSeedResult result)
    {
        static CurveDto Curve(LearningCurve c) => new(c.Steps, c.TestLogLikelihood);
        var dto = new SeedDto(result.TeacherSeconds, result.Seconds, [.. result.Orderings.Select(o => new OrderingDto(o.Ordering, o.Outcome.TeacherFinal,
            Curve(o.Outcome.Student), Curve(o.Outcome.DistilStudent), Curve(o.Outcome.DistilStudentAll), o.OrderingSeconds, o.DistilSeconds,
            o.BelsleyIterations, o.BelsleyResidual))]);
        return JsonSerializer.Serialize(dto, Json);
    }

    private static TeacherPosteriorKind Mode(string text) =>
        Enum.TryParse(text, ignoreCase: false, out TeacherPosteriorKind mode) && Enum.IsDefined(mode)
            ? mode
            : throw new ArgumentException($"BayesianSeedRuns: mode '{text}' is not one of {string.Join(", ", Enum.GetNames<TeacherPosteriorKind>())}.");

    internal sealed record CurveDto(int[] Steps, double[] Values);

    internal sealed record OrderingDto(string Ordering, double TeacherFinal, CurveDto Student, CurveDto Distil, CurveDto DistilAll,
        double OrderingSeconds, double DistilSeconds, int? BelsleyIterations, double? BelsleyResidual);

    internal sealed record SeedDto(double TeacherSeconds, double Seconds, OrderingDto[] Orderings);
}
