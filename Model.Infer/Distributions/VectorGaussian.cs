using Probabilistic.Infer.Engine;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using Probabilistic.Core.Random;

namespace Probabilistic.Infer.Distributions;

/// <summary>
/// Multivariate Gaussian in precision form: precision matrix P and h = P·mean. Products and ratios add and
/// subtract (h, P); moments, densities and samples go through a Cholesky factor of P computed once and cached.
/// P = 0 is the uniform message. The object is immutable; treat the matrices it returns as read-only.
/// </summary>
public sealed class VectorGaussian : IDistribution<Vector<double>>, ISettableToProduct<VectorGaussian>, ISettableToRatio<VectorGaussian>,
    ISettableToPower<VectorGaussian>, ICanGetLogNormalizer, ICanGetEntropy, ICanGetAverageLog<VectorGaussian>, IMessage<VectorGaussian>
{
    private Cholesky<double>? _cholesky;
    private Vector<double>? _mean;
    private Matrix<double>? _variance;

    /// <summary>P·mean.</summary>
    public Vector<double> PrecisionTimesMean { get; }

    /// <summary>Symmetric precision matrix P.</summary>
    public Matrix<double> Precision { get; }

    /// <summary>The dimension of the vector.</summary>
    public int Dimension => PrecisionTimesMean.Count;

    private VectorGaussian(Vector<double> h, Matrix<double> p)
    {
        PrecisionTimesMean = h;
        Precision = p;
    }

    /// <summary>From natural parameters (copied). Any symmetric P is accepted; check <see cref="IsProper"/>.</summary>
    public static VectorGaussian FromNatural(Vector<double> precisionTimesMean, Matrix<double> precision)
    {
        if (precision.RowCount != precision.ColumnCount || precision.RowCount != precisionTimesMean.Count)
            throw new ArgumentException($"VectorGaussian.FromNatural: precision is {precision.RowCount}x{precision.ColumnCount} but the vector has {precisionTimesMean.Count} entries.");
        return new VectorGaussian(precisionTimesMean.Clone(), precision.Clone());
    }

    /// <summary>Takes ownership of the arrays without copying (for the engine's hot paths).</summary>
    internal static VectorGaussian FromNaturalNoCopy(Vector<double> h, Matrix<double> p) => new(h, p);

    /// <summary>Takes ownership of <paramref name="h"/> and shares <paramref name="samePrecision"/>'s precision matrix with
    /// its cached Cholesky factor and covariance (the caller has checked the precision is the one it wants), so a belief
    /// whose precision does not change between iterations is factorised once.</summary>
    internal static VectorGaussian FromNaturalSharingPrecision(Vector<double> h, VectorGaussian samePrecision) =>
        new(h, samePrecision.Precision) { _cholesky = samePrecision._cholesky, _variance = samePrecision._variance };

    /// <summary>N(mean, precision⁻¹).</summary>
    public static VectorGaussian FromMeanAndPrecision(Vector<double> mean, Matrix<double> precision)
    {
        if (precision.RowCount != precision.ColumnCount || precision.RowCount != mean.Count)
            throw new ArgumentException($"VectorGaussian.FromMeanAndPrecision: precision is {precision.RowCount}x{precision.ColumnCount} but the mean has {mean.Count} entries.");
        return new VectorGaussian(precision * mean, precision.Clone());
    }

    /// <summary>N(mean, covariance).</summary>
    public static VectorGaussian FromMeanAndVariance(Vector<double> mean, Matrix<double> covariance)
    {
        if (covariance.RowCount != covariance.ColumnCount || covariance.RowCount != mean.Count)
            throw new ArgumentException($"VectorGaussian.FromMeanAndVariance: covariance is {covariance.RowCount}x{covariance.ColumnCount} but the mean has {mean.Count} entries.");
        Matrix<double> p;
        try { p = covariance.Cholesky().Solve(Matrix<double>.Build.DenseIdentity(mean.Count)); }
        catch (ArgumentException) { throw new ImproperDistributionException("VectorGaussian.FromMeanAndVariance: the covariance is not positive definite."); }
        p = 0.5 * (p + p.Transpose());
        return new VectorGaussian(p * mean, p);
    }

    /// <summary>The flat message of dimension <paramref name="dimension"/>.</summary>
    public static VectorGaussian Uniform(int dimension) =>
        new(Vector<double>.Build.Dense(dimension), Matrix<double>.Build.Dense(dimension, dimension));

    /// <summary>True for the improper uniform (zero precision and shift).</summary>
    public bool IsUniform => PrecisionTimesMean.All(v => v == 0) && Precision.Enumerate().All(v => v == 0);

    /// <summary>True when P is positive definite (its Cholesky factorisation succeeds).</summary>
    public bool IsProper() => TryCholesky() != null;

    private Cholesky<double>? TryCholesky()
    {
        if (_cholesky != null) return _cholesky;
        try
        {
            var c = Precision.Cholesky();
            // MathNet accepts some semi-definite matrices with zero pivots: reject them explicitly.
            if (!(c.DeterminantLn > double.NegativeInfinity) || double.IsNaN(c.DeterminantLn)) return null;
            _cholesky = c;
        }
        catch (ArgumentException) { return null; }
        return _cholesky;
    }

    /// <summary>The Cholesky factor of P; throws <see cref="ImproperDistributionException"/> naming the operation.</summary>
    public Cholesky<double> GetCholesky(string operation) =>
        TryCholesky() ?? throw new ImproperDistributionException($"{operation}: the VectorGaussian (dimension {Dimension}) is improper: its precision matrix is not positive definite.");

    /// <summary>The mean Λ⁻¹h (by Cholesky; cached).</summary>
    public Vector<double> GetMean() => _mean ??= GetCholesky("VectorGaussian.GetMean").Solve(PrecisionTimesMean);

    /// <summary>The covariance P⁻¹ (a new matrix).</summary>
    public Matrix<double> GetVariance() => VarianceReadOnly.Clone();

    /// <summary>The covariance P⁻¹, computed once and cached: callers must not modify it.</summary>
    internal Matrix<double> VarianceReadOnly
    {
        get
        {
            if (_variance != null) return _variance;
            var s = GetCholesky("VectorGaussian.GetVariance").Solve(Matrix<double>.Build.DenseIdentity(Dimension));
            return _variance = 0.5 * (s + s.Transpose());
        }
    }

    /// <summary>log ∫ exp(hᵀx − ½xᵀPx) dx = (n/2) log 2π − ½ log|P| + ½ hᵀP⁻¹h.</summary>
    public double GetLogNormalizer()
    {
        var c = GetCholesky("VectorGaussian.GetLogNormalizer");
        return 0.5 * (Dimension * Math.Log(2 * Math.PI) - c.DeterminantLn + PrecisionTimesMean.DotProduct(GetMean()));
    }

    /// <summary>Entropy −E[log p] = ½(n(1 + log 2π) − log|P|).</summary>
    public double GetEntropy() =>
        0.5 * (Dimension * (1 + Math.Log(2 * Math.PI)) - GetCholesky("VectorGaussian.GetEntropy").DeterminantLn);

    /// <summary>E_q[log this(x)] = −½(n log 2π − log|P| + tr(PΣ_q) + (m_q − m)ᵀP(m_q − m)).</summary>
    public double GetAverageLog(VectorGaussian q)
    {
        ArgumentNullException.ThrowIfNull(q);
        CheckDims(this, q, "average log");
        var d = q.GetMean() - GetMean();
        double trace = Precision.PointwiseMultiply(q.VarianceReadOnly).Enumerate().Sum();
        return -0.5 * (Dimension * Math.Log(2 * Math.PI) - GetCholesky("VectorGaussian.GetAverageLog").DeterminantLn + trace + d.DotProduct(Precision * d));
    }

    /// <summary>The log density at <paramref name="x"/>.</summary>
    public double LogDensity(Vector<double> x)
    {
        if (x.Count != Dimension) throw new ArgumentException($"VectorGaussian.LogDensity: point has {x.Count} entries, expected {Dimension}.");
        var d = x - GetMean();
        return -0.5 * (Dimension * Math.Log(2 * Math.PI) - GetCholesky("VectorGaussian.LogDensity").DeterminantLn + d.DotProduct(Precision * d));
    }

    /// <summary>mean + L⁻ᵀε with P = LLᵀ, so the draw has covariance P⁻¹.</summary>
    public Vector<double> Sample(Rng rng)
    {
        var l = GetCholesky("VectorGaussian.Sample").Factor;
        var eps = Vector<double>.Build.Dense(Dimension, _ => rng.Normal());
        return GetMean() + l.Transpose().Solve(eps);
    }

    private static void CheckDims(VectorGaussian a, VectorGaussian b, string op)
    {
        if (a.Dimension != b.Dimension) throw new ArgumentException($"VectorGaussian {op}: dimensions differ ({a.Dimension} vs {b.Dimension}).");
    }

    /// <summary>The normalised product (natural parameters add).</summary>
    public static VectorGaussian operator *(VectorGaussian a, VectorGaussian b)
    {
        CheckDims(a, b, "product");
        return new VectorGaussian(a.PrecisionTimesMean + b.PrecisionTimesMean, a.Precision + b.Precision);
    }

    /// <summary>The ratio (natural parameters subtract), as EP divides messages.</summary>
    public static VectorGaussian operator /(VectorGaussian a, VectorGaussian b)
    {
        CheckDims(a, b, "ratio");
        return new VectorGaussian(a.PrecisionTimesMean - b.PrecisionTimesMean, a.Precision - b.Precision);
    }

    /// <summary>The power (natural parameters times <paramref name="power"/>).</summary>
    public static VectorGaussian operator ^(VectorGaussian a, double power) =>
        new(a.PrecisionTimesMean * power, a.Precision * power);

    /// <summary>A short description with the mean.</summary>
    public override string ToString() =>
        IsProper() ? $"VectorGaussian(dim {Dimension}, mean [{string.Join(", ", GetMean().Take(4).Select(v => v.ToString("G4")))}{(Dimension > 4 ? ", …" : "")}])"
                   : $"VectorGaussian(dim {Dimension}, improper)";

    static VectorGaussian IMessage<VectorGaussian>.UniformOf(int dimension) => Uniform(dimension);
    static void IMessage<VectorGaussian>.AppendSummary(VectorGaussian d, List<double> to)
    {
        to.AddRange(d.GetMean());
        to.AddRange(d.Precision.Diagonal());
    }
    static VarState<VectorGaussian> IMessage<VectorGaussian>.CreateState(RunState state, Graph.Node node, int dimension) =>
        new VectorGaussianVarState(state, node, dimension);
}
