using Probabilistic.Core.Random;
using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Factors;

namespace Probabilistic.Infer.Tests;

/// <summary>Factor rules called directly, without building a graph, against the integrals they stand for.</summary>
public class FactorRuleTests
{
    private static double Simpson(Func<double, double> f, double lo, double hi, int n = 4000)
    {
        double h = (hi - lo) / n, s = f(lo) + f(hi);
        for (int i = 1; i < n; i++) s += (i % 2 == 1 ? 4 : 2) * f(lo + i * h);
        return s * h / 3;
    }

    private static double NormalPdf(double x, double mean, double variance) =>
        Math.Exp(-0.5 * (x - mean) * (x - mean) / variance) / Math.Sqrt(2 * Math.PI * variance);

    /// <summary>log message(x) − log oracle(x) must be the same for every x.</summary>
    private static void Proportional(Gaussian message, Func<double, double> oracle, double[] points)
    {
        double c = message.LogDensity(points[0]) - Math.Log(oracle(points[0]));
        foreach (double x in points) Assert.Equal(c, message.LogDensity(x) - Math.Log(oracle(x)), 7);
    }

    [Fact]
    public void GaussianEpMessageIsTheIntegralOverTheMean()
    {
        // m_{f→x}(x) = ∫ N(x; m, 1/τ) q(m) dm with q(m) = N(0.7, 1.8), τ = 2.5.
        const double tau = 2.5;
        var q = Gaussian.FromMeanAndVariance(0.7, 1.8);
        var msg = GaussianOp.SampleAverageConditional(q, tau);
        Proportional(msg, x => Simpson(m => NormalPdf(x, m, 1 / tau) * NormalPdf(m, 0.7, 1.8), -15, 15), new[] { -2.0, 0, 0.7, 3 });
        Assert.Equal(msg, GaussianOp.MeanAverageConditional(q, tau));   // the factor is symmetric in x and the mean
    }

    [Fact]
    public void GaussianVmpPrecisionMessageMatchesMonteCarloExpectation()
    {
        // exp E_q[log N(x; m, 1/τ)] ∝ τ^{1/2} exp(−τ E[(x − m)²]/2); E[(x − m)²] by Monte Carlo under q(x) q(m).
        var qx = Gaussian.FromMeanAndVariance(1.2, 0.5);
        var qm = Gaussian.FromMeanAndVariance(-0.3, 0.8);
        var rng = new Rng(21);
        const int n = 200_000;
        double s = 0, s2 = 0;
        for (int i = 0; i < n; i++)
        {
            double d = qx.Sample(rng) - qm.Sample(rng), v = d * d;
            s += v;
            s2 += v * v;
        }
        double mc = s / n, se = Math.Sqrt((s2 / n - mc * mc) / n);
        double esd = GaussianOp.ExpectedSquaredDifference(qx, qm);
        Assert.True(Math.Abs(esd - mc) < 4 * se, $"E[(x−m)²] {esd} vs Monte Carlo {mc} ± {se}");
        var msg = GaussianOp.PrecisionAverageLogarithm(esd);
        foreach (double t in new[] { 0.3, 1.0, 4.0 })   // log message(τ) − (½ log τ − τ·E/2) is constant
            Assert.Equal(msg.LogDensity(0.3) - (0.5 * Math.Log(0.3) - 0.3 * esd / 2), msg.LogDensity(t) - (0.5 * Math.Log(t) - t * esd / 2), 10);
    }

    [Fact]
    public void PlusMessagesAreTheConvolutionIntegrals()
    {
        var a = Gaussian.FromMeanAndVariance(0.5, 1.5);
        var b = Gaussian.FromMeanAndVariance(-1.0, 0.6);
        // to the sum: ∫ q(a) q(z − a) da
        Proportional(PlusOp.SumAverageConditional(a, b), z => Simpson(x => NormalPdf(x, 0.5, 1.5) * NormalPdf(z - x, -1.0, 0.6), -15, 15), new[] { -3.0, -0.5, 1, 2.5 });
        // to a: ∫ m_z(a + b) q(b) db with m_z = N(2, 0.4)
        var z = Gaussian.FromMeanAndVariance(2, 0.4);
        Proportional(PlusOp.AAverageConditional(z, b), x => Simpson(y => NormalPdf(x + y, 2, 0.4) * NormalPdf(y, -1.0, 0.6), -15, 15), new[] { 0.0, 2, 3, 5 });
        Assert.True(PlusOp.SumAverageConditional(Gaussian.Uniform(), b).IsUniform);
    }
}
