namespace Probabilistic.Distill.Output;

/// <summary>The fourth ("normaliser") term of the probabilistic objective (methods.md §1.1, §1.2).</summary>
public enum NormalizerTerm
{
    /// <summary>No fourth term (what the authors' synthetic experiment optimises: it is commented out there).</summary>
    None,

    /// <summary>
    /// The paper's term −λ Σ_k [log g_k + log(−log g_k)] at the student temperature (from its wrong Theorem A1), as
    /// the FashionMNIST code optimises it; g is clamped to [ε, 1 − ε] first (it is NaN-prone as g → 1).
    /// </summary>
    Paper,

    /// <summary>
    /// The corrected term +λ log Z(g), the continuous-categorical normaliser of Theorem A1 (corrected), computed by
    /// <see cref="Probabilistic.Core.Simplex.ContinuousCategorical.LogNormalizerOfSoftmax"/> with its exact gradient.
    /// </summary>
    Corrected,
}

/// <summary>How the per-object terms of a batch become one scalar.</summary>
public enum DistillationReduction
{
    /// <summary>
    /// As the authors' code: the hard-label cross-entropy is a batch mean, the teacher terms are means over the B×K
    /// elements (so each teacher term gets an effective per-object weight λ/K).
    /// </summary>
    CodeBatchMean,

    /// <summary>The formula's weights: per object 1 (i ∉ I), 1 − λ and λ (i ∈ I), summed over the batch.</summary>
    PerObjectSum,
}

/// <summary>
/// Settings shared by the output-level distillation methods (<see cref="OutputFamily"/>, made by name through
/// <see cref="MethodRegistry"/>); each method reads the ones it uses.
/// </summary>
/// <param name="Lambda">λ ∈ [0, 1]: the weight of the teacher's answers on objects in I.</param>
/// <param name="TeacherTemperature">T of the teacher's soft labels s = softmax(v/T); the losses take s ready-made (see DistillationTraining.TeacherProbabilities), so this records the T they were made with.</param>
/// <param name="StudentTemperature">T of the student in the teacher terms, g = softmax(z/T).</param>
/// <param name="Reduction">How a batch is reduced (probabilistic methods; Hinton always uses batch means).</param>
/// <param name="IncludeNormalizer">Whether the probabilistic methods add their fourth term (the switch of §1.5).</param>
/// <param name="ClampEpsilon">ε of the paper's term-4 clamp g ∈ [ε, 1 − ε].</param>
/// <param name="Precision">τ = 1/σ² of the labels (regression).</param>
/// <param name="TeacherPrecision">τ_s = 1/σ_s² of the teacher's answers (regression).</param>
public sealed record DistillationSettings(
    double Lambda,
    double TeacherTemperature = 1,
    double StudentTemperature = 1,
    DistillationReduction Reduction = DistillationReduction.CodeBatchMean,
    bool IncludeNormalizer = true,
    double ClampEpsilon = 1e-6,
    double Precision = 1,
    double TeacherPrecision = 1)
{
    /// <summary><paramref name="settings"/> after checking them for <paramref name="method"/> (not null, each setting in range).</summary>
    internal static DistillationSettings Checked(DistillationSettings settings, string method)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate(method);
        return settings;
    }

    /// <summary>Throws when a setting is outside its range, naming it and <paramref name="method"/>.</summary>
    /// <param name="method">The method's name, for the message.</param>
    public void Validate(string method)
    {
        if (!(Lambda >= 0 && Lambda <= 1)) throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, $"{method}: λ must lie in [0, 1].");
        if (!(TeacherTemperature > 0)) throw new ArgumentOutOfRangeException(nameof(TeacherTemperature), TeacherTemperature, $"{method}: the teacher temperature must be positive.");
        if (!(StudentTemperature > 0)) throw new ArgumentOutOfRangeException(nameof(StudentTemperature), StudentTemperature, $"{method}: the student temperature must be positive.");
        if (!(ClampEpsilon > 0 && ClampEpsilon < 0.5)) throw new ArgumentOutOfRangeException(nameof(ClampEpsilon), ClampEpsilon, $"{method}: the clamp ε must lie in (0, 0.5).");
        if (!(Precision > 0)) throw new ArgumentOutOfRangeException(nameof(Precision), Precision, $"{method}: the precision τ must be positive.");
        if (!(TeacherPrecision > 0)) throw new ArgumentOutOfRangeException(nameof(TeacherPrecision), TeacherPrecision, $"{method}: the teacher precision τ_s must be positive.");
    }
}
