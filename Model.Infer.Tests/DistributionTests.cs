using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Infer.Distributions;

namespace Probabilistic.Infer.Tests;

/// <summary>Products and ratios invert each other; sample moments agree with the stated moments within 5 standard
/// errors (N = 200,000, seeded); densities are normalised; improper states are detected.</summary>
public class DistributionTests
{
    private const int N = 200_000;

    /// <summary>|sample mean − mean| &lt; 5·sd/√N.</summary>
    private static void AssertMeanWithin(double expected, IEnumerable<double> draws, double sd, string what)
    {
        double m = draws.Average();
        Assert.True(Math.Abs(m - expected) < 5 * sd / Math.Sqrt(N), $"{what}: sample mean {m}, expected {expected}");
    }

    [Fact]
    public void GaussianRoundTripsMomentsAndImproperness()
    {
        var a = Gaussian.FromMeanAndVariance(1.5, 2);
        var b = Gaussian.FromMeanAndPrecision(-0.5, 3);
        var back = a * b / b;
        Assert.Equal(a.GetMean(), back.GetMean(), 12);
        Assert.Equal(a.GetVariance(), back.GetVariance(), 12);
        // product = renormalised pointwise product of densities
        var p = a * b;
        Assert.Equal(a.LogDensity(0.7) + b.LogDensity(0.7) - a.GetLogAverageOf(b), p.LogDensity(0.7), 12);
        var rng = new Rng(1);
        var draws = Enumerable.Range(0, N).Select(_ => a.Sample(rng)).ToArray();
        AssertMeanWithin(1.5, draws, Math.Sqrt(2), "Gaussian mean");
        // E[(x−m)²] has sd √2·v for a Gaussian
        AssertMeanWithin(2, draws.Select(x => (x - 1.5) * (x - 1.5)), Math.Sqrt(2) * 2, "Gaussian variance");
        var improper = b / a / a;   // precision 3 − 1 = 2 … then 1.5: still proper; divide more to cross zero
        Assert.True(improper.IsProper());
        var negative = Gaussian.FromNatural(0.1, -0.5);
        var ex = Assert.Throws<ImproperDistributionException>(() => negative.GetMean());
        Assert.Contains("precision -0.5", ex.Message);
        Assert.True(Gaussian.PointMass(2).IsPointMass);
        Assert.Equal(2, (Gaussian.PointMass(2) * a).GetMean());
    }

    [Fact]
    public void VectorGaussianRoundTripsMomentsAndImproperness()
    {
        var mean = Vector<double>.Build.Dense(new[] { 1.0, -2.0, 0.5 });
        var cov = Matrix<double>.Build.DenseOfArray(new[,] { { 2.0, 0.5, 0.1 }, { 0.5, 1.0, -0.3 }, { 0.1, -0.3, 0.8 } });
        var a = VectorGaussian.FromMeanAndVariance(mean, cov);
        var b = VectorGaussian.FromMeanAndPrecision(Vector<double>.Build.Dense(3, 0.3), Matrix<double>.Build.DenseIdentity(3) * 2);
        var back = a * b / b;
        Assert.True(TestData.MaxAbsDiff(back.GetMean(), mean) < 1e-12);
        Assert.True(TestData.MaxAbsDiff(back.GetVariance(), cov) < 1e-12);
        var rng = new Rng(2);
        var draws = Enumerable.Range(0, N).Select(_ => a.Sample(rng)).ToArray();
        for (int j = 0; j < 3; j++)
        {
            AssertMeanWithin(mean[j], draws.Select(d => d[j]), Math.Sqrt(cov[j, j]), $"mean[{j}]");
            for (int k = 0; k <= j; k++)
            {
                // sd of (x_j−m_j)(x_k−m_k) is √(Σ_jj Σ_kk + Σ_jk²)
                double sd = Math.Sqrt(cov[j, j] * cov[k, k] + cov[j, k] * cov[j, k]);
                AssertMeanWithin(cov[j, k], draws.Select(d => (d[j] - mean[j]) * (d[k] - mean[k])), sd, $"cov[{j},{k}]");
            }
        }
        Assert.Equal(TestData.LogGaussian(Vector<double>.Build.Dense(3, 0.2), mean, cov), a.LogDensity(Vector<double>.Build.Dense(3, 0.2)), 12);
        var improper = b / a / a / a / a / a;
        Assert.False(improper.IsProper());
        Assert.Contains("not positive definite", Assert.Throws<ImproperDistributionException>(() => improper.GetMean()).Message);
    }

    [Fact]
    public void GammaRoundTripsMomentsAndNormalisation()
    {
        var a = Gamma.FromShapeAndRate(3.5, 2);
        var b = Gamma.FromShapeAndRate(1.5, 0.5);
        var back = a * b / b;
        Assert.Equal(a.Shape, back.Shape, 12);
        Assert.Equal(a.Rate, back.Rate, 12);
        var rng = new Rng(3);
        var draws = Enumerable.Range(0, N).Select(_ => a.Sample(rng)).ToArray();
        AssertMeanWithin(a.GetMean(), draws, Math.Sqrt(a.GetVariance()), "Gamma mean");
        // E[log x] = ψ(a) − log b, checked against the sample with its own standard deviation
        var logs = draws.Select(x => Math.Log(x)).ToArray();
        double logMean = logs.Average(), logSd = Math.Sqrt(logs.Select(l => (l - logMean) * (l - logMean)).Average());
        AssertMeanWithin(a.GetMeanLog(), logs, logSd, "Gamma mean log");
        double integral = 0, h = 1e-3;
        for (double x = h / 2; x < 40; x += h) integral += h * Math.Exp(a.LogDensity(x));
        Assert.Equal(1, integral, 6);
        Assert.False(Gamma.FromShapeAndRate(2, -1).IsProper());
        Assert.Throws<ImproperDistributionException>(() => Gamma.FromShapeAndRate(2, -1).GetMean());
    }

    [Fact]
    public void BernoulliDiscreteBetaDirichletRoundTripsAndMoments()
    {
        var rng = new Rng(4);
        var bern = Bernoulli.FromProbTrue(0.3);
        Assert.Equal(0.3, (bern * Bernoulli.FromProbTrue(0.8) / Bernoulli.FromProbTrue(0.8)).GetProbTrue(), 12);
        AssertMeanWithin(0.3, Enumerable.Range(0, N).Select(_ => bern.Sample(rng) ? 1.0 : 0.0), Math.Sqrt(0.21), "Bernoulli");

        var disc = Discrete.FromProbabilities(new[] { 0.2, 0.5, 0.3 });
        var other = Discrete.FromProbabilities(new[] { 0.6, 0.1, 0.3 });
        var back = disc * other / other;
        for (int k = 0; k < 3; k++) Assert.Equal(disc[k], back[k], 12);
        var counts = new double[3];
        for (int s = 0; s < N; s++) counts[disc.Sample(rng)]++;
        for (int k = 0; k < 3; k++) Assert.True(Math.Abs(counts[k] / N - disc[k]) < 5 * Math.Sqrt(disc[k] * (1 - disc[k]) / N));

        var beta = Beta.FromCounts(2.5, 4);
        var b2 = beta * Beta.FromCounts(3, 1.5) / Beta.FromCounts(3, 1.5);
        Assert.Equal(2.5, b2.TrueCount, 12);
        Assert.Equal(4, b2.FalseCount, 12);
        AssertMeanWithin(beta.GetMean(), Enumerable.Range(0, N).Select(_ => beta.Sample(rng)), Math.Sqrt(beta.GetVariance()), "Beta");
        double integral = 0, h = 1e-5;
        for (double x = h / 2; x < 1; x += h) integral += h * Math.Exp(beta.LogDensity(x));
        Assert.Equal(1, integral, 6);

        var dir = Dirichlet.FromPseudoCounts(new[] { 1.5, 2.0, 4.0 });
        var d2 = dir * Dirichlet.FromPseudoCounts(new[] { 2.0, 1.0, 3.0 }) / Dirichlet.FromPseudoCounts(new[] { 2.0, 1.0, 3.0 });
        for (int k = 0; k < 3; k++) Assert.Equal(dir.PseudoCounts[k], d2.PseudoCounts[k], 12);
        var dd = Enumerable.Range(0, N).Select(_ => dir.Sample(rng)).ToArray();
        var mean = dir.GetMean();
        var variance = dir.GetVariance();
        for (int k = 0; k < 3; k++) AssertMeanWithin(mean[k], dd.Select(p => p[k]), Math.Sqrt(variance[k]), $"Dirichlet[{k}]");
        Assert.False(Dirichlet.FromPseudoCounts(new[] { 1.0, -0.5 }).IsProper());
    }

    [Fact]
    public void ContinuousCategoricalMomentsSamplingAndNormalisation()
    {
        var g = new[] { 0.2, 0.3, 0.5 };
        var cc = ContinuousCategorical.FromProbabilities(g);
        // methods.md §1.2: Z(0.2, 0.3, 0.5) = 0.15813 (closed form Σ g_k / Π_{j≠k} ln(g_k/g_j)).
        double closed = 0;
        for (int k = 0; k < 3; k++)
        {
            double prod = 1;
            for (int j = 0; j < 3; j++) if (j != k) prod *= Math.Log(g[k] / g[j]);
            closed += g[k] / prod;
        }
        Assert.Equal(Math.Log(closed), cc.GetLogNormalizer(), 10);
        var other = ContinuousCategorical.FromNatural(new[] { 0.4, -1.0, 2.0 });
        var back = cc * other / other;
        for (int k = 0; k < 3; k++) Assert.Equal(cc.NaturalParameters[k], back.NaturalParameters[k], 12);
        var rng = new Rng(5);
        var draws = Enumerable.Range(0, N).Select(_ => cc.Sample(rng)).ToArray();
        var mean = cc.GetMean();
        for (int k = 0; k < 3; k++)
        {
            double sd = Math.Sqrt(draws.Select(s => (s[k] - mean[k]) * (s[k] - mean[k])).Average());
            AssertMeanWithin(mean[k], draws.Select(s => s[k]), sd, $"CC mean[{k}]");
        }
        // Normalisation: E_uniform[p(s)] · vol(S_3) = 1 with vol = 1/2! (Monte Carlo, 5 standard errors).
        var ones = new[] { 1.0, 1.0, 1.0 };
        var u = new double[3];
        var vals = new double[N];
        for (int s = 0; s < N; s++) { rng.Dirichlet(ones, u); vals[s] = Math.Exp(cc.LogDensity(u)) / 2; }
        double mv = vals.Average(), sv = Math.Sqrt(vals.Select(v => (v - mv) * (v - mv)).Average());
        Assert.True(Math.Abs(mv - 1) < 5 * sv / Math.Sqrt(N), $"∫ p = {mv}");
    }
}
