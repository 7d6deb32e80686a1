namespace Probabilistic.Nn.Metrics;

/// <summary>
/// Classification metrics as pure functions over predicted probabilities stored row-major ([N, K], each row a
/// distribution over K classes) and integer labels.
/// </summary>
public static class ClassificationMetrics
{
    /// <summary>Fraction of rows whose most probable class (first on ties) is the label.</summary>
    public static double Accuracy(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<int> labels)
    {
        int n = Rows(probabilities, classes, labels, "Accuracy");
        int correct = 0;
        for (int r = 0; r < n; r++)
            if (ArgMax(probabilities.Slice(r * classes, classes)) == labels[r]) correct++;
        return n == 0 ? double.NaN : (double)correct / n;
    }

    /// <summary>
    /// Mean negative log-likelihood −log p(label) in nats; probabilities are clamped below at 1e-12 so a confident
    /// mistake costs 27.6 nats instead of infinity.
    /// </summary>
    public static double CrossEntropy(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<int> labels)
    {
        int n = Rows(probabilities, classes, labels, "CrossEntropy");
        double total = 0;
        for (int r = 0; r < n; r++) total -= Math.Log(Math.Max(probabilities[r * classes + labels[r]], 1e-12));
        return total / n;
    }

    /// <summary>
    /// Mean cross-entropy against target distributions, −mean_r Σ_k t_rk log p_rk in nats, over the rows of
    /// <paramref name="targets"/> (N·K, the first N rows of <paramref name="probabilities"/>); probabilities are clamped
    /// below at 1e-12 as in <see cref="CrossEntropy"/>.
    /// </summary>
    public static double SoftCrossEntropy(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<float> targets)
    {
        if (classes <= 0 || targets.Length % classes != 0 || targets.Length > probabilities.Length)
            throw new ArgumentException($"SoftCrossEntropy: {targets.Length} target values for {probabilities.Length} probabilities of {classes} classes; the targets must be whole rows, at most as many as the probabilities.");
        int n = targets.Length / classes;
        double total = 0;
        for (int i = 0; i < n; i++)
        for (int k = 0; k < classes; k++)
            total -= targets[i * classes + k] * Math.Log(Math.Max(probabilities[i * classes + k], 1e-12));
        return total / n;
    }

    /// <summary>
    /// Mean over rows of max_k p_k − min_k p_k: how far the predictions are from uniform (0) towards one-hot (1).
    /// </summary>
    public static double MeanSpread(ReadOnlySpan<float> probabilities, int classes)
    {
        if (classes <= 0 || probabilities.Length % classes != 0)
            throw new ArgumentException($"MeanSpread: {probabilities.Length} probabilities are not whole rows of {classes} classes.");
        int n = probabilities.Length / classes;
        double spread = 0;
        for (int i = 0; i < n; i++)
        {
            var row = probabilities.Slice(i * classes, classes);
            spread += System.Numerics.Tensors.TensorPrimitives.Max(row) - System.Numerics.Tensors.TensorPrimitives.Min(row);
        }
        return spread / n;
    }

    /// <summary>
    /// Multi-class Brier score (Brier, 1950): mean over rows of Σ_k (p_k − 1[k = label])², in [0, 2].
    /// </summary>
    public static double Brier(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<int> labels)
    {
        int n = Rows(probabilities, classes, labels, "Brier");
        double total = 0;
        for (int r = 0; r < n; r++)
            for (int k = 0; k < classes; k++)
            {
                double d = probabilities[r * classes + k] - (k == labels[r] ? 1.0 : 0.0);
                total += d * d;
            }
        return total / n;
    }

    /// <summary>
    /// Expected calibration error (Guo et al., 2017) with equal-width confidence bins: confidence = max_k p_k,
    /// bin b holds confidences in ((b−1)/B, b/B] (confidence 0 goes to the first bin), and
    /// ECE = Σ_b (|bin b| / N)·|accuracy(b) − mean confidence(b)|. B = 15 by default.
    /// </summary>
    public static double ExpectedCalibrationError(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<int> labels, int bins = 15)
    {
        int n = Rows(probabilities, classes, labels, "ExpectedCalibrationError");
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), bins, "ExpectedCalibrationError: bins must be positive.");
        Span<double> conf = stackalloc double[bins], correct = stackalloc double[bins];
        Span<int> count = stackalloc int[bins];
        conf.Clear(); correct.Clear(); count.Clear();
        for (int r = 0; r < n; r++)
        {
            var row = probabilities.Slice(r * classes, classes);
            int pred = ArgMax(row);
            double c = row[pred];
            int b = Math.Clamp((int)Math.Ceiling(c * bins) - 1, 0, bins - 1);
            count[b]++;
            conf[b] += c;
            if (pred == labels[r]) correct[b]++;
        }
        double ece = 0;
        for (int b = 0; b < bins; b++)
            if (count[b] > 0) ece += Math.Abs(correct[b] - conf[b]) / n;
        return ece;
    }

    /// <summary>Index of the largest value (first on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int k = 1; k < row.Length; k++) if (row[k] > row[best]) best = k;
        return best;
    }

    private static int Rows(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<int> labels, string metric)
    {
        if (classes < 1 || probabilities.Length % classes != 0)
            throw new ArgumentException($"{metric}: {probabilities.Length} probabilities do not form rows of {classes} classes.");
        int n = probabilities.Length / classes;
        if (labels.Length != n) throw new ArgumentException($"{metric}: {n} rows of probabilities but {labels.Length} labels.");
        for (int r = 0; r < n; r++)
            if ((uint)labels[r] >= (uint)classes) throw new ArgumentException($"{metric}: label {labels[r]} at row {r} outside [0, {classes}).");
        return n;
    }
}
