using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Graph;
using Range = Probabilistic.Infer.Graph.Range;

namespace Probabilistic.Infer.Tests;

/// <summary>Predictions, latent layers, matrix observations and damping, each against an independent answer.</summary>
public class ModelStructureTests
{
    [Fact]
    public void PredictiveVariablesGetTheirMarginalsAndLeaveTheEvidenceUnchanged()
    {
        var rng = new Rng(61);
        const int m = 30, n = 3, mTest = 4;
        const double tau = 3, alpha = 0.5;
        var X = TestData.RandomMatrix(rng, m, n);
        var Y = X * TestData.RandomVector(rng, n) + TestData.RandomVector(rng, m, 0.5);
        var XTest = TestData.RandomMatrix(rng, mTest, n);

        var i = new Range(m);
        var w = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n) * alpha);
        var x = Variable.Array<Vector<double>>(i);
        x.ObserveRows(X);
        var y = Variable.Array<double>(i);
        y[i] = Variable.GaussianFromMeanAndPrecision(Variable.InnerProduct(w, x[i]), tau);
        y.ObservedValue = Y.ToArray();
        double evidenceAlone = new InferenceEngine().LogEvidence(w);

        var t = new Range(mTest);
        var xt = Variable.Observed(TestData.Rows(XTest), t);
        var yt = Variable.Array<double>(t).Named("yTest");
        yt[t] = Variable.GaussianFromMeanAndPrecision(Variable.InnerProduct(w, xt[t]), tau);
        var engine = new InferenceEngine();
        var pred = engine.Infer<Gaussian[]>(yt);
        var (mean, cov, logEv) = TestData.LinearGaussian(X, Y, Vector<double>.Build.Dense(m, tau), Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n) * alpha);
        for (int k = 0; k < mTest; k++)
        {
            var xk = XTest.Row(k);
            Assert.Equal(xk.DotProduct(mean), pred[k].GetMean(), 10);
            Assert.Equal(xk.DotProduct(cov * xk) + 1 / tau, pred[k].GetVariance(), 10);
        }
        Assert.Equal(logEv, evidenceAlone, 9);
        Assert.Equal(logEv, engine.LogEvidence(w), 9);
    }

    [Fact]
    public void LatentGaussianLayerOnATreeIsExact()
    {
        // μ ~ N(0, 2); x_i ~ N(μ, τ1) latent; y_i ~ N(x_i, τ2) observed. Given μ, y_i ~ N(μ, 1/τ1 + 1/τ2).
        var rng = new Rng(67);
        const int m = 12;
        const double v0 = 2, tau1 = 1.5, tau2 = 4;
        var data = Enumerable.Range(0, m).Select(_ => rng.Normal(0.8, 1)).ToArray();
        var mu = Variable.GaussianFromMeanAndVariance(0, v0).Named("mu");
        var i = new Range(m);
        var x = Variable.Array<double>(i).Named("x");
        x[i] = Variable.GaussianFromMeanAndPrecision(mu, tau1);
        var y = Variable.Array<double>(i).Named("y");
        y[i] = Variable.GaussianFromMeanAndPrecision(x[i], tau2);
        y.ObservedValue = data;
        var engine = new InferenceEngine();
        var qmu = engine.Infer<Gaussian>(mu);
        var qx = engine.Infer<Gaussian[]>(x);
        double v = 1 / tau1 + 1 / tau2, precision = 1 / v0 + m / v, mean = data.Sum() / v / precision;
        Assert.Equal(mean, qmu.GetMean(), 10);
        Assert.Equal(1 / precision, qmu.GetVariance(), 10);
        // x_0 | data: Gaussian with μ integrated out: combine N(μ-posterior without y_0) with y_0.
        double precNo0 = 1 / v0 + (m - 1) / v, meanNo0 = (data.Sum() - data[0]) / v / precNo0;
        double priorVarX = 1 / precNo0 + 1 / tau1, postPrecX = 1 / priorVarX + tau2;
        Assert.Equal((meanNo0 / priorVarX + tau2 * data[0]) / postPrecX, qx[0].GetMean(), 10);
        Assert.Equal(1 / postPrecX, qx[0].GetVariance(), 10);
        var cov = Matrix<double>.Build.DenseIdentity(m) * v + Matrix<double>.Build.Dense(m, m, v0);
        Assert.Equal(TestData.LogGaussian(Vector<double>.Build.Dense(data), Vector<double>.Build.Dense(m), cov), engine.LogEvidence(mu), 9);
    }

    [Fact]
    public void DampedEpReachesTheSameFixedPoint()
    {
        var rng = new Rng(71);
        const int m = 50;
        var X = TestData.RandomMatrix(rng, m, 3);
        var labels = Enumerable.Range(0, m).Select(r => X[r, 0] - X[r, 1] + 0.5 * rng.Normal() > 0).ToArray();
        VectorGaussian Fit(double damping, out InferenceResult result)
        {
            var i = new Range(m);
            var w = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(3), Matrix<double>.Build.DenseIdentity(3) * 0.1);
            var x = Variable.Observed(TestData.Rows(X), i);
            var y = Variable.Array<bool>(i);
            y[i] = Variable.BernoulliFromLogOdds(Variable.InnerProduct(w, x[i]));
            y.ObservedValue = labels;
            var engine = new InferenceEngine { Damping = damping, NumberOfIterations = 500, Tolerance = 1e-12 };
            result = engine.Run(w);
            return result.Marginal<VectorGaussian>(w);
        }
        var plain = Fit(0, out var r0);
        var damped = Fit(0.6, out var r1);
        Assert.True(r0.Converged && r1.Converged);
        Assert.True(r1.Iterations > r0.Iterations, "damping slows the updates down");
        Assert.True(TestData.MaxAbsDiff(plain.GetMean(), damped.GetMean()) < 1e-8);
        Assert.True(TestData.MaxAbsDiff(plain.GetVariance(), damped.GetVariance()) < 1e-8);
        Assert.Equal(r0.LogEvidence, r1.LogEvidence, 8);
    }
}
