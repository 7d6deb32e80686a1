using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Infer.Distributions;

namespace Probabilistic.Distill.Search;

/// <summary>The covariance function of a <see cref="GaussianProcess"/>, a function of the Euclidean distance r.</summary>
public enum GpKernel
{
    /// <summary>Squared exponential: s²·exp(−r²/(2ℓ²)).</summary>
    SquaredExponential,

    /// <summary>Matérn 5/2: s²·(1 + √5·r/ℓ + 5r²/(3ℓ²))·exp(−√5·r/ℓ).</summary>
    Matern52,
}

/// <summary>
/// Gaussian-process regression with a constant mean m, a stationary kernel (<see cref="GpKernel"/>) of length scale ℓ
/// and signal variance s², and Gaussian observation noise σ²: with K the kernel matrix of the inputs and
/// α = (K + σ²I)⁻¹(y − m), the posterior of the latent function at x has mean m + k(x)ᵀα and variance
/// k(x, x) − k(x)ᵀ(K + σ²I)⁻¹k(x). The matrix is factorised once (Cholesky, double). Not thread-safe (one scratch buffer).
/// </summary>
public sealed class GaussianProcess
{
    private readonly double[][] _inputs;
    private readonly double[] _alpha;
    private readonly double[,] _lower;
    private readonly double[] _scratch;

    /// <summary>Fits the process to <paramref name="inputs"/> (all of one length) and their <paramref name="targets"/>.</summary>
    public GaussianProcess(IReadOnlyList<double[]> inputs, ReadOnlySpan<double> targets, GpKernel kernel, double lengthScale,
        double signalVariance = 1.0, double noiseVariance = 1e-6, double mean = 0.0)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        int n = inputs.Count;
        if (n == 0) throw new ArgumentException("GaussianProcess: needs at least one input.", nameof(inputs));
        if (targets.Length != n)
            throw new ArgumentException($"GaussianProcess: {n} inputs but {targets.Length} targets.", nameof(targets));
        if (!(lengthScale > 0) || !double.IsFinite(lengthScale))
            throw new ArgumentOutOfRangeException(nameof(lengthScale), lengthScale, "GaussianProcess: the length scale must be finite and > 0.");
        if (!(signalVariance > 0) || !double.IsFinite(signalVariance))
            throw new ArgumentOutOfRangeException(nameof(signalVariance), signalVariance, "GaussianProcess: the signal variance must be finite and > 0.");
        if (!(noiseVariance >= 0) || !double.IsFinite(noiseVariance))
            throw new ArgumentOutOfRangeException(nameof(noiseVariance), noiseVariance, "GaussianProcess: the noise variance must be finite and >= 0.");
        int d = inputs[0]?.Length ?? throw new ArgumentException("GaussianProcess: input 0 is null.", nameof(inputs));
        _inputs = new double[n][];
        for (int i = 0; i < n; i++)
        {
            var x = inputs[i] ?? throw new ArgumentException($"GaussianProcess: input {i} is null.", nameof(inputs));
            if (x.Length != d) throw new ArgumentException($"GaussianProcess: input {i} has {x.Length} entries, input 0 has {d}.", nameof(inputs));
            if (!double.IsFinite(targets[i])) throw new ArgumentException($"GaussianProcess: target {i} is {targets[i]}.", nameof(targets));
            _inputs[i] = (double[])x.Clone();
        }
        Kernel = kernel;
        LengthScale = lengthScale;
        SignalVariance = signalVariance;
        NoiseVariance = noiseVariance;
        Mean = mean;

        var k = Matrix<double>.Build.Dense(n, n, (i, j) => Covariance(_inputs[i], _inputs[j]) + (i == j ? noiseVariance : 0));
        var chol = VectorGaussianConditioning.CholeskyOrThrow(k, "GaussianProcess: the kernel matrix plus noise");
        var centred = Vector<double>.Build.Dense(n);
        for (int i = 0; i < n; i++) centred[i] = targets[i] - mean;
        var alpha = chol.Solve(centred);
        _alpha = alpha.ToArray();
        _lower = chol.Factor.ToArray();
        _scratch = new double[n];
        LogMarginalLikelihood = -0.5 * centred.DotProduct(alpha) - 0.5 * chol.DeterminantLn - 0.5 * n * Math.Log(2 * Math.PI);
    }

    /// <summary>The kernel.</summary>
    public GpKernel Kernel { get; }

    /// <summary>The length scale ℓ.</summary>
    public double LengthScale { get; }

    /// <summary>The signal variance s² (the prior variance of the latent function).</summary>
    public double SignalVariance { get; }

    /// <summary>The observation noise variance σ².</summary>
    public double NoiseVariance { get; }

    /// <summary>The constant prior mean m.</summary>
    public double Mean { get; }

    /// <summary>Number of training points.</summary>
    public int Count => _inputs.Length;

    /// <summary>log p(y) = −½(y − m)ᵀ(K + σ²I)⁻¹(y − m) − ½ log|K + σ²I| − (n/2) log 2π.</summary>
    public double LogMarginalLikelihood { get; }

    /// <summary>The kernel k(a, b) of this process (including the signal variance).</summary>
    public double Covariance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"GaussianProcess.Covariance: lengths {a.Length} and {b.Length} differ.");
        double r2 = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double t = a[i] - b[i];
            r2 += t * t;
        }
        switch (Kernel)
        {
            case GpKernel.SquaredExponential:
                return SignalVariance * Math.Exp(-0.5 * r2 / (LengthScale * LengthScale));
            case GpKernel.Matern52:
                double u = Math.Sqrt(5 * r2) / LengthScale;
                return SignalVariance * (1 + u + u * u / 3) * Math.Exp(-u);
            default:
                throw new InvalidOperationException($"GaussianProcess.Covariance: unknown kernel {Kernel}.");
        }
    }

    /// <summary>The posterior mean and variance of the latent function (without the observation noise) at <paramref name="x"/>.</summary>
    public (double Mean, double Variance) Predict(ReadOnlySpan<double> x)
    {
        if (x.Length != _inputs[0].Length)
            throw new ArgumentException($"GaussianProcess.Predict: the point has {x.Length} entries, the inputs {_inputs[0].Length}.", nameof(x));
        int n = _inputs.Length;
        var v = _scratch;
        double mean = Mean;
        for (int i = 0; i < n; i++)
        {
            v[i] = Covariance(_inputs[i], x);
            mean += v[i] * _alpha[i];
        }
        // Forward substitution L v = k(x); the variance is k(x, x) − |v|².
        double explained = 0;
        for (int i = 0; i < n; i++)
        {
            double s = v[i];
            for (int j = 0; j < i; j++) s -= _lower[i, j] * v[j];
            v[i] = s / _lower[i, i];
            explained += v[i] * v[i];
        }
        return (mean, Math.Max(Covariance(x, x) - explained, 0));
    }
}

/// <summary>The expected improvement acquisition for maximisation.</summary>
public static class ExpectedImprovement
{
    /// <summary>
    /// E[max(f − best − xi, 0)] for f ~ N(<paramref name="mean"/>, <paramref name="std"/>²): with z = (μ − best − xi)/σ,
    /// (μ − best − xi)·Φ(z) + σ·φ(z); for σ = 0, max(μ − best − xi, 0).
    /// </summary>
    public static double Of(double mean, double std, double best, double xi = 0.0)
    {
        if (!(std >= 0)) throw new ArgumentOutOfRangeException(nameof(std), std, "ExpectedImprovement.Of: std must be >= 0.");
        double gain = mean - best - xi;
        if (std == 0) return Math.Max(gain, 0);
        double z = gain / std;
        double pdf = Math.Exp(-0.5 * z * z) / Math.Sqrt(2 * Math.PI);
        double cdf = 0.5 * MathNet.Numerics.SpecialFunctions.Erfc(-z / Math.Sqrt(2));
        return gain * cdf + std * pdf;
    }
}
