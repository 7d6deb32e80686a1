using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Infer.Distributions;

namespace Probabilistic.Distill.Bayesian;

/// <summary>
/// A Gaussian prior p(w) = N(m, Σ) for a mean-field posterior q(w) = N(μ, diag s²): gives the closed-form
/// KL(q ‖ p) and its gradient with respect to μ and log s².
/// </summary>
public interface IGaussianPrior
{
    /// <summary>Number of parameters d.</summary>
    int Dimension { get; }

    /// <summary>m.</summary>
    IReadOnlyList<double> Mean { get; }

    /// <summary>The prior's marginal variances diag(Σ).</summary>
    double[] MarginalVariances();

    /// <summary>KL(N(μ, diag exp(logVar)) ‖ p); ADDS ∂KL/∂μ and ∂KL/∂logVar (scaled by <paramref name="scale"/>) to the gradient spans.</summary>
    double KlDivergence(ReadOnlySpan<double> mu, ReadOnlySpan<double> logVar, Span<double> gradMu, Span<double> gradLogVar, double scale = 1);
}

/// <summary>Closed-form KL divergences between Gaussians.</summary>
public static class GaussianKl
{
    /// <summary>
    /// KL(N(μ_q, diag v_q) ‖ N(μ_p, diag v_p)) = ½ Σ [v_q/v_p + (μ_p − μ_q)²/v_p + ln v_p − ln v_q − 1]
    /// with v = exp(logVar); optionally adds the scaled gradients with respect to all four arguments.
    /// </summary>
    public static double Diagonal(ReadOnlySpan<double> muQ, ReadOnlySpan<double> logVarQ, ReadOnlySpan<double> muP, ReadOnlySpan<double> logVarP,
        Span<double> gradMuQ = default, Span<double> gradLogVarQ = default, Span<double> gradMuP = default, Span<double> gradLogVarP = default, double scale = 1)
    {
        int d = muQ.Length;
        if (logVarQ.Length != d || muP.Length != d || logVarP.Length != d)
            throw new ArgumentException($"GaussianKl.Diagonal: lengths {d}, {logVarQ.Length}, {muP.Length}, {logVarP.Length} differ.");
        double kl = 0;
        for (int i = 0; i < d; i++)
        {
            double ratio = Math.Exp(logVarQ[i] - logVarP[i]);
            double diff = muQ[i] - muP[i];
            double invP = Math.Exp(-logVarP[i]);
            double mahal = diff * diff * invP;
            kl += 0.5 * (ratio + mahal + logVarP[i] - logVarQ[i] - 1);
            if (!gradMuQ.IsEmpty) gradMuQ[i] += scale * diff * invP;
            if (!gradLogVarQ.IsEmpty) gradLogVarQ[i] += scale * 0.5 * (ratio - 1);
            if (!gradMuP.IsEmpty) gradMuP[i] -= scale * diff * invP;
            if (!gradLogVarP.IsEmpty) gradLogVarP[i] += scale * 0.5 * (1 - ratio - mahal);
        }
        return kl;
    }

    /// <summary>
    /// The four gradients of <see cref="Diagonal"/> (scaled by α) in float with vectorised exponentials, for the
    /// code-faithful trainer whose 668k-weight teacher needs them twice per step. Buffers are reused between calls.
    /// </summary>
    public sealed class DiagonalGradients(int dimension)
    {
        private readonly float[] _diff = new float[dimension], _invP = new float[dimension], _ratio = new float[dimension];

        /// <summary>∂KL/∂μ_q = α(μ_q − μ_p)/v_p.</summary>
        public float[] MuQ { get; } = new float[dimension];

        /// <summary>∂KL/∂ln v_q = α(v_q/v_p − 1)/2.</summary>
        public float[] LogVarQ { get; } = new float[dimension];

        /// <summary>∂KL/∂μ_p = −∂KL/∂μ_q.</summary>
        public float[] MuP { get; } = new float[dimension];

        /// <summary>∂KL/∂ln v_p = α(1 − v_q/v_p − (μ_q − μ_p)²/v_p)/2.</summary>
        public float[] LogVarP { get; } = new float[dimension];

        /// <summary>Fills the four gradients for the given parameters.</summary>
        public void Compute(ReadOnlySpan<float> muQ, ReadOnlySpan<float> logVarQ, ReadOnlySpan<float> muP, ReadOnlySpan<float> logVarP, float alpha)
        {
            if (muQ.Length != _diff.Length)
                throw new ArgumentException($"GaussianKl.DiagonalGradients: expected {_diff.Length} parameters in every span, got {muQ.Length}.");
            Compute(0, muQ, logVarQ, muP, logVarP, alpha);
        }

        /// <summary>Fills entries [<paramref name="offset"/>, offset + length) of the four gradients for that block of
        /// the parameters (the KL is a sum over coordinates, so blocks are independent), e.g. one parameter tensor of a
        /// module whose q-means are the module's own weights.</summary>
        public void Compute(int offset, ReadOnlySpan<float> muQ, ReadOnlySpan<float> logVarQ, ReadOnlySpan<float> muP, ReadOnlySpan<float> logVarP, float alpha)
        {
            int n = muQ.Length;
            if (offset < 0 || offset + n > _diff.Length || logVarQ.Length != n || muP.Length != n || logVarP.Length != n)
                throw new ArgumentException($"GaussianKl.DiagonalGradients: block [{offset}, {offset}+{n}) with spans {muQ.Length}/{logVarQ.Length}/{muP.Length}/{logVarP.Length} does not fit {_diff.Length} parameters.");
            var diff = _diff.AsSpan(offset, n);
            var invP = _invP.AsSpan(offset, n);
            var ratio = _ratio.AsSpan(offset, n);
            var muQg = MuQ.AsSpan(offset, n);
            var logVarQg = LogVarQ.AsSpan(offset, n);
            var muPg = MuP.AsSpan(offset, n);
            var logVarPg = LogVarP.AsSpan(offset, n);
            System.Numerics.Tensors.TensorPrimitives.Subtract(muQ, muP, diff);
            System.Numerics.Tensors.TensorPrimitives.Negate(logVarP, invP);
            System.Numerics.Tensors.TensorPrimitives.Exp(invP, invP);
            System.Numerics.Tensors.TensorPrimitives.Subtract(logVarQ, logVarP, ratio);
            System.Numerics.Tensors.TensorPrimitives.Exp(ratio, ratio);
            System.Numerics.Tensors.TensorPrimitives.Multiply(diff, invP, muQg);                    // (μ_q − μ_p)/v_p
            System.Numerics.Tensors.TensorPrimitives.Multiply(muQg, diff, logVarPg);                // (μ_q − μ_p)²/v_p
            System.Numerics.Tensors.TensorPrimitives.Add(logVarPg, ratio, logVarPg);
            System.Numerics.Tensors.TensorPrimitives.Multiply(logVarPg, -0.5f * alpha, logVarPg);
            System.Numerics.Tensors.TensorPrimitives.Add(logVarPg, 0.5f * alpha, logVarPg);
            System.Numerics.Tensors.TensorPrimitives.Multiply(muQg, alpha, muQg);
            System.Numerics.Tensors.TensorPrimitives.Negate(muQg, muPg);
            System.Numerics.Tensors.TensorPrimitives.Multiply(ratio, 0.5f * alpha, logVarQg);
            System.Numerics.Tensors.TensorPrimitives.Add(logVarQg, -0.5f * alpha, logVarQg);
        }
    }
}

/// <summary>N(m, diag v): the aligned prior of a diagonal teacher posterior, or the N(0, 1)-type priors.</summary>
public sealed class DiagonalGaussianPrior : IGaussianPrior
{
    private readonly double[] _mean;
    private readonly double[] _logVar;

    /// <summary>N(mean, diag variance); every variance must be finite and &gt; 0.</summary>
    public DiagonalGaussianPrior(IReadOnlyList<double> mean, IReadOnlyList<double> variance)
    {
        if (mean.Count != variance.Count)
            throw new ArgumentException($"DiagonalGaussianPrior: mean has {mean.Count} entries, variance {variance.Count}.");
        _mean = mean.ToArray();
        _logVar = new double[variance.Count];
        for (int i = 0; i < variance.Count; i++)
        {
            if (!(variance[i] > 0) || !double.IsFinite(variance[i]))
                throw new ArgumentException($"DiagonalGaussianPrior: variance[{i}] = {variance[i]} must be finite and > 0.", nameof(variance));
            _logVar[i] = Math.Log(variance[i]);
        }
    }

    /// <summary>The aligned prior of a diagonal posterior.</summary>
    public static DiagonalGaussianPrior From(DiagonalGaussianPosterior posterior) => new(posterior.Mean, posterior.Variance);

    /// <inheritdoc />
    public int Dimension => _mean.Length;

    /// <inheritdoc />
    public IReadOnlyList<double> Mean => _mean;

    /// <inheritdoc />
    public double[] MarginalVariances() => _logVar.Select(Math.Exp).ToArray();

    /// <inheritdoc />
    public double KlDivergence(ReadOnlySpan<double> mu, ReadOnlySpan<double> logVar, Span<double> gradMu, Span<double> gradLogVar, double scale = 1) =>
        GaussianKl.Diagonal(mu, logVar, _mean, _logVar, gradMu, gradLogVar, default, default, scale);
}

/// <summary>
/// N(m, Σ) with a full covariance (the aligned prior of a full Laplace posterior). Stores Λ = Σ^{-1} and ln|Σ|:
/// KL(N(μ, S) ‖ N(m, Σ)) = ½ [tr(Λ S) + (μ − m)ᵀ Λ (μ − m) − d + ln|Σ| − Σ_i ln s_i²] for S = diag s²;
/// ∂/∂μ = Λ(μ − m), ∂/∂ln s_i² = ½(Λ_ii s_i² − 1).
/// </summary>
public sealed class FullGaussianPrior : IGaussianPrior
{
    private readonly double[] _mean;
    private readonly double[] _precision; // row-major d×d
    private readonly double _logDetCovariance;
    private readonly double[] _variances;
    private readonly double[] _diff;

    /// <summary>Factorises Σ (Cholesky; throws if it is not positive definite).</summary>
    public FullGaussianPrior(Vector<double> mean, Matrix<double> covariance)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(covariance);
        int d = mean.Count;
        if (covariance.RowCount != d || covariance.ColumnCount != d)
            throw new ArgumentException($"FullGaussianPrior: mean has {d} entries but the covariance is {covariance.RowCount}×{covariance.ColumnCount}.");
        var chol = VectorGaussianConditioning.CholeskyOrThrow(covariance, "FullGaussianPrior: the covariance");
        var precision = chol.Solve(Matrix<double>.Build.DenseIdentity(d));
        _precision = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) _precision[i * d + j] = 0.5 * (precision[i, j] + precision[j, i]);
        _logDetCovariance = chol.DeterminantLn;
        _mean = mean.ToArray();
        _variances = Enumerable.Range(0, d).Select(i => covariance[i, i]).ToArray();
        _diff = new double[d];
    }

    /// <summary>The aligned prior of a full-covariance posterior.</summary>
    public static FullGaussianPrior From(FullGaussianPosterior posterior) => new(posterior.Mean, posterior.Covariance);

    /// <inheritdoc />
    public int Dimension => _mean.Length;

    /// <inheritdoc />
    public IReadOnlyList<double> Mean => _mean;

    /// <inheritdoc />
    public double[] MarginalVariances() => (double[])_variances.Clone();

    /// <inheritdoc />
    public double KlDivergence(ReadOnlySpan<double> mu, ReadOnlySpan<double> logVar, Span<double> gradMu, Span<double> gradLogVar, double scale = 1)
    {
        int d = _mean.Length;
        if (mu.Length != d || logVar.Length != d)
            throw new ArgumentException($"FullGaussianPrior.KlDivergence: prior has {d} parameters, got μ {mu.Length}, log s² {logVar.Length}.");
        for (int i = 0; i < d; i++) _diff[i] = mu[i] - _mean[i];
        double trace = 0, quad = 0, logDetQ = 0;
        for (int i = 0; i < d; i++)
        {
            var row = _precision.AsSpan(i * d, d);
            double lambdaDiff = System.Numerics.Tensors.TensorPrimitives.Dot<double>(row, _diff);
            double s2 = Math.Exp(logVar[i]);
            trace += row[i] * s2;
            quad += _diff[i] * lambdaDiff;
            logDetQ += logVar[i];
            if (!gradMu.IsEmpty) gradMu[i] += scale * lambdaDiff;
            if (!gradLogVar.IsEmpty) gradLogVar[i] += scale * 0.5 * (row[i] * s2 - 1);
        }
        return 0.5 * (trace + quad - d + _logDetCovariance - logDetQ);
    }
}
