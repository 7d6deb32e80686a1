using Probabilistic.Core.Random;

namespace Probabilistic.Nn.Bayesian;

/// <summary>How the teacher posterior is obtained (methods.md §2.6).</summary>
public enum TeacherPosteriorKind
{
    /// <summary>Laplace with the full GGN covariance (small networks, Gaussian likelihood).</summary>
    LaplaceFull,

    /// <summary>Laplace with the diagonal of the GGN.</summary>
    LaplaceDiagonal,

    /// <summary>Mean-field variational teacher (Bayes by backprop, N(0, 1) prior).</summary>
    MeanField,

    /// <summary>CODE-COMPAT: the authors' procedure (LeakyReLU, biases, deterministic training, point estimate plus
    /// the teacher's learned PRIOR variance, code-faithful students). Not a posterior.</summary>
    CodeCompat,
}

/// <summary>One teacher → student distillation problem.</summary>
/// <param name="Name">Label for tables.</param>
/// <param name="Train">Training data (teacher and students).</param>
/// <param name="Test">Test data for the ℓ curves.</param>
/// <param name="Likelihood">Observation model.</param>
/// <param name="Teacher">Teacher widths.</param>
/// <param name="Student">Student widths.</param>
/// <param name="Skeleton">Alignment steps (the neuron lists are replaced by the ordering's choice; only their counts matter).</param>
/// <param name="TeacherSettings">Teacher training.</param>
/// <param name="StudentSettings">Student training (all three students).</param>
public sealed record DistillationProblem(string Name, SupervisedData Train, SupervisedData Test, Likelihood Likelihood,
    NetworkStructure Teacher, NetworkStructure Student, IReadOnlyList<AlignmentStep> Skeleton, TrainingSettings TeacherSettings, TrainingSettings StudentSettings);

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
/// Bayesian distillation end to end (methods.md §2): train the teacher, approximate its posterior, align it to the
/// student's structure with <see cref="OrderedAlignment"/> (true sub-network), and train the three students:
/// student (prior N(0, 1)), distil-student (prior mean = aligned teacher mean, variance 1, weights initialised at
/// it) and distil-student-all (the aligned mean and covariance).
/// </summary>
public static class DistillationExperiment
{
    /// <summary>The teacher's prior precision α (N(0, 1), as the code's prior variance 1).</summary>
    public const double PriorPrecision = 1;

    /// <summary>A trained teacher and its posterior over the weights (bias-free modes: full in precision form, or
    /// diagonal) or the compat point estimate; <paramref name="HessianDiagonal"/> = diag of the GGN precision.</summary>
    public sealed record Teacher(FlatMlp Network, TrainedNetwork Trained, PrecisionGaussianPosterior? Full, DiagonalGaussianPosterior? Diagonal,
        double[] HessianDiagonal);

    /// <summary>Trains the teacher and builds its posterior of the given kind.</summary>
    public static Teacher TrainTeacher(DistillationProblem problem, TeacherPosteriorKind kind, ulong seed, Action<string>? log = null)
    {
        bool compat = kind == TeacherPosteriorKind.CodeCompat;
        var net = new FlatMlp(problem.Teacher, hasBiases: compat, compat ? HiddenActivation.LeakyRelu : HiddenActivation.Relu);
        var init = net.InitialParameters(new Rng(seed * 7919 + 1));
        var settings = problem.TeacherSettings with { Seed = seed * 7919 + 2 };
        log?.Invoke($"teacher {problem.Teacher} ({kind}), {settings.Steps} steps");
        if (compat)
        {
            var ones = Enumerable.Repeat(1.0, net.ParameterCount).ToArray();
            var trainedCompat = BayesianTraining.TrainCodeFaithful(net, init, init.Select(v => (double)v).ToArray(), ones, problem.Train, problem.Test, problem.Likelihood, settings);
            return new Teacher(net, trainedCompat, null, null, []);
        }
        TrainedNetwork trained = kind == TeacherPosteriorKind.MeanField
            ? BayesianTraining.TrainVariational(net, init, new DiagonalGaussianPrior(new double[net.ParameterCount], Enumerable.Repeat(1.0, net.ParameterCount).ToArray()),
                problem.Train, problem.Test, problem.Likelihood, settings)
            : BayesianTraining.TrainMap(net, init, PriorPrecision, problem.Train, problem.Test, problem.Likelihood, settings);
        log?.Invoke($"teacher test ℓ {trained.Curve.Final:F4}; posterior");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        double[] hessian = LaplaceApproximation.DiagonalPrecision(net, trained.Mean, problem.Train, problem.Likelihood, PriorPrecision);
        log?.Invoke($"diagonal GGN of {net.ParameterCount} weights over {problem.Train.Count} samples: {watch.Elapsed.TotalSeconds:F2} s");
        switch (kind)
        {
            case TeacherPosteriorKind.LaplaceFull:
                var lik = problem.Likelihood as GaussianLikelihood
                    ?? throw new ArgumentException("DistillationExperiment: the full Laplace covariance is implemented for the Gaussian likelihood (scalar output).");
                watch.Restart();
                var full = LaplaceApproximation.FullInPrecisionForm(net, trained.Mean, problem.Train, lik, PriorPrecision);
                log?.Invoke($"full GGN precision {net.ParameterCount}²: {watch.Elapsed.TotalSeconds:F2} s");
                return new Teacher(net, trained, full, null, hessian);
            case TeacherPosteriorKind.LaplaceDiagonal:
                return new Teacher(net, trained, null,
                    new DiagonalGaussianPosterior(problem.Teacher, trained.Mean.Select(v => (double)v).ToArray(), hessian.Select(h => 1 / h).ToArray()), hessian);
            default:
                return new Teacher(net, trained, null,
                    new DiagonalGaussianPosterior(problem.Teacher, trained.Mean.Select(v => (double)v).ToArray(), trained.LogVariance!.Select(Math.Exp).ToArray()), hessian);
        }
    }

    /// <summary>
    /// The four orderings of methods.md §2.4 for a trained bias-free teacher. Belsley needs the full GGN precision:
    /// it is computed here when the posterior is diagonal (Gaussian likelihood only; P×P memory).
    /// </summary>
    public static NeuronOrdering MakeOrdering(string name, DistillationProblem problem, Teacher teacher, ulong seed) => name switch
    {
        "random" => NeuronOrdering.Random(new Rng(seed * 104729 + 3)),
        "obd" => NeuronOrdering.OptimalBrainDamage(teacher.HessianDiagonal.Select(h => h - PriorPrecision).ToArray(), teacher.Trained.Mean.Select(v => (double)v).ToArray()),
        "density-ratio" => NeuronOrdering.DensityRatio(),
        "belsley" => NeuronOrdering.Belsley(teacher.Full?.Precision ?? LaplaceApproximation.FullPrecision(teacher.Network, teacher.Trained.Mean, problem.Train,
            problem.Likelihood as GaussianLikelihood ?? throw new ArgumentException("Belsley ordering: the full precision is implemented for the Gaussian likelihood."), PriorPrecision)),
        _ => throw new ArgumentException($"DistillationExperiment: unknown ordering '{name}' (random, obd, density-ratio, belsley)."),
    };

    /// <summary>The orderings <see cref="MakeOrdering"/> knows.</summary>
    public static readonly IReadOnlyList<string> OrderingNames = ["random", "obd", "density-ratio", "belsley"];

    /// <summary>Aligns the teacher posterior and trains the three students.</summary>
    public static DistillationOutcome Distil(DistillationProblem problem, Teacher teacher, NeuronOrdering ordering, ulong seed, Action<string>? log = null,
        bool transposedMaskQuirk = false)
    {
        var settings = problem.StudentSettings with { Seed = seed * 7919 + 5 };
        bool compat = teacher.Network.HasBiases;
        if (transposedMaskQuirk && !compat)
            throw new ArgumentException("DistillationExperiment: the transposed-mask quirk reproduces the authors' code and exists only in the code-compat mode.");
        var student = new FlatMlp(problem.Student, hasBiases: compat, compat ? HiddenActivation.LeakyRelu : HiddenActivation.Relu);
        var init = student.InitialParameters(new Rng(seed * 7919 + 4));
        int n = student.ParameterCount;
        var ones = Enumerable.Repeat(1.0, n).ToArray();

        double[] alignedMean;
        double[] alignedVariance;
        IGaussianPrior alignedPrior;
        IReadOnlyList<AlignmentStep> steps;
        if (compat)
        {
            (alignedMean, alignedVariance, steps) = AlignCompat(teacher, problem.Skeleton, ordering, transposedMaskQuirk);
            alignedPrior = new DiagonalGaussianPrior(alignedMean, alignedVariance);
        }
        else if (teacher.Full is not null)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var (full, executed) = OrderedAlignment.Align(teacher.Full, problem.Skeleton, ordering);
            log?.Invoke($"joint precision-form alignment to {full.Structure}: {watch.Elapsed.TotalSeconds:F2} s");
            alignedPrior = FullGaussianPrior.From(full);
            alignedMean = full.Mean.ToArray();
            alignedVariance = alignedPrior.MarginalVariances();
            steps = executed;
        }
        else
        {
            var (diag, executed) = OrderedAlignment.Align(teacher.Diagonal!, problem.Skeleton, ordering);
            alignedPrior = DiagonalGaussianPrior.From(diag);
            alignedMean = diag.Mean;
            alignedVariance = diag.Variance;
            steps = executed;
        }
        var sortedVariance = alignedVariance.Order().ToArray();
        log?.Invoke($"aligned prior marginal variances: min {sortedVariance[0]:G3}, median {sortedVariance[n / 2]:G3}, max {sortedVariance[^1]:G3}");
        if (alignedMean.Length != n)
            throw new InvalidOperationException($"DistillationExperiment: the aligned prior has {alignedMean.Length} parameters, the student {problem.Student} {n}.");
        float[] distilInit = alignedMean.Select(v => (float)v).ToArray();

        LearningCurve Train(string label, float[] start, IGaussianPrior prior, double[] priorMean, double[] priorVariance)
        {
            log?.Invoke($"{label}: {settings.Steps} steps");
            return compat
                ? BayesianTraining.TrainCodeFaithful(student, start, priorMean, priorVariance, problem.Train, problem.Test, problem.Likelihood, settings).Curve
                : BayesianTraining.TrainVariational(student, start, prior, problem.Train, problem.Test, problem.Likelihood, settings).Curve;
        }

        var initD = init.Select(v => (double)v).ToArray();
        var curveStudent = Train("student", init, new DiagonalGaussianPrior(new double[n], ones), initD, ones);
        var curveDistil = Train("distil-student", distilInit, new DiagonalGaussianPrior(alignedMean, ones), alignedMean, ones);
        var curveAll = Train("distil-student-all", distilInit, alignedPrior, alignedMean, alignedVariance);
        return new DistillationOutcome(teacher.Trained.Curve.Final, curveStudent, curveDistil, curveAll, steps);
    }

    /// <summary>
    /// CODE-COMPAT alignment of the point estimate with biases: the diagonal weights posterior goes through
    /// <see cref="OrderedAlignment"/>; a removed neuron's bias is marginalised with its row, a removed layer's bias
    /// b_t is conditioned on 0 (with a diagonal covariance both are dropping the entries). Returns the student's
    /// [weights, biases] mean and variance. <paramref name="transposedMaskQuirk"/> copies the weights the way the
    /// authors' code did (<see cref="TransposedMaskQuirk"/>); off by default (the correct sub-network).
    /// </summary>
    public static (double[] Mean, double[] Variance, IReadOnlyList<AlignmentStep> Steps) AlignCompat(Teacher teacher, IEnumerable<AlignmentStep> skeleton, NeuronOrdering ordering,
        bool transposedMaskQuirk = false)
    {
        var net = teacher.Network;
        var mean = teacher.Trained.Mean.Select(v => (double)v).ToArray();
        var variance = (teacher.Trained.PriorLogVariance ?? throw new ArgumentException("AlignCompat: the teacher was not trained in code-faithful mode."))
            .Select(Math.Exp).ToArray();
        int w = net.Structure.ParameterCount;
        var weights = new DiagonalGaussianPosterior(net.Structure, mean[..w], variance[..w]);
        var (aligned, steps) = OrderedAlignment.Align(weights, skeleton, ordering);
        if (transposedMaskQuirk)
        {
            var plan = ComposedAlignment.Compose(net.Structure, steps);
            int[] copied = TransposedMaskQuirk.TeacherIndices(net.Structure, plan.Target, plan.Kept);
            aligned = new DiagonalGaussianPosterior(plan.Target, copied.Select(i => mean[i]).ToArray(), copied.Select(i => variance[i]).ToArray());
        }

        // Bias indices of every current layer, followed through the executed steps.
        var biases = new List<List<int>>();
        for (int t = 1; t <= net.Structure.LayerCount; t++)
            biases.Add(Enumerable.Range(net.BiasOffset(t), net.Structure.Widths[t]).ToList());
        foreach (var step in steps)
        {
            if (step is NeuronRemoval r)
                foreach (int j in r.Neurons.OrderByDescending(j => j)) biases[r.Layer - 1].RemoveAt(j);
            else if (step is LayerRemoval l)
                biases.RemoveAt(l.Layer - 1);
        }
        var biasIndices = biases.SelectMany(b => b).ToArray();
        return (aligned.Mean.Concat(biasIndices.Select(i => mean[i])).ToArray(),
                aligned.Variance.Concat(biasIndices.Select(i => variance[i])).ToArray(), steps);
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
        IReadOnlyList<AlignmentStep> skeleton = layerRemoval
            ? [new NeuronRemoval(1, Enumerable.Range(0, 50).ToArray()), new LayerRemoval(2)]
            : StructurePlanner.Plan(SyntheticTeacher, student).Steps;
        return new DistillationProblem(layerRemoval ? "synthetic, layer removal" : "synthetic, neuron removal",
            SupervisedData.From(data.Train), SupervisedData.From(data.Test), new GaussianLikelihood(Probabilistic.Nn.Data.SyntheticRegression.NoiseStd),
            SyntheticTeacher, student, skeleton, new TrainingSettings(teacherSteps), new TrainingSettings(studentSteps));
    }

    /// <summary>
    /// FashionMNIST teacher [784, 800, 50, 10] → student [784, 50, 10] by φ(layer 1 → 50) then ψ(U_2 = I);
    /// 15,000 steps (2 epochs of batch 8) in the paper; KL weight 0.2 in the code-faithful mode.
    /// </summary>
    public static DistillationProblem FashionMnist(Probabilistic.Nn.Data.FashionMnist data, int teacherSteps = 15000, int studentSteps = 15000, int testCount = 10000)
    {
        ArgumentNullException.ThrowIfNull(data);
        IReadOnlyList<AlignmentStep> skeleton = [new NeuronRemoval(1, Enumerable.Range(0, 750).ToArray()), new LayerRemoval(2)];
        return new DistillationProblem("FashionMNIST, layer removal", SupervisedData.From(data.Train), SupervisedData.From(data.Test).Head(testCount),
            new SoftmaxLikelihood(10), new NetworkStructure([784, 800, 50, 10]), new NetworkStructure([784, 50, 10]), skeleton,
            // The teacher's test ℓ is only reported at the end (a 668k-weight pass over the test set every 100 steps is costly).
            new TrainingSettings(teacherSteps, KlWeight: 0.2, EvaluateEvery: teacherSteps), new TrainingSettings(studentSteps, KlWeight: 0.2));
    }
}
