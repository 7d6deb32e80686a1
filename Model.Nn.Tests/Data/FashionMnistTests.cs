using Probabilistic.Nn.Data;
using Probabilistic.TestSupport;

namespace Probabilistic.Nn.Tests.Data;

/// <summary>
/// FashionMNIST: the format checks on small hand-made folders, and the real data set. The real-data test is
/// reported as skipped, naming scripts/setup.sh, when the data are missing.
/// </summary>
public sealed class FashionMnistTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Writes a small FashionMNIST-shaped folder: n train and m test images with the given labels.</summary>
    private void WriteFolder(int[] trainLabels, int[] testLabels, int side = 28, int? trainImageCount = null, bool gzip = true)
    {
        void Write(string stem, int[] shape, Func<int, byte> value)
        {
            int size = shape.Aggregate(1, (a, b) => a * b);
            var data = new byte[size];
            for (int i = 0; i < size; i++) data[i] = value(i);
            IdxWriter.Write(_dir.File(stem + (gzip ? ".gz" : "")), new IdxArray(shape, data), gzip);
        }
        Write("train-images-idx3-ubyte", [trainImageCount ?? trainLabels.Length, side, 28], i => (byte)(i % 256));
        Write("train-labels-idx1-ubyte", [trainLabels.Length], i => (byte)trainLabels[i]);
        Write("t10k-images-idx3-ubyte", [testLabels.Length, side, 28], i => (byte)(255 - i % 256));
        Write("t10k-labels-idx1-ubyte", [testLabels.Length], i => (byte)testLabels[i]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SmallFolderLoadsWithPixelsOver255(bool gzip)
    {
        WriteFolder([3, 9, 0], [1, 2], gzip: gzip);
        FashionMnist data = FashionMnist.Load(_dir.Path);
        Assert.Equal(3, data.Train.Count);
        Assert.Equal(2, data.Test.Count);
        Assert.Equal([1, 28, 28], data.Train.SampleShape);
        Assert.Equal([3, 9, 0], data.Train.Labels);
        for (int i = 0; i < data.Train.Features.Length; i++)
            Assert.Equal((i % 256) / 255f, data.Train.Features[i]);
        Assert.Equal(1f, data.Test.Features[0]);
        Assert.Equal("Ankle boot", data.Train.ClassNames![9]);
    }

    [Fact]
    public void ImageAndLabelCountsMustAgree()
    {
        WriteFolder([1, 2, 3], [1], trainImageCount: 4);
        var e = Assert.Throws<DataFormatException>(() => FashionMnist.Load(_dir.Path));
        Assert.Equal(_dir.File("train-labels-idx1-ubyte.gz"), e.FilePath);
        Assert.Contains("holds 3 labels but", e.Message);
        Assert.Contains("holds 4 images", e.Message);
    }

    [Fact]
    public void ImagesMustBe28By28()
    {
        WriteFolder([1, 2], [1], side: 27);
        var e = Assert.Throws<DataFormatException>(() => FashionMnist.Load(_dir.Path));
        Assert.Equal(_dir.File("train-images-idx3-ubyte.gz"), e.FilePath);
        Assert.Contains("expected items of shape [28, 28]", e.Message);
        Assert.Contains("shape [2, 27, 28]", e.Message);
    }

    [Fact]
    public void LabelsMustBeZeroToNine()
    {
        WriteFolder([1, 2], [4, 10]);
        var e = Assert.Throws<DataFormatException>(() => FashionMnist.Load(_dir.Path));
        Assert.Equal(_dir.File("t10k-labels-idx1-ubyte.gz"), e.FilePath);
        Assert.Contains("label 10 at item 1 is outside 0..9", e.Message);
    }

    [Fact]
    public void MissingFilesNameTheFolderAndTheSetupCommand()
    {
        WriteFolder([1], [1]);
        File.Delete(_dir.File("t10k-labels-idx1-ubyte.gz"));
        var e = Assert.Throws<DataNotFoundException>(() => FashionMnist.Load(_dir.Path));
        Assert.Contains(_dir.Path, e.Message);
        Assert.Contains("t10k-labels-idx1-ubyte", e.Message);
        Assert.Contains("scripts/setup.sh", e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
    }

    [DataFact(RealData.FashionMnist)]
    [Trait(Category.Name, Category.Data)]
    public void RealDataHasTheOfficialCountsAndBalancedClasses()
    {
        FashionMnist data = FashionMnist.Load(); // skipped (not failed) when absent: see DataFact
        Assert.Equal(60_000, data.Train.Count);
        Assert.Equal(10_000, data.Test.Count);
        Assert.Equal(Enumerable.Repeat(6_000, 10), data.Train.ClassCounts());
        Assert.Equal(Enumerable.Repeat(1_000, 10), data.Test.ClassCounts());
        Assert.All(new[] { data.Train, data.Test }, d =>
        {
            Assert.Equal(784, d.FeatureSize);
            Assert.True(System.Numerics.Tensors.TensorPrimitives.Min<float>(d.Features) >= 0f);
            Assert.True(System.Numerics.Tensors.TensorPrimitives.Max<float>(d.Features) <= 1f);
        });
        // Reference values from numpy (gzip.open + np.frombuffer on the Debian files): first labels and byte sums.
        Assert.Equal([9, 0, 0, 3, 0, 2, 7, 2, 5, 5], data.Train.Labels[..10]);
        Assert.Equal([9, 2, 1, 1, 6, 1, 4, 6, 5, 7], data.Test.Labels[..10]);
        // Each float b/255 is within 2^-25 of the exact quotient, so 255 × (sum of 784 of them) is within 0.006.
        Assert.Equal(76247, 255 * RowSum(data.Train, 0), 0.006);
        Assert.Equal(16684, 255 * RowSum(data.Train, 59_999), 0.006);
        Assert.Equal(24390, 255 * RowSum(data.Test, 9_999), 0.006);
        Assert.Equal(217 / 255f, data.Train.Row(0)[14 * 28 + 14]);
    }

    private static double RowSum(Dataset d, int i)
    {
        double s = 0;
        foreach (float v in d.Row(i)) s += v;
        return s;
    }

    [Fact]
    public void BigSmallSplitIsDisjointCoveringAndSeeded()
    {
        // A stand-in training set with FashionMNIST's size and balance (the split only looks at count and labels).
        var labels = Enumerable.Range(0, 60_000).Select(i => i % 10).ToArray();
        var features = new float[60_000];
        for (int i = 0; i < features.Length; i++) features[i] = i;
        var train = new LabeledDataset("stand-in", features, [1], labels, 10);

        var (big, small) = FashionMnist.BigSmall(train);
        Assert.Equal(59_000, big.Count);
        Assert.Equal(1_000, small.Count);
        var ids = big.Features.Concat(small.Features).Select(f => (int)f).ToArray();
        Assert.Equal(Enumerable.Range(0, 60_000), ids.Order());
        Assert.Equal(small.Features, FashionMnist.BigSmall(train).Small.Features);
        Assert.NotEqual(small.Features, FashionMnist.BigSmall(train, seed: 1).Small.Features);
        for (int i = 0; i < small.Count; i++) Assert.Equal(labels[(int)small.Features[i]], small.Labels[i]);

        var (_, stratifiedSmall) = FashionMnist.BigSmall(train, stratified: true);
        Assert.Equal(Enumerable.Repeat(100, 10), stratifiedSmall.ClassCounts());
    }
}
