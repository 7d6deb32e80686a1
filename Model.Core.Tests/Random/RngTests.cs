using Probabilistic.Core.Random;

namespace Probabilistic.Core.Tests.Random;

public class RngTests
{
    [Fact]
    public void SameSeedGivesSameStream()
    {
        var a = new Rng(42);
        var b = new Rng(42);
        for (int i = 0; i < 1000; i++) Assert.Equal(a.NextUInt64(), b.NextUInt64());
    }

    [Fact]
    public void DifferentSeedsDiffer()
    {
        Assert.NotEqual(new Rng(1).NextUInt64(), new Rng(2).NextUInt64());
    }

    [Fact]
    public void NormalHasUnitMoments()
    {
        var rng = new Rng(7);
        const int n = 200_000;
        double sum = 0, sumSq = 0;
        for (int i = 0; i < n; i++)
        {
            double x = rng.Normal();
            sum += x;
            sumSq += x * x;
        }
        double mean = sum / n, variance = sumSq / n - mean * mean;
        // Standard errors: 1/sqrt(n) = 0.0022 for the mean, sqrt(2/n) = 0.0032 for the variance; allow 5 of them.
        Assert.InRange(mean, -0.011, 0.011);
        Assert.InRange(variance, 1 - 0.016, 1 + 0.016);
    }

    [Fact]
    public void NextIntIsUniform()
    {
        var rng = new Rng(3);
        var counts = new int[7];
        const int n = 70_000;
        for (int i = 0; i < n; i++) counts[rng.NextInt(7)]++;
        // Chi-square with 6 degrees of freedom: 99.9th percentile is 22.46.
        double chi2 = counts.Sum(c => (c - n / 7.0) * (c - n / 7.0) / (n / 7.0));
        Assert.True(chi2 < 22.46, $"chi-square {chi2}");
    }

    [Fact]
    public void GammaHasShapeMean()
    {
        var rng = new Rng(5);
        foreach (double shape in new[] { 0.5, 1.0, 3.0 })
        {
            const int n = 100_000;
            double sum = 0;
            for (int i = 0; i < n; i++) sum += rng.Gamma(shape);
            // Var = shape, so the standard error is sqrt(shape / n); allow 5 of them.
            Assert.InRange(sum / n, shape - 5 * Math.Sqrt(shape / n), shape + 5 * Math.Sqrt(shape / n));
        }
    }

    [Fact]
    public void PermutationIsAPermutation()
    {
        var p = new Rng(9).Permutation(1000);
        Assert.Equal(Enumerable.Range(0, 1000), p.Order());
    }
}
