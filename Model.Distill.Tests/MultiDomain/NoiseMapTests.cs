using Probabilistic.Distill.MultiDomain;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.Tests.MultiDomain;

/// <summary>
/// The noise map φ(x) = clip(x + σε, 0, 1) against Monte Carlo bounds: the moments of the noise, the clipped fraction
/// against the normal CDF (by Simpson's rule in the test), and the seeding.
/// </summary>
public class NoiseMapTests
{
    private const int B = 50, D = 784; // 39,200 pixels per call

    private static Tensor Constant(float value, params int[] shape) => Tensor.Full(value, shape);

    /// <summary>Φ(a) = ½ + ∫₀^a φ(t) dt by composite Simpson with 2,000 panels (error far below 1e-10 here).</summary>
    private static double NormalCdf(double a)
    {
        const int n = 2000;
        double h = a / n, sum = 0;
        for (int i = 0; i <= n; i++)
        {
            double t = i * h, f = Math.Exp(-t * t / 2) / Math.Sqrt(2 * Math.PI);
            sum += (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2) * f;
        }
        return 0.5 + sum * h / 3;
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.08)]
    public void NoiseOnMidGreyHasMeanZeroAndSdSigma(double sigma)
    {
        // At x = 0.5 clipping needs |ε| > 0.5/σ ≥ 5 (probability < 6e-7 per pixel): φ(x) − x is N(0, σ²) to MC error.
        var map = new NoiseMap(sigma, seed: 7);
        var y = map.Apply(Constant(0.5f, B, D)).ToArray();
        int n = y.Length;
        double mean = 0, sq = 0;
        foreach (float v in y) { double d = v - 0.5; mean += d; sq += d * d; }
        mean /= n;
        double sd = Math.Sqrt(sq / n - mean * mean);
        // Standard errors: mean σ/√n; sd σ/√(2n) (normal data). Five standard errors each.
        Assert.True(Math.Abs(mean) < 5 * sigma / Math.Sqrt(n), $"mean {mean}");
        Assert.True(Math.Abs(sd - sigma) < 5 * sigma / Math.Sqrt(2 * n), $"sd {sd} vs σ {sigma}");
        // Neighbouring pixels are independent: lag-1 correlation within 5/√n of 0.
        double cov = 0;
        for (int i = 0; i + 1 < n; i++) cov += (y[i] - 0.5 - mean) * (y[i + 1] - 0.5 - mean);
        double corr = cov / (n - 1) / (sd * sd);
        Assert.True(Math.Abs(corr) < 5 / Math.Sqrt(n), $"lag-1 correlation {corr}");
    }

    [Theory]
    [InlineData(0.05f)]
    [InlineData(0.1f)]
    [InlineData(0.95f)]
    public void ClipsExactlyAtTheBoundsAsOftenAsTheNormalCdfSays(float x)
    {
        const double sigma = 0.1;
        var map = new NoiseMap(sigma, seed: 11);
        var y = map.Apply(Constant(x, B, D)).ToArray();
        Assert.All(y, v => Assert.InRange(v, 0f, 1f));
        // Below x = ½ only the lower bound is reachable in practice (upper needs ε > 4.5), and vice versa.
        bool low = x < 0.5f;
        int atBound = y.Count(v => v == (low ? 0f : 1f));
        int atOther = y.Count(v => v == (low ? 1f : 0f));
        double p = NormalCdf(-(low ? x : 1 - x) / sigma);
        double fraction = (double)atBound / y.Length;
        double se = Math.Sqrt(p * (1 - p) / y.Length);
        Assert.True(Math.Abs(fraction - p) < 5 * se, $"clipped fraction {fraction} vs Φ = {p} (5 se = {5 * se})");
        Assert.Equal(0, atOther);
    }

    [Fact]
    public void ClippedFractionOracleIsTheNormalCdf()
    {
        // The test's own Φ against table values (so a wrong oracle cannot pass the clipping test).
        Assert.Equal(0.30853753872598688, NormalCdf(-0.5), 10);
        Assert.Equal(0.15865525393145707, NormalCdf(-1.0), 10);
        Assert.Equal(0.022750131948179209, NormalCdf(-2.0), 10);
    }

    [Fact]
    public void DrawsAFreshNoiseOnEveryCallAndTheSeedFixesTheSequence()
    {
        var input = Constant(0.5f, 4, 16);
        var a = new NoiseMap(0.1, seed: 3);
        var b = new NoiseMap(0.1, seed: 3);
        var c = new NoiseMap(0.1, seed: 4);
        float[] a1 = a.Apply(input).ToArray(), a2 = a.Apply(input).ToArray();
        float[] b1 = b.Apply(input).ToArray(), b2 = b.Apply(input).ToArray();
        float[] c1 = c.Apply(input).ToArray();
        Assert.Equal(a1, b1);
        Assert.Equal(a2, b2);
        // Consecutive calls differ in (almost) every pixel; another seed differs too.
        Assert.True(a1.Zip(a2).Count(p => p.First != p.Second) > 60);
        Assert.True(a1.Zip(c1).Count(p => p.First != p.Second) > 60);
        // The input is left untouched.
        Assert.All(input.ToArray(), v => Assert.Equal(0.5f, v));
    }

    [Fact]
    public void KeepsAnyShapeAndNamesSigma()
    {
        var map = new NoiseMap(0.1);
        var y = map.Apply(Constant(0.3f, 2, 1, 5, 7));
        Assert.Equal(new[] { 2, 1, 5, 7 }, y.Shape.ToArray());
        Assert.Equal(new[] { 1, 5, 7 }, map.OutputSampleShape([1, 5, 7]));
        Assert.Equal("noise σ=0.1", map.Name);
        Assert.False(y.RequiresGrad);
        Assert.Throws<ArgumentOutOfRangeException>(() => new NoiseMap(-0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NoiseMap(double.NaN));
    }

    [Fact]
    public void ZeroSigmaIsTheClipAlone()
    {
        var x = Tensor.FromArray([-0.5f, 0f, 0.25f, 1f, 1.5f], 1, 5);
        Assert.Equal(new[] { 0f, 0f, 0.25f, 1f, 1f }, new NoiseMap(0).Apply(x).ToArray());
    }
}
