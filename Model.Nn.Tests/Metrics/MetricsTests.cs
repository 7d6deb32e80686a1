using Probabilistic.Nn.Metrics;

namespace Probabilistic.Nn.Tests.Metrics;

/// <summary>Metrics on small hand-computed examples.</summary>
public class MetricsTests
{
    // Three examples, three classes.
    private static readonly float[] P = [0.7f, 0.2f, 0.1f, 0.1f, 0.5f, 0.4f, 0.3f, 0.3f, 0.4f];
    private static readonly int[] Y = [0, 2, 2];

    [Fact]
    public void Accuracy() => Assert.Equal(2.0 / 3, ClassificationMetrics.Accuracy(P, 3, Y), 12);

    [Fact]
    public void CrossEntropy() =>
        Assert.Equal(-(Math.Log(0.7f) + Math.Log(0.4f) + Math.Log(0.4f)) / 3, ClassificationMetrics.CrossEntropy(P, 3, Y), 6);

    [Fact]
    public void Brier()
    {
        double expected = ((0.09 + 0.04 + 0.01) + (0.01 + 0.25 + 0.36) + (0.09 + 0.09 + 0.36)) / 3;
        Assert.Equal(expected, ClassificationMetrics.Brier(P, 3, Y), 6);
    }

    [Fact]
    public void ExpectedCalibrationError()
    {
        // Confidences 0.7 (correct, bin 11 = (10/15, 11/15]), 0.5 (wrong, bin 8), 0.4 (correct, bin 6):
        // ECE = (|1 − 0.7| + |0 − 0.5| + |1 − 0.4|)/3.
        Assert.Equal((0.3 + 0.5 + 0.6) / 3, ClassificationMetrics.ExpectedCalibrationError(P, 3, Y), 6);
        // Two examples in one bin, (13/15, 14/15], average before the absolute value: confidences 0.88 and 0.92,
        // one right, so ECE = |0.5 − 0.9|; a plain per-example average would give 0.5.
        float[] q = [0.88f, 0.12f, 0.92f, 0.08f];
        Assert.Equal(0.4, ClassificationMetrics.ExpectedCalibrationError(q, 2, [0, 1]), 6);
        // Perfectly calibrated bins give 0.
        float[] c = [1f, 0f, 0f, 1f];
        Assert.Equal(0, ClassificationMetrics.ExpectedCalibrationError(c, 2, [0, 1]), 12);
    }

    [Fact]
    public void SoftCrossEntropyOverTheRowsOfTheTargets()
    {
        // Targets for the first two rows only: −(log 0.7 + ½ log 0.5 + ½ log 0.4)/2; a zero probability costs −log 1e-12.
        float[] t = [1f, 0f, 0f, 0f, 0.5f, 0.5f];
        Assert.Equal(-(Math.Log(0.7f) + 0.5 * Math.Log(0.5f) + 0.5 * Math.Log(0.4f)) / 2, ClassificationMetrics.SoftCrossEntropy(P, 3, t), 6);
        Assert.Equal(-Math.Log(1e-12), ClassificationMetrics.SoftCrossEntropy([1f, 0f], 2, [0f, 1f]), 9);
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.SoftCrossEntropy(P, 3, [1f, 0f]));
    }

    [Fact]
    public void MeanSpreadIsTheMeanOfMaxMinusMin() =>
        Assert.Equal((0.6 + 0.4 + 0.1) / 3, ClassificationMetrics.MeanSpread(P, 3), 6);

    [Fact]
    public void BadInputIsReported()
    {
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Accuracy(P, 4, Y));
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Accuracy(P, 3, [0, 1]));
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Brier(P, 3, [0, 1, 3]));
    }
}
