using Probabilistic.Core.Random;

namespace Probabilistic.Infer.Distributions;

/// <summary>Bernoulli over bool, stored as log odds so that products add and ratios subtract.</summary>
public readonly struct Bernoulli : IDistribution<bool>, ISettableToProduct<Bernoulli>, ISettableToRatio<Bernoulli>, ISettableToPower<Bernoulli>,
    ICanGetLogNormalizer, ICanGetEntropy
{
    /// <summary>log p(true) − log p(false).</summary>
    public double LogOdds { get; }

    private Bernoulli(double logOdds) { LogOdds = logOdds; }

    /// <summary>The Bernoulli with log-odds log(p/(1−p)) = <paramref name="logOdds"/>.</summary>
    public static Bernoulli FromLogOdds(double logOdds)
    {
        if (double.IsNaN(logOdds)) throw new ArgumentException("Bernoulli.FromLogOdds: log odds is NaN.");
        return new Bernoulli(logOdds);
    }

    /// <summary>Bernoulli with p(true) = <paramref name="probTrue"/> ∈ [0, 1].</summary>
    public static Bernoulli FromProbTrue(double probTrue)
    {
        if (!(probTrue >= 0 && probTrue <= 1))
            throw new ArgumentException($"Bernoulli.FromProbTrue: needs a probability in [0, 1], got {probTrue}.");
        return new Bernoulli(Math.Log(probTrue) - Math.Log(1 - probTrue));
    }

    /// <summary>The uniform Bernoulli (p = ½).</summary>
    public static Bernoulli Uniform() => new(0);
    /// <summary>The Bernoulli that puts all its mass on <paramref name="value"/>.</summary>
    public static Bernoulli PointMass(bool value) => new(value ? double.PositiveInfinity : double.NegativeInfinity);

    /// <summary>p(true) = σ(log odds).</summary>
    public double GetProbTrue() => LogOdds >= 0 ? 1 / (1 + Math.Exp(-LogOdds)) : Math.Exp(LogOdds) / (1 + Math.Exp(LogOdds));
    /// <summary>The mean, P(true).</summary>
    public double GetMean() => GetProbTrue();
    /// <summary>The variance p(1 − p).</summary>
    public double GetVariance() { double p = GetProbTrue(); return p * (1 - p); }

    /// <summary>True unless the log-odds are NaN (every other Bernoulli is proper).</summary>
    public bool IsProper() => !double.IsNaN(LogOdds);

    /// <summary>log P(<paramref name="x"/>).</summary>
    public double LogDensity(bool x) => -Softplus(x ? -LogOdds : LogOdds);

    /// <summary>log(1 + e^x) without overflow.</summary>
    internal static double Softplus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));

    /// <summary>log Σ_x exp(logOdds·[x]) = log(1 + e^logOdds), the log-partition function.</summary>
    public double GetLogNormalizer() => Softplus(LogOdds);

    /// <summary>Entropy −p log p − (1 − p) log(1 − p).</summary>
    public double GetEntropy()
    {
        if (double.IsInfinity(LogOdds)) return 0;
        double p = GetProbTrue();
        return Softplus(LogOdds) - p * LogOdds;
    }

    /// <summary>Draws a value with <paramref name="rng"/>.</summary>
    public bool Sample(Rng rng) => rng.NextDouble() < GetProbTrue();

    /// <summary>The normalised product (log-odds add).</summary>
    public static Bernoulli operator *(Bernoulli a, Bernoulli b) => new(a.LogOdds + b.LogOdds);
    /// <summary>The ratio (log-odds subtract), as EP divides messages.</summary>
    public static Bernoulli operator /(Bernoulli a, Bernoulli b) => new(a.LogOdds - b.LogOdds);
    /// <summary>The power p^λ renormalised (log-odds times λ).</summary>
    public static Bernoulli operator ^(Bernoulli a, double power) => new(a.LogOdds * power);

    /// <summary>A short description with P(true).</summary>
    public override string ToString() => $"Bernoulli({GetProbTrue():G6})";
}
