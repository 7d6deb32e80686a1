using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.Output;

/// <summary>
/// The output-level family: a distillation loss for a classifier student. From the student's logits [B, K], the hard
/// labels, the teacher's probabilities s (B·K, row-major; rows of objects outside I are ignored) and the index set I
/// as one flag per object of the batch (true: the object has a teacher answer / privileged features), a scalar tensor
/// to minimise. <see cref="DistillationTraining.Fit"/> trains a student with any of them.
/// </summary>
public interface IClassificationDistillation : IDistillationMethod
{
    /// <summary>The batch loss; differentiable with respect to <paramref name="logits"/>.</summary>
    /// <param name="logits">The student's logits [B, K].</param>
    /// <param name="labels">The hard labels (B).</param>
    /// <param name="teacherProbabilities">The teacher's probabilities (B·K); rows outside I are ignored.</param>
    /// <param name="inIndexSet">One flag per object: true when the object is in I.</param>
    Tensor Loss(Tensor logits, ReadOnlySpan<int> labels, ReadOnlySpan<float> teacherProbabilities, ReadOnlySpan<bool> inIndexSet);
}

/// <summary>
/// The probabilistic distillation objective of P1 (methods.md §1.1), as a loss (the negated weighted log-likelihood):
/// Σ_{i∉I} CE_i + (1−λ) Σ_{i∈I} CE_i − λ Σ_{i∈I} Σ_k s_ik log g_k(x_i)|_T + λ Σ_{i∈I} N_i,
/// with CE at T = 1, g = softmax(z/T) at the student temperature, and N the chosen fourth term
/// (<see cref="NormalizerTerm"/>). The teacher terms 3 and 4 always share one weight, as together they are
/// λ·log p(s | g). With I empty it is maximum likelihood; with I = all, λ = ½ and no fourth term it is ½ of Hinton's
/// L_st (both checked by tests).
/// </summary>
public sealed class ProbabilisticDistillation : IClassificationDistillation
{
    /// <summary>The settings (λ, temperatures, reduction, clamp).</summary>
    public DistillationSettings Settings { get; }

    /// <summary>The fourth term in use (None when the settings switch it off).</summary>
    public NormalizerTerm Normalizer { get; }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The objective with the given fourth term (<see cref="DistillationSettings.IncludeNormalizer"/> = false turns it off).</summary>
    /// <param name="settings">λ, the student temperature, the reduction and the clamp.</param>
    /// <param name="normalizer">The fourth term.</param>
    /// <param name="name">The registry name; "probabilistic-" and the term's name when null.</param>
    public ProbabilisticDistillation(DistillationSettings settings, NormalizerTerm normalizer, string? name = null)
    {
        Name = name ?? $"probabilistic-{normalizer.ToString().ToLowerInvariant()}";
        Settings = DistillationSettings.Checked(settings, Name);
        Normalizer = settings.IncludeNormalizer ? normalizer : NormalizerTerm.None;
    }

    /// <inheritdoc/>
    public Tensor Loss(Tensor logits, ReadOnlySpan<int> labels, ReadOnlySpan<float> teacherProbabilities, ReadOnlySpan<bool> inIndexSet)
    {
        var (n, k) = ClassificationTerms.Batch(Name, logits, inIndexSet);
        double lambda = Settings.Lambda;
        bool mean = Settings.Reduction == DistillationReduction.CodeBatchMean;
        double objectScale = mean ? 1.0 / n : 1.0, elementScale = mean ? 1.0 / ((double)n * k) : 1.0;
        var hard = new double[n];
        var soft = new double[n];
        for (int b = 0; b < n; b++)
        {
            hard[b] = (inIndexSet[b] ? 1 - lambda : 1) * objectScale;
            soft[b] = inIndexSet[b] ? lambda * elementScale : 0;
        }
        var weights = new TermWeights { HardLabel = hard, SoftLabel = soft, Normalizer = soft };
        return ClassificationTerms.Evaluate(Name, logits, labels, teacherProbabilities, weights,
            Settings.StudentTemperature, Normalizer, klForm: false, Settings.ClampEpsilon);
    }
}
