using Probabilistic.Infer.Engine;
using MathNet.Numerics;
using Probabilistic.Core.Random;

namespace Probabilistic.Infer.Distributions;

/// <summary>Beta(α, β) on [0, 1]; natural parameters α − 1, β − 1 (products add them). Beta(1, 1) is uniform.</summary>
public readonly struct Beta : IDistribution<double>, ISettableToProduct<Beta>, ISettableToRatio<Beta>, ISettableToPower<Beta>,
    ICanGetLogNormalizer, ICanGetEntropy, ICanGetAverageLog<Beta>, IMessage<Beta>
{
    /// <summary>The pseudo-count α of true outcomes.</summary>
    public double TrueCount { get; }
    /// <summary>The pseudo-count β of false outcomes.</summary>
    public double FalseCount { get; }

    private Beta(double a, double b) { TrueCount = a; FalseCount = b; }

    /// <summary>Beta(α = <paramref name="trueCount"/>, β = <paramref name="falseCount"/>).</summary>
    public static Beta FromCounts(double trueCount, double falseCount)
    {
        if (!double.IsFinite(trueCount) || !double.IsFinite(falseCount))
            throw new ArgumentException($"Beta.FromCounts: counts must be finite, got {trueCount}, {falseCount}.");
        return new Beta(trueCount, falseCount);
    }

    /// <summary>The uniform Beta(1, 1).</summary>
    public static Beta Uniform() => new(1, 1);

    /// <summary>True when both counts are > 0.</summary>
    public bool IsProper() => TrueCount > 0 && FalseCount > 0;

    private void RequireProper(string operation)
    {
        if (!IsProper())
            throw new ImproperDistributionException($"{operation}: the Beta is improper (counts {TrueCount}, {FalseCount}); both must be > 0.");
    }

    /// <summary>The mean α/(α + β).</summary>
    public double GetMean() { RequireProper("Beta.GetMean"); return TrueCount / (TrueCount + FalseCount); }

    /// <summary>The variance αβ/((α + β)²(α + β + 1)).</summary>
    public double GetVariance()
    {
        RequireProper("Beta.GetVariance");
        double s = TrueCount + FalseCount;
        return TrueCount * FalseCount / (s * s * (s + 1));
    }

    /// <summary>The log normaliser log B(α, β).</summary>
    public double GetLogNormalizer()
    {
        RequireProper("Beta.GetLogNormalizer");
        return SpecialFunctions.GammaLn(TrueCount) + SpecialFunctions.GammaLn(FalseCount) - SpecialFunctions.GammaLn(TrueCount + FalseCount);
    }

    /// <summary>E[log x] = ψ(α) − ψ(α + β).</summary>
    public double GetMeanLog()
    {
        RequireProper("Beta.GetMeanLog");
        return SpecialFunctions.DiGamma(TrueCount) - SpecialFunctions.DiGamma(TrueCount + FalseCount);
    }

    /// <summary>E[log(1 − x)] = ψ(β) − ψ(α + β).</summary>
    public double GetMeanLogComplement()
    {
        RequireProper("Beta.GetMeanLogComplement");
        return SpecialFunctions.DiGamma(FalseCount) - SpecialFunctions.DiGamma(TrueCount + FalseCount);
    }

    /// <summary>E_q[log this(x)] = (α − 1)E_q[log x] + (β − 1)E_q[log(1 − x)] − log B(α, β).</summary>
    public double GetAverageLog(Beta q) =>
        (TrueCount - 1) * q.GetMeanLog() + (FalseCount - 1) * q.GetMeanLogComplement() - GetLogNormalizer();

    /// <summary>Entropy −E[log p] = log B(α, β) − (α − 1)ψ(α) − (β − 1)ψ(β) + (α + β − 2)ψ(α + β).</summary>
    public double GetEntropy() => -GetAverageLog(this);

    /// <summary>The log density at <paramref name="x"/> ∈ [0, 1].</summary>
    public double LogDensity(double x)
    {
        if (x < 0 || x > 1) return double.NegativeInfinity;
        return (TrueCount - 1) * Math.Log(x) + (FalseCount - 1) * Math.Log(1 - x) - GetLogNormalizer();
    }

    /// <summary>Draws a value with <paramref name="rng"/>.</summary>
    public double Sample(Rng rng)
    {
        RequireProper("Beta.Sample");
        double a = rng.Gamma(TrueCount), b = rng.Gamma(FalseCount);
        return a / (a + b);
    }

    /// <summary>The normalised product of two Beta densities.</summary>
    public static Beta operator *(Beta a, Beta b) => new(a.TrueCount + b.TrueCount - 1, a.FalseCount + b.FalseCount - 1);
    /// <summary>The ratio of two Beta densities (as EP divides messages).</summary>
    public static Beta operator /(Beta a, Beta b) => new(a.TrueCount - b.TrueCount + 1, a.FalseCount - b.FalseCount + 1);

    /// <summary>The power of a Beta density, renormalised (natural parameters α − 1, β − 1 scaled).</summary>
    public static Beta operator ^(Beta a, double power) => new((a.TrueCount - 1) * power + 1, (a.FalseCount - 1) * power + 1);

    /// <summary>A short description with both counts.</summary>
    public override string ToString() => $"Beta({TrueCount:G6}, {FalseCount:G6})";

    static Beta IMessage<Beta>.UniformOf(int dimension) => Uniform();
    static void IMessage<Beta>.AppendSummary(Beta d, List<double> to) { to.Add(d.GetMean()); to.Add(d.GetVariance()); }
}
