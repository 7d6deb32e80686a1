using Probabilistic.Nn.Data;

namespace Probabilistic.Nn.Tests.Data;

public sealed class SplitsTests
{
    private static void AssertPartition(IndexSplit split, int count)
    {
        Assert.Equal(Enumerable.Range(0, count), split.Rest.Concat(split.Taken).Order());
        Assert.Empty(split.Rest.Intersect(split.Taken));
        Assert.Equal(split.Rest.Order(), split.Rest);
        Assert.Equal(split.Taken.Order(), split.Taken);
    }

    [Theory]
    [InlineData(10, 0)]
    [InlineData(10, 10)]
    [InlineData(1000, 137)]
    public void RandomSplitPartitionsAndIsSeeded(int count, int take)
    {
        IndexSplit split = Splits.Random(count, take, seed: 42);
        Assert.Equal(take, split.Taken.Length);
        AssertPartition(split, count);
        Assert.Equal(split.Taken, Splits.Random(count, take, seed: 42).Taken);
        if (take > 0 && take < count) Assert.NotEqual(split.Taken, Splits.Random(count, take, seed: 43).Taken);
    }

    [Fact]
    public void RandomSplitIsUniform()
    {
        // Each index is taken with probability take/count; over 2,000 seeds every index's count is within 4 sd.
        const int count = 20, take = 5, seeds = 2000;
        var hits = new int[count];
        for (ulong s = 0; s < seeds; s++)
            foreach (int i in Splits.Random(count, take, s).Taken) hits[i]++;
        double p = (double)take / count, sd = Math.Sqrt(seeds * p * (1 - p));
        Assert.All(hits, h => Assert.InRange(h, seeds * p - 4 * sd, seeds * p + 4 * sd));
    }

    [Fact]
    public void StratifiedSplitKeepsClassSharesAndTheExactTotal()
    {
        int[] sizes = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
        int[] labels = sizes.SelectMany((n, c) => Enumerable.Repeat(c, n)).ToArray();
        var rng = new Probabilistic.Core.Random.Rng(9);
        rng.Shuffle<int>(labels);
        foreach (int take in new[] { 0, 1, 1667, 5000, 10_000 })
        {
            IndexSplit split = Splits.Stratified(labels, 10, take, seed: 3);
            Assert.Equal(take, split.Taken.Length);
            AssertPartition(split, labels.Length);
            var perClass = split.Taken.GroupBy(i => labels[i]).ToDictionary(g => g.Key, g => g.Count());
            for (int c = 0; c < 10; c++)
            {
                double share = (double)take * sizes[c] / labels.Length;
                Assert.InRange(perClass.GetValueOrDefault(c), Math.Floor(share), Math.Ceiling(share));
            }
        }
        Assert.Equal(Splits.Stratified(labels, 10, 500, 3).Taken, Splits.Stratified(labels, 10, 500, 3).Taken);
        Assert.NotEqual(Splits.Stratified(labels, 10, 500, 3).Taken, Splits.Stratified(labels, 10, 500, 4).Taken);
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Splits.Random(5, 6, 0));
        Assert.Throws<ArgumentException>(() => Splits.Stratified([0, 1, 5], 3, 1, 0));
    }
}
