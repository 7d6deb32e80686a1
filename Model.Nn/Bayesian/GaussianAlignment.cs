using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace Probabilistic.Nn.Bayesian;

/// <summary>
/// Aligns a teacher's Gaussian parameter posterior to a smaller structure (methods.md §2.2–2.3):
/// <list type="bullet">
/// <item>Neuron removal (Theorem B1): condition the outgoing columns of U_{t+1} on 0, then marginalise the incoming
/// rows of U_t. The result has N − k(n_{t−1} + n_{t+1}) parameters for k removed neurons.</item>
/// <item>Layer removal (Theorem B2, corrected): condition vec(U_t) = vec(I):
/// mean m_υ + Σ_{υῡ} Σ_{ῡῡ}^{-1} (i − m_ῡ), covariance Σ_{υυ} − Σ_{υῡ} Σ_{ῡῡ}^{-1} Σ_{ῡυ}.</item>
/// </list>
/// Full covariances use Schur complements with a Cholesky factor of the conditioned block; diagonal covariances
/// reduce to slicing (the conditioned parameters are independent of the kept ones).
/// </summary>
public static class GaussianAlignment
{
    /// <summary>Theorem B1 on a full-covariance posterior; several neurons of one layer are removed jointly.</summary>
    public static FullGaussianPosterior RemoveNeurons(FullGaussianPosterior posterior, int layer, IReadOnlyCollection<int> neurons)
    {
        ArgumentNullException.ThrowIfNull(posterior);
        var structure = posterior.Structure;
        var partition = structure.NeuronRemovalPartition(layer, neurons);
        var (mean, cov) = Condition(posterior.Mean, posterior.Covariance, partition.Conditioned,
            new double[partition.Conditioned.Length], partition.Kept);
        return new FullGaussianPosterior(structure.WithoutNeurons(layer, neurons.Count), mean, cov, validate: false);
    }

    /// <summary>Theorem B2 (corrected) on a full-covariance posterior: condition U_t = I and drop it.</summary>
    public static FullGaussianPosterior RemoveLayer(FullGaussianPosterior posterior, int layer)
    {
        ArgumentNullException.ThrowIfNull(posterior);
        var structure = posterior.Structure;
        var partition = structure.LayerRemovalPartition(layer);
        var (mean, cov) = Condition(posterior.Mean, posterior.Covariance, partition.Conditioned,
            structure.IdentityLayerValues(layer), partition.Kept);
        return new FullGaussianPosterior(structure.WithoutLayer(layer), mean, cov, validate: false);
    }

    /// <summary>Theorem B1 with a diagonal covariance: keep the other parameters' means and variances.</summary>
    public static DiagonalGaussianPosterior RemoveNeurons(DiagonalGaussianPosterior posterior, int layer, IReadOnlyCollection<int> neurons)
    {
        ArgumentNullException.ThrowIfNull(posterior);
        var partition = posterior.Structure.NeuronRemovalPartition(layer, neurons);
        return Slice(posterior, posterior.Structure.WithoutNeurons(layer, neurons.Count), partition.Kept);
    }

    /// <summary>Theorem B2 with a diagonal covariance: Σ_{υῡ} = 0, so conditioning leaves the rest unchanged.</summary>
    public static DiagonalGaussianPosterior RemoveLayer(DiagonalGaussianPosterior posterior, int layer)
    {
        ArgumentNullException.ThrowIfNull(posterior);
        var partition = posterior.Structure.LayerRemovalPartition(layer);
        return Slice(posterior, posterior.Structure.WithoutLayer(layer), partition.Kept);
    }

    /// <summary>Applies a plan's steps in order (see <see cref="StructurePlanner"/>).</summary>
    public static FullGaussianPosterior Apply(FullGaussianPosterior posterior, IEnumerable<AlignmentStep> steps) =>
        ApplySteps(posterior, steps, RemoveNeurons, RemoveLayer);

    /// <summary>Applies a plan's steps in order to a diagonal posterior.</summary>
    public static DiagonalGaussianPosterior Apply(DiagonalGaussianPosterior posterior, IEnumerable<AlignmentStep> steps) =>
        ApplySteps(posterior, steps, RemoveNeurons, RemoveLayer);

    // One step loop for both covariance forms: only the two removals differ.
    private static T ApplySteps<T>(T posterior, IEnumerable<AlignmentStep> steps,
        Func<T, int, IReadOnlyCollection<int>, T> removeNeurons, Func<T, int, T> removeLayer)
    {
        ArgumentNullException.ThrowIfNull(steps);
        foreach (var step in steps)
            posterior = step switch
            {
                NeuronRemoval n => removeNeurons(posterior, n.Layer, n.Neurons),
                LayerRemoval l => removeLayer(posterior, l.Layer),
                _ => throw new ArgumentException($"GaussianAlignment.Apply: unknown step {step}.", nameof(steps)),
            };
        return posterior;
    }

    /// <summary>
    /// Gaussian conditioning by Schur complement, restricted to the kept indices (the others are marginalised):
    /// mean_k = m_k + Σ_{kc} Σ_{cc}^{-1} (values − m_c), cov_k = Σ_{kk} − Σ_{kc} Σ_{cc}^{-1} Σ_{ck}.
    /// </summary>
    public static (Vector<double> Mean, Matrix<double> Covariance) Condition(
        Vector<double> mean, Matrix<double> covariance, IReadOnlyList<int> conditioned, IReadOnlyList<double> values, IReadOnlyList<int> kept)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(covariance);
        if (conditioned.Count != values.Count)
            throw new ArgumentException($"GaussianAlignment.Condition: {conditioned.Count} conditioned indices but {values.Count} values.", nameof(values));
        int n = mean.Count;
        foreach (int i in conditioned.Concat(kept))
            if ((uint)i >= (uint)n)
                throw new ArgumentOutOfRangeException(nameof(kept), $"GaussianAlignment.Condition: index {i} outside 0..{n - 1}.");
        var sigmaCC = Block(covariance, conditioned, conditioned);
        var sigmaKC = Block(covariance, kept, conditioned);
        var sigmaKK = Block(covariance, kept, kept);
        var residual = Vector<double>.Build.Dense(conditioned.Count, i => values[i] - mean[conditioned[i]]);
        var meanK = Vector<double>.Build.Dense(kept.Count, i => mean[kept[i]]);
        if (conditioned.Count == 0) return (meanK, sigmaKK);
        var chol = CholeskyOrThrow(sigmaCC, "GaussianAlignment.Condition: the conditioned block Σ_cc");
        var gain = chol.Solve(sigmaKC.Transpose()); // Σ_cc^{-1} Σ_ck
        var newMean = meanK + gain.TransposeThisAndMultiply(residual);
        var newCov = sigmaKK - sigmaKC * gain;
        // Symmetrise away rounding so later Cholesky factorisations see an exactly symmetric matrix.
        newCov = (newCov + newCov.Transpose()) * 0.5;
        return (newMean, newCov);
    }

    internal static Cholesky<double> CholeskyOrThrow(Matrix<double> matrix, string what)
    {
        Cholesky<double> chol;
        try
        {
            chol = matrix.Cholesky();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{what} ({matrix.RowCount}×{matrix.ColumnCount}) is not symmetric positive definite: {e.Message}", e);
        }
        double det = chol.DeterminantLn;
        if (!double.IsFinite(det))
            throw new ArgumentException($"{what} ({matrix.RowCount}×{matrix.ColumnCount}) is not symmetric positive definite (log-determinant {det}).");
        return chol;
    }

    internal static Matrix<double> Block(Matrix<double> m, IReadOnlyList<int> rows, IReadOnlyList<int> cols) =>
        Matrix<double>.Build.Dense(rows.Count, cols.Count, (i, j) => m[rows[i], cols[j]]);

    private static DiagonalGaussianPosterior Slice(DiagonalGaussianPosterior p, NetworkStructure structure, int[] kept) =>
        new(structure, kept.Select(i => p.Mean[i]).ToArray(), kept.Select(i => p.Variance[i]).ToArray());
}
