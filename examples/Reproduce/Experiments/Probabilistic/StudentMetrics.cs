using Probabilistic.Nn.Metrics;

namespace Probabilistic.Reproduce.Experiments;

/// <summary>
/// The metrics P1 reports for a student at its final epoch (methods.md §1.4): test cross-entropy with hard labels,
/// accuracy, the "probabilistic difference" mean_i (max_k g_ik − min_k g_ik), and the synthetic set's RealCE,
/// −mean over the first objects of Σ_k s_ik log g_ik against the true teacher probabilities (NaN when none are given).
/// </summary>
public sealed record StudentMetrics(double CrossEntropy, double Accuracy, double MaxMinusMin, double RealCrossEntropy)
{
    /// <summary>Objects the synthetic experiment's RealCE averages over (the first 40 test objects).</summary>
    public const int RealCrossEntropyObjects = 40;

    /// <summary>
    /// Metrics of predicted probabilities (N·K) against labels; <paramref name="trueProbabilities"/> (N·K or null)
    /// gives RealCE over the first <see cref="RealCrossEntropyObjects"/> objects.
    /// </summary>
    public static StudentMetrics From(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<int> labels, ReadOnlySpan<float> trueProbabilities = default)
    {
        int n = labels.Length;
        double real = trueProbabilities.IsEmpty
            ? double.NaN
            : ClassificationMetrics.SoftCrossEntropy(probabilities, classes, trueProbabilities[..(Math.Min(RealCrossEntropyObjects, n) * classes)]);
        return new StudentMetrics(ClassificationMetrics.CrossEntropy(probabilities, classes, labels),
            ClassificationMetrics.Accuracy(probabilities, classes, labels), ClassificationMetrics.MeanSpread(probabilities[..(n * classes)], classes), real);
    }
}
