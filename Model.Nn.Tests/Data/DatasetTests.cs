using Probabilistic.Nn.Data;

namespace Probabilistic.Nn.Tests.Data;

public sealed class DatasetTests
{
    private static LabeledDataset Small() =>
        new("small", Enumerable.Range(0, 24).Select(i => (float)i).ToArray(), [2, 3], [0, 2, 1, 2], 3);

    [Fact]
    public void SubsetCopiesRowsAndLabelsInTheGivenOrder()
    {
        LabeledDataset d = Small();
        LabeledDataset s = d.Subset([3, 1, 3], "picked");
        Assert.Equal("picked", s.Name);
        Assert.Equal([2, 2, 2], s.Labels);
        Assert.Equal([18f, 19, 20, 21, 22, 23, 6, 7, 8, 9, 10, 11, 18, 19, 20, 21, 22, 23], s.Features);
        Assert.Equal([2, 3], s.SampleShape);
        s.Features[0] = -1; // a copy: the original is untouched
        Assert.Equal(18f, d.Features[18]);
        Assert.Equal([1, 1, 2], d.ClassCounts());
    }

    [Fact]
    public void WithSampleShapeSharesTheArrays()
    {
        LabeledDataset d = Small(), flat = d.WithSampleShape(6);
        Assert.Equal(6, flat.FeatureSize);
        Assert.Same(d.Features, flat.Features);
        Assert.Throws<ArgumentException>(() => d.WithSampleShape(5));
    }

    [Fact]
    public void InconsistentInputsAreRejectedWithTheirSizes()
    {
        var e = Assert.Throws<ArgumentException>(() => new LabeledDataset("x", new float[10], [3], [0, 1, 2], 3));
        Assert.Contains("10 feature values are not a whole number of samples of shape [3]", e.Message);
        e = Assert.Throws<ArgumentException>(() => new LabeledDataset("x", new float[9], [3], [0, 1], 3));
        Assert.Contains("2 labels for 3 samples", e.Message);
        e = Assert.Throws<ArgumentException>(() => new LabeledDataset("x", new float[9], [3], [0, 1, 3], 3));
        Assert.Contains("label 3 of sample 2 is outside 0..2", e.Message);
        e = Assert.Throws<ArgumentException>(() => new RegressionDataset("r", new float[9], [3], new float[4]));
        Assert.Contains("4 target values for 3 samples", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Small().Subset([4]));
    }

    [Fact]
    public void RegressionMomentsAreThePopulationMeanAndStd()
    {
        var r = new RegressionDataset("r", new float[8], [2], [1f, 10, 3, 20, 5, 30, 7, 40], targetSize: 2);
        Assert.Equal((4.0, Math.Sqrt(5)), r.TargetMoments(0));
        Assert.Equal((25.0, Math.Sqrt(125)), r.TargetMoments(1));
        RegressionDataset s = r.Subset([2, 0]);
        Assert.Equal([5f, 30, 1, 10], s.Targets);
    }
}
