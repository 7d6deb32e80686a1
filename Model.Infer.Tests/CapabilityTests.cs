using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Infer.Distributions;

namespace Probabilistic.Infer.Tests;

/// <summary>
/// Each declared capability of a distribution against an independent oracle: products, ratios and powers against
/// the pointwise densities (log a(x) + log b(x) − log (a·b)(x) must not depend on x), log normalisers and entropies
/// against numerical integration or enumeration, expected logs, entropies and samples against Monte Carlo.
/// </summary>
public class CapabilityTests
{
    // ----- product, ratio and power: the result's density is proportional to the pointwise one -----

    /// <summary>f(x) − f(x₀) must vanish for every x when f(x) = expected − actual log density differs by a constant.</summary>
    private static void ConstantOffset<TV>(Func<TV, double> offset, TV[] points, double tolerance = 1e-9)
    {
        double c = offset(points[0]);
        Assert.True(double.IsFinite(c));
        foreach (var x in points) Assert.Equal(c, offset(x), tolerance);
    }

    private static void AlgebraIsPointwise<T, TV>(T a, T b, TV[] points)
        where T : ISettableToProduct<T>, ISettableToRatio<T>, ISettableToPower<T>, IDistribution<TV>
    {
        var product = a * b;
        ConstantOffset(x => a.LogDensity(x) + b.LogDensity(x) - product.LogDensity(x), points);
        var ratio = a / b;
        ConstantOffset(x => a.LogDensity(x) - b.LogDensity(x) - ratio.LogDensity(x), points);
        var power = a ^ 1.7;
        ConstantOffset(x => 1.7 * a.LogDensity(x) - power.LogDensity(x), points);
    }

    [Fact]
    public void ProductRatioAndPowerArePointwise()
    {
        AlgebraIsPointwise(Gaussian.FromMeanAndVariance(1, 2), Gaussian.FromMeanAndVariance(-0.5, 5), new[] { -2.0, 0.1, 1.3, 4 });
        AlgebraIsPointwise(Gamma.FromShapeAndRate(4, 2), Gamma.FromShapeAndRate(2, 0.5), new[] { 0.2, 1.0, 2.5, 7 });
        AlgebraIsPointwise(Beta.FromCounts(5, 4), Beta.FromCounts(2, 1.5), new[] { 0.1, 0.35, 0.6, 0.9 });
        AlgebraIsPointwise(Dirichlet.FromPseudoCounts(new[] { 4.0, 3, 5 }), Dirichlet.FromPseudoCounts(new[] { 2.0, 1.5, 2 }),
            new[] { new[] { 0.2, 0.3, 0.5 }, new[] { 0.6, 0.3, 0.1 }, new[] { 0.1, 0.1, 0.8 } });
        AlgebraIsPointwise(Bernoulli.FromProbTrue(0.3), Bernoulli.FromProbTrue(0.8), new[] { true, false });
        AlgebraIsPointwise(Discrete.FromProbabilities(new[] { 0.2, 0.5, 0.3 }), Discrete.FromProbabilities(new[] { 0.6, 0.1, 0.3 }), new[] { 0, 1, 2 });
        var p1 = Matrix<double>.Build.DenseOfArray(new[,] { { 3.0, 0.5 }, { 0.5, 2 } });
        var p2 = Matrix<double>.Build.DenseOfArray(new[,] { { 1.0, -0.2 }, { -0.2, 0.5 } });
        AlgebraIsPointwise(VectorGaussian.FromMeanAndPrecision(Vector<double>.Build.Dense(new[] { 1.0, -1 }), p1),
            VectorGaussian.FromMeanAndPrecision(Vector<double>.Build.Dense(new[] { 0.5, 2 }), p2),
            new[] { Vector<double>.Build.Dense(new[] { 0.0, 0 }), Vector<double>.Build.Dense(new[] { 1.5, -2 }), Vector<double>.Build.Dense(new[] { -1.0, 3 }) });
    }

    // ----- log normalisers: log ∫ exp(ηᵀt(x)) dx by quadrature -----

    /// <summary>Composite Simpson rule on [lo, hi] with n (even) intervals.</summary>
    private static double Simpson(Func<double, double> f, double lo, double hi, int n = 20000)
    {
        double h = (hi - lo) / n, s = f(lo) + f(hi);
        for (int i = 1; i < n; i++) s += (i % 2 == 1 ? 4 : 2) * f(lo + i * h);
        return s * h / 3;
    }

    [Fact]
    public void LogNormalizersMatchNumericalIntegration()
    {
        var beta = Beta.FromCounts(2.5, 3.5);
        Assert.Equal(Math.Log(Simpson(x => Math.Pow(x, 1.5) * Math.Pow(1 - x, 2.5), 0, 1)), ((ICanGetLogNormalizer)beta).GetLogNormalizer(), 7);

        var gamma = Gamma.FromShapeAndRate(3, 2);
        Assert.Equal(Math.Log(Simpson(x => x * x * Math.Exp(-2 * x), 0, 60)), ((ICanGetLogNormalizer)gamma).GetLogNormalizer(), 8);

        var g = Gaussian.FromNatural(1.5, 0.7);
        Assert.Equal(Math.Log(Simpson(x => Math.Exp(1.5 * x - 0.35 * x * x), -40, 40)), ((ICanGetLogNormalizer)g).GetLogNormalizer(), 8);

        var b = Bernoulli.FromLogOdds(-0.8);
        Assert.Equal(Math.Log(1 + Math.Exp(-0.8)), ((ICanGetLogNormalizer)b).GetLogNormalizer(), 12);   // Σ over x ∈ {0, 1}

        // Dirichlet(2, 3, 2.5): ∫∫ p₁ p₂² (1 − p₁ − p₂)^1.5 over the simplex, midpoint rule on a fine grid.
        var dir = Dirichlet.FromPseudoCounts(new[] { 2.0, 3, 2.5 });
        const int n = 800;
        double h = 1.0 / n, sum = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n - i; j++)
            {
                double p1 = (i + 0.5) * h, p2 = (j + 0.5) * h, p3 = 1 - p1 - p2;
                if (p3 > 0) sum += p1 * p2 * p2 * Math.Pow(p3, 1.5);
            }
        Assert.Equal(Math.Log(sum * h * h), ((ICanGetLogNormalizer)dir).GetLogNormalizer(), 3);

        var p = Matrix<double>.Build.DenseOfArray(new[,] { { 2.0, 0.6 }, { 0.6, 1 } });
        var hv = Vector<double>.Build.Dense(new[] { 0.5, -1.0 });
        double grid = 0, step = 0.02;
        for (double x = -15; x < 15; x += step)
            for (double y = -15; y < 15; y += step)
                grid += Math.Exp(hv[0] * x + hv[1] * y - 0.5 * (p[0, 0] * x * x + 2 * p[0, 1] * x * y + p[1, 1] * y * y));
        Assert.Equal(Math.Log(grid * step * step), ((ICanGetLogNormalizer)VectorGaussian.FromNatural(hv, p)).GetLogNormalizer(), 6);
    }

    // ----- entropies -----

    [Fact]
    public void EntropiesMatchIntegrationOrEnumeration()
    {
        static double Integrated(IDistribution<double> d, double lo, double hi) =>
            Simpson(x => { double l = d.LogDensity(x); return double.IsFinite(l) ? -Math.Exp(l) * l : 0; }, lo, hi);

        Assert.Equal(Integrated(Gaussian.FromMeanAndVariance(0.3, 2.5), -30, 30), ((ICanGetEntropy)Gaussian.FromMeanAndVariance(0.3, 2.5)).GetEntropy(), 8);
        Assert.Equal(Integrated(Gamma.FromShapeAndRate(3, 2), 1e-12, 60), ((ICanGetEntropy)Gamma.FromShapeAndRate(3, 2)).GetEntropy(), 7);
        Assert.Equal(Integrated(Beta.FromCounts(2.5, 3.5), 1e-12, 1 - 1e-12), ((ICanGetEntropy)Beta.FromCounts(2.5, 3.5)).GetEntropy(), 7);

        var bern = Bernoulli.FromProbTrue(0.3);
        Assert.Equal(-(0.3 * Math.Log(0.3) + 0.7 * Math.Log(0.7)), ((ICanGetEntropy)bern).GetEntropy(), 12);
        var disc = Discrete.FromProbabilities(new[] { 0.2, 0.5, 0.3 });
        Assert.Equal(-Enumerable.Range(0, 3).Sum(k => Math.Exp(disc.LogDensity(k)) * disc.LogDensity(k)), ((ICanGetEntropy)disc).GetEntropy(), 12);
    }

    /// <summary>Monte Carlo mean of f(x), x ~ d, and its standard error.</summary>
    private static (double Mean, double StdError) MonteCarlo<TV>(ISampleable<TV> d, Func<TV, double> f, int n, ulong seed)
    {
        var rng = new Rng(seed);
        double s = 0, s2 = 0;
        for (int i = 0; i < n; i++) { double v = f(d.Sample(rng)); s += v; s2 += v * v; }
        double mean = s / n;
        return (mean, Math.Sqrt(Math.Max(0, s2 / n - mean * mean) / n));
    }

    private static void WithinStdErrors(double expected, (double Mean, double StdError) mc, double k = 4) =>
        Assert.True(Math.Abs(mc.Mean - expected) <= k * mc.StdError + 1e-12,
            $"expected {expected}, Monte Carlo {mc.Mean} ± {mc.StdError}");

    [Fact]
    public void DirichletAndVectorGaussianEntropiesMatchMonteCarlo()
    {
        var dir = Dirichlet.FromPseudoCounts(new[] { 0.8, 2.0, 3.5, 1.2 });
        WithinStdErrors(((ICanGetEntropy)dir).GetEntropy(), MonteCarlo(dir, p => -dir.LogDensity(p), 100_000, 5));
        var vg = VectorGaussian.FromMeanAndPrecision(Vector<double>.Build.Dense(new[] { 1.0, -1 }),
            Matrix<double>.Build.DenseOfArray(new[,] { { 3.0, 0.5 }, { 0.5, 2 } }));
        WithinStdErrors(((ICanGetEntropy)vg).GetEntropy(), MonteCarlo(vg, x => -vg.LogDensity(x), 50_000, 6));
    }

    // ----- expected log density under another member of the family -----

    [Fact]
    public void AverageLogsMatchMonteCarlo()
    {
        var g = Gaussian.FromMeanAndVariance(1, 2);
        var gq = Gaussian.FromMeanAndVariance(-0.5, 0.7);
        WithinStdErrors(g.GetAverageLog(gq), MonteCarlo(gq, g.LogDensity, 100_000, 7));
        var ga = Gamma.FromShapeAndRate(3, 2);
        var gaq = Gamma.FromShapeAndRate(5, 4);
        WithinStdErrors(ga.GetAverageLog(gaq), MonteCarlo(gaq, ga.LogDensity, 100_000, 8));
        var b = Beta.FromCounts(2, 5);
        var bq = Beta.FromCounts(3, 1.5);
        WithinStdErrors(b.GetAverageLog(bq), MonteCarlo(bq, b.LogDensity, 100_000, 9));
        var d = Dirichlet.FromPseudoCounts(new[] { 2.0, 1.5, 4 });
        var dq = Dirichlet.FromPseudoCounts(new[] { 3.0, 3, 1 });
        WithinStdErrors(d.GetAverageLog(dq), MonteCarlo(dq, d.LogDensity, 100_000, 10));
        var v = VectorGaussian.FromMeanAndVariance(Vector<double>.Build.Dense(new[] { 0.5, 0 }), Matrix<double>.Build.DenseOfArray(new[,] { { 2.0, 0.3 }, { 0.3, 1 } }));
        var vq = VectorGaussian.FromMeanAndVariance(Vector<double>.Build.Dense(new[] { -1.0, 1 }), Matrix<double>.Build.DenseOfArray(new[,] { { 0.5, 0 }, { 0, 0.4 } }));
        WithinStdErrors(v.GetAverageLog(vq), MonteCarlo(vq, v.LogDensity, 50_000, 11));
    }

    // ----- sampling: sample means against the closed-form means -----

    [Fact]
    public void SamplesHaveTheClosedFormMeans()
    {
        WithinStdErrors(1.5, MonteCarlo(Gaussian.FromMeanAndVariance(1.5, 3), x => x, 50_000, 12));
        WithinStdErrors(3.0 / 2, MonteCarlo(Gamma.FromShapeAndRate(3, 2), x => x, 50_000, 13));
        WithinStdErrors(2.0 / 7, MonteCarlo(Beta.FromCounts(2, 5), x => x, 50_000, 14));
        WithinStdErrors(0.3, MonteCarlo(Bernoulli.FromProbTrue(0.3), x => x ? 1 : 0, 50_000, 15));
        WithinStdErrors(0.5 + 2 * 0.3, MonteCarlo(Discrete.FromProbabilities(new[] { 0.2, 0.5, 0.3 }), k => k, 50_000, 16));
        var d = Dirichlet.FromPseudoCounts(new[] { 2.0, 1.5, 4 });
        WithinStdErrors(1.5 / 7.5, MonteCarlo(d, p => p[1], 50_000, 17));
        var v = VectorGaussian.FromMeanAndVariance(Vector<double>.Build.Dense(new[] { 0.5, -2 }), Matrix<double>.Build.DenseOfArray(new[,] { { 2.0, 0.3 }, { 0.3, 1 } }));
        WithinStdErrors(-2, MonteCarlo(v, x => x[1], 50_000, 18));
    }
}
