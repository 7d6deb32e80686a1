namespace Probabilistic.Core.Numerics;

/// <summary>The univariate normal density: the one home of its log-density formula for code outside Model.Infer's distributions.</summary>
public static class NormalDensity
{
    /// <summary>log N(<paramref name="x"/>; <paramref name="mean"/>, <paramref name="variance"/>) = −½[log(2π·v) + (x − μ)²/v], v &gt; 0.</summary>
    public static double Log(double x, double mean, double variance)
    {
        if (!(variance > 0)) throw new ArgumentOutOfRangeException(nameof(variance), variance, "NormalDensity.Log: the variance must be positive.");
        double d = x - mean;
        return -0.5 * (Math.Log(2 * Math.PI * variance) + d * d / variance);
    }
}
