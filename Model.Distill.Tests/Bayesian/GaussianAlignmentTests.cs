using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Distill.Bayesian;

namespace Probabilistic.Distill.Tests.Bayesian;

public class GaussianAlignmentTests
{
    private static FullGaussianPosterior RandomPosterior(NetworkStructure s, ulong seed)
    {
        var rng = new Rng(seed);
        int n = s.ParameterCount;
        var b = Matrix<double>.Build.Dense(n, n, (_, _) => rng.Normal());
        var cov = b * b.Transpose() / n + Matrix<double>.Build.DenseIdentity(n) * 0.1;
        var mean = Vector<double>.Build.Dense(n, _ => rng.Normal());
        return new FullGaussianPosterior(s, mean, cov);
    }

    // Independent route: precision matrix Λ = Σ^{-1}; the conditional of the rest r given x_c = v is
    // N(m_r − Λ_rr^{-1} Λ_rc (v − m_c), Λ_rr^{-1}); marginalising keeps the sub-block.
    private static (Vector<double>, Matrix<double>) PrecisionRoute(FullGaussianPosterior p, int[] conditioned, double[] values, int[] kept)
    {
        int n = p.Mean.Count;
        var lambda = p.Covariance.Inverse();
        var rest = Enumerable.Range(0, n).Except(conditioned).ToArray();
        var lrr = Matrix<double>.Build.Dense(rest.Length, rest.Length, (i, j) => lambda[rest[i], rest[j]]);
        var lrc = Matrix<double>.Build.Dense(rest.Length, conditioned.Length, (i, j) => lambda[rest[i], conditioned[j]]);
        var d = Vector<double>.Build.Dense(conditioned.Length, i => values[i] - p.Mean[conditioned[i]]);
        var covR = lrr.Inverse();
        var meanR = Vector<double>.Build.Dense(rest.Length, i => p.Mean[rest[i]]) - covR * (lrc * d);
        var pos = kept.Select(k => Array.IndexOf(rest, k)).ToArray();
        return (Vector<double>.Build.Dense(kept.Length, i => meanR[pos[i]]),
            Matrix<double>.Build.Dense(kept.Length, kept.Length, (i, j) => covR[pos[i], pos[j]]));
    }

    private static void AssertClose(Vector<double> a, Vector<double> b, double tol) =>
        Assert.True((a - b).AbsoluteMaximum() < tol, $"vectors differ by {(a - b).AbsoluteMaximum()}");

    private static void AssertClose(Matrix<double> a, Matrix<double> b, double tol) =>
        Assert.True((a - b).Enumerate().Max(Math.Abs) < tol, $"matrices differ by {(a - b).Enumerate().Max(Math.Abs)}");

    [Fact]
    public void NeuronRemovalMatchesThePrecisionRoute()
    {
        // methods.md §2.2 Check 3: net [3, 4, 2], N = 20, remove neuron 1 of layer 1.
        var s = new NetworkStructure(new[] { 3, 4, 2 });
        var p = RandomPosterior(s, 3);
        var aligned = GaussianAlignment.RemoveNeurons(p, 1, new[] { 1 });
        Assert.Equal(new[] { 3, 3, 2 }, aligned.Structure.Widths);
        var part = s.NeuronRemovalPartition(1, new[] { 1 });
        var (mean, cov) = PrecisionRoute(p, part.Conditioned, new double[part.Conditioned.Length], part.Kept);
        AssertClose(mean, aligned.Mean, 1e-9);
        AssertClose(cov, aligned.Covariance, 1e-9);
    }

    [Fact]
    public void LayerRemovalMatchesThePrecisionRouteWithTheCorrectedMean()
    {
        // methods.md §2.3 Check 4: net [3, 4, 4, 2], N = 36, condition U_2 = I.
        var s = new NetworkStructure(new[] { 3, 4, 4, 2 });
        var p = RandomPosterior(s, 4);
        var aligned = GaussianAlignment.RemoveLayer(p, 2);
        Assert.Equal(new[] { 3, 4, 2 }, aligned.Structure.Widths);
        var part = s.LayerRemovalPartition(2);
        var (mean, cov) = PrecisionRoute(p, part.Conditioned, s.IdentityLayerValues(2), part.Kept);
        AssertClose(mean, aligned.Mean, 1e-9);
        AssertClose(cov, aligned.Covariance, 1e-9);
        // The seed's "(i − ῡ)" read with ῡ := i (no mean subtracted) would leave the mean at m_υ: not the conditional.
        var unconditioned = Vector<double>.Build.Dense(part.Kept.Length, i => p.Mean[part.Kept[i]]);
        Assert.True((unconditioned - mean).AbsoluteMaximum() > 1e-3);
    }

    [Fact]
    public void RemovingSeveralNeuronsAtOnceEqualsOneByOne()
    {
        var s = new NetworkStructure(new[] { 2, 5, 3 });
        var p = RandomPosterior(s, 5);
        var joint = GaussianAlignment.RemoveNeurons(p, 1, new[] { 1, 3 });
        // Remove neuron 3 first, then neuron 1 (its index is unchanged by removing a later neuron).
        var sequential = GaussianAlignment.RemoveNeurons(GaussianAlignment.RemoveNeurons(p, 1, new[] { 3 }), 1, new[] { 1 });
        Assert.Equal(joint.Structure, sequential.Structure);
        AssertClose(joint.Mean, sequential.Mean, 1e-10);
        AssertClose(joint.Covariance, sequential.Covariance, 1e-10);
    }

    [Fact]
    public void DiagonalFastPathEqualsFullCovarianceWithADiagonal()
    {
        var s = new NetworkStructure(new[] { 3, 4, 4, 2 });
        var rng = new Rng(9);
        var mean = Enumerable.Range(0, s.ParameterCount).Select(_ => rng.Normal()).ToArray();
        var variance = Enumerable.Range(0, s.ParameterCount).Select(_ => 0.1 + rng.NextDouble()).ToArray();
        var diag = new DiagonalGaussianPosterior(s, mean, variance);
        var full = new FullGaussianPosterior(s, Vector<double>.Build.Dense(mean), Matrix<double>.Build.DenseOfDiagonalArray(variance));
        var steps = StructurePlanner.Plan(s, new NetworkStructure(new[] { 3, 2, 2 })).Steps;
        var d = GaussianAlignment.Apply(diag, steps);
        var f = GaussianAlignment.Apply(full, steps);
        Assert.Equal(d.Structure, f.Structure);
        AssertClose(Vector<double>.Build.DenseOfEnumerable(d.Mean), f.Mean, 1e-14);
        AssertClose(Matrix<double>.Build.DenseOfDiagonalArray(d.Variance.ToArray()), f.Covariance, 1e-14);
    }

    [Fact]
    public void RejectsBadPosteriors()
    {
        var s = new NetworkStructure(new[] { 2, 2, 1 });
        int n = s.ParameterCount;
        var mean = Vector<double>.Build.Dense(n);
        var notSpd = Matrix<double>.Build.DenseIdentity(n);
        notSpd[0, 0] = -1;
        Assert.Throws<ArgumentException>(() => new FullGaussianPosterior(s, mean, notSpd));
        var asymmetric = Matrix<double>.Build.DenseIdentity(n);
        asymmetric[0, 1] = 0.5;
        Assert.Throws<ArgumentException>(() => new FullGaussianPosterior(s, mean, asymmetric));
        Assert.Throws<ArgumentException>(() => new FullGaussianPosterior(s, Vector<double>.Build.Dense(n + 1), Matrix<double>.Build.DenseIdentity(n)));
        Assert.Throws<ArgumentException>(() => new DiagonalGaussianPosterior(s, new double[n], new double[n]));
        Assert.Throws<ArgumentException>(() => new DiagonalGaussianPosterior(s, new double[n - 1], Enumerable.Repeat(1.0, n).ToArray()));
    }
}
