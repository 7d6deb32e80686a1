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
