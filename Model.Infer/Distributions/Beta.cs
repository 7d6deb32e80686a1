using MathNet.Numerics;
using Probabilistic.Core.Random;

namespace Probabilistic.Infer.Distributions;

/// <summary>Beta(α, β) on [0, 1]; natural parameters α − 1, β − 1 (products add them). Beta(1, 1) is uniform.</summary>
public readonly struct Beta : IDistribution<double>
{
    public double TrueCount { get; }
    public double FalseCount { get; }

    private Beta(double a, double b) { TrueCount = a; FalseCount = b; }

    public static Beta FromCounts(double trueCount, double falseCount)
    {
        if (!double.IsFinite(trueCount) || !double.IsFinite(falseCount))
            throw new ArgumentException($"Beta.FromCounts: counts must be finite, got {trueCount}, {falseCount}.");
        return new Beta(trueCount, falseCount);
    }

    public static Beta Uniform() => new(1, 1);

    public bool IsProper() => TrueCount > 0 && FalseCount > 0;

    private void RequireProper(string operation)
    {
        if (!IsProper())
            throw new ImproperDistributionException($"{operation}: the Beta is improper (counts {TrueCount}, {FalseCount}); both must be > 0.");
    }

    public double GetMean() { RequireProper("Beta.GetMean"); return TrueCount / (TrueCount + FalseCount); }

    public double GetVariance()
    {
        RequireProper("Beta.GetVariance");
        double s = TrueCount + FalseCount;
        return TrueCount * FalseCount / (s * s * (s + 1));
    }

    public double GetLogNormalizer()
    {
        RequireProper("Beta.GetLogNormalizer");
        return SpecialFunctions.GammaLn(TrueCount) + SpecialFunctions.GammaLn(FalseCount) - SpecialFunctions.GammaLn(TrueCount + FalseCount);
    }

    public double LogDensity(double x)
    {
        if (x < 0 || x > 1) return double.NegativeInfinity;
        return (TrueCount - 1) * Math.Log(x) + (FalseCount - 1) * Math.Log(1 - x) - GetLogNormalizer();
    }

    public double Sample(Rng rng)
    {
        RequireProper("Beta.Sample");
        double a = rng.Gamma(TrueCount), b = rng.Gamma(FalseCount);
        return a / (a + b);
    }

    public static Beta operator *(Beta a, Beta b) => new(a.TrueCount + b.TrueCount - 1, a.FalseCount + b.FalseCount - 1);
    public static Beta operator /(Beta a, Beta b) => new(a.TrueCount - b.TrueCount + 1, a.FalseCount - b.FalseCount + 1);

    public override string ToString() => $"Beta({TrueCount:G6}, {FalseCount:G6})";
}
