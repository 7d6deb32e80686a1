using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Graph;
using Range = Probabilistic.Infer.Graph.Range;

namespace Probabilistic.Infer.Tests;

/// <summary>
/// Observed arrays as factor arguments, indexed by the factor's range, written as an Infer.NET user writes them;
/// checked against closed forms computed independently of the engine.
/// </summary>
public class ObservedArrayTests
{
    private static InferenceEngine Engine(bool ep) =>
        new(ep ? new ExpectationPropagation() : new VariationalMessagePassing());

    /// <summary>
    /// Bayesian linear regression with a known precision per row: y[i] ~ N(wᵀx[i], 1/τ[i]). The posterior is weighted
    /// least squares (Σ⁻¹ = Λ₀ + Xᵀdiag(τ)X) and the evidence is N(y; Xm₀, XΛ₀⁻¹Xᵀ + diag(1/τ)), both by dense algebra.
    /// EP is exact here; so is VMP, w being the only latent variable.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void PerRowPrecisionRegressionMatchesWeightedLeastSquares(bool ep)
    {
        const int m = 40, n = 5;
        var rng = new Rng(21);
        var X = TestData.RandomMatrix(rng, m, n);
        var taus = Enumerable.Range(0, m).Select(_ => rng.Uniform(0.2, 8)).ToArray();
        var wTrue = TestData.RandomVector(rng, n);
        var Y = Vector<double>.Build.Dense(m, r => X.Row(r).DotProduct(wTrue) + rng.Normal() / Math.Sqrt(taus[r]));
        var m0 = TestData.RandomVector(rng, n, 0.3);
        var p0 = Matrix<double>.Build.DenseDiagonal(n, n, k => 0.5 + k);

        var i = new Range(m).Named("i");
        var w = Variable.VectorGaussianFromMeanAndPrecision(m0, p0).Named("w");
        var x = Variable.Observed(TestData.Rows(X), i).Named("x");
        var tau = Variable.Observed(taus, i).Named("tau");
        var y = Variable.Array<double>(i).Named("y");
        y[i] = Variable.GaussianFromMeanAndPrecision(Variable.InnerProduct(w, x[i]), tau[i]);
        y.ObservedValue = Y.ToArray();

        var engine = Engine(ep);
        var post = engine.Infer<VectorGaussian>(w);
        var (mean, cov, logEv) = TestData.LinearGaussian(X, Y, Vector<double>.Build.DenseOfArray(taus), m0, p0);
        Assert.True(TestData.MaxAbsDiff(post.GetMean(), mean) < 1e-9, $"mean off by {TestData.MaxAbsDiff(post.GetMean(), mean):G3}");
        Assert.True(TestData.MaxAbsDiff(post.GetVariance(), cov) < 1e-9, $"covariance off by {TestData.MaxAbsDiff(post.GetVariance(), cov):G3}");
        Assert.Equal(logEv, engine.LogEvidence(w), 8);
        Assert.True(engine.LastResult!.Converged);

        // Changing the observed precisions changes the answer accordingly (the array is read at each run).
        var taus2 = taus.Select(t => 2 * t).ToArray();
        tau.ObservedValue = taus2;
        var (mean2, _, logEv2) = TestData.LinearGaussian(X, Y, Vector<double>.Build.DenseOfArray(taus2), m0, p0);
        Assert.True(TestData.MaxAbsDiff(engine.Infer<VectorGaussian>(w).GetMean(), mean2) < 1e-9);
        Assert.Equal(logEv2, engine.LogEvidence(w), 8);
    }

    /// <summary>
    /// Observed per-element means and precisions on both factors of a chain: z[i] ~ N(o[i], 1/a), t[i] ~ N(z[i], 1/b[i])
    /// with t observed. Each z[i] is Gaussian with precision a + b[i] and mean (a o[i] + b[i] t[i])/(a + b[i]); the
    /// evidence is Σ log N(t[i]; o[i], 1/a + 1/b[i]). Exact under EP and VMP (the z[i] are independent a posteriori).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ObservedMeansAndPrecisionsMatchTheScalarPosterior(bool ep)
    {
        const int m = 12;
        const double a = 1.5;
        var rng = new Rng(5);
        var o = Enumerable.Range(0, m).Select(_ => rng.Normal(0, 2)).ToArray();
        var b = Enumerable.Range(0, m).Select(_ => rng.Uniform(0.1, 10)).ToArray();
        var t = Enumerable.Range(0, m).Select(k => o[k] + rng.Normal() * Math.Sqrt(1 / a + 1 / b[k])).ToArray();

        var i = new Range(m).Named("i");
        var offsets = Variable.Observed(o, i).Named("o");
        var precisions = Variable.Observed(b, i).Named("b");
        var z = Variable.Array<double>(i).Named("z");
        z[i] = Variable.GaussianFromMeanAndPrecision(offsets[i], a);
        var obs = Variable.Array<double>(i).Named("t");
        obs[i] = Variable.GaussianFromMeanAndPrecision(z[i], precisions[i]);
        obs.ObservedValue = t;

        var engine = Engine(ep);
        var post = engine.Infer<Gaussian[]>(z);
        double logEv = 0;
        for (int k = 0; k < m; k++)
        {
            double p = a + b[k], mu = (a * o[k] + b[k] * t[k]) / p;
            Assert.Equal(mu, post[k].GetMean(), 10);
            Assert.Equal(1 / p, post[k].GetVariance(), 10);
            double v = 1 / a + 1 / b[k], d = t[k] - o[k];
            logEv += -0.5 * (Math.Log(2 * Math.PI * v) + d * d / v);
        }
        Assert.Equal(logEv, engine.LogEvidence(z), 9);
    }

    /// <summary>
    /// A Gamma precision per element under VMP: y[i] ~ N(μ, 1/τ[i]), τ[i] ~ Gamma(a, b), y observed. Conjugate: the
    /// posterior of τ[i] is Gamma(a + ½, b + (y[i] − μ)²/2) and the evidence of each y[i] is a Student-t density, both
    /// exact because each τ[i] is the only latent variable of its factors.
    /// </summary>
    [Fact]
    public void GammaPrecisionArrayUnderVmpMatchesTheConjugatePosterior()
    {
        const int m = 9;
        const double mu = 0.7, a = 2, b = 3;
        var rng = new Rng(8);
        var data = Enumerable.Range(0, m).Select(_ => rng.Normal(mu, 1.3)).ToArray();

        var i = new Range(m).Named("i");
        var tau = Variable.Array<double>(i).Named("tau");
        tau[i] = Variable.GammaFromShapeAndRate(a, b);
        var y = Variable.Array<double>(i).Named("y");
        y[i] = Variable.GaussianFromMeanAndPrecision(mu, tau[i]);
        y.ObservedValue = data;

        var engine = Engine(ep: false);
        var post = engine.Infer<Gamma[]>(tau);
        double logEv = 0;
        for (int k = 0; k < m; k++)
        {
            double d2 = (data[k] - mu) * (data[k] - mu);
            Assert.Equal(a + 0.5, post[k].Shape, 10);
            Assert.Equal(b + d2 / 2, post[k].Rate, 10);
            logEv += SpecialFunctions.GammaLn(a + 0.5) - SpecialFunctions.GammaLn(a) + a * Math.Log(b)
                     - (a + 0.5) * Math.Log(b + d2 / 2) - 0.5 * Math.Log(2 * Math.PI);
        }
        Assert.Equal(logEv, engine.LogEvidence(tau), 9);
    }

    /// <summary>Soft labels observed as the rows of one matrix give the run that one vector per row gives.</summary>
    [Fact]
    public void SoftLabelRowsEqualSoftLabelVectors()
    {
        const int m = 30, n = 3, k = 3;
        var rng = new Rng(4);
        var X = TestData.RandomMatrix(rng, m, n);
        var soft = Matrix<double>.Build.Dense(m, k, (_, _) => rng.Uniform(0.1, 1));
        soft = Matrix<double>.Build.DenseOfRowVectors(Enumerable.Range(0, m).Select(r => soft.Row(r) / soft.Row(r).Sum()));

        VectorGaussian[] Fit(bool rows)
        {
            var c = new Range(k).Named("c");
            var w = Variable.Array<Vector<double>>(c).Named("w");
            w[c] = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n));
            var i = new Range(m).Named("i");
            var x = Variable.Array<Vector<double>>(i).Named("x");
            x.ObserveRows(X);
            var s = Variable.Array<Vector<double>>(i).Named("s");
            s[i] = Variable.SoftLabelsFromLinearSoftmax(w, x[i]);
            if (rows) s.ObserveRows(soft);
            else s.ObservedValue = TestData.Rows(soft);
            return new InferenceEngine(new VariationalMessagePassing()).Infer<VectorGaussian[]>(w);
        }

        var a = Fit(rows: true);
        var v = Fit(rows: false);
        for (int c = 0; c < k; c++) Assert.True(TestData.MaxAbsDiff(a[c].GetMean(), v[c].GetMean()) < 1e-12);
    }
}
