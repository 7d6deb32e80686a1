using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Graph;
using Range = Probabilistic.Infer.Graph.Range;

namespace Probabilistic.Infer.Tests;

/// <summary>VMP is coordinate ascent: its bound never decreases, and never exceeds the exact evidence.</summary>
public class VmpBoundTests
{
    private static void AssertNonDecreasing(IReadOnlyList<double> bounds)
    {
        Assert.True(bounds.Count >= 3, $"expected several iterations, got {bounds.Count}");
        for (int t = 1; t < bounds.Count; t++)
            Assert.True(bounds[t] >= bounds[t - 1] - 1e-9 * Math.Abs(bounds[t - 1]),
                $"bound decreased at iteration {t + 1}: {bounds[t - 1]} -> {bounds[t]}");
    }

    [Fact]
    public void UnknownPrecisionGaussianBoundIncreasesAndStaysBelowExactEvidence()
    {
        var rng = new Rng(17);
        const int m = 20;
        const double m0 = 0, v0 = 10, a0 = 2, b0 = 1;
        var data = Enumerable.Range(0, m).Select(_ => rng.Normal(1.5, 0.8)).ToArray();
        var mu = Variable.GaussianFromMeanAndVariance(m0, v0).Named("mu");
        var tau = Variable.GammaFromShapeAndRate(a0, b0).Named("tau");
        var i = new Range(m);
        var y = Variable.Array<double>(i);
        y[i] = Variable.GaussianFromMeanAndPrecision(mu, tau);
        y.ObservedValue = data;
        var engine = new InferenceEngine(new VariationalMessagePassing());
        var result = engine.Run(mu, tau);
        AssertNonDecreasing(result.BoundHistory);
        Assert.True(result.Converged);

        // Exact evidence: μ integrates in closed form given τ; τ by the trapezoid rule on a fine log grid.
        double s = data.Sum(v => v - m0), s2 = data.Sum(v => (v - m0) * (v - m0));
        double LogIntegrand(double t)
        {
            double logDet = -m * Math.Log(t) + Math.Log(1 + m * v0 * t);
            double quad = t * s2 - t * t * v0 * s * s / (1 + m * v0 * t);
            double logLik = -0.5 * (m * Math.Log(2 * Math.PI) + logDet + quad);
            return logLik + Gamma.FromShapeAndRate(a0, b0).LogDensity(t) + Math.Log(t);   // dτ = τ d log τ
        }
        const int grid = 20000;
        double lo = Math.Log(1e-4), hi = Math.Log(1e3), h = (hi - lo) / grid, max = double.NegativeInfinity;
        var vals = new double[grid + 1];
        for (int k = 0; k <= grid; k++) { vals[k] = LogIntegrand(Math.Exp(lo + k * h)); max = Math.Max(max, vals[k]); }
        double sum = 0;
        for (int k = 0; k <= grid; k++) sum += (k == 0 || k == grid ? 0.5 : 1) * Math.Exp(vals[k] - max);
        double exact = max + Math.Log(sum * h);
        Assert.True(result.LogEvidence <= exact + 1e-6, $"bound {result.LogEvidence} exceeds exact {exact}");
        Assert.True(exact - result.LogEvidence < 0.1, $"mean-field gap {exact - result.LogEvidence} is implausibly large");
    }

    [Fact]
    public void LinearRegressionWithUnknownNoiseBoundIncreases()
    {
        var rng = new Rng(23);
        const int m = 60, n = 4;
        var X = TestData.RandomMatrix(rng, m, n);
        var Y = X * TestData.RandomVector(rng, n) + TestData.RandomVector(rng, m, 0.5);
        var i = new Range(m);
        var w = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n) * 0.1);
        var tau = Variable.GammaFromShapeAndRate(1, 1);
        var x = Variable.Observed(TestData.Rows(X), i);
        var y = Variable.Array<double>(i);
        y[i] = Variable.GaussianFromMeanAndPrecision(Variable.InnerProduct(w, x[i]), tau);
        y.ObservedValue = Y.ToArray();
        var engine = new InferenceEngine(new VariationalMessagePassing());
        var result = engine.Run(w);
        AssertNonDecreasing(result.BoundHistory);
        double noisePrecision = result.Marginal<Gamma>(tau).GetMean();
        Assert.InRange(noisePrecision, 2.0, 8.0);   // the data's noise precision is 1/0.5² = 4
    }

    [Fact]
    public void SoftmaxRegressionBoundIncreases()
    {
        var rng = new Rng(29);
        const int m = 300, n = 4, K = 3;
        var X = TestData.RandomMatrix(rng, m, n);
        var wTrue = TestData.RandomMatrix(rng, n, K) * 1.5;
        var logits = X * wTrue;
        var labels = new int[m];
        for (int r = 0; r < m; r++) labels[r] = Discrete.FromLogProbabilities(logits.Row(r).ToArray()).Sample(rng);
        var c = new Range(K);
        var i = new Range(m);
        var w = Variable.Array<Vector<double>>(c).Named("W");
        w[c] = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n));
        var x = Variable.Observed(TestData.Rows(X), i);
        var y = Variable.Array<int>(i);
        y[i] = Variable.DiscreteFromLinearSoftmax(w, x[i]);
        y.ObservedValue = labels;
        var engine = new InferenceEngine(new VariationalMessagePassing()) { NumberOfIterations = 3000, Tolerance = 1e-6 };
        var result = engine.Run(w);
        AssertNonDecreasing(result.BoundHistory);
        Assert.True(result.Converged, $"{result.Iterations} iterations; last bounds {string.Join(", ", result.BoundHistory.TakeLast(3))}; {string.Join(" ", result.Warnings)}");
        // The fitted model must classify the training data well above chance (1/3).
        var means = result.Marginal<VectorGaussian[]>(w).Select(q => q.GetMean()).ToArray();
        int correct = Enumerable.Range(0, m).Count(r =>
            Enumerable.Range(0, K).MaxBy(k => means[k].DotProduct(X.Row(r))) == labels[r]);
        Assert.True(correct > 0.6 * m, $"training accuracy {correct}/{m}");
    }

    [Fact]
    public void LogisticRegressionJaakkolaBoundIncreasesAndStaysBelowEp()
    {
        var rng = new Rng(37);
        const int m = 60, n = 3;
        var X = TestData.RandomMatrix(rng, m, n);
        var labels = Enumerable.Range(0, m).Select(r => X[r, 0] - 0.5 * X[r, 2] + rng.Normal() > 0).ToArray();
        var i = new Range(m);
        var w = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n));
        var x = Variable.Observed(TestData.Rows(X), i);
        var y = Variable.Array<bool>(i);
        y[i] = Variable.BernoulliFromLogOdds(Variable.InnerProduct(w, x[i]));
        y.ObservedValue = labels;
        var vmp = new InferenceEngine(new VariationalMessagePassing()).Run(w);
        var ep = new InferenceEngine(new ExpectationPropagation()).Run(w);
        AssertNonDecreasing(vmp.BoundHistory);
        Assert.True(vmp.Converged);
        // A lower bound: below EP's evidence estimate, which is accurate to ~0.01 nats here (see LogisticEpTests).
        Assert.True(vmp.LogEvidence < ep.LogEvidence, $"bound {vmp.LogEvidence} vs EP {ep.LogEvidence}");
        var dm = vmp.Marginal<VectorGaussian>(w).GetMean() - ep.Marginal<VectorGaussian>(w).GetMean();
        Assert.True(dm.AbsoluteMaximum() < 0.2, $"VMP and EP means differ by {dm.AbsoluteMaximum()}");
    }
}
