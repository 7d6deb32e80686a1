using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.Output;

/// <summary>
/// The regression objective of P1 (methods.md §1.3) with precisions (τ = 1/σ², τ_s = 1/σ_s²):
/// Σ_{i∉I} τ (y_i − g_i)² + (1−λ) Σ_{i∈I} τ (y_i − g_i)² + λ Σ_{i∈I} τ_s (s_i − g_i)²,
/// summed (<see cref="DistillationReduction.PerObjectSum"/>) or divided by the batch size
/// (<see cref="DistillationReduction.CodeBatchMean"/>). For a linear student its minimiser is the weighted least
/// squares solution of Theorem A2 (checked by a test).
/// </summary>
public sealed class RegressionDistillation : IDistillationMethod
{
    /// <summary>The settings (λ, τ, τ_s, reduction).</summary>
    public DistillationSettings Settings { get; }

    /// <inheritdoc/>
    public string Name => "probabilistic-regression";

    /// <summary>The objective with <paramref name="settings"/> (λ, τ, τ_s, reduction).</summary>
    public RegressionDistillation(DistillationSettings settings)
    {
        Settings = DistillationSettings.Checked(settings, Name);
    }

    /// <summary>
    /// The batch loss for predictions g ([B] or [B, 1]), targets y and teacher answers s (B each; s is ignored outside I).
    /// </summary>
    public Tensor Loss(Tensor predictions, ReadOnlySpan<float> targets, ReadOnlySpan<float> teacherAnswers, ReadOnlySpan<bool> inIndexSet)
    {
        int n = predictions.Rank >= 1 ? predictions.Dim(0) : 0;
        if (predictions.Length != n || targets.Length != n || teacherAnswers.Length != n || inIndexSet.Length != n)
            throw new ArgumentException($"{Name}: predictions {predictions.ShapeString} must be one value per object, with as many targets ({targets.Length}), teacher answers ({teacherAnswers.Length}) and index-set flags ({inIndexSet.Length}).");
        double lambda = Settings.Lambda, tau = Settings.Precision, tauS = Settings.TeacherPrecision;
        double scale = Settings.Reduction == DistillationReduction.CodeBatchMean ? 1.0 / n : 1.0;
        var gradient = Ops.PrecomputedGradientBuffer(predictions);
        var g = predictions.Span;
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double wy = inIndexSet[i] ? (1 - lambda) * tau : tau, ws = inIndexSet[i] ? lambda * tauS : 0;
            double ry = targets[i] - g[i], rs = teacherAnswers[i] - g[i];
            total += scale * (wy * ry * ry + ws * rs * rs);
            if (gradient is not null) gradient.Span[i] = (float)(-2 * scale * (wy * ry + ws * rs));
        }
        return Ops.ScalarWithGradient(Name, predictions, total, gradient);
    }
}
