using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.Teachers;

/// <summary>
/// A Model.Nn <see cref="Module"/> as a frozen <see cref="Teacher"/>: it runs in evaluation mode (the mode is restored
/// after each batch), and its features are the outputs of submodules named by dotted path (as
/// <see cref="FeatureCapture"/> names them), captured by forward hooks that live only for the batch.
/// </summary>
public sealed class ModuleTeacher : Teacher
{
    private string[]? _featureNames;

    /// <summary>
    /// Wraps <paramref name="module"/>. <paramref name="inputShape"/> declares the per-sample shape (null: pass batches
    /// as they come); <paramref name="normalisation"/> is applied first; <paramref name="trainingMode"/> runs the module
    /// in training mode (batch statistics; a compat option of some papers' code).
    /// </summary>
    public ModuleTeacher(Module module, IReadOnlyList<int>? inputShape = null, InputNormalisation? normalisation = null,
        string? name = null, bool trainingMode = false)
        : base(name ?? (module ?? throw new ArgumentNullException(nameof(module))).GetType().Name, inputShape, normalisation)
    {
        Module = module;
        TrainingMode = trainingMode;
    }

    /// <summary>The wrapped module.</summary>
    public Module Module { get; }

    /// <summary>Whether the module runs in training mode.</summary>
    public bool TrainingMode { get; }

    /// <summary>Every named submodule path of the module.</summary>
    public override IReadOnlyList<string> FeatureNames =>
        _featureNames ??= [.. Module.NamedModules().Select(kv => kv.Key).Where(k => k.Length > 0)];

    /// <summary>
    /// This teacher when it already runs in the mode <paramref name="trainingMode"/>, otherwise a teacher over the same
    /// module, input shape, normalisation and name in that mode (how a method with a training-mode compat switch, such
    /// as <see cref="Vid.VidSettings.TeacherInTrainingMode"/>, runs a given teacher).
    /// </summary>
    public ModuleTeacher InMode(bool trainingMode) =>
        trainingMode == TrainingMode ? this : new ModuleTeacher(Module, InputShape, Normalisation, Name, trainingMode);

    /// <inheritdoc/>
    protected override TeacherOutput RunCore(Tensor input, IReadOnlyList<string> features)
    {
        bool wasTraining = Module.IsTraining;
        Module.Train(TrainingMode);
        try
        {
            if (features.Count == 0) return new TeacherOutput(Module.Forward(input), []);
            using var capture = new FeatureCapture(Module, [.. features]);
            var logits = Module.Forward(input);
            return new TeacherOutput(logits, [.. features.Select(f => capture[f])]);
        }
        finally
        {
            Module.Train(wasTraining);
        }
    }
}
