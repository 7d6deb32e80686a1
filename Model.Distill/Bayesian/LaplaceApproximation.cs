using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Tensors;
using Probabilistic.Infer.Distributions;

namespace Probabilistic.Distill.Bayesian;

/// <summary>
/// Laplace approximation of the teacher posterior at trained weights ŵ with the generalised Gauss–Newton (GGN)
/// Hessian and an isotropic Gaussian prior N(0, α^{-1} I):
/// Λ = Σ_i J_iᵀ H_i J_i + α I, where J_i = ∂f(x_i)/∂w and H_i = ∂²(−log p(y_i | f))/∂f² (1/σ² for a Gaussian
/// likelihood, diag(p) − ppᵀ for softmax). The posterior is N(ŵ, Λ^{-1}). For a model linear in w with a Gaussian
/// likelihood the GGN is the exact Hessian, so this is the exact posterior (if ŵ is the MAP).
/// Full covariance needs a P×P matrix (small networks); the diagonal variant keeps diag(Λ) only.
/// </summary>
public static class LaplaceApproximation
{
    /// <summary>diag(Λ) at <paramref name="weights"/> (written into <paramref name="network"/>; see the module overload).</summary>
    public static double[] DiagonalPrecision(NetworkModule network, float[] weights, SupervisedData data, Likelihood likelihood, double priorPrecision, int batchSize = 256)
    {
        CheckArguments(network, weights, priorPrecision);
        network.With(weights);
        return DiagonalPrecision(network.Model, network.View, data, likelihood, priorPrecision, batchSize);
    }

    /// <summary>
    /// diag(Λ) for the parameters in <paramref name="view"/> of <paramref name="model"/> at their current values:
    /// Σ_i Σ_c (J_iᵀ l_ic)² + α, with l_ic the columns of a factor of the output Hessian H_i = L_i L_iᵀ, from the
    /// autograd core's per-sample squared gradients (one recorded forward per batch, one backward per column).
    /// </summary>
    public static double[] DiagonalPrecision(Module model, ParameterVector view, SupervisedData data, Likelihood likelihood, double priorPrecision, int batchSize = 256)
    {
        CheckModuleArguments(model, view, data, likelihood, priorPrecision);
        var accumulator = new float[view.Count];
        var result = new double[view.Count];
        var x = new float[batchSize * data.FeatureSize];
        var indices = new int[batchSize];
        float[]? dOut = null;
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int b = Math.Min(batchSize, data.Count - start);
            for (int i = 0; i < b; i++) indices[i] = start + i;
            data.GatherFeatures(indices.AsSpan(0, b), x);
            using var pass = PerSampleGradients.Begin(model, new Tensor(b == batchSize ? x : x[..(b * data.FeatureSize)], b, data.FeatureSize), view);
            var outputs = pass.Output.ToArray();
            dOut ??= new float[batchSize * pass.OutputsPerSample];
            for (int column = 0; column < likelihood.HessianFactorColumns; column++)
            {
                likelihood.HessianFactorColumn(outputs, b, column, dOut);
                pass.AddSquaredGradients(dOut.AsSpan(0, b * pass.OutputsPerSample), accumulator);
            }
            // Flush the float partial sums into doubles once per batch to keep the accumulation accurate.
            for (int p = 0; p < result.Length; p++) result[p] += accumulator[p];
            Array.Clear(accumulator);
        }
        for (int p = 0; p < result.Length; p++) result[p] += priorPrecision;
        return result;
    }

    /// <summary>The full Λ at <paramref name="weights"/> (written into <paramref name="network"/>; see the module overload).</summary>
    public static Matrix<double> FullPrecision(NetworkModule network, float[] weights, SupervisedData data, GaussianLikelihood likelihood, double priorPrecision, int batchSize = 128)
    {
        CheckArguments(network, weights, priorPrecision);
        network.With(weights);
        return FullPrecision(network.Model, network.View, data, likelihood, priorPrecision, batchSize);
    }

    /// <summary>
    /// The full Λ for a Gaussian likelihood with scalar output, for the parameters in <paramref name="view"/> at their
    /// current values: Σ_i J_iᵀJ_i / σ² + αI (double precision), J from the autograd core's per-sample Jacobian.
    /// </summary>
    public static Matrix<double> FullPrecision(Module model, ParameterVector view, SupervisedData data, GaussianLikelihood likelihood, double priorPrecision, int batchSize = 128)
    {
        CheckModuleArguments(model, view, data, likelihood, priorPrecision);
        int p = view.Count;
        var x = new float[batchSize * data.FeatureSize];
        var jacobian = new float[batchSize * p];
        var indices = new int[batchSize];
        // JᵀJ per chunk with the fast float GEMM (a 128-term float sum, ~1e-7 relative), accumulated in double.
        var chunk = new float[(long)p * p];
        var sum = new double[(long)p * p];
        double scale = 1 / (likelihood.NoiseStd * likelihood.NoiseStd);
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int b = Math.Min(batchSize, data.Count - start);
            for (int i = 0; i < b; i++) indices[i] = start + i;
            data.GatherFeatures(indices.AsSpan(0, b), x);
            PerSampleGradients.Jacobian(model, new Tensor(b == batchSize ? x : x[..(b * data.FeatureSize)], b, data.FeatureSize), view, jacobian);
            Probabilistic.Nn.Tensors.Gemm.Sgemm(true, false, p, p, b, 1f, jacobian, p, jacobian, p, 0f, chunk, p);
            for (long k = 0; k < sum.Length; k++) sum[k] += scale * chunk[k];
        }
        // Row-major sum of a symmetric matrix = its column-major storage.
        var precision = Matrix<double>.Build.Dense(p, p, sum);
        for (int k = 0; k < p; k++) precision[k, k] += priorPrecision;
        return precision;
    }

    /// <summary>N(ŵ, diag(Λ)^{-1}) for a bias-free network.</summary>
    public static DiagonalGaussianPosterior Diagonal(NetworkModule network, float[] weights, SupervisedData data, Likelihood likelihood, double priorPrecision)
    {
        RequireBiasFree(network);
        double[] diag = DiagonalPrecision(network, weights, data, likelihood, priorPrecision);
        return new DiagonalGaussianPosterior(network.Structure, weights.Select(v => (double)v).ToArray(), diag.Select(v => 1 / v).ToArray());
    }

    /// <summary>N(ŵ, Λ^{-1}) with the full covariance for a bias-free network with scalar output.</summary>
    public static FullGaussianPosterior Full(NetworkModule network, float[] weights, SupervisedData data, GaussianLikelihood likelihood, double priorPrecision) =>
        FromPrecision(network, weights, FullPrecision(network, weights, data, likelihood, priorPrecision));

    /// <summary>
    /// N(ŵ, Λ^{-1}) kept in precision form (no inversion of Λ): the route for the 6,050-weight teacher, aligned by
    /// <see cref="JointAlignment"/>.
    /// </summary>
    public static PrecisionGaussianPosterior FullInPrecisionForm(NetworkModule network, float[] weights, SupervisedData data, GaussianLikelihood likelihood, double priorPrecision)
    {
        RequireBiasFree(network);
        var precision = FullPrecision(network, weights, data, likelihood, priorPrecision);
        return new PrecisionGaussianPosterior(network.Structure, Vector<double>.Build.Dense(weights.Length, i => weights[i]), precision);
    }

    /// <summary>N(ŵ, Λ^{-1}) from a precision matrix computed by <c>FullPrecision</c> (inverts Λ: small networks).</summary>
    public static FullGaussianPosterior FromPrecision(NetworkModule network, float[] weights, Matrix<double> precision)
    {
        RequireBiasFree(network);
        var chol = VectorGaussianConditioning.CholeskyOrThrow(precision, "LaplaceApproximation: the precision");
        var covariance = chol.Solve(Matrix<double>.Build.DenseIdentity(precision.RowCount));
        covariance = 0.5 * (covariance + covariance.Transpose());
        return new FullGaussianPosterior(network.Structure, Vector<double>.Build.Dense(weights.Length, i => weights[i]), covariance, validate: false);
    }

    private static void RequireBiasFree(NetworkModule network)
    {
        if (network.HasBiases)
            throw new ArgumentException($"LaplaceApproximation: posteriors over a NetworkStructure are bias-free (the theory's networks); {network.Structure} has biases.");
    }

    private static void CheckModuleArguments(Module model, ParameterVector view, SupervisedData data, Likelihood likelihood, double priorPrecision)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(likelihood);
        if (!ReferenceEquals(view.Module, model))
            throw new ArgumentException("LaplaceApproximation: the parameter view belongs to another module.", nameof(view));
        if (!(priorPrecision > 0)) throw new ArgumentOutOfRangeException(nameof(priorPrecision), priorPrecision, "LaplaceApproximation: the prior precision must be > 0.");
    }

    private static void CheckArguments(NetworkModule network, float[] weights, double priorPrecision)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Length != network.ParameterCount)
            throw new ArgumentException($"LaplaceApproximation: {weights.Length} weights for a network with {network.ParameterCount} parameters.");
        if (!(priorPrecision > 0)) throw new ArgumentOutOfRangeException(nameof(priorPrecision), priorPrecision, "LaplaceApproximation: the prior precision must be > 0.");
    }
}
