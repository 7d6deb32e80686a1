using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Optim;

namespace Probabilistic.Distill.DarkKnowledge;

/// <summary>The student's optimiser; either way the student prior γ is its weight decay, added to the gradient.</summary>
public enum DarkKnowledgeStudentOptimizer
{
    /// <summary>Plain SGD: Algorithm 1 step 5 exactly, w ← w − ρ(∇L̂ + γw).</summary>
    Sgd,

    /// <summary>Adam with coupled L2 (γw added to the gradient before the moments), as the MXNet port's student (methods.md §5.2).</summary>
    Adam,
}

/// <summary>
/// Settings of Bayesian dark knowledge (methods.md §5). The defaults are the only complete set the BDK paper itself
/// states, its Boston-housing distillation (§5.2): teacher prior precision λ = 2.5, SGLD step η₀ = 1e-5 halved every
/// 80,000 iterations; student plain SGD with ρ₀ = 1e-2 × 0.8 every 5,000 student steps, prior γ = 1e-3, D' = training
/// inputs + N(0, 0.05²). The paper gives no minibatch size there: M = 100 is the MNIST port's (§5.2), and |D'| = M
/// as in Algorithm 1 step 4. λ_n = 1 is the 1-D toy's noise precision (§5.2). B = 0 and H = 1 make it Algorithm 1
/// (§5.1 notes). MNIST runs should override them (§5.4: λ = 1, η = 4e-5 constant, σ = 0.001, γ = 0.1).
/// </summary>
/// <param name="TeacherBatchSize">M, labelled examples per teacher step.</param>
/// <param name="StudentBatchSize">|D'|, generated points per student step.</param>
/// <param name="TeacherStepSize">η₀, the SGLD step at t = 0.</param>
/// <param name="TeacherStepDecay">Factor applied to η every <paramref name="TeacherStepDecayEvery"/> iterations (1: constant).</param>
/// <param name="TeacherStepDecayEvery">Iterations between teacher step decays.</param>
/// <param name="TeacherPriorPrecision">λ, the teacher's Gaussian prior precision.</param>
/// <param name="StudentLearningRate">ρ₀, the student's step at its first update.</param>
/// <param name="StudentDecay">Factor applied to ρ every <paramref name="StudentDecayEvery"/> student steps (1: constant).</param>
/// <param name="StudentDecayEvery">Student steps between decays.</param>
/// <param name="StudentPriorPrecision">γ, the student's L2 prior, added to its gradient.</param>
/// <param name="StudentOptimizer">Plain SGD (Algorithm 1) or Adam with coupled L2.</param>
/// <param name="InputNoise">σ of the default generator, training inputs + N(0, σ²).</param>
/// <param name="NoisePrecision">λ_n, the regression teacher's observation-noise precision.</param>
/// <param name="BurnIn">B, iterations before the first student step.</param>
/// <param name="UpdatePeriod">H, a student step on iterations t with t mod H = 0.</param>
/// <param name="Sampler">SGLD (Algorithm 1) or an MC-dropout teacher (the slides' variant).</param>
/// <param name="DropoutTeacherLearningRate">The MC-dropout teacher's Adam step (not in the sources: the slides give plots only), its weight decay λ/N (the prior on the mean-NLL scale).</param>
/// <param name="Seed">Seed of the SGLD noise, D' and the minibatch order.</param>
public sealed record DarkKnowledgeSettings(
    int TeacherBatchSize = 100,
    int StudentBatchSize = 100,
    double TeacherStepSize = 1e-5,
    double TeacherStepDecay = 0.5,
    int TeacherStepDecayEvery = 80_000,
    double TeacherPriorPrecision = 2.5,
    double StudentLearningRate = 1e-2,
    double StudentDecay = 0.8,
    int StudentDecayEvery = 5_000,
    double StudentPriorPrecision = 1e-3,
    DarkKnowledgeStudentOptimizer StudentOptimizer = DarkKnowledgeStudentOptimizer.Sgd,
    double InputNoise = 0.05,
    double NoisePrecision = 1,
    int BurnIn = 0,
    int UpdatePeriod = 1,
    TeacherSampler Sampler = TeacherSampler.Sgld,
    double DropoutTeacherLearningRate = 1e-3,
    ulong Seed = 0)
{
    /// <summary>Throws, naming the setting, when one is out of range.</summary>
    public void Validate()
    {
        const string who = "bayesian-dark-knowledge";
        if (TeacherBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(TeacherBatchSize), TeacherBatchSize, $"{who}: M must be ≥ 1.");
        if (StudentBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(StudentBatchSize), StudentBatchSize, $"{who}: |D'| must be ≥ 1.");
        Positive(TeacherStepSize, nameof(TeacherStepSize));
        Positive(TeacherPriorPrecision, nameof(TeacherPriorPrecision), allowZero: true);
        Positive(StudentLearningRate, nameof(StudentLearningRate));
        Positive(StudentPriorPrecision, nameof(StudentPriorPrecision), allowZero: true);
        Positive(InputNoise, nameof(InputNoise), allowZero: true);
        Positive(NoisePrecision, nameof(NoisePrecision));
        Positive(DropoutTeacherLearningRate, nameof(DropoutTeacherLearningRate));
        if (!(TeacherStepDecay > 0 && TeacherStepDecay <= 1)) throw new ArgumentOutOfRangeException(nameof(TeacherStepDecay), TeacherStepDecay, $"{who}: the teacher's step decay must lie in (0, 1].");
        if (!(StudentDecay > 0 && StudentDecay <= 1)) throw new ArgumentOutOfRangeException(nameof(StudentDecay), StudentDecay, $"{who}: the student's decay must lie in (0, 1].");
        if (TeacherStepDecayEvery < 1) throw new ArgumentOutOfRangeException(nameof(TeacherStepDecayEvery), TeacherStepDecayEvery, $"{who}: the teacher's decay period must be ≥ 1.");
        if (StudentDecayEvery < 1) throw new ArgumentOutOfRangeException(nameof(StudentDecayEvery), StudentDecayEvery, $"{who}: the student's decay period must be ≥ 1.");
        if (BurnIn < 0) throw new ArgumentOutOfRangeException(nameof(BurnIn), BurnIn, $"{who}: the burn-in B must be ≥ 0.");
        if (UpdatePeriod < 1) throw new ArgumentOutOfRangeException(nameof(UpdatePeriod), UpdatePeriod, $"{who}: the update period H must be ≥ 1.");
    }

    private static void Positive(double value, string name, bool allowZero = false)
    {
        if (!(double.IsFinite(value) && (value > 0 || (allowZero && value == 0))))
            throw new ArgumentOutOfRangeException(name, value, $"bayesian-dark-knowledge: {name} must be finite and {(allowZero ? "≥ 0" : "positive")}.");
    }
}

/// <summary>
/// Bayesian dark knowledge (seed 004, methods.md §5): an SGLD teacher (or an MC-dropout one) distilled online into
/// one student by <see cref="DistilledSgld"/> (Algorithm 1). This class holds the settings and assembles the parts:
/// the sampler, the two schedules, the student optimiser with γ as its weight decay, and the default generator.
/// </summary>
public sealed class BayesianDarkKnowledge : IDistillationMethod
{
    /// <summary>The settings.</summary>
    public DarkKnowledgeSettings Settings { get; }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The method with <paramref name="settings"/>; <paramref name="name"/> is the registry name.</summary>
    public BayesianDarkKnowledge(DarkKnowledgeSettings settings, string name = "bayesian-dark-knowledge")
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        Settings = settings;
        Name = name;
    }

    /// <summary>
    /// Distilled SGLD of <paramref name="teacher"/> into <paramref name="student"/> on <paramref name="train"/> (a
    /// <see cref="LabeledDataset"/> for classification, a one-target <see cref="RegressionDataset"/> for regression),
    /// with <paramref name="generator"/> for D' (by default the training inputs plus N(0, σ²) noise,
    /// σ = <see cref="DarkKnowledgeSettings.InputNoise"/>). Nothing is run yet: call <see cref="DistilledSgld.Run"/>
    /// with M = <see cref="DarkKnowledgeSettings.TeacherBatchSize"/>, or use <see cref="Fit"/>.
    /// </summary>
    public DistilledSgld Create(Module teacher, Module student, Dataset train, IStudentDataGenerator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(train);
        var task = train switch
        {
            LabeledDataset => DarkKnowledgeTask.Classification,
            RegressionDataset { TargetSize: 1 } => DarkKnowledgeTask.Regression,
            RegressionDataset r => throw new ArgumentException($"{Name}: regression needs one target per example, '{r.Name}' has {r.TargetSize}.", nameof(train)),
            _ => throw new ArgumentException($"{Name}: unsupported data set type {train.GetType().Name}.", nameof(train)),
        };
        var s = Settings;
        var seeds = new Core.Random.Rng(s.Seed);
        ulong samplerSeed = seeds.NextUInt64(), runSeed = seeds.NextUInt64();
        Optimizer teacherOptimizer = s.Sampler == TeacherSampler.Sgld
            ? new Nn.Optim.Sgld(teacher.Parameters(), s.TeacherStepSize, s.TeacherPriorPrecision, train.Count, samplerSeed)
            : new Adam(teacher.Parameters(), s.DropoutTeacherLearningRate, weightDecay: s.TeacherPriorPrecision / train.Count);
        LearningRateSchedule? teacherSchedule = s.Sampler == TeacherSampler.Sgld && s.TeacherStepDecay < 1
            ? new StepDecay(teacherOptimizer, s.TeacherStepDecayEvery, s.TeacherStepDecay) : null;
        Optimizer studentOptimizer = s.StudentOptimizer == DarkKnowledgeStudentOptimizer.Sgd
            ? new Sgd(student.Parameters(), s.StudentLearningRate, weightDecay: s.StudentPriorPrecision)
            : new Adam(student.Parameters(), s.StudentLearningRate, weightDecay: s.StudentPriorPrecision);
        LearningRateSchedule? studentSchedule = s.StudentDecay < 1 ? new StepDecay(studentOptimizer, s.StudentDecayEvery, s.StudentDecay) : null;
        return new DistilledSgld(task, teacher, teacherOptimizer, teacherSchedule, student, studentOptimizer, studentSchedule,
            generator ?? new NoisyTrainingInputs(train, s.InputNoise), s.StudentBatchSize, runSeed, s.BurnIn, s.UpdatePeriod,
            s.NoisePrecision, s.Sampler);
    }

    /// <summary>
    /// <see cref="Create"/>, then <paramref name="iterations"/> iterations of <see cref="DistilledSgld.Run"/> with
    /// M = <see cref="DarkKnowledgeSettings.TeacherBatchSize"/>, calling <paramref name="callback"/> every
    /// <paramref name="callbackEvery"/> iterations; returns the run, to continue or inspect.
    /// </summary>
    public DistilledSgld Fit(Module teacher, Module student, Dataset train, long iterations, IStudentDataGenerator? generator = null,
        int callbackEvery = 0, Action<DistilledSgldProgress>? callback = null)
    {
        var run = Create(teacher, student, train, generator);
        run.Run(train, Settings.TeacherBatchSize, iterations, callbackEvery, callback);
        return run;
    }
}

/// <summary>The dark-knowledge family of the registry (seed 004).</summary>
internal static class DarkKnowledgeFamily
{
    /// <summary>The family's name in listings.</summary>
    public const string Name = "dark-knowledge";

    /// <summary>The family's descriptors.</summary>
    public static MethodDescriptor[] Methods =>
    [
        new MethodDescriptor<DarkKnowledgeSettings>("bayesian-dark-knowledge", Name,
            "Bayesian dark knowledge (seed 004): an SGLD teacher's current sample taught online to one student on generated inputs (Algorithm 1)",
            new DarkKnowledgeSettings(), s => new BayesianDarkKnowledge(s)),
    ];
}
