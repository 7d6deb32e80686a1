using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Infer.Distributions;

namespace Probabilistic.Distill.Bayesian;

/// <summary>
/// Aligns a teacher's Gaussian parameter posterior to a smaller structure (methods.md §2.2–2.3):
/// <list type="bullet">
/// <item>Neuron removal (Theorem B1): condition the outgoing columns of U_{t+1} on 0, then marginalise the incoming
/// rows of U_t. The result has N − k(n_{t−1} + n_{t+1}) parameters for k removed neurons.</item>
/// <item>Layer removal (Theorem B2, corrected): condition vec(U_t) = vec(I):
/// mean m_υ + Σ_{υῡ} Σ_{ῡῡ}^{-1} (i − m_ῡ), covariance Σ_{υυ} − Σ_{υῡ} Σ_{ῡῡ}^{-1} Σ_{ῡυ}.</item>
/// </list>
/// The Gaussian algebra is Model.Infer's (<see cref="VectorGaussianConditioning"/> for full covariances, Schur
/// complements with a Cholesky factor of the conditioned block; <see cref="DiagonalGaussian.Select"/> for diagonal
/// ones, where the conditioned parameters are independent of the kept ones); this class only says which parameters
/// each step conditions, on what, and which it keeps.
/// </summary>
public static class GaussianAlignment
{
    /// <summary>Theorem B1 on a full-covariance posterior; several neurons of one layer are removed jointly.</summary>
    public static FullGaussianPosterior RemoveNeurons(FullGaussianPosterior posterior, int layer, IReadOnlyCollection<int> neurons)
    {
        ArgumentNullException.ThrowIfNull(posterior);
        var structure = posterior.Structure;
        var partition = structure.NeuronRemovalPartition(layer, neurons);
        var (mean, cov) = VectorGaussianConditioning.ConditionMoments(posterior.Mean, posterior.Covariance, partition.Conditioned,
            new double[partition.Conditioned.Length], partition.Kept);
        return new FullGaussianPosterior(structure.WithoutNeurons(layer, neurons.Count), mean, cov, validate: false);
    }

    /// <summary>Theorem B2 (corrected) on a full-covariance posterior: condition U_t = I and drop it.</summary>
    public static FullGaussianPosterior RemoveLayer(FullGaussianPosterior posterior, int layer)
    {
        ArgumentNullException.ThrowIfNull(posterior);
        var structure = posterior.Structure;
        var partition = structure.LayerRemovalPartition(layer);
        var (mean, cov) = VectorGaussianConditioning.ConditionMoments(posterior.Mean, posterior.Covariance, partition.Conditioned,
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

    // Independent coordinates: conditioning and marginalising both keep the other coordinates' moments.
    private static DiagonalGaussianPosterior Slice(DiagonalGaussianPosterior p, NetworkStructure structure, int[] kept) =>
        new(structure, p.Distribution.Select(kept));
}
