using Probabilistic.Core.Random;

namespace Probabilistic.Distill.Bayesian;

/// <summary>The neuron orderings of methods.md §2.4 (which neurons a removal step drops).</summary>
public enum NeuronOrderingKind
{
    /// <summary>Uniformly random neurons (the authors' experiments).</summary>
    Random,

    /// <summary>Optimal brain damage: saliency ½ h_jj u_j² with h the diagonal of the data term of the GGN.</summary>
    OptimalBrainDamage,

    /// <summary>Posterior density ratio |μ|/σ of the current aligned posterior (Graves 2011).</summary>
    DensityRatio,

    /// <summary>Belsley's variance-decomposition proportions on the most ill-conditioned component of Σ.</summary>
    Belsley,
}

/// <summary>Settings of the Bayesian distillation methods.</summary>
/// <param name="Posterior">How the teacher posterior is obtained (<see cref="IBayesianDistillationMethod.FitTeacher"/>).</param>
/// <param name="Ordering">Which neurons each removal step drops.</param>
/// <param name="OrderingSeed">Seed of the random ordering.</param>
/// <param name="TeacherPriorPrecision">α of the teacher's N(0, α^{-1}I) weight prior.</param>
/// <param name="Plan">The path from teacher to student: a fixed sequence of steps (only which layer loses how many
/// neurons and which layer is removed are read; the ordering picks the neurons), or null for
/// <see cref="StructurePlanner.Plan"/>.</param>
public sealed record BayesianDistillationSettings(TeacherPosteriorKind Posterior = TeacherPosteriorKind.LaplaceDiagonal,
    NeuronOrderingKind Ordering = NeuronOrderingKind.Random, ulong OrderingSeed = 0, double TeacherPriorPrecision = 1,
    IReadOnlyList<AlignmentStep>? Plan = null);

/// <summary>
/// The teacher's posterior aligned to the student's structure: the student's prior. In the code-compat mode the
/// vectors hold the student's weights followed by its biases.
/// </summary>
/// <param name="Student">The student structure.</param>
/// <param name="Mean">The aligned mean (the distilled students' initial weights).</param>
/// <param name="Variance">The aligned marginal variances.</param>
/// <param name="Prior">The aligned prior (full or diagonal covariance) for the student's ELBO.</param>
/// <param name="Steps">The executed alignment steps, with the neurons the ordering chose.</param>
public sealed record AlignedStudentPrior(NetworkStructure Student, double[] Mean, double[] Variance, IGaussianPrior Prior, IReadOnlyList<AlignmentStep> Steps);

/// <summary>
/// The Bayesian distillation family (methods.md §2): a teacher posterior over the weights is aligned to the student's
/// structure by neuron removals (Theorem B1) and layer removals (Theorem B2), and becomes the student's prior.
/// The family works on the teacher's weights (a Laplace posterior around them), so it takes its own
/// <see cref="TeacherPosterior"/> and cannot take an opaque <see cref="Teachers.Teacher"/> (logits and features only,
/// e.g. an ONNX graph); a teacher from elsewhere enters it only once its weights are loaded into a Model.Nn network.
/// </summary>
public interface IBayesianDistillationMethod : IDistillationMethod
{
    /// <summary>The method's settings.</summary>
    BayesianDistillationSettings Settings { get; }

    /// <summary>Trains the teacher and builds its posterior of kind <see cref="BayesianDistillationSettings.Posterior"/>.</summary>
    /// <param name="structure">Teacher widths.</param>
    /// <param name="train">Training data.</param>
    /// <param name="test">Data for the learning curve.</param>
    /// <param name="likelihood">Observation model.</param>
    /// <param name="training">Optimisation settings.</param>
    /// <param name="initialisation">Draws the initial weights.</param>
    /// <param name="log">Progress messages, or null.</param>
    TeacherPosterior FitTeacher(NetworkStructure structure, SupervisedData train, SupervisedData test, Likelihood likelihood,
        TrainingSettings training, Rng initialisation, Action<string>? log = null);

    /// <summary>The neuron ordering of <see cref="BayesianDistillationSettings.Ordering"/> for a trained teacher
    /// (Belsley needs the full GGN precision: it is computed from <paramref name="train"/> when the posterior is
    /// diagonal, Gaussian likelihood only, P×P memory).</summary>
    NeuronOrdering MakeOrdering(TeacherPosterior teacher, SupervisedData train, Likelihood likelihood);

    /// <summary>Aligns the teacher posterior to <paramref name="student"/> along the method's path, choosing neurons
    /// with <paramref name="ordering"/>.</summary>
    AlignedStudentPrior Align(TeacherPosterior teacher, NetworkStructure student, NeuronOrdering ordering, Action<string>? log = null);
}

/// <summary>What the two Bayesian distillation methods share; they differ only in the paths they accept.</summary>
public abstract class BayesianDistillationMethod : IBayesianDistillationMethod
{
    /// <summary>A method with <paramref name="settings"/>.</summary>
    protected BayesianDistillationMethod(BayesianDistillationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!(settings.TeacherPriorPrecision > 0) || !double.IsFinite(settings.TeacherPriorPrecision))
            throw new ArgumentOutOfRangeException(nameof(settings), settings.TeacherPriorPrecision, "Bayesian distillation: the teacher prior precision must be finite and > 0.");
        Settings = settings;
    }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public BayesianDistillationSettings Settings { get; }

    /// <summary>Throws when <paramref name="plan"/> from teacher to student is not a path of this method.</summary>
    protected abstract void CheckPath(NetworkStructure teacher, NetworkStructure student, IReadOnlyList<AlignmentStep> plan);

    /// <inheritdoc />
    public TeacherPosterior FitTeacher(NetworkStructure structure, SupervisedData train, SupervisedData test, Likelihood likelihood,
        TrainingSettings training, Rng initialisation, Action<string>? log = null) =>
        TeacherPosterior.Fit(Settings.Posterior, structure, train, test, likelihood, training, initialisation, Settings.TeacherPriorPrecision, log);

    /// <inheritdoc />
    public NeuronOrdering MakeOrdering(TeacherPosterior teacher, SupervisedData train, Likelihood likelihood)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        double alpha = teacher.PriorPrecision;
        return Settings.Ordering switch
        {
            NeuronOrderingKind.Random => NeuronOrdering.Random(new Rng(Settings.OrderingSeed)),
            NeuronOrderingKind.OptimalBrainDamage => NeuronOrdering.OptimalBrainDamage(teacher.HessianDiagonal.Select(h => h - alpha).ToArray(),
                teacher.Trained.Mean.Select(v => (double)v).ToArray()),
            NeuronOrderingKind.DensityRatio => NeuronOrdering.DensityRatio(),
            NeuronOrderingKind.Belsley => NeuronOrdering.Belsley(teacher.Full?.Precision ?? LaplaceApproximation.FullPrecision(teacher.Network, teacher.Trained.Mean, train,
                likelihood as GaussianLikelihood ?? throw new ArgumentException("Belsley ordering: the full precision is implemented for the Gaussian likelihood."), alpha)),
            _ => throw new ArgumentOutOfRangeException(nameof(Settings.Ordering), Settings.Ordering, $"{Name}: unknown neuron ordering."),
        };
    }

    /// <inheritdoc />
    public AlignedStudentPrior Align(TeacherPosterior teacher, NetworkStructure student, NeuronOrdering ordering, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(ordering);
        if (teacher.Kind != Settings.Posterior)
            throw new ArgumentException($"{Name}: the teacher posterior is {teacher.Kind}, the method is set for {Settings.Posterior}.", nameof(teacher));
        var structure = teacher.Network.Structure;
        var plan = Settings.Plan ?? StructurePlanner.Plan(structure, student).Steps;
        var target = plan.Aggregate(structure, (s, step) => step.ApplyTo(s));
        if (!target.Equals(student))
            throw new ArgumentException($"{Name}: the plan leads from {structure} to {target}, not to the student {student}.", nameof(student));
        CheckPath(structure, student, plan);

        double[] mean, variance;
        IGaussianPrior prior;
        IReadOnlyList<AlignmentStep> steps;
        if (teacher.Kind == TeacherPosteriorKind.CodeCompat)
        {
            (mean, variance, steps) = AlignCompat(teacher, plan, ordering);
            prior = new DiagonalGaussianPrior(mean, variance);
        }
        else if (teacher.Full is not null)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var (full, executed) = OrderedAlignment.Align(teacher.Full, plan, ordering);
            log?.Invoke($"joint precision-form alignment to {full.Structure}: {watch.Elapsed.TotalSeconds:F2} s");
            prior = FullGaussianPrior.From(full);
            mean = full.Mean.ToArray();
            variance = prior.MarginalVariances();
            steps = executed;
        }
        else
        {
            var (diag, executed) = OrderedAlignment.Align(teacher.Diagonal!, plan, ordering);
            prior = DiagonalGaussianPrior.From(diag);
            mean = diag.Mean.ToArray();
            variance = diag.Variance.ToArray();
            steps = executed;
        }
        int expected = NetworkModule.ParameterCountOf(student, teacher.Network.HasBiases);
        if (mean.Length != expected)
            throw new InvalidOperationException($"{Name}: the aligned prior has {mean.Length} parameters, the student {student} {expected}.");
        return new AlignedStudentPrior(student, mean, variance, prior, steps);
    }

    /// <summary>
    /// CODE-COMPAT alignment of the point estimate with biases: the diagonal weights posterior (mean ŵ, the learned
    /// prior's variances) goes through <see cref="OrderedAlignment"/>; a removed neuron's bias is marginalised with its
    /// row, a removed layer's bias is conditioned on 0 (with a diagonal covariance both drop the entries). Returns the
    /// student's [weights, biases] mean and variance.
    /// </summary>
    public static (double[] Mean, double[] Variance, IReadOnlyList<AlignmentStep> Steps) AlignCompat(TeacherPosterior teacher, IEnumerable<AlignmentStep> skeleton,
        NeuronOrdering ordering)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        var net = teacher.Network;
        var mean = teacher.Trained.Mean.Select(v => (double)v).ToArray();
        var variance = (teacher.Trained.PriorLogVariance ?? throw new ArgumentException("AlignCompat: the teacher was not trained in code-faithful mode."))
            .Select(Math.Exp).ToArray();
        int w = net.Structure.ParameterCount;
        var weights = new DiagonalGaussianPosterior(net.Structure, mean[..w], variance[..w]);
        var (aligned, steps) = OrderedAlignment.Align(weights, skeleton, ordering);

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

/// <summary>
/// Bayesian distillation by neuron removal (Theorem B1): the student has the teacher's depth and narrower hidden
/// layers; each removal conditions the neurons' outgoing weights on 0 and marginalises their incoming weights.
/// </summary>
public sealed class NeuronRemovalDistillation(BayesianDistillationSettings settings) : BayesianDistillationMethod(settings)
{
    /// <inheritdoc />
    public override string Name => "bayesian-neuron-removal";

    /// <inheritdoc />
    protected override void CheckPath(NetworkStructure teacher, NetworkStructure student, IReadOnlyList<AlignmentStep> plan)
    {
        if (plan.Any(s => s is not NeuronRemoval))
            throw new ArgumentException($"{Name}: the path from {teacher} to {student} removes layers; use bayesian-layer-removal.");
    }
}

/// <summary>
/// Bayesian distillation by layer removal (Theorem B2, corrected): the student is shallower; square layers are
/// removed by conditioning them on the identity, after neuron removals that make them square.
/// </summary>
public sealed class LayerRemovalDistillation(BayesianDistillationSettings settings) : BayesianDistillationMethod(settings)
{
    /// <inheritdoc />
    public override string Name => "bayesian-layer-removal";

    /// <inheritdoc />
    protected override void CheckPath(NetworkStructure teacher, NetworkStructure student, IReadOnlyList<AlignmentStep> plan)
    {
        if (!plan.Any(s => s is LayerRemoval))
            throw new ArgumentException($"{Name}: the path from {teacher} to {student} removes no layer; use bayesian-neuron-removal.");
    }
}

/// <summary>The Bayesian distillation family's registry entries.</summary>
internal static class BayesianFamily
{
    /// <summary>The two methods, with diagonal-Laplace teachers, the random ordering and the structure planner by default.</summary>
    public static MethodDescriptor[] Methods =>
    [
        new MethodDescriptor<BayesianDistillationSettings>("bayesian-neuron-removal", "bayesian",
            "Teacher weight posterior aligned to a narrower student by neuron removal (condition outgoing weights on 0, marginalise incoming), used as its prior",
            new BayesianDistillationSettings(), s => new NeuronRemovalDistillation(s)),
        new MethodDescriptor<BayesianDistillationSettings>("bayesian-layer-removal", "bayesian",
            "Teacher weight posterior aligned to a shallower student by removing square layers (condition on the identity), used as its prior",
            new BayesianDistillationSettings(), s => new LayerRemovalDistillation(s)),
    ];
}
