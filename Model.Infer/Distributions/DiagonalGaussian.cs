using Probabilistic.Core.Random;

namespace Probabilistic.Infer.Distributions;

/// <summary>
/// A multivariate Gaussian N(m, diag v) with independent coordinates (a mean-field posterior, or the diagonal of a
/// Laplace approximation). The coordinates being independent, conditioning some of them on fixed values leaves the
/// others unchanged and marginalising is dropping coordinates: both reduce to <see cref="Select"/>. Immutable.
/// </summary>
public sealed class DiagonalGaussian : IDistribution<double[]>
{
    private readonly double[] _mean;
    private readonly double[] _variance;

    private DiagonalGaussian(double[] mean, double[] variance)
    {
        _mean = mean;
        _variance = variance;
    }

    /// <summary>N(mean, diag variance) (copied); every mean must be finite and every variance finite and &gt; 0.</summary>
    public static DiagonalGaussian FromMeanAndVariance(IReadOnlyList<double> mean, IReadOnlyList<double> variance)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(variance);
        if (mean.Count != variance.Count)
            throw new ArgumentException($"DiagonalGaussian: the mean has {mean.Count} entries, the variance {variance.Count}.");
        for (int i = 0; i < mean.Count; i++)
        {
            if (!double.IsFinite(mean[i]))
                throw new ArgumentException($"DiagonalGaussian: mean[{i}] = {mean[i]} is not finite.", nameof(mean));
            if (!(variance[i] > 0) || !double.IsFinite(variance[i]))
                throw new ArgumentException($"DiagonalGaussian: variance[{i}] = {variance[i]} must be finite and > 0.", nameof(variance));
        }
        return new DiagonalGaussian(mean.ToArray(), variance.ToArray());
    }

    /// <summary>Number of coordinates.</summary>
    public int Dimension => _mean.Length;

    /// <summary>m (read-only view).</summary>
    public IReadOnlyList<double> Mean => _mean;

    /// <summary>diag(Σ) (read-only view).</summary>
    public IReadOnlyList<double> Variance => _variance;

    /// <summary>The Gaussian of the coordinates <paramref name="kept"/>, in that order: the marginal, and equally the
    /// conditional given any values of the other coordinates.</summary>
    public DiagonalGaussian Select(IReadOnlyList<int> kept)
    {
        ArgumentNullException.ThrowIfNull(kept);
        var mean = new double[kept.Count];
        var variance = new double[kept.Count];
        for (int k = 0; k < kept.Count; k++)
        {
            int i = kept[k];
            if ((uint)i >= (uint)_mean.Length)
                throw new ArgumentOutOfRangeException(nameof(kept), $"DiagonalGaussian.Select: index {i} outside 0..{_mean.Length - 1}.");
            mean[k] = _mean[i];
            variance[k] = _variance[i];
        }
        return new DiagonalGaussian(mean, variance);
    }

    /// <summary>The Gaussian of the other coordinates given x_C = any values (independence: they are unchanged), ascending.</summary>
    public DiagonalGaussian Condition(IReadOnlyList<int> conditioned) => Select(Complement(conditioned, "Condition"));

    /// <summary>The marginal of the other coordinates after integrating out <paramref name="marginalised"/>, ascending.</summary>
    public DiagonalGaussian Marginalise(IReadOnlyList<int> marginalised) => Select(Complement(marginalised, "Marginalise"));

    /// <summary>The same distribution as a <see cref="VectorGaussian"/> (precision diag(1/v)).</summary>
    public VectorGaussian ToVectorGaussian()
    {
        int n = _mean.Length;
        var precision = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(n, n);
        var h = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(n);
        for (int i = 0; i < n; i++)
        {
            precision[i, i] = 1 / _variance[i];
            h[i] = _mean[i] / _variance[i];
        }
        return VectorGaussian.FromNaturalNoCopy(h, precision);
    }

    /// <inheritdoc />
    public double LogDensity(double[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length != _mean.Length)
            throw new ArgumentException($"DiagonalGaussian.LogDensity: point has {value.Length} entries, expected {_mean.Length}.");
        double sum = 0;
        for (int i = 0; i < value.Length; i++)
        {
            double d = value[i] - _mean[i];
            sum += d * d / _variance[i] + Math.Log(2 * Math.PI * _variance[i]);
        }
        return -0.5 * sum;
    }

    /// <inheritdoc />
    public double[] Sample(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var x = new double[_mean.Length];
        for (int i = 0; i < x.Length; i++) x[i] = _mean[i] + Math.Sqrt(_variance[i]) * rng.Normal();
        return x;
    }

    /// <inheritdoc />
    public bool IsProper() => true;

    private int[] Complement(IReadOnlyList<int> indices, string operation)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var named = new bool[_mean.Length];
        foreach (int i in indices)
        {
            if ((uint)i >= (uint)named.Length)
                throw new ArgumentOutOfRangeException(nameof(indices), $"DiagonalGaussian.{operation}: index {i} outside 0..{named.Length - 1}.");
            if (named[i]) throw new ArgumentException($"DiagonalGaussian.{operation}: index {i} is named twice.");
            named[i] = true;
        }
        return Enumerable.Range(0, named.Length).Where(i => !named[i]).ToArray();
    }

    /// <inheritdoc />
    public override string ToString() => $"DiagonalGaussian(dim {Dimension})";
}
