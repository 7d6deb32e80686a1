using Probabilistic.Nn.Data;

namespace Probabilistic.Nn.Tests.Data;

public sealed class BatchLoaderTests
{
    /// <summary>n samples of 3 features; sample i's features are (i, i + 0.25, i + 0.5) and its label is i mod 4.</summary>
    private static LabeledDataset Numbered(int n)
    {
        var features = new float[3 * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < 3; j++) features[3 * i + j] = i + 0.25f * j;
        return new LabeledDataset("numbered", features, [3], Enumerable.Range(0, n).Select(i => i % 4).ToArray(), 4);
    }

    [Theory]
    [InlineData(103, 10, false, 11)]
    [InlineData(103, 10, true, 10)]
    [InlineData(100, 10, true, 10)]
    [InlineData(5, 64, false, 1)]
    [InlineData(5, 64, true, 0)]
    public void EachEpochVisitsEveryIndexOnce(int n, int batchSize, bool dropLast, int expectedBatches)
    {
        var data = Numbered(n);
        var loader = new BatchLoader(data, batchSize, seed: 7, dropLast: dropLast);
        Assert.Equal(expectedBatches, loader.BatchCount);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var seen = new List<int>();
            foreach (Batch batch in loader.Epoch(epoch))
            {
                Assert.True(batch.Size == batchSize || (!dropLast && seen.Count + batch.Size == n));
                for (int r = 0; r < batch.Size; r++)
                {
                    int i = batch.IndexSpan[r];
                    seen.Add(i);
                    Assert.Equal(data.Row(i).ToArray(), batch.FeatureSpan.Slice(3 * r, 3).ToArray());
                    Assert.Equal(i % 4, batch.LabelSpan[r]);
                }
            }
            Assert.Equal(seen.Count, seen.Distinct().Count());
            Assert.Equal(dropLast ? n / batchSize * batchSize : n, seen.Count);
        }
    }

    [Fact]
    public void OrderDependsOnlyOnSeedAndEpoch()
    {
        var data = Numbered(500);
        var a = new BatchLoader(data, 32, seed: 1);
        var b = new BatchLoader(data, 32, seed: 1);
        var other = new BatchLoader(data, 32, seed: 2);
        int[] epoch3 = a.EpochOrder(3).ToArray();
        for (int e = 0; e < 3; e++) b.EpochOrder(e); // b reaches epoch 3 the long way
        Assert.Equal(epoch3, b.EpochOrder(3).ToArray());
        Assert.NotEqual(epoch3, a.EpochOrder(4).ToArray());
        Assert.NotEqual(epoch3, other.EpochOrder(3).ToArray());
        Assert.Equal(Enumerable.Range(0, 500), new BatchLoader(data, 32, seed: 1, shuffle: false).EpochOrder(5).ToArray());
    }

    [Fact]
    public void ShuffleIsUniformOverEpochs()
    {
        // The sample in first position is uniform over 10 indices: over 5,000 epochs each count is within 4 sd.
        var loader = new BatchLoader(Numbered(10), 3, seed: 123);
        var first = new int[10];
        for (int e = 0; e < 5000; e++) first[loader.EpochOrder(e)[0]]++;
        double sd = Math.Sqrt(5000 * 0.1 * 0.9);
        Assert.All(first, c => Assert.InRange(c, 500 - 4 * sd, 500 + 4 * sd));
    }

    [Fact]
    public void RegressionBatchesCarryTargets()
    {
        var features = Enumerable.Range(0, 20).Select(i => (float)i).ToArray();
        var targets = Enumerable.Range(0, 20).Select(i => 100f + i).ToArray();
        var data = new RegressionDataset("reg", features, [2], targets, targetSize: 2);
        var loader = new BatchLoader(data, 4, seed: 5);
        foreach (Batch batch in loader.Epoch(0))
        {
            Assert.Empty(batch.Labels);
            for (int r = 0; r < batch.Size; r++)
            {
                int i = batch.IndexSpan[r];
                Assert.Equal(new[] { 100f + 2 * i, 101f + 2 * i }, batch.TargetSpan.Slice(2 * r, 2).ToArray());
            }
        }
    }

    [Fact]
    public void FillingBatchesAllocatesNothing()
    {
        var data = Numbered(1000);
        var loader = new BatchLoader(data, 64, seed: 3);
        var batch = new Batch(data, 64);
        for (int b = 0; b < loader.BatchCount; b++) loader.Fill(0, b, batch); // warm up (JIT)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int e = 1; e <= 5; e++)
            for (int b = 0; b < loader.BatchCount; b++) loader.Fill(e, b, batch);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // Only the per-epoch shuffle generator (one small object) may allocate: 5 epochs × 80 batches, < 100 bytes/epoch.
        Assert.True(allocated < 500, $"allocated {allocated} bytes over 5 epochs");
    }

    [Fact]
    public void BatchRejectsAMismatchedDataSet()
    {
        var batch = new Batch(Numbered(10), 4);
        var regression = new RegressionDataset("reg", new float[30], [3], new float[10]);
        Assert.Throws<ArgumentException>(() => batch.Fill(regression, [0, 1]));
        Assert.Throws<ArgumentException>(() => batch.Fill(Numbered(10), [0, 1, 2, 3, 4]));
    }
}
