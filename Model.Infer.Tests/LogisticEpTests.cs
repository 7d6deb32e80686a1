using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Graph;
using Probabilistic.Infer.Numerics;
using Range = Probabilistic.Infer.Graph.Range;

namespace Probabilistic.Infer.Tests;

/// <summary>EP for Bayesian logistic regression against importance sampling, and the quadrature it relies on.</summary>
public class LogisticEpTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Theory]
    [InlineData(0.3, 1.0, 1.0, 1.0)]
    [InlineData(-2.0, 25.0, -1.0, 1.0)]
    [InlineData(4.0, 100.0, 1.0, 0.3)]
    public void TiltedMomentsMatchFineTrapezoidIntegration(double mean, double variance, double sign, double power)
    {
        var (logZ, m, v) = LogisticMoments.Compute(mean, variance, sign, power);
        // Reference: trapezoid rule on ±12 standard deviations with 200,000 panels.
        double sd = Math.Sqrt(variance), lo = mean - 12 * sd, h = 24 * sd / 200000, s0 = 0, s1 = 0, s2 = 0;
        for (int k = 0; k <= 200000; k++)
        {
            double z = lo + k * h, wgt = (k == 0 || k == 200000 ? 0.5 : 1) * h;
            double f = Math.Exp(Gaussian.FromMeanAndVariance(mean, variance).LogDensity(z) + power * LogisticMoments.LogSigmoid(sign * z));
            s0 += wgt * f; s1 += wgt * f * z; s2 += wgt * f * z * z;
        }
        Assert.Equal(Math.Log(s0), logZ, 8);
        Assert.Equal(s1 / s0, m, 7);
        Assert.Equal(s2 / s0 - (s1 / s0) * (s1 / s0), v, 7);
    }

    [Fact]
    public void EpEvidenceAndMeansAgreeWithImportanceSampling()
    {
        var rng = new Rng(41);
        const int m = 40, n = 2;
        var X = TestData.RandomMatrix(rng, m, n);
        var wTrue = Vector<double>.Build.Dense(new[] { 1.2, -0.8 });
        var labels = Enumerable.Range(0, m).Select(r => rng.NextDouble() < LogisticMoments.Sigmoid(X.Row(r).DotProduct(wTrue))).ToArray();

        var i = new Range(m);
        var w = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n)).Named("w");
        var x = Variable.Observed(TestData.Rows(X), i);
        var y = Variable.Array<bool>(i);
        y[i] = Variable.BernoulliFromLogOdds(Variable.InnerProduct(w, x[i]));
        y.ObservedValue = labels;
        var engine = new InferenceEngine();
        var result = engine.Run(w);
        Assert.True(result.Converged);
        var post = result.Marginal<VectorGaussian>(w);

        // Importance sampling from the EP posterior with its covariance doubled (heavier than the target).
        var proposal = VectorGaussian.FromMeanAndVariance(post.GetMean(), post.GetVariance() * 2);
        var prior = VectorGaussian.FromMeanAndPrecision(Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n));
        const int samples = 100_000;
        var logW = new double[samples];
        var draws = new Vector<double>[samples];
        var isRng = new Rng(43);
        for (int s = 0; s < samples; s++)
        {
            var ws = proposal.Sample(isRng);
            double ll = 0;
            for (int r = 0; r < m; r++) ll += LogisticMoments.LogSigmoid((labels[r] ? 1 : -1) * X.Row(r).DotProduct(ws));
            logW[s] = ll + prior.LogDensity(ws) - proposal.LogDensity(ws);
            draws[s] = ws;
        }
        double max = logW.Max();
        var wts = logW.Select(l => Math.Exp(l - max)).ToArray();
        double mean = wts.Average(), sdW = Math.Sqrt(wts.Select(v => (v - mean) * (v - mean)).Sum() / (samples - 1));
        double isLogZ = max + Math.Log(mean);
        double seLogZ = sdW / mean / Math.Sqrt(samples);   // delta method
        // Tolerance: 4 IS standard errors plus EP's own approximation error, allowed 0.01 nats (stated a priori:
        // EP's logistic-regression evidence is typically within 1e-2 of the truth for m ≫ n).
        output.WriteLine($"log evidence: EP {result.LogEvidence:F5}, IS {isLogZ:F5} ± {seLogZ:F5}");
        Assert.True(Math.Abs(result.LogEvidence - isLogZ) < 4 * seLogZ + 0.01,
            $"EP log evidence {result.LogEvidence}, IS {isLogZ} ± {seLogZ}");

        double total = wts.Sum();
        for (int j = 0; j < n; j++)
        {
            double isMean = 0;
            for (int s = 0; s < samples; s++) isMean += wts[s] * draws[s][j];
            isMean /= total;
            double var = 0;
            for (int s = 0; s < samples; s++) var += wts[s] * wts[s] * (draws[s][j] - isMean) * (draws[s][j] - isMean);
            double se = Math.Sqrt(var) / total;
            double postSd = Math.Sqrt(post.GetVariance()[j, j]);
            output.WriteLine($"w[{j}]: EP {post.GetMean()[j]:F5}, IS {isMean:F5} ± {se:F5} (posterior sd {postSd:F4})");
            // 4 standard errors plus 5% of a posterior standard deviation for EP's approximation.
            Assert.True(Math.Abs(post.GetMean()[j] - isMean) < 4 * se + 0.05 * postSd,
                $"w[{j}]: EP {post.GetMean()[j]}, IS {isMean} ± {se}");
        }
    }

    [Fact]
    public void EpEvidenceIsExactWhenTheSitesDoNotInteract()
    {
        // Orthogonal inputs under an isotropic prior: the posterior factorises, EP is exact, and
        // Z = Π_r ∫ N(z; 0, |x_r|²) σ(s_r z) dz (each by the trapezoid rule here, independently of the engine).
        var rows = new[] { new[] { 1.5, 0.0, 0.0 }, new[] { 0.0, -0.7, 0.0 }, new[] { 0.0, 0.0, 2.0 } };
        var labels = new[] { true, true, false };
        var i = new Range(3);
        var w = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(3), Matrix<double>.Build.DenseIdentity(3));
        var x = Variable.Observed(rows.Select(r => Vector<double>.Build.Dense(r)).ToArray(), i);
        var y = Variable.Array<bool>(i);
        y[i] = Variable.BernoulliFromLogOdds(Variable.InnerProduct(w, x[i]));
        y.ObservedValue = labels;
        double logZ = 0;
        for (int r = 0; r < 3; r++)
        {
            double sd = Math.Sqrt(rows[r].Sum(v => v * v)), s = 0, h = 24 * sd / 200000;
            for (int k = 0; k <= 200000; k++)
            {
                double z = -12 * sd + k * h;
                s += (k == 0 || k == 200000 ? 0.5 : 1) * h * Math.Exp(Gaussian.FromMeanAndVariance(0, sd * sd).LogDensity(z)) * LogisticMoments.Sigmoid(labels[r] ? z : -z);
            }
            logZ += Math.Log(s);
        }
        Assert.Equal(logZ, new InferenceEngine().LogEvidence(w), 8);
    }

    [Fact]
    public void PredictiveProbabilityIsTheExpectedSigmoid()
    {
        var i = new Range(3);
        var w = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(new[] { 0.5, -1.0 }), Matrix<double>.Build.DenseIdentity(2) * 2);
        var rows = new[] { new[] { 1.0, 0.0 }, new[] { 0.0, 1.0 }, new[] { 2.0, 1.0 } }.Select(r => Vector<double>.Build.Dense(r)).ToArray();
        var x = Variable.Observed(rows, i);
        var y = Variable.Array<bool>(i);
        y[i] = Variable.BernoulliFromLogOdds(Variable.InnerProduct(w, x[i]));
        var pred = new InferenceEngine().Infer<Bernoulli[]>(y);
        // Prior predictive: z = xᵀw ~ N(xᵀm, |x|²/2); E[σ(z)] by the trapezoid rule.
        for (int r = 0; r < 3; r++)
        {
            double mu = rows[r].DotProduct(Vector<double>.Build.Dense(new[] { 0.5, -1.0 })), v = rows[r].DotProduct(rows[r]) / 2;
            double s = 0, h = 24 * Math.Sqrt(v) / 100000;
            for (int k = 0; k <= 100000; k++)
            {
                double z = mu - 12 * Math.Sqrt(v) + k * h;
                s += (k == 0 || k == 100000 ? 0.5 : 1) * h * Math.Exp(Gaussian.FromMeanAndVariance(mu, v).LogDensity(z)) * LogisticMoments.Sigmoid(z);
            }
            Assert.Equal(s, pred[r].GetProbTrue(), 8);
        }
    }
}
