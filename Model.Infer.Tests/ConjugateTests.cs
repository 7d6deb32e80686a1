using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Graph;
using Range = Probabilistic.Infer.Graph.Range;

namespace Probabilistic.Infer.Tests;

/// <summary>Conjugate models whose posterior and evidence have closed forms: the engine must match them to 1e-9.</summary>
public class ConjugateTests
{
    private static (VariableArray<double> y, Variable<Vector<double>> w, Matrix<double> X, Vector<double> Y) LinearRegression(
        int m, int n, double alpha, double tau, ulong seed)
    {
        var rng = new Rng(seed);
        var X = TestData.RandomMatrix(rng, m, n);
        var wTrue = TestData.RandomVector(rng, n);
        var Y = X * wTrue + TestData.RandomVector(rng, m, 1 / Math.Sqrt(tau));

        var i = new Range(m).Named("i");
        var w = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n) * alpha).Named("w");
        var x = Variable.Observed(TestData.Rows(X), i).Named("x");
        var y = Variable.Array<double>(i).Named("y");
        y[i] = Variable.GaussianFromMeanAndPrecision(Variable.InnerProduct(w, x[i]), tau);
        y.ObservedValue = Y.ToArray();
        return (y, w, X, Y);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BayesianLinearRegressionMatchesClosedForm(bool ep)
    {
        const int m = 40, n = 5;
        const double alpha = 0.5, tau = 4;
        var (y, w, X, Y) = LinearRegression(m, n, alpha, tau, 11);
        var engine = new InferenceEngine(ep ? new ExpectationPropagation() : new VariationalMessagePassing());
        var post = engine.Infer<VectorGaussian>(w);
        var (mean, cov, logEv) = TestData.LinearGaussian(X, Y, Vector<double>.Build.Dense(m, tau),
            Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n) * alpha);
        Assert.True(TestData.MaxAbsDiff(post.GetMean(), mean) < 1e-9);
        Assert.True(TestData.MaxAbsDiff(post.GetVariance(), cov) < 1e-9);
        if (ep) Assert.Equal(logEv, engine.LogEvidence(w), 9);
        else Assert.Equal(logEv, engine.LogEvidence(w), 9);   // q(w) can equal the exact posterior: the bound is tight
        Assert.True(engine.LastResult!.Converged);
    }
}

/// <summary>Scalar conjugate models, the Plus factor on a tree, and the tempered (power) Gaussian.</summary>
public class ScalarConjugateTests
{
    [Fact]
    public void GaussianMeanWithKnownPrecisionMatchesClosedForm()
    {
        var rng = new Rng(3);
        const int m = 25;
        const double m0 = 1, v0 = 4, tau = 2.5;
        var data = Enumerable.Range(0, m).Select(_ => rng.Normal(0.3, 1 / Math.Sqrt(tau))).ToArray();
        var mu = Variable.GaussianFromMeanAndVariance(m0, v0).Named("mu");
        var i = new Range(m);
        var y = Variable.Array<double>(i).Named("y");
        y[i] = Variable.GaussianFromMeanAndPrecision(mu, tau);
        y.ObservedValue = data;

        var engine = new InferenceEngine();
        var post = engine.Infer<Gaussian>(mu);
        double precision = 1 / v0 + m * tau, mean = (m0 / v0 + tau * data.Sum()) / precision;
        Assert.Equal(mean, post.GetMean(), 12);
        Assert.Equal(1 / precision, post.GetVariance(), 12);
        var cov = Matrix<double>.Build.DenseIdentity(m) / tau + Matrix<double>.Build.Dense(m, m, v0);
        double exact = TestData.LogGaussian(Vector<double>.Build.Dense(data), Vector<double>.Build.Dense(m, m0), cov);
        Assert.Equal(exact, engine.LogEvidence(mu), 9);
    }

    [Fact]
    public void PlusOnATreeIsExact()
    {
        // a ~ N(1, 2), b ~ N(-0.5, 0.5), y ~ N(a + b, 1/3) observed: joint Gaussian, marginals in closed form.
        var a = Variable.GaussianFromMeanAndVariance(1, 2).Named("a");
        var b = Variable.GaussianFromMeanAndVariance(-0.5, 0.5).Named("b");
        var y = Variable.GaussianFromMeanAndPrecision(a + b, 3.0).Named("y");
        y.ObservedValue = 2.0;
        var engine = new InferenceEngine();
        var qa = engine.Infer<Gaussian>(a);
        var qb = engine.Infer<Gaussian>(b);
        double vy = 2 + 0.5 + 1.0 / 3, r = 2.0 - 0.5;
        Assert.Equal(1 + 2 / vy * r, qa.GetMean(), 12);
        Assert.Equal(2 - 4 / vy, qa.GetVariance(), 12);
        Assert.Equal(-0.5 + 0.5 / vy * r, qb.GetMean(), 12);
        Assert.Equal(0.5 - 0.25 / vy, qb.GetVariance(), 12);
        Assert.Equal(-0.5 * (Math.Log(2 * Math.PI * vy) + r * r / vy), engine.LogEvidence(a), 10);
        // VMP on the same tree: a valid lower bound
        var vmp = new InferenceEngine(new VariationalMessagePassing());
        Assert.True(vmp.LogEvidence(a) <= engine.LogEvidence(a) + 1e-12);
    }

    [Fact]
    public void RepeatTempersAGaussianLikelihood()
    {
        // N(y | wᵀx, τ)^λ: posterior as with precision λτ; evidence differs by Σ log c(λ), c = (τ/2π)^{λ/2}(λτ/2π)^{-1/2}.
        var rng = new Rng(5);
        const int m = 30, n = 3;
        const double tau = 2, lambda = 0.3, alpha = 0.7;
        var X = TestData.RandomMatrix(rng, m, n);
        var Y = X * TestData.RandomVector(rng, n) + TestData.RandomVector(rng, m, 0.7);
        var i = new Range(m);
        var w = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n) * alpha);
        var x = Variable.Observed(TestData.Rows(X), i);
        var y = Variable.Array<double>(i);
        using (Variable.Repeat(lambda))
            y[i] = Variable.GaussianFromMeanAndPrecision(Variable.InnerProduct(w, x[i]), tau);
        y.ObservedValue = Y.ToArray();
        var engine = new InferenceEngine();
        var post = engine.Infer<VectorGaussian>(w);
        var (mean, cov, logEv) = TestData.LinearGaussian(X, Y, Vector<double>.Build.Dense(m, lambda * tau),
            Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n) * alpha);
        Assert.True(TestData.MaxAbsDiff(post.GetMean(), mean) < 1e-9);
        Assert.True(TestData.MaxAbsDiff(post.GetVariance(), cov) < 1e-9);
        double logC = 0.5 * lambda * Math.Log(tau / (2 * Math.PI)) - 0.5 * Math.Log(lambda * tau / (2 * Math.PI));
        Assert.Equal(logEv + m * logC, engine.LogEvidence(w), 9);
    }
}
