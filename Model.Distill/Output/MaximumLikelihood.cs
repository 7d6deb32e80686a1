using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.Output;

/// <summary>
/// No teacher: the student's own cross-entropy with the hard labels (at T = 1), the reference every distillation
/// method is compared with. It is the probabilistic objective with λ = 0; the teacher probabilities and the index set
/// are checked for shape and otherwise ignored. The batch is reduced as
/// <see cref="DistillationSettings.Reduction"/> says (a mean for <see cref="DistillationReduction.CodeBatchMean"/>, a
/// sum for <see cref="DistillationReduction.PerObjectSum"/>).
/// </summary>
public sealed class MaximumLikelihood : IClassificationDistillation
{
    /// <summary>The settings (only the reduction is read).</summary>
    public DistillationSettings Settings { get; }

    /// <inheritdoc/>
    public string Name => "ml";

    /// <summary>Maximum likelihood reduced as <paramref name="settings"/> says.</summary>
    public MaximumLikelihood(DistillationSettings settings)
    {
        Settings = DistillationSettings.Checked(settings, Name);
    }

    /// <inheritdoc/>
    public Tensor Loss(Tensor logits, ReadOnlySpan<int> labels, ReadOnlySpan<float> teacherProbabilities, ReadOnlySpan<bool> inIndexSet)
    {
        int n = ClassificationTerms.Batch(Name, logits, inIndexSet).N;
        double scale = Settings.Reduction == DistillationReduction.CodeBatchMean ? 1.0 / n : 1.0;
        var hard = new double[n];
        hard.AsSpan().Fill(scale);
        var none = new double[n];
        var weights = new TermWeights { HardLabel = hard, SoftLabel = none, Normalizer = none };
        return ClassificationTerms.Evaluate(Name, logits, labels, teacherProbabilities, weights,
            Settings.StudentTemperature, NormalizerTerm.None, klForm: false, Settings.ClampEpsilon);
    }
}
