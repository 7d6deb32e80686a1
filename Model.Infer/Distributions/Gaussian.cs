using Probabilistic.Infer.Engine;
using Probabilistic.Core.Random;

namespace Probabilistic.Infer.Distributions;

/// <summary>
/// Univariate Gaussian in natural parameters (mean·precision, precision), as Infer.NET stores it, so that
/// products and ratios of messages are additions and subtractions. Precision 0 is the uniform (improper, flat)
/// message; precision +∞ is a point mass whose location is kept in <see cref="MeanTimesPrecision"/>.
/// A negative precision is a legal EP message but not a proper distribution.
/// </summary>
public readonly struct Gaussian : IDistribution<double>, IEquatable<Gaussian>, ISettableToProduct<Gaussian>, ISettableToRatio<Gaussian>,
    ISettableToPower<Gaussian>, ICanGetLogNormalizer, ICanGetEntropy, ICanGetAverageLog<Gaussian>, IMessage<Gaussian>
{
    /// <summary>Mean × precision (for a point mass: the point).</summary>
    public double MeanTimesPrecision { get; }

    /// <summary>Precision = 1/variance (0: uniform, +∞: point mass).</summary>
    public double Precision { get; }

    private Gaussian(double meanTimesPrecision, double precision)
    {
        MeanTimesPrecision = meanTimesPrecision;
        Precision = precision;
    }

    /// <summary>N(mean, variance). Variance 0 gives a point mass.</summary>
    public static Gaussian FromMeanAndVariance(double mean, double variance)
    {
        if (double.IsNaN(mean) || double.IsNaN(variance) || variance < 0 || double.IsInfinity(mean))
            throw new ArgumentException($"Gaussian.FromMeanAndVariance: needs a finite mean and variance >= 0, got mean {mean}, variance {variance}.");
        return variance == 0 ? PointMass(mean) : new Gaussian(mean / variance, 1 / variance);
    }

    /// <summary>N(mean, 1/precision). Precision 0 gives the uniform message.</summary>
    public static Gaussian FromMeanAndPrecision(double mean, double precision)
    {
        if (double.IsNaN(mean) || double.IsNaN(precision) || precision < 0 || double.IsInfinity(mean))
            throw new ArgumentException($"Gaussian.FromMeanAndPrecision: needs a finite mean and precision >= 0, got mean {mean}, precision {precision}.");
        return double.IsPositiveInfinity(precision) ? PointMass(mean) : new Gaussian(mean * precision, precision);
    }

    /// <summary>From natural parameters; any precision (negative ones are legal EP messages).</summary>
    public static Gaussian FromNatural(double meanTimesPrecision, double precision)
    {
        if (double.IsNaN(meanTimesPrecision) || double.IsNaN(precision))
            throw new ArgumentException($"Gaussian.FromNatural: NaN parameter (meanTimesPrecision {meanTimesPrecision}, precision {precision}).");
        return new Gaussian(meanTimesPrecision, precision);
    }

    /// <summary>The flat message (precision 0).</summary>
    public static Gaussian Uniform() => new(0, 0);

    /// <summary>All mass at <paramref name="point"/>.</summary>
    public static Gaussian PointMass(double point) => new(point, double.PositiveInfinity);

    /// <summary>True for the improper uniform (zero precision and shift).</summary>
    public bool IsUniform => Precision == 0 && MeanTimesPrecision == 0;
    /// <summary>True for a point mass (infinite precision; its location is then stored in MeanTimesPrecision).</summary>
    public bool IsPointMass => double.IsPositiveInfinity(Precision);

    /// <summary>Mean (a point mass returns its point).</summary>
    public double GetMean()
    {
        if (IsPointMass) return MeanTimesPrecision;
        RequireProper("GetMean");
        return MeanTimesPrecision / Precision;
    }

    /// <summary>Variance (0 for a point mass).</summary>
    public double GetVariance()
    {
        if (IsPointMass) return 0;
        RequireProper("GetVariance");
        return 1 / Precision;
    }

    /// <summary>E[x²].</summary>
    public double GetMeanSquare()
    {
        double m = GetMean();
        return m * m + GetVariance();
    }

    /// <summary>True when the precision is > 0.</summary>
    public bool IsProper() => Precision > 0;

    /// <summary>Throws <see cref="ImproperDistributionException"/> naming the operation when precision ≤ 0.</summary>
    public void RequireProper(string operation)
    {
        if (!(Precision > 0))
            throw new ImproperDistributionException($"{operation}: the Gaussian is improper (precision {Precision}, meanTimesPrecision {MeanTimesPrecision}); a proper Gaussian needs precision > 0.");
    }

    /// <summary>The log density at <paramref name="x"/>.</summary>
    public double LogDensity(double x)
    {
        if (IsPointMass) return x == MeanTimesPrecision ? 0 : double.NegativeInfinity;
        RequireProper("Gaussian.LogDensity");
        double m = MeanTimesPrecision / Precision, d = x - m;
        return -0.5 * (Math.Log(2 * Math.PI) - Math.Log(Precision) + Precision * d * d);
    }

    /// <summary>
    /// log ∫ exp(h·x − ½ p·x²) dx, the log-partition function of the unnormalised exponential form.
    /// EP's evidence is assembled from these (messages are unnormalised exponential forms).
    /// </summary>
    public double GetLogNormalizer()
    {
        RequireProper("Gaussian.GetLogNormalizer");
        return 0.5 * (Math.Log(2 * Math.PI) - Math.Log(Precision) + MeanTimesPrecision * MeanTimesPrecision / Precision);
    }

    /// <summary>Entropy −E[log p].</summary>
    public double GetEntropy()
    {
        RequireProper("Gaussian.GetEntropy");
        return 0.5 * (1 + Math.Log(2 * Math.PI) - Math.Log(Precision));
    }

    /// <summary>E_q[log this(x)] = −½(log 2πv + ((m_q − m)² + v_q)/v) for a proper this.</summary>
    public double GetAverageLog(Gaussian q)
    {
        RequireProper("Gaussian.GetAverageLog");
        double m0 = GetMean(), v0 = GetVariance(), m = q.GetMean();
        return -0.5 * (Math.Log(2 * Math.PI * v0) + ((m - m0) * (m - m0) + q.GetVariance()) / v0);
    }

    /// <summary>log ∫ this(x) that(x) dx for two normalised densities (point masses allowed on one side).</summary>
    public double GetLogAverageOf(Gaussian that)
    {
        if (IsPointMass) return that.LogDensity(MeanTimesPrecision);
        if (that.IsPointMass) return LogDensity(that.MeanTimesPrecision);
        if (that.IsUniform || IsUniform) return 0;
        double v = GetVariance() + that.GetVariance(), d = GetMean() - that.GetMean();
        return -0.5 * (Math.Log(2 * Math.PI * v) + d * d / v);
    }

    /// <summary>Draws a value with <paramref name="rng"/>.</summary>
    public double Sample(Rng rng)
    {
        if (IsPointMass) return MeanTimesPrecision;
        RequireProper("Gaussian.Sample");
        return rng.Normal(GetMean(), Math.Sqrt(1 / Precision));
    }

    /// <summary>Product of densities (sum of natural parameters).</summary>
    public static Gaussian operator *(Gaussian a, Gaussian b)
    {
        if (a.IsPointMass) return a;
        if (b.IsPointMass) return b;
        return new Gaussian(a.MeanTimesPrecision + b.MeanTimesPrecision, a.Precision + b.Precision);
    }

    /// <summary>Ratio of densities (difference of natural parameters), as EP divides out a message.</summary>
    public static Gaussian operator /(Gaussian a, Gaussian b)
    {
        if (b.IsPointMass)
        {
            if (a.IsPointMass && a.MeanTimesPrecision == b.MeanTimesPrecision) return Uniform();
            throw new ImproperDistributionException("Gaussian ratio: cannot divide by a point mass.");
        }
        if (a.IsPointMass) return a;
        return new Gaussian(a.MeanTimesPrecision - b.MeanTimesPrecision, a.Precision - b.Precision);
    }

    /// <summary>Density raised to a power (natural parameters scaled), used by tempered factors.</summary>
    public static Gaussian operator ^(Gaussian a, double power) =>
        a.IsPointMass ? a : new Gaussian(a.MeanTimesPrecision * power, a.Precision * power);

    /// <summary>Convex combination of natural parameters: (1−d)·this + d·old, Infer.NET-style damping.</summary>
    public Gaussian Damp(Gaussian old, double damping) =>
        damping == 0 || IsPointMass || old.IsPointMass ? this
            : new Gaussian((1 - damping) * MeanTimesPrecision + damping * old.MeanTimesPrecision,
                (1 - damping) * Precision + damping * old.Precision);

    /// <summary>True when both natural parameters are equal.</summary>
    public bool Equals(Gaussian other) => MeanTimesPrecision == other.MeanTimesPrecision && Precision == other.Precision;
    /// <summary>True when <paramref name="obj"/> is an equal Gaussian.</summary>
    public override bool Equals(object? obj) => obj is Gaussian g && Equals(g);
    /// <summary>A hash of the natural parameters.</summary>
    public override int GetHashCode() => HashCode.Combine(MeanTimesPrecision, Precision);

    /// <summary>A short description with mean and variance.</summary>
    public override string ToString() =>
        IsPointMass ? $"Gaussian.PointMass({MeanTimesPrecision:G6})"
        : Precision > 0 ? $"Gaussian({GetMean():G6}, {1 / Precision:G6})"
        : $"Gaussian(improper: mp={MeanTimesPrecision:G6}, p={Precision:G6})";

    static Gaussian IMessage<Gaussian>.UniformOf(int dimension) => Uniform();
    static void IMessage<Gaussian>.AppendSummary(Gaussian d, List<double> to) { to.Add(d.GetMean()); to.Add(d.GetVariance()); }
    static VarState<Gaussian> IMessage<Gaussian>.CreateState(RunState state, Graph.Node node, int dimension) => new GaussianVarState(state, node, dimension);
}
