using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Infer.Distributions;

namespace Probabilistic.Infer.Tests;

/// <summary>Conditioning and marginalising Gaussians on index subsets, each form checked against another route: the
/// dense covariance formula with explicit inverses, the conditional read off the joint precision, the covariance
/// block of the inverted precision, and samples.</summary>
public class VectorGaussianConditioningTests
{
    private static (Vector<double> Mean, Matrix<double> Covariance) RandomGaussian(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var b = Matrix<double>.Build.Dense(n, n, (_, _) => rng.Normal());
        var cov = b * b.Transpose() / n + Matrix<double>.Build.DenseIdentity(n) * 0.2;
        return (Vector<double>.Build.Dense(n, _ => rng.Normal()), 0.5 * (cov + cov.Transpose()));
    }

    private static Matrix<double> Sub(Matrix<double> m, int[] rows, int[] cols) => Matrix<double>.Build.Dense(rows.Length, cols.Length, (i, j) => m[rows[i], cols[j]]);

    private static Vector<double> Sub(Vector<double> v, int[] idx) => Vector<double>.Build.Dense(idx.Length, i => v[idx[i]]);

    private static void AssertClose(Matrix<double> expected, Matrix<double> actual, double tol)
    {
        Assert.Equal(expected.RowCount, actual.RowCount);
        Assert.Equal(expected.ColumnCount, actual.ColumnCount);
        double scale = Math.Max(1, expected.Enumerate().Max(Math.Abs));
        double gap = (expected - actual).Enumerate().Max(Math.Abs);
        Assert.True(gap < tol * scale, $"max gap {gap:E3} (scale {scale:G3})");
    }

    private static void AssertClose(Vector<double> expected, Vector<double> actual, double tol)
    {
        Assert.Equal(expected.Count, actual.Count);
        double scale = Math.Max(1, expected.AbsoluteMaximum());
        double gap = (expected - actual).AbsoluteMaximum();
        Assert.True(gap < tol * scale, $"max gap {gap:E3}");
    }

    private static readonly int[] C = [1, 4, 6];
    private static readonly int[] M = [0, 7];
    private static readonly int[] K = [5, 2, 3]; // out of order on purpose: results follow K's order
    private static readonly double[] V = [0.3, -1.2, 2.0];

    [Fact]
    public void Moment_conditioning_matches_the_conditional_read_off_the_joint_precision()
    {
        var (mean, cov) = RandomGaussian(8, 1);
        var (m, s) = VectorGaussianConditioning.ConditionMoments(mean, cov, C, V, K);
        // Given x_C = v, the rest R has precision Λ_RR and mean m_R − Λ_RR^{-1} Λ_RC (v − m_C); K ⊂ R is a marginal of it.
        var lambda = cov.Inverse();
        int[] r = Enumerable.Range(0, 8).Except(C).ToArray();
        var lambdaRR = Sub(lambda, r, r);
        var meanR = Sub(mean, r) - lambdaRR.Inverse() * Sub(lambda, r, C) * (Vector<double>.Build.DenseOfArray(V) - Sub(mean, C));
        var covR = lambdaRR.Inverse();
        int[] kInR = K.Select(k => Array.IndexOf(r, k)).ToArray();
        AssertClose(Sub(meanR, kInR), m, 1e-10);
        AssertClose(Sub(covR, kInR, kInR), s, 1e-10);
    }

    [Fact]
    public void Precision_form_matches_the_dense_covariance_formula()
    {
        var (mean, cov) = RandomGaussian(8, 2);
        var lambda = cov.Inverse();
        lambda = 0.5 * (lambda + lambda.Transpose());
        var (m, p) = VectorGaussianConditioning.ConditionAndMarginaliseInPrecisionForm(mean, lambda, C, V, M, K);
        // Σ_KK − Σ_KC Σ_CC^{-1} Σ_CK and m_K + Σ_KC Σ_CC^{-1} (v − m_C), with explicit inverses.
        var gain = Sub(cov, K, C) * Sub(cov, C, C).Inverse();
        var expectedMean = Sub(mean, K) + gain * (Vector<double>.Build.DenseOfArray(V) - Sub(mean, C));
        var expectedCov = Sub(cov, K, K) - gain * Sub(cov, C, K);
        AssertClose(expectedMean, m, 1e-10);
        AssertClose(expectedCov, p.Inverse(), 1e-10);
    }

    [Fact]
    public void Natural_form_matches_the_precision_form_and_the_dense_formula()
    {
        var (mean, cov) = RandomGaussian(8, 3);
        var g = VectorGaussian.FromMeanAndVariance(mean, cov);
        var natural = g.ConditionAndMarginalise(C, V, M, K);
        var (m, p) = VectorGaussianConditioning.ConditionAndMarginaliseInPrecisionForm(mean, g.Precision, C, V, M, K);
        AssertClose(m, natural.GetMean(), 1e-10);
        AssertClose(p, natural.Precision, 1e-10);

        // Condition alone: the remaining coordinates ascending, against Σ_RR − Σ_RC Σ_CC^{-1} Σ_CR.
        var conditioned = g.Condition(C, V);
        int[] r = Enumerable.Range(0, 8).Except(C).ToArray();
        var gain = Sub(cov, r, C) * Sub(cov, C, C).Inverse();
        AssertClose(Sub(mean, r) + gain * (Vector<double>.Build.DenseOfArray(V) - Sub(mean, C)), conditioned.GetMean(), 1e-10);
        AssertClose(Sub(cov, r, r) - gain * Sub(cov, C, r), conditioned.GetVariance(), 1e-10);
    }

    [Fact]
    public void Marginal_is_the_covariance_block_and_agrees_with_samples()
    {
        var (mean, cov) = RandomGaussian(6, 4);
        var g = VectorGaussian.FromMeanAndVariance(mean, cov);
        int[] kept = [4, 1];
        var marginal = g.Marginal(kept);
        AssertClose(Sub(mean, kept), marginal.GetMean(), 1e-10);
        AssertClose(Sub(cov, kept, kept), marginal.GetVariance(), 1e-10);

        // Sample means of the kept coordinates of joint draws within 5 standard errors of the marginal's mean.
        const int n = 40_000;
        var rng = new Rng(5);
        var sums = new double[kept.Length];
        for (int s = 0; s < n; s++)
        {
            var x = g.Sample(rng);
            for (int k = 0; k < kept.Length; k++) sums[k] += x[kept[k]];
        }
        var marginalVariance = marginal.GetVariance();
        for (int k = 0; k < kept.Length; k++)
            Assert.True(Math.Abs(sums[k] / n - marginal.GetMean()[k]) < 5 * Math.Sqrt(marginalVariance[k, k] / n),
                $"coordinate {kept[k]}: sample mean {sums[k] / n}, marginal mean {marginal.GetMean()[k]}");
    }

    [Fact]
    public void Diagonal_conditioning_and_marginalising_match_the_dense_operations()
    {
        var rng = new Rng(6);
        var d = DiagonalGaussian.FromMeanAndVariance(Enumerable.Range(0, 6).Select(_ => rng.Normal()).ToArray(),
            Enumerable.Range(0, 6).Select(_ => rng.Uniform(0.1, 2)).ToArray());
        var dense = d.ToVectorGaussian();
        var conditioned = d.Condition([0, 3]);
        var denseConditioned = dense.Condition([0, 3], [5.0, -7.0]); // the values do not matter: independence
        AssertClose(denseConditioned.GetMean(), Vector<double>.Build.DenseOfEnumerable(conditioned.Mean), 1e-12);
        AssertClose(denseConditioned.GetVariance().Diagonal(), Vector<double>.Build.DenseOfEnumerable(conditioned.Variance), 1e-12);
        var marginal = d.Marginalise([5]);
        var denseMarginal = dense.Marginal([0, 1, 2, 3, 4]);
        AssertClose(denseMarginal.GetMean(), Vector<double>.Build.DenseOfEnumerable(marginal.Mean), 1e-12);
        var x = Enumerable.Range(0, 6).Select(i => 0.1 * i).ToArray();
        Assert.Equal(dense.LogDensity(Vector<double>.Build.DenseOfArray(x)), d.LogDensity(x), 10);
    }

    [Fact]
    public void Bad_index_sets_are_refused_with_the_problem_named()
    {
        var (mean, cov) = RandomGaussian(4, 7);
        var e = Assert.Throws<ArgumentException>(() => VectorGaussianConditioning.ConditionAndMarginaliseInPrecisionForm(mean, cov, [0], [1.0], [1], [2]));
        Assert.Contains("index 3 is neither", e.Message);
        e = Assert.Throws<ArgumentException>(() => VectorGaussianConditioning.ConditionMoments(mean, cov, [0, 1], [1.0], [2]));
        Assert.Contains("2 conditioned indices but 1 values", e.Message);
        e = Assert.Throws<ArgumentException>(() => VectorGaussianConditioning.ConditionMoments(mean, cov, [0], [1.0], [0, 2]));
        Assert.Contains("index 0 is named twice", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => VectorGaussian.FromMeanAndVariance(mean, cov).Marginal([4]));
        Assert.Throws<ArgumentException>(() => DiagonalGaussian.FromMeanAndVariance([0.0], [-1.0]));
    }
}
