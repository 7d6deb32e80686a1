using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.Output;

/// <summary>
/// A compatibility form of Hinton's loss, kept only to reproduce code that wrote it this way; use
/// <see cref="HintonDistillation"/> otherwise. It is PyTorch's
/// <c>(1 − λ)·cross_entropy(z, y) + λ·KLDivLoss()(log_softmax(v/T), softmax(z/T))</c>, with the teacher's log-probabilities
/// in the input slot and the student's probabilities in the target slot: the reverse divergence KL(g ‖ s),
/// g = softmax(z/T), with no T² factor, and the gradient flowing through the target g. Per batch:
/// mean_i w_i·CE_i + λ/(B·K)·Σ_{i∈I} KL(g_i ‖ s_i), w_i = 1 − λ on I and 1 elsewhere; the KL term is reduced as
/// KLDivLoss's default ('mean' over all B·K elements). Unlike the forward form it is mode-seeking, and without the
/// T² factor its gradient scales like 1/T (large for T &lt; 1). Teacher probabilities that underflowed to 0 in float are
/// read as the smallest positive float.
/// </summary>
public sealed class ReverseKlHintonDistillation : IClassificationDistillation
{
    /// <summary>The settings (λ, student temperature).</summary>
    public DistillationSettings Settings { get; }

    /// <inheritdoc/>
    public string Name => "hinton-reverse-kl";

    /// <summary>The reverse-KL form with <paramref name="settings"/> (λ and the student temperature T).</summary>
    public ReverseKlHintonDistillation(DistillationSettings settings)
    {
        Settings = DistillationSettings.Checked(settings, Name);
    }

    /// <inheritdoc/>
    public Tensor Loss(Tensor logits, ReadOnlySpan<int> labels, ReadOnlySpan<float> teacherProbabilities, ReadOnlySpan<bool> inIndexSet)
    {
        var (n, k) = ClassificationTerms.Batch(Name, logits, inIndexSet);
        double lambda = Settings.Lambda;
        var hard = new double[n];
        var reverse = new double[n];
        for (int b = 0; b < n; b++)
        {
            hard[b] = (inIndexSet[b] ? 1 - lambda : 1) / n;
            reverse[b] = inIndexSet[b] ? lambda / ((double)n * k) : 0;
        }
        var none = new double[n];
        var weights = new TermWeights { HardLabel = hard, SoftLabel = none, Normalizer = none, ReverseKl = reverse };
        return ClassificationTerms.Evaluate(Name, logits, labels, teacherProbabilities, weights, Settings.StudentTemperature,
            NormalizerTerm.None, klForm: false, Settings.ClampEpsilon);
    }
}
