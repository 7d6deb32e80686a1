using Probabilistic.Core.Random;
using Probabilistic.Distill.Teachers;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Tensors;
using NnLoss = Probabilistic.Nn.Losses.Loss;

namespace Probabilistic.Distill.Vid;

/// <summary>Which teacher signal a <see cref="VidDistillation"/> uses, and how λ is chosen (methods.md §4.1, issue #14).</summary>
public enum VidPreset
{
    /// <summary>The student alone: plain cross-entropy, no teacher.</summary>
    None,
    /// <summary>Hinton's outputs-only baseline: β·CE + (1−β)·T²·KL(teacher ‖ student) at temperature T.</summary>
    Hinton,
    /// <summary>VID's pairwise λ (<see cref="VidLambda.Pairwise"/>).</summary>
    Pairwise,
    /// <summary>Every connection (<see cref="VidLambda.All"/>, in <see cref="VidSettings.Form"/>).</summary>
    All,
    /// <summary>
    /// Random λ from <see cref="VidSettings.LambdaSeed"/>: Dirichlet columns (<see cref="VidLambda.Random"/>) in the
    /// column-stochastic form, uniform entries (<see cref="VidLambda.RandomUniform"/>) in the free form.
    /// </summary>
    Random,
    /// <summary>The λ given in <see cref="VidSettings.Lambda"/> (e.g. from a coefficient search).</summary>
    Custom,
}

/// <summary>
/// Settings of <see cref="VidDistillation"/>. The student's loss is β·CE + (1−β)·Σᵢⱼ λᵢⱼ·ℓᵢⱼ (the feature presets) or
/// β·CE + (1−β)·T²·KL(teacher ‖ student) (<see cref="VidPreset.Hinton"/>), or CE alone (<see cref="VidPreset.None"/>).
/// The compat switches reproduce the authors' code (methods.md §4.2, §4.4) and are all off by default.
/// </summary>
/// <param name="Preset">The teacher signal and λ.</param>
/// <param name="Beta">β ∈ [0, 1], the weight of the hard-label cross-entropy (0.5 in both protocols).</param>
/// <param name="Temperature">T of the Hinton term (3 in the seed).</param>
/// <param name="Form">The λ form of <see cref="VidPreset.All"/> and <see cref="VidPreset.Random"/>.</param>
/// <param name="LambdaSeed">The seed of <see cref="VidPreset.Random"/>.</param>
/// <param name="Lambda">The λ of <see cref="VidPreset.Custom"/>; ignored by the other presets.</param>
/// <param name="Connection">Options of every Gaussian connection (variance, ε, the scalar-σ compat).</param>
/// <param name="SigmaMultipliesBug">Bug 1: ℓ = ‖t − μ‖²/2·σ² + ½ log σ² (<see cref="GaussianConnectionOptions.CompatSigmaMultipliesBug"/>).</param>
/// <param name="LastConnectionOnly">Bug 2: the information term is the last connection's ℓ (row-major order), unweighted by λ.</param>
/// <param name="ReverseKlHinton">
/// Bug 3: the Hinton term is PyTorch's KLDivLoss(log_softmax(teacher/T), softmax(student/T)) with its default
/// reduction, i.e. Σ KL(student ‖ teacher) / (B·K), with no T² (the gradient flows through the student's probabilities).
/// </param>
/// <param name="TeacherInTrainingMode">
/// The thesis code's frozen teacher in training mode (BatchNorm on batch statistics). It needs a Model.Nn module
/// teacher: <see cref="VidDistillation.Bind"/> runs a <see cref="ModuleTeacher"/> through
/// <see cref="ModuleTeacher.InMode"/>, and refuses any other teacher.
/// </param>
public sealed record VidSettings(
    VidPreset Preset = VidPreset.Pairwise,
    double Beta = 0.5,
    double Temperature = 3,
    VidLambdaForm Form = VidLambdaForm.Free,
    ulong LambdaSeed = 1,
    VidLambda? Lambda = null,
    GaussianConnectionOptions? Connection = null,
    bool SigmaMultipliesBug = false,
    bool LastConnectionOnly = false,
    bool ReverseKlHinton = false,
    bool TeacherInTrainingMode = false)
{
    /// <summary>True when the preset uses the teacher's features (pairwise, all, random, custom).</summary>
    public bool UsesFeatures => Preset is VidPreset.Pairwise or VidPreset.All or VidPreset.Random or VidPreset.Custom;

    /// <summary>True when the preset needs a teacher at all.</summary>
    public bool UsesTeacher => Preset != VidPreset.None;

    /// <summary>Throws, naming the setting, when one is out of range.</summary>
    public void Validate()
    {
        if (!(Beta >= 0 && Beta <= 1)) throw new ArgumentOutOfRangeException(nameof(Beta), Beta, "vid: β must lie in [0, 1].");
        if (!(Temperature > 0 && double.IsFinite(Temperature))) throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "vid: the temperature must be finite and positive.");
        if (Preset == VidPreset.Custom && Lambda is null) throw new ArgumentException("vid: the custom preset needs a λ (VidSettings.Lambda).");
    }

    /// <summary>The λ of the preset for <paramref name="teacherLayers"/> × <paramref name="studentLayers"/> features; throws for presets without features.</summary>
    public VidLambda LambdaFor(int teacherLayers, int studentLayers) => Preset switch
    {
        VidPreset.Pairwise => VidLambda.Pairwise(teacherLayers, studentLayers),
        VidPreset.All => VidLambda.All(teacherLayers, studentLayers, Form),
        VidPreset.Random => Form == VidLambdaForm.ColumnStochastic
            ? VidLambda.Random(teacherLayers, studentLayers, LambdaSeed)
            : VidLambda.RandomUniform(teacherLayers, studentLayers, LambdaSeed),
        VidPreset.Custom when Lambda!.TeacherLayers == teacherLayers && Lambda.StudentLayers == studentLayers => Lambda,
        VidPreset.Custom => throw new ArgumentException($"vid: the custom λ is {Lambda.TeacherLayers} × {Lambda.StudentLayers}, the models give {teacherLayers} × {studentLayers} features."),
        _ => throw new InvalidOperationException($"vid: the preset {Preset} uses no features, so it has no λ."),
    };
}

/// <summary>
/// All-to-all layer alignment by variational mutual information (seed 003, methods.md §4; Ahn et al.'s VID when λ is
/// pairwise). This class is the method (settings and name); <see cref="Bind"/> builds the trainable
/// <see cref="VidObjective"/> for a teacher and a student (the Gaussian connections need the feature shapes).
/// </summary>
public sealed class VidDistillation : IDistillationMethod
{
    /// <summary>The settings.</summary>
    public VidSettings Settings { get; }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The method with <paramref name="settings"/>; <paramref name="name"/> is the registry name.</summary>
    public VidDistillation(VidSettings settings, string name = "vid")
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        Settings = settings;
        Name = name;
    }

    /// <summary>
    /// Binds the method to a frozen <paramref name="teacher"/> (a Model.Nn module converts to a
    /// <see cref="ModuleTeacher"/>) and a <paramref name="student"/>: the teacher's features are its
    /// <see cref="Teacher.Run"/> features named <paramref name="teacherPaths"/>, the student's are captured at
    /// <paramref name="studentPaths"/> (see <see cref="Probabilistic.Nn.Models.Zoo.TinyFeaturePaths"/>); their shapes
    /// are read from one pass of a zero input [1, …<paramref name="inputShape"/>] (the teacher's declared
    /// <see cref="Teacher.InputShape"/> when null) without gradient, both models in evaluation mode, and the
    /// connections are built from <paramref name="rng"/>. Dispose the result to remove the student's hooks.
    /// </summary>
    public VidObjective Bind(Teacher teacher, Module student, IReadOnlyList<int>? inputShape,
        IReadOnlyList<string> teacherPaths, IReadOnlyList<string> studentPaths, Rng rng) =>
        new(Settings, teacher, student, inputShape, teacherPaths, studentPaths, rng);
}

/// <summary>
/// The trainable VID objective for one teacher and student (<see cref="VidDistillation.Bind"/>): its parameters are
/// the Gaussian connections' (train them with the student's). <see cref="StudentLoss"/> runs both models on a batch;
/// <see cref="Loss"/> is the same loss on given logits and features.
/// </summary>
public sealed class VidObjective : Module, IDisposable
{
    private readonly Teacher? _teacher;
    private readonly Module? _student;
    private readonly FeatureCapture? _studentCapture;
    private readonly string[] _teacherPaths = [], _studentPaths = [];

    /// <summary>The settings.</summary>
    public VidSettings Settings { get; }

    /// <summary>The information term (null for <see cref="VidPreset.None"/> and <see cref="VidPreset.Hinton"/>).</summary>
    public VidLoss? Information { get; }

    /// <summary>
    /// The objective on features of the given shapes (without batch), with no models bound: use <see cref="Loss"/>.
    /// </summary>
    public VidObjective(VidSettings settings, IReadOnlyList<IReadOnlyList<int>> teacherShapes,
        IReadOnlyList<IReadOnlyList<int>> studentShapes, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(teacherShapes);
        ArgumentNullException.ThrowIfNull(studentShapes);
        ArgumentNullException.ThrowIfNull(rng);
        settings.Validate();
        Settings = settings;
        if (settings.UsesFeatures)
        {
            var options = (settings.Connection ?? new GaussianConnectionOptions()) with { CompatSigmaMultipliesBug = settings.SigmaMultipliesBug };
            Information = RegisterModule("vid", new VidLoss(teacherShapes, studentShapes,
                settings.LambdaFor(teacherShapes.Count, studentShapes.Count), rng, options));
        }
    }

    internal VidObjective(VidSettings settings, Teacher teacher, Module student, IReadOnlyList<int>? inputShape,
        IReadOnlyList<string> teacherPaths, IReadOnlyList<string> studentPaths, Rng rng)
        : this(settings, ProbeShapes(teacher, student, inputShape, teacherPaths, studentPaths, settings, out var studentShapes), studentShapes, rng)
    {
        _teacher = InTrainingMode(teacher, settings.TeacherInTrainingMode);
        _student = student;
        if (settings.UsesFeatures)
        {
            _teacherPaths = [.. teacherPaths];
            _studentPaths = [.. studentPaths];
            _studentCapture = new FeatureCapture(student, _studentPaths);
        }
    }

    /// <summary>
    /// The student's loss on a batch <paramref name="input"/>: the teacher gives its logits and features through
    /// <see cref="Teacher.Run"/> without gradient (a module teacher in evaluation mode, training mode with
    /// <see cref="VidSettings.TeacherInTrainingMode"/>; its mode is restored after the batch), the student runs with
    /// gradient in its current mode; then <see cref="Loss"/> on the logits and features.
    /// </summary>
    public Tensor StudentLoss(Tensor input, ReadOnlySpan<int> labels)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_student is null || _teacher is null)
            throw new InvalidOperationException("VidObjective.StudentLoss: no models are bound; use VidDistillation.Bind, or call Loss.");
        Tensor? teacherLogits = null;
        Tensor[] teacherFeatures = [];
        if (Settings.UsesTeacher)
        {
            var output = _teacher.Run(input, _teacherPaths);
            teacherLogits = output.Logits;
            teacherFeatures = [.. output.Features];
        }
        var logits = _student.Forward(input);
        Tensor[] studentFeatures = [.. _studentPaths.Select(p => _studentCapture![p])];
        return Loss(logits, labels, teacherLogits, teacherFeatures, studentFeatures);
    }

    /// <summary>
    /// The loss on the student's logits [B, K], the labels, the teacher's logits [B, K] (constants; may be null when the
    /// preset does not use them) and the batched features (teacher features are constants; empty lists when unused).
    /// </summary>
    public Tensor Loss(Tensor studentLogits, ReadOnlySpan<int> labels, Tensor? teacherLogits,
        IReadOnlyList<Tensor> teacherFeatures, IReadOnlyList<Tensor> studentFeatures)
    {
        ArgumentNullException.ThrowIfNull(studentLogits);
        var ce = NnLoss.CrossEntropy(studentLogits, labels);
        if (Settings.Preset == VidPreset.None) return ce;
        float beta = (float)Settings.Beta;
        Tensor teacherTerm = Settings.Preset == VidPreset.Hinton
            ? HintonTerm(studentLogits, teacherLogits ?? throw new ArgumentNullException(nameof(teacherLogits), "VidObjective.Loss: the hinton preset needs the teacher's logits."))
            : InformationTerm(teacherFeatures, studentFeatures);
        return Ops.Add(Ops.Scale(ce, beta), Ops.Scale(teacherTerm, 1 - beta));
    }

    /// <summary>Removes the student's feature hooks (the teacher is not owned, so it is not disposed).</summary>
    public void Dispose() => _studentCapture?.Dispose();

    /// <inheritdoc/>
    /// <remarks>Not supported: the loss needs labels; call <see cref="StudentLoss"/> or <see cref="Loss"/>.</remarks>
    protected override Tensor ForwardCore(Tensor input) =>
        throw new NotSupportedException("VidObjective.Forward: call StudentLoss(input, labels) or Loss(...).");

    private Tensor InformationTerm(IReadOnlyList<Tensor> teacherFeatures, IReadOnlyList<Tensor> studentFeatures)
    {
        ArgumentNullException.ThrowIfNull(teacherFeatures);
        ArgumentNullException.ThrowIfNull(studentFeatures);
        var info = Information!;
        if (!Settings.LastConnectionOnly) return info.Loss(teacherFeatures, studentFeatures);
        if (teacherFeatures.Count != info.Lambda.TeacherLayers || studentFeatures.Count != info.Lambda.StudentLayers)
            throw new ArgumentException($"VidObjective.Loss: expected {info.Lambda.TeacherLayers} teacher and {info.Lambda.StudentLayers} student features, got {teacherFeatures.Count} and {studentFeatures.Count}.");
        for (int i = info.Lambda.TeacherLayers - 1; i >= 0; i--)
            for (int j = info.Lambda.StudentLayers - 1; j >= 0; j--)
                if (info.Connection(i, j) is { } last) return last.NegativeLogLikelihood(teacherFeatures[i], studentFeatures[j]);
        return Tensor.Zeros(1);
    }

    private Tensor HintonTerm(Tensor studentLogits, Tensor teacherLogits)
    {
        float t = (float)Settings.Temperature;
        if (!Settings.ReverseKlHinton) return NnLoss.DistillationKl(studentLogits, teacherLogits, t);
        if (!teacherLogits.Shape.SequenceEqual(studentLogits.Shape))
            throw new ArgumentException($"VidObjective.Loss: the teacher's logits {teacherLogits.ShapeString} differ in shape from the student's {studentLogits.ShapeString}.");
        Tensor logTeacher;
        using (GradMode.NoGrad()) logTeacher = Ops.LogSoftmax(Ops.Scale(teacherLogits, 1 / t));
        var logStudent = Ops.LogSoftmax(Ops.Scale(studentLogits, 1 / t));
        var kl = Ops.Sum(Ops.Mul(Ops.Exp(logStudent), Ops.Sub(logStudent, logTeacher)));
        return Ops.Scale(kl, 1f / studentLogits.Length);
    }

    private static Teacher InTrainingMode(Teacher teacher, bool trainingMode) => teacher switch
    {
        ModuleTeacher module => module.InMode(trainingMode),
        _ when trainingMode => throw new ArgumentException(
            $"VidDistillation.Bind: TeacherInTrainingMode needs a Model.Nn module teacher; '{teacher.Name}' is a {teacher.GetType().Name}.", nameof(teacher)),
        _ => teacher,
    };

    private static IReadOnlyList<IReadOnlyList<int>> ProbeShapes(Teacher teacher, Module student, IReadOnlyList<int>? inputShape,
        IReadOnlyList<string> teacherPaths, IReadOnlyList<string> studentPaths, VidSettings settings,
        out IReadOnlyList<IReadOnlyList<int>> studentShapes)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacherPaths);
        ArgumentNullException.ThrowIfNull(studentPaths);
        InTrainingMode(teacher, settings.TeacherInTrainingMode);
        studentShapes = [];
        if (!settings.UsesFeatures) return [];
        inputShape ??= teacher.InputShape
            ?? throw new ArgumentNullException(nameof(inputShape), $"VidDistillation.Bind: no input shape given and the teacher '{teacher.Name}' declares none.");
        var x = Tensor.Zeros([1, .. inputShape]);
        // Evaluation mode: a batch of one has no batch statistics, and the running ones must not move.
        var probe = teacher is ModuleTeacher module ? module.InMode(false) : teacher;
        var teacherFeatures = probe.Run(x, teacherPaths).Features;
        using var sc = new FeatureCapture(student, [.. studentPaths]);
        bool studentTraining = student.IsTraining;
        using (GradMode.NoGrad()) student.Eval().Forward(x);
        student.Train(studentTraining);
        studentShapes = [.. studentPaths.Select(p => (IReadOnlyList<int>)sc[p].Shape.ToArray()[1..])];
        return [.. teacherFeatures.Select(f => (IReadOnlyList<int>)f.Shape.ToArray()[1..])];
    }
}

internal static class VidFamily
{
    /// <summary>The family's name in listings.</summary>
    public const string Name = "vid";

    /// <summary>The family's descriptors.</summary>
    public static MethodDescriptor[] Methods =>
    [
        Method("vid-none", "seed 003's student alone: cross-entropy, no teacher", new VidSettings(VidPreset.None)),
        Method("vid-hinton", "seed 003's Hinton baseline: 0.5·CE + 0.5·T²·KL(teacher ‖ student), T = 3", new VidSettings(VidPreset.Hinton)),
        Method("vid-pairwise", "variational information distillation (Ahn et al.), pairwise λ = δᵢⱼ (seed 003)", new VidSettings(VidPreset.Pairwise)),
        Method("vid-all", "all-to-all VID (seed 003): every teacher layer to every student layer, λᵢⱼ = 1 (free form)", new VidSettings(VidPreset.All)),
        Method("vid-random", "all-to-all VID (seed 003) with random λ (uniform entries in the free form, Dirichlet columns in the column-stochastic one)", new VidSettings(VidPreset.Random)),
    ];

    private static MethodDescriptor<VidSettings> Method(string name, string summary, VidSettings defaults) =>
        new(name, Name, summary, defaults, s => new VidDistillation(s, name));
}
