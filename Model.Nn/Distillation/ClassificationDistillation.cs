using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Distillation;

/// <summary>
/// A distillation loss for a classifier student: from the student's logits [B, K], the hard labels, the teacher's
/// probabilities s (B·K, row-major; rows of objects outside I are ignored) and the index set I as one flag per object
/// of the batch (true: the object has a teacher answer / privileged features), a scalar tensor to minimise.
/// </summary>
public interface IClassificationDistillation
{
    /// <summary>The registry name (e.g. "hinton").</summary>
    string Name { get; }

    /// <summary>The batch loss; differentiable with respect to <paramref name="logits"/>.</summary>
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
    public ProbabilisticDistillation(DistillationSettings settings, NormalizerTerm normalizer, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Name = name ?? $"probabilistic-{normalizer.ToString().ToLowerInvariant()}";
        settings.Validate(Name);
        Settings = settings;
        Normalizer = settings.IncludeNormalizer ? normalizer : NormalizerTerm.None;
    }

    /// <inheritdoc/>
    public Tensor Loss(Tensor logits, ReadOnlySpan<int> labels, ReadOnlySpan<float> teacherProbabilities, ReadOnlySpan<bool> inIndexSet)
    {
        int n = logits.Rank == 2 ? logits.Dim(0) : -1, k = logits.Rank == 2 ? logits.Dim(1) : 0;
        if (inIndexSet.Length != n)
            throw new ArgumentException($"{Name}: the index-set mask has {inIndexSet.Length} flags for logits {logits.ShapeString}.");
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

    public HintonDistillation(DistillationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate(Name);
        Settings = settings;
    }

    /// <inheritdoc/>
    public Tensor Loss(Tensor logits, ReadOnlySpan<int> labels, ReadOnlySpan<float> teacherProbabilities, ReadOnlySpan<bool> inIndexSet)
    {
        int n = logits.Rank == 2 ? logits.Dim(0) : -1;
        if (inIndexSet.Length != n)
            throw new ArgumentException($"{Name}: the index-set mask has {inIndexSet.Length} flags for logits {logits.ShapeString}.");
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
