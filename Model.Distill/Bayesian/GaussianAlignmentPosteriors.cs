using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Infer.Distributions;

namespace Probabilistic.Distill.Bayesian;

/// <summary>
/// A Gaussian N(m, Σ) over the parameter vector of a <see cref="NetworkStructure"/> with a full covariance
/// (small networks). The constructor checks the shapes, symmetry and positive definiteness (Cholesky).
/// </summary>
public sealed class FullGaussianPosterior
{
    /// <summary>Relative asymmetry tolerated in Σ (|Σ_ij − Σ_ji| ≤ tol·max|Σ|).</summary>
    public const double SymmetryTolerance = 1e-10;

    /// <summary>Creates and validates N(mean, covariance) over the parameters of <paramref name="structure"/>.</summary>
    public FullGaussianPosterior(NetworkStructure structure, Vector<double> mean, Matrix<double> covariance)
        : this(structure, mean, covariance, validate: true)
    {
    }

    internal FullGaussianPosterior(NetworkStructure structure, Vector<double> mean, Matrix<double> covariance, bool validate)
    {
        ArgumentNullException.ThrowIfNull(structure);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(covariance);
        int n = structure.ParameterCount;
        if (mean.Count != n)
            throw new ArgumentException($"FullGaussianPosterior: structure {structure} has {n} parameters but the mean has {mean.Count}.", nameof(mean));
        if (covariance.RowCount != n || covariance.ColumnCount != n)
            throw new ArgumentException($"FullGaussianPosterior: structure {structure} needs a {n}×{n} covariance, got {covariance.RowCount}×{covariance.ColumnCount}.", nameof(covariance));
        if (validate)
        {
            for (int i = 0; i < n; i++)
                if (!double.IsFinite(mean[i]))
                    throw new ArgumentException($"FullGaussianPosterior: mean[{i}] = {mean[i]} is not finite.", nameof(mean));
            double scale = covariance.Enumerate().Max(Math.Abs);
            if (!double.IsFinite(scale))
                throw new ArgumentException("FullGaussianPosterior: the covariance has non-finite entries.", nameof(covariance));
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++)
                    if (Math.Abs(covariance[i, j] - covariance[j, i]) > SymmetryTolerance * scale)
                        throw new ArgumentException($"FullGaussianPosterior: the covariance is not symmetric (Σ[{i},{j}] = {covariance[i, j]}, Σ[{j},{i}] = {covariance[j, i]}).", nameof(covariance));
            VectorGaussianConditioning.CholeskyOrThrow(covariance, "FullGaussianPosterior: the covariance");
        }
        Structure = structure;
        Mean = mean;
        Covariance = covariance;
    }

    /// <summary>The network the parameters belong to.</summary>
    public NetworkStructure Structure { get; }

    /// <summary>m (length N).</summary>
    public Vector<double> Mean { get; }

    /// <summary>Σ (N×N, symmetric positive definite).</summary>
    public Matrix<double> Covariance { get; }
}

/// <summary>
/// A <see cref="DiagonalGaussian"/> over the parameters of a <see cref="NetworkStructure"/> (the case of the authors'
/// code and of large networks): alignment then reduces to selecting coordinates.
/// </summary>
public sealed class DiagonalGaussianPosterior
{
    /// <summary>Labels <paramref name="distribution"/> with the structure its coordinates belong to (sizes checked).</summary>
    public DiagonalGaussianPosterior(NetworkStructure structure, DiagonalGaussian distribution)
    {
        ArgumentNullException.ThrowIfNull(structure);
        ArgumentNullException.ThrowIfNull(distribution);
        if (distribution.Dimension != structure.ParameterCount)
            throw new ArgumentException($"DiagonalGaussianPosterior: structure {structure} has {structure.ParameterCount} parameters, the distribution {distribution.Dimension}.");
        Structure = structure;
        Distribution = distribution;
    }

    /// <summary>N(mean, diag(variance)) over the parameters of <paramref name="structure"/> (validated by <see cref="DiagonalGaussian"/>).</summary>
    public DiagonalGaussianPosterior(NetworkStructure structure, IReadOnlyList<double> mean, IReadOnlyList<double> variance)
        : this(structure, DiagonalGaussian.FromMeanAndVariance(mean, variance))
    {
    }

    /// <summary>The network the parameters belong to.</summary>
    public NetworkStructure Structure { get; }

    /// <summary>The distribution of the parameter vector.</summary>
    public DiagonalGaussian Distribution { get; }

    /// <summary>m (length N).</summary>
    public IReadOnlyList<double> Mean => Distribution.Mean;

    /// <summary>diag(Σ) (length N, all &gt; 0).</summary>
    public IReadOnlyList<double> Variance => Distribution.Variance;
}

/// <summary>
/// A Gaussian N(m, Λ^{-1}) over the parameters of a <see cref="NetworkStructure"/> stored by its precision Λ: the
/// natural form of a Laplace posterior (Λ = GGN + prior precision), aligned by <see cref="JointAlignment"/> without
/// ever inverting the whole Λ. Λ is assumed symmetric positive definite; it is checked where it is factorised.
/// </summary>
public sealed class PrecisionGaussianPosterior
{
    /// <summary>N(mean, precision^{-1}) over the parameters of <paramref name="structure"/> (shapes checked).</summary>
    public PrecisionGaussianPosterior(NetworkStructure structure, Vector<double> mean, Matrix<double> precision)
    {
        ArgumentNullException.ThrowIfNull(structure);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(precision);
        int n = structure.ParameterCount;
        if (mean.Count != n || precision.RowCount != n || precision.ColumnCount != n)
            throw new ArgumentException($"PrecisionGaussianPosterior: structure {structure} has {n} parameters; mean has {mean.Count}, precision is {precision.RowCount}×{precision.ColumnCount}.");
        Structure = structure;
        Mean = mean;
        Precision = precision;
    }

    /// <summary>The network the parameters belong to.</summary>
    public NetworkStructure Structure { get; }

    /// <summary>m (length N).</summary>
    public Vector<double> Mean { get; }

    /// <summary>Λ = Σ^{-1} (N×N).</summary>
    public Matrix<double> Precision { get; }
}
