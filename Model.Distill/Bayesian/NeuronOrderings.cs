using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;

namespace Probabilistic.Distill.Bayesian;

/// <summary>
/// An ordering on the teacher's parameters (methods.md §2.4) that decides which neurons an alignment step removes.
/// A neuron's relevance is the sum of its parameters' relevances over its row of U_t and its column of U_{t+1}
/// (the spec's recommendation); the least relevant neurons are removed first. Relevances computed on the teacher are
/// carried through the steps by slicing them exactly like the posterior.
/// </summary>
public abstract class NeuronOrdering
{
    /// <summary>Short name for tables ("random", "obd", "density-ratio", "belsley").</summary>
    public abstract string Name { get; }

    /// <summary>Per-parameter relevance (higher = keep) in the current structure, given the current posterior's
    /// means and marginal variances.</summary>
    protected abstract double[] Relevance(NetworkStructure current, IReadOnlyList<double> mean, IReadOnlyList<double> variance);

    /// <summary>Whether <see cref="Relevance"/> reads the current posterior's means and variances (then the plan
    /// cannot be fixed before aligning, and the joint precision-form alignment does not apply).</summary>
    public virtual bool UsesPosteriorMoments => false;

    /// <summary>Called after each step with the kept parameter indices, so teacher-level scores follow the structure.</summary>
    protected virtual void Keep(int[] kept) { }

    /// <summary>The <paramref name="count"/> least relevant neurons of hidden layer <paramref name="layer"/>, ascending.</summary>
    public int[] Choose(NetworkStructure current, int layer, int count, IReadOnlyList<double> mean, IReadOnlyList<double> variance)
    {
        double[] relevance = Relevance(current, mean, variance);
        if (relevance.Length != current.ParameterCount)
            throw new InvalidOperationException($"{Name} ordering: {relevance.Length} relevances for {current} with {current.ParameterCount} parameters.");
        int width = current.Widths[layer], fanIn = current.Widths[layer - 1], fanOut = current.Widths[layer + 1];
        var score = new double[width];
        for (int j = 0; j < width; j++)
        {
            for (int i = 0; i < fanIn; i++) score[j] += relevance[current.ParameterIndex(layer, j, i)];
            for (int r = 0; r < fanOut; r++) score[j] += relevance[current.ParameterIndex(layer + 1, r, j)];
        }
        // Stable: ties keep the lower index first.
        int[] chosen = Enumerable.Range(0, width).OrderBy(j => score[j]).ThenBy(j => j).Take(count).ToArray();
        Array.Sort(chosen);
        return chosen;
    }

    internal void AfterStep(int[] kept) => Keep(kept);

    /// <summary>Uniformly random neurons, the only ordering of the authors' experiments.</summary>
    public static NeuronOrdering Random(Rng rng) => new RandomOrdering(rng);

    /// <summary>Optimal brain damage: saliency h_jj u_j² / 2 with h the diagonal of the training-loss (GGN) Hessian.</summary>
    public static NeuronOrdering OptimalBrainDamage(IReadOnlyList<double> hessianDiagonal, IReadOnlyList<double> teacherMean)
    {
        if (hessianDiagonal.Count != teacherMean.Count)
            throw new ArgumentException($"OptimalBrainDamage: {hessianDiagonal.Count} Hessian entries for {teacherMean.Count} parameters.");
        return new ParameterRelevanceOrdering("obd", hessianDiagonal.Select((h, i) => 0.5 * h * teacherMean[i] * teacherMean[i]).ToArray());
    }

    /// <summary>Posterior density ratio (Graves 2011): relevance |μ_j|/σ_j of the current aligned posterior.</summary>
    public static NeuronOrdering DensityRatio() => new DensityRatioOrdering();

    /// <summary>
    /// Belsley (thesis ch. 5) on the parameter covariance Σ = Λ^{-1}, given the precision Λ: the most ill-conditioned
    /// component ξ is Σ's smallest eigenvalue = Λ's largest, with the same eigenvector u; the variance-decomposition
    /// proportion of parameter i on it is q_iξ = (u_i²/λ_ξ(Σ)) / Σ_j u_ij²/λ_j(Σ) = u_i² λ_max(Λ) / Λ_ii.
    /// The least relevant parameter is argmax q, so relevance = −q. Only this one eigenpair is needed (see
    /// <see cref="BelsleyComponent"/>), not a full eigendecomposition of Σ.
    /// </summary>
    public static BelsleyOrdering Belsley(Matrix<double> precision, int iterations = 5000)
    {
        var top = BelsleyComponent(precision, iterations);
        int n = precision.RowCount;
        var relevance = new double[n];
        for (int i = 0; i < n; i++) relevance[i] = -top.Vector[i] * top.Vector[i] * top.Value / precision[i, i];
        return new BelsleyOrdering(relevance, top);
    }

    /// <summary>The top eigenpair of a symmetric positive definite Λ, its relative residual ‖Λu − λu‖/λ and the
    /// power iterations it took.</summary>
    public sealed record Eigenpair(double Value, double[] Vector, double Residual, int Iterations);

    /// <summary>
    /// Λ's largest eigenpair by power iteration (stops when the relative residual is below
    /// <paramref name="tolerance"/> or after <paramref name="iterations"/> products). Λ is read as columns (symmetric),
    /// one SIMD dot product per entry of the product.
    /// </summary>
    public static Eigenpair BelsleyComponent(Matrix<double> precision, int iterations = 5000, double tolerance = 1e-9)
    {
        ArgumentNullException.ThrowIfNull(precision);
        int n = precision.RowCount;
        double[] data = precision.Storage is MathNet.Numerics.LinearAlgebra.Storage.DenseColumnMajorMatrixStorage<double> dense
            ? dense.Data : precision.ToColumnMajorArray();
        var v = new double[n];
        var w = new double[n];
        for (int i = 0; i < n; i++) v[i] = 1.0 + 0.001 * (i % 7); // not orthogonal to the top eigenvector generically
        Normalise(v);
        double lambda = 0, residual = double.PositiveInfinity;
        int k = 0;
        while (k < iterations && residual > tolerance)
        {
            k++;
            Parallel.For(0, n, i => w[i] = System.Numerics.Tensors.TensorPrimitives.Dot<double>(data.AsSpan(i * n, n), v));
            lambda = System.Numerics.Tensors.TensorPrimitives.Dot<double>(v, w);
            double r2 = 0;
            for (int i = 0; i < n; i++) r2 += (w[i] - lambda * v[i]) * (w[i] - lambda * v[i]);
            residual = Math.Sqrt(r2) / lambda;
            (v, w) = (w, v);
            Normalise(v);
        }
        return new Eigenpair(lambda, v, residual, k);
    }

    private static void Normalise(double[] v)
    {
        double norm = System.Numerics.Tensors.TensorPrimitives.Norm<double>(v);
        System.Numerics.Tensors.TensorPrimitives.Divide(v, norm, v);
    }

    private sealed class RandomOrdering(Rng rng) : NeuronOrdering
    {
        public override string Name => "random";

        protected override double[] Relevance(NetworkStructure current, IReadOnlyList<double> mean, IReadOnlyList<double> variance)
        {
            var r = new double[current.ParameterCount];
            for (int i = 0; i < r.Length; i++) r[i] = rng.NextDouble();
            return r;
        }
    }

    private sealed class DensityRatioOrdering : NeuronOrdering
    {
        public override string Name => "density-ratio";

        public override bool UsesPosteriorMoments => true;

        protected override double[] Relevance(NetworkStructure current, IReadOnlyList<double> mean, IReadOnlyList<double> variance) =>
            Enumerable.Range(0, mean.Count).Select(i => Math.Abs(mean[i]) / Math.Sqrt(variance[i])).ToArray();
    }

}

/// <summary>An ordering by fixed per-parameter relevances computed on the teacher, sliced along with the steps.</summary>
public class ParameterRelevanceOrdering(string name, double[] relevance) : NeuronOrdering
{
    private double[] _relevance = relevance;

    /// <inheritdoc />
    public override string Name => name;

    /// <inheritdoc />
    protected override double[] Relevance(NetworkStructure current, IReadOnlyList<double> mean, IReadOnlyList<double> variance) => _relevance;

    /// <inheritdoc />
    protected override void Keep(int[] kept) => _relevance = kept.Select(i => _relevance[i]).ToArray();
}

/// <summary>The Belsley ordering, with the eigenpair it was computed from (for reporting its convergence).</summary>
public sealed class BelsleyOrdering(double[] relevance, NeuronOrdering.Eigenpair component) : ParameterRelevanceOrdering("belsley", relevance)
{
    /// <summary>Λ's top eigenpair (= Σ's most ill-conditioned component ξ).</summary>
    public NeuronOrdering.Eigenpair Component { get; } = component;
}

/// <summary>
/// Runs the alignment steps of a plan with the neurons of each removal chosen by a <see cref="NeuronOrdering"/> on the
/// current posterior. Only the step skeleton (which layer loses how many neurons, which layer is removed) comes from
/// the plan; the Gaussian algebra is <see cref="GaussianAlignment"/>'s.
/// </summary>
public static class OrderedAlignment
{
    /// <summary>Aligns a full-covariance posterior; returns it and the executed steps.</summary>
    public static (FullGaussianPosterior Posterior, IReadOnlyList<AlignmentStep> Steps) Align(FullGaussianPosterior posterior, IEnumerable<AlignmentStep> skeleton, NeuronOrdering ordering)
    {
        var executed = new List<AlignmentStep>();
        foreach (var template in skeleton)
        {
            var variance = Enumerable.Range(0, posterior.Mean.Count).Select(i => posterior.Covariance[i, i]).ToArray();
            var step = Concretise(template, posterior.Structure, ordering, posterior.Mean.ToArray(), variance);
            int[] kept = KeptIndices(posterior.Structure, step);
            posterior = GaussianAlignment.Apply(posterior, [step]);
            ordering.AfterStep(kept);
            executed.Add(step);
        }
        return (posterior, executed);
    }

    /// <summary>
    /// Aligns a precision-form posterior: the ordering fixes every step's neurons first (it must not read the
    /// posterior's moments), then <see cref="JointAlignment"/> aligns through the whole plan at once.
    /// </summary>
    public static (FullGaussianPosterior Posterior, IReadOnlyList<AlignmentStep> Steps) Align(PrecisionGaussianPosterior posterior, IEnumerable<AlignmentStep> skeleton, NeuronOrdering ordering)
    {
        ArgumentNullException.ThrowIfNull(posterior);
        if (ordering.UsesPosteriorMoments)
            throw new NotSupportedException($"OrderedAlignment: the {ordering.Name} ordering reads the intermediate posteriors' moments, which the joint " +
                "precision-form alignment never forms; use it with a diagonal or covariance-form posterior.");
        var executed = new List<AlignmentStep>();
        var structure = posterior.Structure;
        foreach (var template in skeleton)
        {
            var step = Concretise(template, structure, ordering, [], []);
            ordering.AfterStep(KeptIndices(structure, step));
            structure = step.ApplyTo(structure);
            executed.Add(step);
        }
        return (JointAlignment.Apply(posterior, executed), executed);
    }

    /// <summary>Aligns a diagonal posterior; returns it and the executed steps.</summary>
    public static (DiagonalGaussianPosterior Posterior, IReadOnlyList<AlignmentStep> Steps) Align(DiagonalGaussianPosterior posterior, IEnumerable<AlignmentStep> skeleton, NeuronOrdering ordering)
    {
        var executed = new List<AlignmentStep>();
        foreach (var template in skeleton)
        {
            var step = Concretise(template, posterior.Structure, ordering, posterior.Mean, posterior.Variance);
            int[] kept = KeptIndices(posterior.Structure, step);
            posterior = GaussianAlignment.Apply(posterior, [step]);
            ordering.AfterStep(kept);
            executed.Add(step);
        }
        return (posterior, executed);
    }

    /// <summary>Parameter indices (in the structure before the step) that survive it, in the new vectorisation order.</summary>
    public static int[] KeptIndices(NetworkStructure structure, AlignmentStep step) => step switch
    {
        NeuronRemoval n => structure.NeuronRemovalPartition(n.Layer, n.Neurons).Kept,
        LayerRemoval l => structure.LayerRemovalPartition(l.Layer).Kept,
        _ => throw new ArgumentException($"OrderedAlignment: unknown step {step}."),
    };

    private static AlignmentStep Concretise(AlignmentStep template, NetworkStructure current, NeuronOrdering ordering, IReadOnlyList<double> mean, IReadOnlyList<double> variance) =>
        template is NeuronRemoval n
            ? new NeuronRemoval(n.Layer, ordering.Choose(current, n.Layer, n.Neurons.Length, mean, variance))
            : template;
}
