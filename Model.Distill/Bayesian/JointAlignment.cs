using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Infer.Distributions;

namespace Probabilistic.Distill.Bayesian;

/// <summary>
/// A sequence of alignment steps expressed on the ORIGINAL parameter indices: every step conditions some parameters
/// (removed neurons' outgoing columns on 0, a removed layer on vec(I)) and marginalises others (removed neurons'
/// incoming rows). Conditioning and marginalising disjoint sets commute, so the whole sequence equals one joint
/// conditioning on all conditioned parameters followed by one marginalisation (methods.md §2.2: several removals at
/// once equal one by one).
/// </summary>
/// <param name="Target">The structure after all steps.</param>
/// <param name="Conditioned">Original indices that are conditioned.</param>
/// <param name="Values">The value each conditioned parameter is conditioned on.</param>
/// <param name="Marginalised">Original indices that are integrated out.</param>
/// <param name="Kept">Original index of each parameter of <paramref name="Target"/>, in its vectorisation order.</param>
public sealed record ComposedAlignment(NetworkStructure Target, int[] Conditioned, double[] Values, int[] Marginalised, int[] Kept)
{
    /// <summary>Follows the steps from <paramref name="structure"/>, mapping each step's partition back to original indices.</summary>
    public static ComposedAlignment Compose(NetworkStructure structure, IEnumerable<AlignmentStep> steps)
    {
        ArgumentNullException.ThrowIfNull(structure);
        ArgumentNullException.ThrowIfNull(steps);
        int[] origin = Enumerable.Range(0, structure.ParameterCount).ToArray();
        var conditioned = new List<int>();
        var values = new List<double>();
        var marginalised = new List<int>();
        var current = structure;
        foreach (var step in steps)
        {
            var (partition, stepValues) = step switch
            {
                NeuronRemoval n => (current.NeuronRemovalPartition(n.Layer, n.Neurons), null),
                LayerRemoval l => (current.LayerRemovalPartition(l.Layer), current.IdentityLayerValues(l.Layer)),
                _ => throw new ArgumentException($"ComposedAlignment: unknown step {step}.", nameof(steps)),
            };
            conditioned.AddRange(partition.Conditioned.Select(i => origin[i]));
            values.AddRange(stepValues ?? new double[partition.Conditioned.Length]);
            marginalised.AddRange(partition.Marginalised.Select(i => origin[i]));
            origin = partition.Kept.Select(i => origin[i]).ToArray();
            current = step.ApplyTo(current);
        }
        return new ComposedAlignment(current, conditioned.ToArray(), values.ToArray(), marginalised.ToArray(), origin);
    }
}

/// <summary>
/// Aligns a posterior through a whole plan at once (see <see cref="ComposedAlignment"/>): one conditioning on every
/// conditioned parameter and one marginalisation, by Model.Infer's
/// <see cref="VectorGaussianConditioning.ConditionAndMarginaliseInPrecisionForm"/> in precision form (one Cholesky of
/// Λ_MM and one of the Schur complement S, sizes |M| and |K|, never one of the whole Λ).
/// </summary>
public static class JointAlignment
{
    /// <summary>The aligned posterior N(mean, S^{-1}) of the student structure.</summary>
    public static FullGaussianPosterior Apply(PrecisionGaussianPosterior posterior, IEnumerable<AlignmentStep> steps)
    {
        ArgumentNullException.ThrowIfNull(posterior);
        var plan = ComposedAlignment.Compose(posterior.Structure, steps);
        var (mean, precision) = VectorGaussianConditioning.ConditionAndMarginaliseInPrecisionForm(posterior.Mean, posterior.Precision,
            plan.Conditioned, plan.Values, plan.Marginalised, plan.Kept);
        var chol = VectorGaussianConditioning.CholeskyOrThrow(precision, "JointAlignment: the aligned precision");
        var covariance = chol.Solve(Matrix<double>.Build.DenseIdentity(precision.RowCount));
        covariance = 0.5 * (covariance + covariance.Transpose());
        return new FullGaussianPosterior(plan.Target, mean, covariance, validate: false);
    }

    /// <summary>The covariance-form route for checking: one Schur complement on all conditioned coordinates at once.</summary>
    public static FullGaussianPosterior Apply(FullGaussianPosterior posterior, IEnumerable<AlignmentStep> steps)
    {
        ArgumentNullException.ThrowIfNull(posterior);
        var plan = ComposedAlignment.Compose(posterior.Structure, steps);
        var (mean, covariance) = VectorGaussianConditioning.ConditionMoments(posterior.Mean, posterior.Covariance, plan.Conditioned, plan.Values, plan.Kept);
        return new FullGaussianPosterior(plan.Target, mean, covariance, validate: false);
    }
}
