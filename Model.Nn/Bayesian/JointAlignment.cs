using MathNet.Numerics.LinearAlgebra;

namespace Probabilistic.Nn.Bayesian;

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
/// Aligns a posterior through a whole plan at once (see <see cref="ComposedAlignment"/>). In precision form only the
/// blocks of the kept (K), marginalised (M) and conditioned (C) coordinates that the algebra needs are read:
/// given x_C = v the rest R = K ∪ M has precision Λ_RR and mean m_R + Λ_RR^{-1} b with b = −Λ_RC (v − m_C);
/// marginalising M leaves precision S = Λ_KK − Λ_KM Λ_MM^{-1} Λ_MK and mean m_K + S^{-1}(b_K − Λ_KM Λ_MM^{-1} b_M).
/// Cost: one Cholesky of Λ_MM and one of S (sizes |M| and |K|), never one of the whole Λ.
/// </summary>
public static class JointAlignment
{
    /// <summary>The aligned posterior N(mean, S^{-1}) of the student structure.</summary>
    public static FullGaussianPosterior Apply(PrecisionGaussianPosterior posterior, IEnumerable<AlignmentStep> steps)
    {
        ArgumentNullException.ThrowIfNull(posterior);
        var plan = ComposedAlignment.Compose(posterior.Structure, steps);
        var (mean, precision) = Condition(posterior.Mean, posterior.Precision, plan.Conditioned, plan.Values, plan.Marginalised, plan.Kept);
        var chol = GaussianAlignment.CholeskyOrThrow(precision, "JointAlignment: the aligned precision");
        var covariance = chol.Solve(Matrix<double>.Build.DenseIdentity(precision.RowCount));
        covariance = 0.5 * (covariance + covariance.Transpose());
        return new FullGaussianPosterior(plan.Target, mean, covariance, validate: false);
    }

    /// <summary>The covariance-form route for checking: one Schur complement on all conditioned coordinates at once.</summary>
    public static FullGaussianPosterior Apply(FullGaussianPosterior posterior, IEnumerable<AlignmentStep> steps)
    {
        ArgumentNullException.ThrowIfNull(posterior);
        var plan = ComposedAlignment.Compose(posterior.Structure, steps);
        var (mean, covariance) = GaussianAlignment.Condition(posterior.Mean, posterior.Covariance, plan.Conditioned, plan.Values, plan.Kept);
        return new FullGaussianPosterior(plan.Target, mean, covariance, validate: false);
    }

    /// <summary>
    /// Precision-form conditioning of x_C = v and marginalisation of M; returns the mean and PRECISION of x_K.
    /// </summary>
    public static (Vector<double> Mean, Matrix<double> Precision) Condition(Vector<double> mean, Matrix<double> precision,
        IReadOnlyList<int> conditioned, IReadOnlyList<double> values, IReadOnlyList<int> marginalised, IReadOnlyList<int> kept)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(precision);
        int n = mean.Count;
        if (precision.RowCount != n || precision.ColumnCount != n)
            throw new ArgumentException($"JointAlignment.Condition: mean has {n} entries, precision is {precision.RowCount}×{precision.ColumnCount}.");
        if (conditioned.Count != values.Count)
            throw new ArgumentException($"JointAlignment.Condition: {conditioned.Count} conditioned indices but {values.Count} values.", nameof(values));
        var role = new byte[n];
        foreach (var (set, mark) in new[] { (conditioned, (byte)1), (marginalised, (byte)2), (kept, (byte)3) })
            foreach (int i in set)
            {
                if ((uint)i >= (uint)n)
                    throw new ArgumentOutOfRangeException(nameof(kept), $"JointAlignment.Condition: index {i} outside 0..{n - 1}.");
                if (role[i] != 0)
                    throw new ArgumentException($"JointAlignment.Condition: index {i} is in two of the conditioned, marginalised and kept sets.");
                role[i] = mark;
            }

        // b_r = −Σ_c Λ_rc (v_c − m_c): with a dense residual that is zero off C, one dot product per row r.
        var residual = new double[n];
        for (int k = 0; k < conditioned.Count; k++) residual[conditioned[k]] = values[k] - mean[conditioned[k]];
        Vector<double> B(IReadOnlyList<int> rows) => Vector<double>.Build.Dense(rows.Count, i => -RowDot(precision, rows[i], residual));

        var lambdaKK = GaussianAlignment.Block(precision, kept, kept);
        var bK = B(kept);
        if (marginalised.Count > 0)
        {
            var lambdaMM = GaussianAlignment.Block(precision, marginalised, marginalised);
            var lambdaMK = GaussianAlignment.Block(precision, marginalised, kept);
            var bM = B(marginalised);
            var cholM = GaussianAlignment.CholeskyOrThrow(lambdaMM, "JointAlignment: the marginalised block Λ_MM");
            var solved = cholM.Solve(lambdaMK.Append(bM.ToColumnMatrix())); // Λ_MM^{-1} [Λ_MK | b_M]
            var gain = lambdaMK.TransposeThisAndMultiply(solved);               // Λ_KM Λ_MM^{-1} [Λ_MK | b_M]
            lambdaKK -= gain.SubMatrix(0, kept.Count, 0, kept.Count);
            bK -= gain.Column(kept.Count);
        }
        lambdaKK = 0.5 * (lambdaKK + lambdaKK.Transpose());
        var cholK = GaussianAlignment.CholeskyOrThrow(lambdaKK, "JointAlignment: the aligned precision S");
        var meanK = Vector<double>.Build.Dense(kept.Count, i => mean[kept[i]]) + cholK.Solve(bK);
        return (meanK, lambdaKK);
    }

    // Row r of a symmetric matrix = its column r, contiguous in MathNet's column-major dense storage.
    private static double RowDot(Matrix<double> symmetric, int r, double[] x)
    {
        if (symmetric.Storage is MathNet.Numerics.LinearAlgebra.Storage.DenseColumnMajorMatrixStorage<double> dense)
            return System.Numerics.Tensors.TensorPrimitives.Dot<double>(dense.Data.AsSpan(r * dense.RowCount, dense.RowCount), x);
        double sum = 0;
        for (int c = 0; c < x.Length; c++) sum += symmetric[c, r] * x[c];
        return sum;
    }
}
