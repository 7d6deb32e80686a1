using Probabilistic.Core.Random;
using Probabilistic.Distill;
using Probabilistic.Distill.Bayesian;

namespace Probabilistic.Reproduce.Experiments.Bayesian;

/// <summary>One teacher → student distillation problem of P2.</summary>
/// <param name="Name">Label for tables.</param>
/// <param name="Train">Training data (teacher and students).</param>
/// <param name="Test">Test data for the ℓ curves.</param>
/// <param name="Likelihood">Observation model.</param>
/// <param name="Teacher">Teacher widths.</param>
/// <param name="Student">Student widths.</param>
/// <param name="Plan">Alignment steps (the neuron lists are replaced by the ordering's choice; only their counts matter), or null for the structure planner.</param>
/// <param name="TeacherSettings">Teacher training.</param>
/// <param name="StudentSettings">Student training (all three students).</param>
public sealed record DistillationProblem(string Name, SupervisedData Train, SupervisedData Test, Likelihood Likelihood,
    NetworkStructure Teacher, NetworkStructure Student, IReadOnlyList<AlignmentStep>? Plan, TrainingSettings TeacherSettings, TrainingSettings StudentSettings)
{
    /// <summary>The registered method for this problem: layer removal when the student is shallower.</summary>
    public string MethodName => Student.LayerCount < Teacher.LayerCount ? "bayesian-layer-removal" : "bayesian-neuron-removal";
}

/// <summary>Curves of the three students (and the teacher's final ℓ), and the area metrics S.</summary>
public sealed record DistillationOutcome(double TeacherFinal, LearningCurve Student, LearningCurve DistilStudent, LearningCurve DistilStudentAll,
    IReadOnlyList<AlignmentStep> Steps)
{
    /// <summary>S for distil-student (prior mean from the teacher).</summary>
    public double AreaDistil => LearningCurve.Area(DistilStudent, Student);

    /// <summary>S for distil-student-all (prior mean and covariance from the teacher).</summary>
    public double AreaDistilAll => LearningCurve.Area(DistilStudentAll, Student);
}

/// <summary>
/// The P2 protocol (methods.md §2.5) on top of the library's Bayesian distillation methods: train the teacher, align
/// its posterior to the student's structure, and train the three students: student (prior N(0, 1)), distil-student
/// (prior mean = aligned teacher mean, variance 1, weights initialised at it) and distil-student-all (the aligned
/// mean and covariance). The seeds of every random stream are derived here from the run's seed.
/// </summary>
public static class BayesianDistillationRun
{
    /// <summary>The teacher's prior precision α (N(0, 1), as the code's prior variance 1).</summary>
    public const double TeacherPriorPrecision = 1;

    /// <summary>The orderings in the tables' order.</summary>
    public static readonly IReadOnlyList<NeuronOrderingKind> Orderings =
        [NeuronOrderingKind.Random, NeuronOrderingKind.OptimalBrainDamage, NeuronOrderingKind.DensityRatio, NeuronOrderingKind.Belsley];

    /// <summary>The registered method of <paramref name="problem"/> with the given posterior and ordering, seeded from <paramref name="seed"/>.</summary>
    public static IBayesianDistillationMethod Method(DistillationProblem problem, TeacherPosteriorKind kind, NeuronOrderingKind ordering, ulong seed) =>
        MethodRegistry.Create<IBayesianDistillationMethod>(problem.MethodName,
            new BayesianDistillationSettings(kind, ordering, OrderingSeed: seed * 104729 + 3, TeacherPriorPrecision, problem.Plan));

    /// <summary>Trains the teacher and builds its posterior of the given kind.</summary>
    public static TeacherPosterior TrainTeacher(DistillationProblem problem, TeacherPosteriorKind kind, ulong seed, Action<string>? log = null) =>
        Method(problem, kind, NeuronOrderingKind.Random, seed).FitTeacher(problem.Teacher, problem.Train, problem.Test, problem.Likelihood,
            problem.TeacherSettings with { Seed = seed * 7919 + 2 }, new Rng(seed * 7919 + 1), log);

    /// <summary>Aligns the teacher posterior with <paramref name="method"/> and <paramref name="ordering"/> and trains the three students.
    /// <paramref name="transposedMaskQuirk"/> (compat mode only) copies the teacher weights the way the authors' code did.</summary>
    public static DistillationOutcome Distil(DistillationProblem problem, IBayesianDistillationMethod method, TeacherPosterior teacher, NeuronOrdering ordering,
        ulong seed, Action<string>? log = null, bool transposedMaskQuirk = false)
    {
        var settings = problem.StudentSettings with { Seed = seed * 7919 + 5 };
        bool compat = teacher.Kind == TeacherPosteriorKind.CodeCompat;
        if (transposedMaskQuirk && !compat)
            throw new ArgumentException("BayesianDistillationRun: the transposed-mask quirk reproduces the authors' code and exists only in the code-compat mode.");
        var aligned = method.Align(teacher, problem.Student, ordering, log);
        if (transposedMaskQuirk) aligned = TransposedMaskQuirk.Apply(teacher, aligned);
        var student = new NetworkModule(problem.Student, hasBiases: compat, compat ? HiddenActivation.LeakyRelu : HiddenActivation.Relu);
        var init = student.InitialParameters(new Rng(seed * 7919 + 4));
        int n = student.ParameterCount;
        var ones = Enumerable.Repeat(1.0, n).ToArray();
        var sortedVariance = aligned.Variance.Order().ToArray();
        log?.Invoke($"aligned prior marginal variances: min {sortedVariance[0]:G3}, median {sortedVariance[n / 2]:G3}, max {sortedVariance[^1]:G3}");
        float[] distilInit = aligned.Mean.Select(v => (float)v).ToArray();

        LearningCurve Train(string label, float[] start, IGaussianPrior prior, double[] priorMean, double[] priorVariance)
        {
            log?.Invoke($"{label}: {settings.Steps} steps");
            return compat
                ? BayesianTraining.TrainCodeFaithful(student, start, priorMean, priorVariance, problem.Train, problem.Test, problem.Likelihood, settings).Curve
                : BayesianTraining.TrainVariational(student, start, prior, problem.Train, problem.Test, problem.Likelihood, settings).Curve;
        }

        var initD = init.Select(v => (double)v).ToArray();
        var curveStudent = Train("student", init, new DiagonalGaussianPrior(new double[n], ones), initD, ones);
        var curveDistil = Train("distil-student", distilInit, new DiagonalGaussianPrior(aligned.Mean, ones), aligned.Mean, ones);
        var curveAll = Train("distil-student-all", distilInit, aligned.Prior, aligned.Mean, aligned.Variance);
        return new DistillationOutcome(teacher.Trained.Curve.Final, curveStudent, curveDistil, curveAll, aligned.Steps);
    }
}

/// <summary>The problems of P2 (methods.md §2.5) with the paper's steps, or shortened ones.</summary>
public static class DistillationProblems
{
    /// <summary>Synthetic teacher [10, 100, 50, 1].</summary>
    public static readonly NetworkStructure SyntheticTeacher = new([10, 100, 50, 1]);

    /// <summary>
    /// Synthetic regression (numpy seed-0 data, σ = 0.1). <paramref name="layerRemoval"/>: student [10, 50, 1] by the
    /// paper's plan φ(layer 1 → 50 neurons) then ψ(U_2 = I); otherwise [10, 10, 10, 1] by the planner's neuron removals.
    /// </summary>
    public static DistillationProblem Synthetic(bool layerRemoval, int teacherSteps = 11300, int studentSteps = 11300)
    {
        var data = Probabilistic.Nn.Data.SyntheticRegression.Generate();
        var student = layerRemoval ? new NetworkStructure([10, 50, 1]) : new NetworkStructure([10, 10, 10, 1]);
        IReadOnlyList<AlignmentStep>? plan = layerRemoval ? [new NeuronRemoval(1, Enumerable.Range(0, 50).ToArray()), new LayerRemoval(2)] : null;
        return new DistillationProblem(layerRemoval ? "synthetic, layer removal" : "synthetic, neuron removal",
            SupervisedData.From(data.Train), SupervisedData.From(data.Test), new GaussianLikelihood(Probabilistic.Nn.Data.SyntheticRegression.NoiseStd),
            SyntheticTeacher, student, plan, new TrainingSettings(teacherSteps), new TrainingSettings(studentSteps));
    }

    /// <summary>
    /// FashionMNIST teacher [784, 800, 50, 10] → student [784, 50, 10] by φ(layer 1 → 50) then ψ(U_2 = I);
    /// 15,000 steps (2 epochs of batch 8) in the paper; KL weight 0.2 in the code-faithful mode.
    /// </summary>
    public static DistillationProblem FashionMnist(Probabilistic.Nn.Data.FashionMnist data, int teacherSteps = 15000, int studentSteps = 15000, int testCount = 10000)
    {
        ArgumentNullException.ThrowIfNull(data);
        IReadOnlyList<AlignmentStep> plan = [new NeuronRemoval(1, Enumerable.Range(0, 750).ToArray()), new LayerRemoval(2)];
        return new DistillationProblem("FashionMNIST, layer removal", SupervisedData.From(data.Train), SupervisedData.From(data.Test).Head(testCount),
            new SoftmaxLikelihood(10), new NetworkStructure([784, 800, 50, 10]), new NetworkStructure([784, 50, 10]), plan,
            // The teacher's test ℓ is only reported at the end (a 668k-weight pass over the test set every 100 steps is costly).
            new TrainingSettings(teacherSteps, KlWeight: 0.2, EvaluateEvery: teacherSteps), new TrainingSettings(studentSteps, KlWeight: 0.2));
    }
}
