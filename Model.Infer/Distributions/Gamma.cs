using Probabilistic.Infer.Engine;
using MathNet.Numerics;
using Probabilistic.Core.Random;

namespace Probabilistic.Infer.Distributions;

/// <summary>
/// Gamma(shape, rate): p(x) ∝ x^(shape−1) e^(−rate·x), the conjugate family of a Gaussian precision.
/// Natural parameters are (shape − 1, rate): products add them, ratios subtract them. Gamma(1, 0) is uniform.
/// </summary>
public readonly struct Gamma : IDistribution<double>, ISettableToProduct<Gamma>, ISettableToRatio<Gamma>, ISettableToPower<Gamma>,
    ICanGetLogNormalizer, ICanGetEntropy, ICanGetAverageLog<Gamma>, IMessage<Gamma>
{
    /// <summary>The shape a.</summary>
    public double Shape { get; }
    /// <summary>The rate b.</summary>
    public double Rate { get; }

    private Gamma(double shape, double rate) { Shape = shape; Rate = rate; }

    /// <summary>Gamma with the given shape and rate (any values; check <see cref="IsProper"/>).</summary>
    public static Gamma FromShapeAndRate(double shape, double rate)
    {
        if (double.IsNaN(shape) || double.IsNaN(rate))
            throw new ArgumentException($"Gamma.FromShapeAndRate: NaN parameter (shape {shape}, rate {rate}).");
        return new Gamma(shape, rate);
    }

    /// <summary>Gamma with the given shape and scale = 1/rate.</summary>
    public static Gamma FromShapeAndScale(double shape, double scale) => FromShapeAndRate(shape, 1 / scale);

    /// <summary>Gamma with the given mean and variance.</summary>
    public static Gamma FromMeanAndVariance(double mean, double variance)
    {
        if (!(mean > 0) || !(variance > 0))
            throw new ArgumentException($"Gamma.FromMeanAndVariance: needs mean > 0 and variance > 0, got {mean}, {variance}.");
        return new Gamma(mean * mean / variance, mean / variance);
    }

    /// <summary>The flat message x^0 e^0.</summary>
    public static Gamma Uniform() => new(1, 0);

    /// <summary>True for the improper uniform Gamma(1, 0).</summary>
    public bool IsUniform => Shape == 1 && Rate == 0;
    /// <summary>True when shape and rate are > 0.</summary>
    public bool IsProper() => Shape > 0 && Rate > 0;

    /// <summary>Throws naming the operation unless shape &gt; 0 and rate &gt; 0.</summary>
    public void RequireProper(string operation)
    {
        if (!IsProper())
            throw new ImproperDistributionException($"{operation}: the Gamma is improper (shape {Shape}, rate {Rate}); a proper Gamma needs shape > 0 and rate > 0.");
    }

    /// <summary>The mean a/b.</summary>
    public double GetMean() { RequireProper("Gamma.GetMean"); return Shape / Rate; }
    /// <summary>The variance a/b².</summary>
    public double GetVariance() { RequireProper("Gamma.GetVariance"); return Shape / (Rate * Rate); }

    /// <summary>E[log x] = ψ(shape) − log rate.</summary>
    public double GetMeanLog() { RequireProper("Gamma.GetMeanLog"); return SpecialFunctions.DiGamma(Shape) - Math.Log(Rate); }

    /// <summary>The log density at <paramref name="x"/>.</summary>
    public double LogDensity(double x)
    {
        RequireProper("Gamma.LogDensity");
        if (x < 0) return double.NegativeInfinity;
        return (Shape - 1) * Math.Log(x) - Rate * x - GetLogNormalizer();
    }

    /// <summary>log ∫ x^(shape−1) e^(−rate x) dx = log Γ(shape) − shape·log rate.</summary>
    public double GetLogNormalizer()
    {
        RequireProper("Gamma.GetLogNormalizer");
        return SpecialFunctions.GammaLn(Shape) - Shape * Math.Log(Rate);
    }

    /// <summary>Entropy −E[log p].</summary>
    public double GetEntropy()
    {
        RequireProper("Gamma.GetEntropy");
        return Shape - Math.Log(Rate) + SpecialFunctions.GammaLn(Shape) + (1 - Shape) * SpecialFunctions.DiGamma(Shape);
    }

    /// <summary>E_q[log this(x)] = (shape − 1)E_q[log x] − rate·E_q[x] − log normaliser.</summary>
    public double GetAverageLog(Gamma q) => (Shape - 1) * q.GetMeanLog() - Rate * q.GetMean() - GetLogNormalizer();

    /// <summary>Draws a value with <paramref name="rng"/>.</summary>
    public double Sample(Rng rng)
    {
        RequireProper("Gamma.Sample");
        return rng.Gamma(Shape) / Rate;
    }

    /// <summary>The normalised product of two Gamma densities.</summary>
    public static Gamma operator *(Gamma a, Gamma b) => new(a.Shape + b.Shape - 1, a.Rate + b.Rate);
    /// <summary>The ratio of two Gamma densities (as EP divides messages).</summary>
    public static Gamma operator /(Gamma a, Gamma b) => new(a.Shape - b.Shape + 1, a.Rate - b.Rate);
    /// <summary>The power of a Gamma density, renormalised.</summary>
    public static Gamma operator ^(Gamma a, double power) => new((a.Shape - 1) * power + 1, a.Rate * power);

    /// <summary>A short description with shape and rate.</summary>
    public override string ToString() => $"Gamma(shape={Shape:G6}, rate={Rate:G6})";

    static Gamma IMessage<Gamma>.UniformOf(int dimension) => Uniform();
    static void IMessage<Gamma>.AppendSummary(Gamma d, List<double> to) { to.Add(d.GetMean()); to.Add(d.GetVariance()); }
}
