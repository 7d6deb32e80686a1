using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.Output;

/// <summary>
/// Hinton et al. (2015) distillation, the baseline: per batch the mean over objects of
/// w_i·CE_i + λ·T²·KL(s_i ‖ softmax(z_i/T)) with w_i = 1 − λ on I and 1 elsewhere (objects outside I get only the
/// hard-label term). The T² keeps the soft term's gradient scale independent of T.
/// </summary>
public sealed class HintonDistillation : IClassificationDistillation
{
    /// <summary>The settings (λ, student temperature).</summary>
    public DistillationSettings Settings { get; }

    /// <inheritdoc/>
    public string Name => "hinton";

    /// <summary>Hinton's loss with <paramref name="settings"/> (λ and the student temperature T).</summary>
    public HintonDistillation(DistillationSettings settings)
    {
        Settings = DistillationSettings.Checked(settings, Name);
    }

    /// <inheritdoc/>
    public Tensor Loss(Tensor logits, ReadOnlySpan<int> labels, ReadOnlySpan<float> teacherProbabilities, ReadOnlySpan<bool> inIndexSet)
    {
        int n = ClassificationTerms.Batch(Name, logits, inIndexSet).N;
        double lambda = Settings.Lambda, t = Settings.StudentTemperature;
        var hard = new double[n];
        var soft = new double[n];
        for (int b = 0; b < n; b++)
        {
            hard[b] = (inIndexSet[b] ? 1 - lambda : 1) / n;
            soft[b] = inIndexSet[b] ? lambda * t * t / n : 0;
        }
        var weights = new TermWeights { HardLabel = hard, SoftLabel = soft, Normalizer = new double[n] };
        return ClassificationTerms.Evaluate(Name, logits, labels, teacherProbabilities, weights, t, NormalizerTerm.None, klForm: true, Settings.ClampEpsilon);
    }
}
