using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;

namespace Probabilistic.Infer.Evidence;

/// <summary>An importance-sampling estimate of a log evidence: log Ẑ, its standard error (delta method:
/// sd(r)/(√N·mean(r)) for the weights r), the effective sample size (Σr)²/Σr² and the number of samples.</summary>
public readonly record struct EvidenceEstimate(double LogEvidence, double StandardError, double EffectiveSampleSize, int Samples);

/// <summary>
/// The log evidence log ∫ p(y, w) dw of a model with weights w ∈ R^d by importance sampling from a multivariate
/// Student-t proposal centred on a Gaussian approximation N(μ, Σ) of the posterior (a Laplace approximation, or a VMP
/// or EP posterior): w = μ + Lε·√(ν/u), ε ~ N(0, I), u ~ χ²_ν, LLᵀ = Σ. The t's heavier tails keep the weights'
/// variance finite when the posterior is wider than N(μ, Σ) in some direction. log Ẑ = log-mean-exp of
/// log p(y, wₛ) − log t(wₛ), so it is consistent but biased low by about SE²/2 for finite N.
/// </summary>
public static class ImportanceSampledEvidence
{
    /// <summary>Evaluates the log joint log p(y, w) at <paramref name="count"/> samples (rows of the row-major
    /// count×d <paramref name="samples"/>) into <paramref name="result"/>.</summary>
    public delegate void BatchLogJoint(ReadOnlySpan<double> samples, int count, Span<double> result);

    /// <summary>The estimate for a log joint evaluated one sample at a time.</summary>
    public static EvidenceEstimate Estimate(Func<double[], double> logJoint, Vector<double> mean, Matrix<double> covariance,
        int samples, ulong seed, double degreesOfFreedom = 5)
    {
        ArgumentNullException.ThrowIfNull(logJoint);
        int d = mean.Count;
        return Estimate((batch, count, result) =>
        {
            var w = new double[d];
            for (int s = 0; s < count; s++)
            {
                batch.Slice(s * d, d).CopyTo(w);
                result[s] = logJoint(w);
            }
        }, mean, covariance, samples, seed, degreesOfFreedom);
    }

    /// <summary>The estimate for a batched log joint (batches of up to 4096 samples).</summary>
    public static EvidenceEstimate Estimate(BatchLogJoint logJoint, Vector<double> mean, Matrix<double> covariance,
        int samples, ulong seed, double degreesOfFreedom = 5)
    {
        ArgumentNullException.ThrowIfNull(logJoint);
        int d = mean.Count;
        if (covariance.RowCount != d || covariance.ColumnCount != d)
            throw new ArgumentException($"ImportanceSampledEvidence.Estimate: covariance is {covariance.RowCount}×{covariance.ColumnCount}, expected {d}×{d}.");
        if (samples < 2) throw new ArgumentOutOfRangeException(nameof(samples), samples, "ImportanceSampledEvidence.Estimate: needs at least 2 samples.");
        if (!(degreesOfFreedom > 0)) throw new ArgumentOutOfRangeException(nameof(degreesOfFreedom), degreesOfFreedom, "ImportanceSampledEvidence.Estimate: degrees of freedom must be > 0.");
        MathNet.Numerics.LinearAlgebra.Factorization.Cholesky<double> chol;
        try { chol = covariance.Cholesky(); }
        catch (ArgumentException) { throw new ArgumentException("ImportanceSampledEvidence.Estimate: the covariance is not positive definite."); }
        var l = chol.Factor.ToRowMajorArray();
        double nu = degreesOfFreedom;
        double logNorm = SpecialFunctions.GammaLn(0.5 * (nu + d)) - SpecialFunctions.GammaLn(0.5 * nu)
                         - 0.5 * d * Math.Log(nu * Math.PI) - 0.5 * chol.DeterminantLn;
        var rng = new Rng(seed);
        var mu = mean.ToArray();
        var logW = new double[samples];
        const int batchSize = 4096;
        var batch = new double[batchSize * d];
        var logQ = new double[batchSize];
        var eps = new double[d];
        var values = new double[batchSize];
        for (int start = 0; start < samples; start += batchSize)
        {
            int count = Math.Min(batchSize, samples - start);
            for (int s = 0; s < count; s++)
            {
                double sq = 0;
                for (int j = 0; j < d; j++) { eps[j] = rng.Normal(); sq += eps[j] * eps[j]; }
                double u = 2 * rng.Gamma(0.5 * nu);            // χ²_ν
                double scale = Math.Sqrt(nu / u);
                var row = batch.AsSpan(s * d, d);
                for (int r = 0; r < d; r++)
                {
                    double acc = 0;
                    for (int c = 0; c <= r; c++) acc += l[r * d + c] * eps[c];
                    row[r] = mu[r] + scale * acc;
                }
                double delta = sq * nu / u;                      // (w − μ)ᵀΣ⁻¹(w − μ)
                logQ[s] = logNorm - 0.5 * (nu + d) * Math.Log(1 + delta / nu);
            }
            logJoint(batch.AsSpan(0, count * d), count, values.AsSpan(0, count));
            for (int s = 0; s < count; s++) logW[start + s] = values[s] - logQ[s];
        }
        double max = logW.Max();
        if (!double.IsFinite(max)) throw new InvalidOperationException($"ImportanceSampledEvidence.Estimate: the log joint returned {max}.");
        double sum = 0, sum2 = 0;
        foreach (var lw in logW) { double r = Math.Exp(lw - max); sum += r; sum2 += r * r; }
        double meanR = sum / samples;
        double variance = Math.Max(0, (sum2 - samples * meanR * meanR) / (samples - 1));
        double logZ = Probabilistic.Core.Numerics.LogSumExp.Of(logW) - Math.Log(samples);
        return new EvidenceEstimate(logZ, Math.Sqrt(variance / samples) / meanR, sum * sum / sum2, samples);
    }
}
