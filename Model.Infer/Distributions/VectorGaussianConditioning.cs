using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace Probabilistic.Infer.Distributions;

/// <summary>
/// Conditioning a multivariate Gaussian on some coordinates having fixed values, and marginalising others, in its
/// three parameterisations:
/// <list type="bullet">
/// <item>moment form (m, Σ): given x_C = v, the kept coordinates K have mean m_K + Σ_KC Σ_CC^{-1} (v − m_C) and
/// covariance Σ_KK − Σ_KC Σ_CC^{-1} Σ_CK (Schur complement of Σ_CC); marginalising is taking the K block;</item>
/// <item>precision form (m, Λ): given x_C = v the rest R keeps the precision Λ_RR and has mean m_R + Λ_RR^{-1} b with
/// b = −Λ_RC (v − m_C); marginalising M leaves the precision S = Λ_KK − Λ_KM Λ_MM^{-1} Λ_MK (Schur complement of
/// Λ_MM) and the mean m_K + S^{-1} (b_K − Λ_KM Λ_MM^{-1} b_M);</item>
/// <item>natural form (<see cref="VectorGaussian"/>: h = Λm, Λ): conditioning gives h_R − Λ_RC v and Λ_RR;
/// marginalising gives h_K − Λ_KM Λ_MM^{-1} h_M and S.</item>
/// </list>
/// The precision and natural forms factorise only Λ_MM (and S, for the mean), never the whole Λ: the route for
/// large precisions (a Laplace posterior over thousands of weights). Index lists name coordinates of the input; the
/// conditioned, marginalised and kept sets must be disjoint, and results are over the kept coordinates in the order
/// given.
/// </summary>
public static class VectorGaussianConditioning
{
    /// <summary>
    /// Moment form: the mean and covariance of x_K given x_C = <paramref name="values"/> (coordinates in neither set
    /// are marginalised).
    /// </summary>
    public static (Vector<double> Mean, Matrix<double> Covariance) ConditionMoments(Vector<double> mean, Matrix<double> covariance,
        IReadOnlyList<int> conditioned, IReadOnlyList<double> values, IReadOnlyList<int> kept)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(covariance);
        CheckSquare(mean, covariance, "ConditionMoments", "covariance");
        CheckValues(conditioned, values, "ConditionMoments");
        CheckRoles(mean.Count, conditioned, [], kept, "ConditionMoments");
        var sigmaKK = Block(covariance, kept, kept);
        var meanK = Vector<double>.Build.Dense(kept.Count, i => mean[kept[i]]);
        if (conditioned.Count == 0) return (meanK, sigmaKK);
        var sigmaCC = Block(covariance, conditioned, conditioned);
        var sigmaKC = Block(covariance, kept, conditioned);
        var residual = Vector<double>.Build.Dense(conditioned.Count, i => values[i] - mean[conditioned[i]]);
        var chol = CholeskyOrThrow(sigmaCC, "VectorGaussianConditioning.ConditionMoments: the conditioned block Σ_CC");
        var gain = chol.Solve(sigmaKC.Transpose()); // Σ_CC^{-1} Σ_CK
        var newMean = meanK + gain.TransposeThisAndMultiply(residual);
        var newCov = sigmaKK - sigmaKC * gain;
        // Symmetrise away rounding so later Cholesky factorisations see an exactly symmetric matrix.
        return (newMean, (newCov + newCov.Transpose()) * 0.5);
    }

    /// <summary>Moment form: the marginal mean and covariance of x_K (the K entries and block).</summary>
    public static (Vector<double> Mean, Matrix<double> Covariance) MarginalMoments(Vector<double> mean, Matrix<double> covariance, IReadOnlyList<int> kept)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(covariance);
        CheckSquare(mean, covariance, "MarginalMoments", "covariance");
        CheckRoles(mean.Count, [], [], kept, "MarginalMoments");
        return (Vector<double>.Build.Dense(kept.Count, i => mean[kept[i]]), Block(covariance, kept, kept));
    }

    /// <summary>
    /// Precision form: conditions x_C = <paramref name="values"/>, marginalises x_M and returns the mean and PRECISION
    /// of x_K. Coordinates in none of the three sets are an error (say what happens to each).
    /// </summary>
    public static (Vector<double> Mean, Matrix<double> Precision) ConditionAndMarginaliseInPrecisionForm(Vector<double> mean, Matrix<double> precision,
        IReadOnlyList<int> conditioned, IReadOnlyList<double> values, IReadOnlyList<int> marginalised, IReadOnlyList<int> kept)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(precision);
        CheckSquare(mean, precision, "ConditionAndMarginaliseInPrecisionForm", "precision");
        CheckValues(conditioned, values, "ConditionAndMarginaliseInPrecisionForm");
        CheckPartition(mean.Count, conditioned, marginalised, kept, "ConditionAndMarginaliseInPrecisionForm");

        // b_r = −Σ_c Λ_rc (v_c − m_c): with a dense residual that is zero off C, one dot product per row r.
        var residual = new double[mean.Count];
        for (int k = 0; k < conditioned.Count; k++) residual[conditioned[k]] = values[k] - mean[conditioned[k]];
        var (lambdaKK, bK) = MarginaliseNatural(precision, kept, marginalised, rows => Vector<double>.Build.Dense(rows.Count, i => -RowDot(precision, rows[i], residual)),
            "ConditionAndMarginaliseInPrecisionForm");
        var cholK = CholeskyOrThrow(lambdaKK, "VectorGaussianConditioning.ConditionAndMarginaliseInPrecisionForm: the kept precision S");
        var meanK = Vector<double>.Build.Dense(kept.Count, i => mean[kept[i]]) + cholK.Solve(bK);
        return (meanK, lambdaKK);
    }

    /// <summary>
    /// Natural form: the Gaussian of x_K given x_C = <paramref name="values"/>, with x_M integrated out; every
    /// coordinate must be in exactly one of the three sets. Factorises Λ_MM only (the result's moments factorise
    /// its own precision when asked for).
    /// </summary>
    public static VectorGaussian ConditionAndMarginalise(this VectorGaussian gaussian, IReadOnlyList<int> conditioned, IReadOnlyList<double> values,
        IReadOnlyList<int> marginalised, IReadOnlyList<int> kept)
    {
        ArgumentNullException.ThrowIfNull(gaussian);
        CheckValues(conditioned, values, "ConditionAndMarginalise");
        CheckPartition(gaussian.Dimension, conditioned, marginalised, kept, "ConditionAndMarginalise");
        var p = gaussian.Precision;
        var h = gaussian.PrecisionTimesMean;
        var fixedValues = new double[gaussian.Dimension];
        for (int k = 0; k < conditioned.Count; k++) fixedValues[conditioned[k]] = values[k];
        // h_r − Σ_c Λ_rc v_c for the remaining rows r.
        var (precisionK, hK) = MarginaliseNatural(p, kept, marginalised,
            rows => Vector<double>.Build.Dense(rows.Count, i => h[rows[i]] - (conditioned.Count == 0 ? 0 : RowDot(p, rows[i], fixedValues))),
            "ConditionAndMarginalise");
        return VectorGaussian.FromNaturalNoCopy(hK, precisionK);
    }

    /// <summary>Natural form: the Gaussian of the other coordinates given x_C = <paramref name="values"/> (ascending order).</summary>
    public static VectorGaussian Condition(this VectorGaussian gaussian, IReadOnlyList<int> conditioned, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(gaussian);
        ArgumentNullException.ThrowIfNull(conditioned);
        return gaussian.ConditionAndMarginalise(conditioned, values, [], Complement(gaussian.Dimension, conditioned, "Condition"));
    }

    /// <summary>Natural form: the marginal Gaussian of x_K (Schur complement of the other coordinates' precision block).</summary>
    public static VectorGaussian Marginal(this VectorGaussian gaussian, IReadOnlyList<int> kept)
    {
        ArgumentNullException.ThrowIfNull(gaussian);
        ArgumentNullException.ThrowIfNull(kept);
        return gaussian.ConditionAndMarginalise([], [], Complement(gaussian.Dimension, kept, "Marginal"), kept);
    }

    /// <summary>The sub-matrix of <paramref name="rows"/> × <paramref name="columns"/> (a new dense matrix).</summary>
    public static Matrix<double> Block(Matrix<double> matrix, IReadOnlyList<int> rows, IReadOnlyList<int> columns)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return Matrix<double>.Build.Dense(rows.Count, columns.Count, (i, j) => matrix[rows[i], columns[j]]);
    }

    /// <summary>The Cholesky factor of a symmetric positive definite <paramref name="matrix"/>; otherwise an
    /// <see cref="ArgumentException"/> naming <paramref name="what"/> and its size.</summary>
    public static Cholesky<double> CholeskyOrThrow(Matrix<double> matrix, string what)
    {
        ArgumentNullException.ThrowIfNull(matrix);
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

    // Schur complement of the M block: S = Λ_KK − Λ_KM Λ_MM^{-1} Λ_MK and g_K − Λ_KM Λ_MM^{-1} g_M for the linear term g
    // (b in precision form, h in natural form); S is symmetrised.
    private static (Matrix<double> Precision, Vector<double> Linear) MarginaliseNatural(Matrix<double> precision, IReadOnlyList<int> kept,
        IReadOnlyList<int> marginalised, Func<IReadOnlyList<int>, Vector<double>> linear, string operation)
    {
        var lambdaKK = Block(precision, kept, kept);
        var gK = linear(kept);
        if (marginalised.Count > 0)
        {
            var lambdaMM = Block(precision, marginalised, marginalised);
            var lambdaMK = Block(precision, marginalised, kept);
            var gM = linear(marginalised);
            var cholM = CholeskyOrThrow(lambdaMM, $"VectorGaussianConditioning.{operation}: the marginalised block Λ_MM");
            var solved = cholM.Solve(lambdaMK.Append(gM.ToColumnMatrix())); // Λ_MM^{-1} [Λ_MK | g_M]
            var gain = lambdaMK.TransposeThisAndMultiply(solved);           // Λ_KM Λ_MM^{-1} [Λ_MK | g_M]
            lambdaKK -= gain.SubMatrix(0, kept.Count, 0, kept.Count);
            gK -= gain.Column(kept.Count);
        }
        return (0.5 * (lambdaKK + lambdaKK.Transpose()), gK);
    }

    // Row r of a symmetric matrix = its column r, contiguous in MathNet's column-major dense storage.
    private static double RowDot(Matrix<double> symmetric, int r, double[] x)
    {
        if (symmetric.Storage is MathNet.Numerics.LinearAlgebra.Storage.DenseColumnMajorMatrixStorage<double> dense)
            return Numerics.DenseKernels.Dot(dense.Data.AsSpan(r * dense.RowCount, dense.RowCount), x);
        double sum = 0;
        for (int c = 0; c < x.Length; c++) sum += symmetric[c, r] * x[c];
        return sum;
    }

    private static void CheckSquare(Vector<double> mean, Matrix<double> matrix, string operation, string what)
    {
        if (matrix.RowCount != mean.Count || matrix.ColumnCount != mean.Count)
            throw new ArgumentException($"VectorGaussianConditioning.{operation}: the mean has {mean.Count} entries, the {what} is {matrix.RowCount}×{matrix.ColumnCount}.");
    }

    private static void CheckValues(IReadOnlyList<int> conditioned, IReadOnlyList<double> values, string operation)
    {
        ArgumentNullException.ThrowIfNull(conditioned);
        ArgumentNullException.ThrowIfNull(values);
        if (conditioned.Count != values.Count)
            throw new ArgumentException($"VectorGaussianConditioning.{operation}: {conditioned.Count} conditioned indices but {values.Count} values.", nameof(values));
    }

    // Marks each index with its role; throws on an index out of range or in two sets. Returns the marks.
    private static byte[] CheckRoles(int n, IReadOnlyList<int> conditioned, IReadOnlyList<int> marginalised, IReadOnlyList<int> kept, string operation)
    {
        ArgumentNullException.ThrowIfNull(marginalised);
        ArgumentNullException.ThrowIfNull(kept);
        var role = new byte[n];
        foreach (var (set, mark) in new[] { (conditioned, (byte)1), (marginalised, (byte)2), (kept, (byte)3) })
            foreach (int i in set)
            {
                if ((uint)i >= (uint)n)
                    throw new ArgumentOutOfRangeException(nameof(kept), $"VectorGaussianConditioning.{operation}: index {i} outside 0..{n - 1}.");
                if (role[i] != 0)
                    throw new ArgumentException($"VectorGaussianConditioning.{operation}: index {i} is named twice (conditioned, marginalised and kept must be disjoint).");
                role[i] = mark;
            }
        return role;
    }

    private static void CheckPartition(int n, IReadOnlyList<int> conditioned, IReadOnlyList<int> marginalised, IReadOnlyList<int> kept, string operation)
    {
        var role = CheckRoles(n, conditioned, marginalised, kept, operation);
        int missing = Array.IndexOf(role, (byte)0);
        if (missing >= 0)
            throw new ArgumentException($"VectorGaussianConditioning.{operation}: index {missing} is neither conditioned, marginalised nor kept.");
    }

    private static int[] Complement(int n, IReadOnlyList<int> indices, string operation)
    {
        var named = new bool[n];
        foreach (int i in indices)
        {
            if ((uint)i >= (uint)n)
                throw new ArgumentOutOfRangeException(nameof(indices), $"VectorGaussianConditioning.{operation}: index {i} outside 0..{n - 1}.");
            if (named[i]) throw new ArgumentException($"VectorGaussianConditioning.{operation}: index {i} is named twice.");
            named[i] = true;
        }
        return Enumerable.Range(0, n).Where(i => !named[i]).ToArray();
    }
}
