namespace Probabilistic.Infer.Numerics;

/// <summary>
/// Moments of the tilted density t(z) ∝ N(z; μ, v)·σ(s·z)^λ that EP's logistic factor needs. The quadrature is
/// centred on the tilted mode with the Laplace width (found by Newton's method), and integrates the smooth
/// ratio t/N(mode, width²) with Gauss–Hermite: accurate also when v is large and σ is nearly a step.
/// </summary>
internal static class LogisticMoments
{
    /// <summary>log σ(x) without overflow.</summary>
    public static double LogSigmoid(double x) => x >= 0 ? -Math.Log(1 + Math.Exp(-x)) : x - Math.Log(1 + Math.Exp(x));

    public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary>log Z = log ∫ N(z; μ, v) σ(s z)^λ dz, the tilted mean and variance.</summary>
    public static (double LogZ, double Mean, double Variance) Compute(double mean, double variance, double sign, double power)
    {
        if (!(variance > 0) || !double.IsFinite(mean))
            throw new ArgumentException($"LogisticMoments: needs a finite mean and variance > 0, got {mean}, {variance}.");
        // Newton's method on the concave log tilted density.
        double z = mean, curvature = 1 / variance;
        for (int it = 0; it < 100; it++)
        {
            double s = Sigmoid(sign * z);
            double grad = -(z - mean) / variance + power * sign * (1 - s);
            curvature = 1 / variance + power * s * (1 - s);
            double step = grad / curvature;
            z += step;
            if (Math.Abs(step) < 1e-12 * (1 + Math.Abs(z))) break;
        }
        double width = Math.Sqrt(1 / curvature);
        var gh = GaussHermite.Default;
        Span<double> logR = stackalloc double[gh.Count];
        double max = double.NegativeInfinity;
        for (int j = 0; j < gh.Count; j++)
        {
            double zj = z + width * gh.Nodes[j], d = zj - mean;
            // log[N(zj; μ, v) σ^λ / N(zj; z, width²)] (the 2π factors cancel)
            logR[j] = -0.5 * (Math.Log(variance) + d * d / variance) + power * LogSigmoid(sign * zj)
                      + 0.5 * (Math.Log(width * width) + gh.Nodes[j] * gh.Nodes[j]);
            max = Math.Max(max, logR[j]);
        }
        double s0 = 0, s1 = 0, s2 = 0;
        for (int j = 0; j < gh.Count; j++)
        {
            double w = gh.Weights[j] * Math.Exp(logR[j] - max), u = width * gh.Nodes[j];
            s0 += w; s1 += w * u; s2 += w * u * u;
        }
        double mu = s1 / s0;
        return (max + Math.Log(s0), z + mu, s2 / s0 - mu * mu);
    }

    /// <summary>E[σ(z)] under N(μ, v) (the predictive probability of true).</summary>
    public static double ExpectedSigmoid(double mean, double variance)
    {
        if (variance == 0) return Sigmoid(mean);
        return Math.Exp(Compute(mean, variance, 1, 1).LogZ);
    }
}
