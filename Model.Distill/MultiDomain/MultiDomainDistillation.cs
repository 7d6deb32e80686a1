using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Losses;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.MultiDomain;

/// <summary>
/// Settings of <see cref="MultiDomainDistillation"/>: the loss is HardWeight·CE(labels) + SoftWeight·softCE(teacher on
/// φ(x)) at temperature T. The slides' λ is HardWeight = λ, SoftWeight = 1 − λ (<see cref="FromLambda"/>); the
/// authors' code uses weights 1 + 1 and T = 1 (2× the slide loss at λ = ½), the defaults here.
/// </summary>
/// <param name="HardWeight">Weight of the hard-label term (≥ 0).</param>
/// <param name="SoftWeight">Weight of the teacher term (≥ 0); 0 gives the student alone.</param>
/// <param name="Temperature">T of both the teacher's soft labels softmax(f(φ(x))/T) and the student's log softmax(z/T); no T² factor (the code's form).</param>
public sealed record MultiDomainSettings(double HardWeight = 1, double SoftWeight = 1, double Temperature = 1)
{
    /// <summary>The slides' form: λ·CE + (1 − λ)·soft CE, with λ ∈ [0, 1].</summary>
    public static MultiDomainSettings FromLambda(double lambda, double temperature = 1)
    {
        if (!(lambda >= 0 && lambda <= 1)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "MultiDomainSettings: λ must lie in [0, 1].");
        return new(lambda, 1 - lambda, temperature);
    }

    /// <summary>Throws, naming the setting, when one is out of range.</summary>
    public void Validate()
    {
        if (!(HardWeight >= 0 && double.IsFinite(HardWeight))) throw new ArgumentOutOfRangeException(nameof(HardWeight), HardWeight, "multidomain: the hard-label weight must be finite and ≥ 0.");
        if (!(SoftWeight >= 0 && double.IsFinite(SoftWeight))) throw new ArgumentOutOfRangeException(nameof(SoftWeight), SoftWeight, "multidomain: the teacher weight must be finite and ≥ 0.");
        if (HardWeight + SoftWeight == 0) throw new ArgumentException("multidomain: the hard-label and teacher weights are both 0; nothing would be learned.");
        if (!(Temperature > 0 && double.IsFinite(Temperature))) throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "multidomain: the temperature must be finite and positive.");
    }
}

/// <summary>
/// Multi-domain distillation (seed 002, methods.md §3.1): a teacher f trained on a source domain answers on φ(x) for
/// the student's target-domain inputs x. Classification: HardWeight·mean_i CE(z_i, y_i) + SoftWeight·mean_i
/// [−Σ_r softmax(f(φ(x_i))/T)_r · log softmax(z_i/T)_r]. Regression (§3.1, the code's MSE forms): HardWeight·MSE(g, y) +
/// SoftWeight·MSE(g, f(φ(x))). The map φ and the training loop are in <see cref="MultiDomainTraining"/>; this class
/// is only the loss, given the teacher's outputs on φ(x).
/// </summary>
public sealed class MultiDomainDistillation : IDistillationMethod
{
    /// <summary>The weights and temperature.</summary>
    public MultiDomainSettings Settings { get; }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The loss with <paramref name="settings"/>; <paramref name="name"/> is the registry name.</summary>
    public MultiDomainDistillation(MultiDomainSettings settings, string name = "multidomain")
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        Settings = settings;
        Name = name;
    }

    /// <summary>
    /// The classification loss of a batch: the student's logits [B, K], the labels (B) and the teacher's logits on
    /// φ(x) [B, K] (a constant: no gradient flows into the teacher). With <see cref="MultiDomainSettings.SoftWeight"/> = 0
    /// the teacher logits may be null.
    /// </summary>
    public Tensor Loss(Tensor studentLogits, ReadOnlySpan<int> labels, Tensor? teacherLogits)
    {
        ArgumentNullException.ThrowIfNull(studentLogits);
        if (studentLogits.Rank != 2) throw new ArgumentException($"{Name}: the student's logits must be [B, K], got {studentLogits.ShapeString}.");
        if (labels.Length != studentLogits.Dim(0)) throw new ArgumentException($"{Name}: {labels.Length} labels for {studentLogits.Dim(0)} rows of logits.");
        Tensor? hard = Settings.HardWeight > 0 ? Ops.Scale(Nn.Losses.Loss.CrossEntropy(studentLogits, labels), (float)Settings.HardWeight) : null;
        if (Settings.SoftWeight == 0) return hard!;
        if (teacherLogits is null) throw new ArgumentNullException(nameof(teacherLogits), $"{Name}: the teacher weight is {Settings.SoftWeight} but no teacher logits were given.");
        if (!teacherLogits.Shape.SequenceEqual(studentLogits.Shape))
            throw new ArgumentException($"{Name}: the teacher's logits {teacherLogits.ShapeString} differ in shape from the student's {studentLogits.ShapeString}.");
        float t = (float)Settings.Temperature;
        Tensor soft;
        using (GradMode.NoGrad())
            soft = Ops.Softmax(t == 1 ? teacherLogits : Ops.Scale(teacherLogits, 1 / t));
        // Loss.SoftCrossEntropy carries Hinton's T²; the code's form has none, so it is divided out.
        var softTerm = Ops.Scale(Nn.Losses.Loss.SoftCrossEntropy(studentLogits, soft, t), (float)(Settings.SoftWeight / (t * (double)t)));
        return hard is null ? softTerm : Ops.Add(hard, softTerm);
    }

    /// <summary>
    /// The regression loss of a batch: HardWeight·MSE(prediction, target) + SoftWeight·MSE(prediction, teacher's
    /// prediction on φ(x)), all [B, 1] or [B] of one shape (the teacher's prediction is a constant).
    /// </summary>
    public Tensor RegressionLoss(Tensor prediction, Tensor target, Tensor? teacherPrediction)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        Tensor? hard = Settings.HardWeight > 0 ? Ops.Scale(Nn.Losses.Loss.Mse(prediction, target), (float)Settings.HardWeight) : null;
        if (Settings.SoftWeight == 0) return hard!;
        if (teacherPrediction is null) throw new ArgumentNullException(nameof(teacherPrediction), $"{Name}: the teacher weight is {Settings.SoftWeight} but no teacher prediction was given.");
        var soft = Ops.Scale(Nn.Losses.Loss.Mse(prediction, teacherPrediction.RequiresGrad ? teacherPrediction.Detach() : teacherPrediction), (float)Settings.SoftWeight);
        return hard is null ? soft : Ops.Add(hard, soft);
    }
}

/// <summary>The multi-domain family of the registry (seed 002).</summary>
internal static class MultiDomainFamily
{
    /// <summary>The family's name in listings.</summary>
    public const string Name = "multidomain";

    /// <summary>The family's descriptors.</summary>
    public static MethodDescriptor[] Methods =>
    [
        new MethodDescriptor<MultiDomainSettings>("multidomain", Name,
            "multi-domain distillation (seed 002): CE(labels) + soft CE to a source-domain teacher on φ(x) (maps: identity, noise, fixed conv, VAE, style)",
            new MultiDomainSettings(), s => new MultiDomainDistillation(s)),
    ];
}
