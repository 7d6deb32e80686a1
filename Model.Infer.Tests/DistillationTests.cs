using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Infer.Distillation;

namespace Probabilistic.Infer.Tests;

/// <summary>The distillation likelihoods of methods.md §1.1/§1.3 as factor graphs.</summary>
public class DistillationTests
{
    private static (Matrix<double> X, Vector<double> Y, Vector<double> S, bool[] I) RegressionData(ulong seed, int m = 40, int n = 4)
    {
        var rng = new Rng(seed);
        var X = TestData.RandomMatrix(rng, m, n);
        var w = TestData.RandomVector(rng, n);
        var Y = X * w + TestData.RandomVector(rng, m, 0.7);
        var S = X * w + TestData.RandomVector(rng, m, 0.3);   // a teacher with its own noise
        var I = Enumerable.Range(0, m).Select(i => i < 25).ToArray();
        return (X, Y, S, I);
    }

    [Theory]
    [InlineData(TemperingForm.Normalised)]
    [InlineData(TemperingForm.Power)]
    public void PosteriorMeanUnderAVaguePriorIsTheoremA2WeightedLeastSquares(TemperingForm form)
    {
        // methods.md §1.3, Check 2: m = 40, n = 4, |I| = 25, λ = 0.3, τ = 2, τ_s = 0.7.
        var (X, Y, S, I) = RegressionData(7);
        var model = new RegressionDistillation(X, Y, S, I) { Tau = 2, TauS = 0.7, Lambda = 0.3, PriorPrecision = 1e-12, Tempering = form };
        var post = model.Fit();
        // ŵ computed independently here from the theorem: (XᵀΣ⁻¹X)⁻¹Xᵀy'.
        var sigmaInv = Vector<double>.Build.Dense(40, i => I[i] ? 0.7 * 2 + 0.3 * 0.7 : 2);
        var yPrime = Vector<double>.Build.Dense(40, i => I[i] ? 0.7 * 2 * Y[i] + 0.3 * 0.7 * S[i] : 2 * Y[i]);
        var wHat = (X.Transpose() * Matrix<double>.Build.DenseOfDiagonalVector(sigmaInv) * X).Solve(X.Transpose() * yPrime);
        Assert.True(TestData.MaxAbsDiff(post.Weights.GetMean(), wHat) < 1e-9, $"|Δ|∞ = {TestData.MaxAbsDiff(post.Weights.GetMean(), wHat)}");
    }

    [Fact]
    public void NormalisedEvidenceIsTheMarginalLikelihoodOfYAndS()
    {
        var (X, Y, S, I) = RegressionData(9);
        const double tau = 2, tauS = 5, lambda = 0.4, alpha = 0.5;
        var post = new RegressionDistillation(X, Y, S, I) { Tau = tau, TauS = tauS, Lambda = lambda, PriorPrecision = alpha }.Fit();
        // Stack the observations: all y (precision τ or (1−λ)τ) and s on I (precision λτ_s).
        var rows = Enumerable.Range(0, 40).ToList();
        var inI = rows.Where(i => I[i]).ToArray();
        var Xs = Matrix<double>.Build.Dense(40 + inI.Length, 4, (r, c) => r < 40 ? X[r, c] : X[inI[r - 40], c]);
        var t = Vector<double>.Build.Dense(40 + inI.Length, r => r < 40 ? Y[r] : S[inI[r - 40]]);
        var prec = Vector<double>.Build.Dense(40 + inI.Length, r => r < 40 ? (I[r] ? (1 - lambda) * tau : tau) : lambda * tauS);
        var (mean, cov, logEv) = TestData.LinearGaussian(Xs, t, prec, Vector<double>.Build.Dense(4), Matrix<double>.Build.DenseIdentity(4) * alpha);
        Assert.True(TestData.MaxAbsDiff(post.Weights.GetMean(), mean) < 1e-9);
        Assert.True(TestData.MaxAbsDiff(post.Weights.GetVariance(), cov) < 1e-9);
        Assert.Equal(logEv, post.LogEvidence, 8);
        // predictive: N(xᵀm, xᵀΣx + 1/τ)
        var xNew = Vector<double>.Build.Dense(new[] { 0.5, -1.0, 2.0, 0.1 });
        var pred = post.Predict(xNew);
        Assert.Equal(xNew.DotProduct(mean), pred.GetMean(), 9);
        Assert.Equal(xNew.DotProduct(cov * xNew) + 1 / tau, pred.GetVariance(), 9);
    }

    [Fact]
    public void EvidenceSelectionRecoversTheTeachersNoiseLevel()
    {
        // y has noise sd 0.7 (τ = 2.04 assumed known); the teacher has noise sd 0.3. With λ and σ_s free, only the
        // product λτ_s is identified by the s terms and (1−λ)τ by the y terms, so the evidence should pick λ near 0
        // (y on I keeps its true precision) and λ·τ_s near 1/0.3².
        var rng = new Rng(13);
        const int m = 400, n = 3;
        var X = TestData.RandomMatrix(rng, m, n);
        var w = TestData.RandomVector(rng, n);
        var Y = X * w + TestData.RandomVector(rng, m, 0.7);
        var S = X * w + TestData.RandomVector(rng, m, 0.3);
        var I = Enumerable.Range(0, m).Select(i => i % 2 == 0).ToArray();
        var grid = new[] { 0.05, 0.25, 0.5, 0.75, 0.95 };
        var sel = RegressionDistillation.SelectByEvidence(
            (lambda, sigmaS) => new RegressionDistillation(X, Y, S, I) { Tau = 1 / 0.49, TauS = 1 / (sigmaS * sigmaS), Lambda = lambda, PriorPrecision = 1e-2 },
            grid, 0.01, 10);
        Assert.Equal(0.05, sel.Lambda);
        double effectiveTeacherSd = sel.SigmaS / Math.Sqrt(sel.Lambda);
        Assert.InRange(effectiveTeacherSd, 0.25, 0.35);   // 0.3 ± ~4 standard errors of an sd estimate from 200 residuals
    }

    [Fact]
    public void ClassificationDistillationFitsAndItsBoundIncreases()
    {
        var rng = new Rng(31);
        const int m = 200, n = 3, K = 3;
        var X = TestData.RandomMatrix(rng, m, n);
        var W = TestData.RandomMatrix(rng, n, K) * 2;
        var labels = new int[m];
        var soft = new Vector<double>[m];
        for (int i = 0; i < m; i++)
        {
            var logits = (X.Row(i) * W).ToArray();
            var p = Distributions.Discrete.FromLogProbabilities(logits);
            labels[i] = p.Sample(rng);
            soft[i] = Vector<double>.Build.Dense(Distributions.Discrete.FromLogProbabilities(logits.Select(v => v / 2).ToArray()).Probabilities.ToArray());
        }
        var I = Enumerable.Range(0, m).Select(i => i % 3 != 0).ToArray();
        var post = new ClassificationDistillation(X, labels, soft, I, K) { Lambda = 0.5, Tolerance = 1e-6, Iterations = 3000 }.Fit();
        var b = post.Run.BoundHistory;
        for (int t = 1; t < b.Count; t++) Assert.True(b[t] >= b[t - 1] - 1e-9 * Math.Abs(b[t - 1]), $"bound decreased at {t}");
        Assert.True(post.Run.Converged);
        int agree = Enumerable.Range(0, m).Count(i => post.Predict(X.Row(i)).GetMode() == soft[i].MaximumIndex());
        Assert.True(agree > 0.85 * m, $"student agrees with the teacher's argmax on {agree}/{m}");
    }
}
