using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Infer.Evidence;

namespace Probabilistic.Infer.Tests;

/// <summary>The importance-sampling evidence against Bayesian linear regression's closed-form evidence.</summary>
public class ImportanceSampledEvidenceTests
{
    [Theory]
    [InlineData(1.0, 0.0)]    // proposal centred on the exact posterior
    [InlineData(2.0, 0.3)]    // a wider proposal, shifted: still consistent, larger error
    public void MatchesTheClosedFormLinearRegressionEvidence(double covarianceScale, double shift)
    {
        var rng = new Rng(3);
        const int m = 40, n = 4;
        const double alpha = 0.5, beta = 4.0;
        var x = TestData.RandomMatrix(rng, m, n);
        var y = x * TestData.RandomVector(rng, n) + TestData.RandomVector(rng, m, 0.5);
        var (mean, cov, exact) = TestData.LinearGaussian(x, y, Vector<double>.Build.Dense(m, beta), Vector<double>.Build.Dense(n),
            Matrix<double>.Build.DenseIdentity(n) * alpha);
        double LogJoint(double[] w)
        {
            var wv = Vector<double>.Build.Dense(w);
            var r = y - x * wv;
            return 0.5 * m * Math.Log(beta / (2 * Math.PI)) - 0.5 * beta * r.DotProduct(r)
                   + 0.5 * n * Math.Log(alpha / (2 * Math.PI)) - 0.5 * alpha * wv.DotProduct(wv);
        }
        var est = ImportanceSampledEvidence.Estimate(LogJoint, mean + shift * Vector<double>.Build.Dense(n, 1) * Math.Sqrt(cov[0, 0]),
            cov * covarianceScale, 20_000, seed: 1);
        Assert.True(est.StandardError < 0.05, $"standard error {est.StandardError}");
        Assert.True(Math.Abs(est.LogEvidence - exact) < 4 * est.StandardError + 1e-3,
            $"IS {est.LogEvidence} ± {est.StandardError} vs exact {exact}");
    }

    [Fact]
    public void SameSeedSameEstimateAndBadCovarianceIsRefused()
    {
        var mean = Vector<double>.Build.Dense(2);
        var cov = Matrix<double>.Build.DenseIdentity(2);
        double F(double[] w) => -0.5 * (w[0] * w[0] + w[1] * w[1]) - Math.Log(2 * Math.PI);
        var a = ImportanceSampledEvidence.Estimate(F, mean, cov, 1000, 4);
        var b = ImportanceSampledEvidence.Estimate(F, mean, cov, 1000, 4);
        Assert.Equal(a, b);
        Assert.True(Math.Abs(a.LogEvidence) < 4 * a.StandardError + 1e-9, $"normalised density: {a.LogEvidence} ± {a.StandardError}");
        var e = Assert.Throws<ArgumentException>(() => ImportanceSampledEvidence.Estimate(F, mean, -cov, 1000, 4));
        Assert.Contains("ImportanceSampledEvidence", e.Message);
    }

    [Fact]
    public void SoftmaxLaplaceModeHasZeroGradientAndHessianMatchesFiniteDifferences()
    {
        var (x, labels) = SoftmaxOperatorTests.GoalProblem(7);
        var model = new SoftmaxRegressionPosterior(x, SoftmaxOperatorTests.GoalRows, SoftmaxOperatorTests.GoalFeatures, labels, SoftmaxOperatorTests.GoalClasses, 1.0);
        var (mode, cov) = model.Laplace();
        int d = model.Dimension;
        // Gradient at the mode by central finite differences of the log joint (not the analytic gradient).
        const double h = 1e-5;
        var w = mode.ToArray();
        var fdHessianRow = new double[d];
        for (int j = 0; j < d; j++)
        {
            var p = (double[])w.Clone(); p[j] += h;
            var q = (double[])w.Clone(); q[j] -= h;
            Assert.True(Math.Abs((model.LogJoint(p) - model.LogJoint(q)) / (2 * h)) < 1e-4, $"gradient at the mode, coordinate {j}");
        }
        // Covariance⁻¹ = −Hessian: check column 0 of the Hessian by second differences.
        var precision = cov.Inverse();
        for (int j = 0; j < d; j++)
        {
            double f(double a, double b) { var t = (double[])w.Clone(); t[0] += a; t[j] += b; return model.LogJoint(t); }
            const double e = 1e-3;
            double second = (f(e, e) - f(e, -e) - f(-e, e) + f(-e, -e)) / (4 * e * e);
            Assert.True(Math.Abs(-second - precision[0, j]) < 1e-3 * Math.Max(1, Math.Abs(precision[0, j])), $"Hessian [0,{j}]: {-second} vs {precision[0, j]}");
        }
    }
}
