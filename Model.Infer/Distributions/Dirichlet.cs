using Probabilistic.Infer.Engine;
using MathNet.Numerics;
using Probabilistic.Core.Random;

namespace Probabilistic.Infer.Distributions;

/// <summary>
/// Dirichlet(α) on the probability simplex. Natural parameters are α − 1: products add them (α₁ + α₂ − 1),
/// ratios subtract them. Dirichlet(1, …, 1) is uniform.
/// </summary>
public sealed class Dirichlet : IDistribution<double[]>, ISettableToProduct<Dirichlet>, ISettableToRatio<Dirichlet>, ISettableToPower<Dirichlet>,
    ICanGetLogNormalizer, ICanGetEntropy, ICanGetAverageLog<Dirichlet>, IMessage<Dirichlet>
{
    private readonly double[] _alpha;

    private Dirichlet(double[] alpha) { _alpha = alpha; }

    /// <summary>From pseudo-counts (any finite values; check <see cref="IsProper"/>).</summary>
    public static Dirichlet FromPseudoCounts(ReadOnlySpan<double> alpha)
    {
        if (alpha.Length < 2) throw new ArgumentException($"Dirichlet: needs at least 2 components, got {alpha.Length}.");
        foreach (double a in alpha)
            if (!double.IsFinite(a)) throw new ArgumentException($"Dirichlet: pseudo-counts must be finite, got {a}.");
        return new Dirichlet(alpha.ToArray());
    }

    /// <summary>The uniform Dirichlet(1, …, 1) over <paramref name="k"/> categories.</summary>
    public static Dirichlet Uniform(int k)
    {
        var a = new double[k];
        Array.Fill(a, 1.0);
        return FromPseudoCounts(a);
    }

    /// <summary>The number of categories K.</summary>
    public int Dimension => _alpha.Length;
    /// <summary>The pseudo-counts α (one per category).</summary>
    public ReadOnlySpan<double> PseudoCounts => _alpha;

    /// <summary>True when every pseudo-count is > 0.</summary>
    public bool IsProper()
    {
        foreach (double a in _alpha) if (!(a > 0)) return false;
        return true;
    }

    private void RequireProper(string operation)
    {
        if (!IsProper())
            throw new ImproperDistributionException($"{operation}: the Dirichlet is improper (pseudo-counts {string.Join(", ", _alpha)}); all must be > 0.");
    }

    private double Total() { double s = 0; foreach (double a in _alpha) s += a; return s; }

    /// <summary>The mean α/Σα.</summary>
    public double[] GetMean()
    {
        RequireProper("Dirichlet.GetMean");
        double s = Total();
        return _alpha.Select(a => a / s).ToArray();
    }

    /// <summary>Var[p_k] = α_k(α₀ − α_k) / (α₀²(α₀ + 1)).</summary>
    public double[] GetVariance()
    {
        RequireProper("Dirichlet.GetVariance");
        double s = Total();
        return _alpha.Select(a => a * (s - a) / (s * s * (s + 1))).ToArray();
    }

    /// <summary>E[log p_k] = ψ(α_k) − ψ(α₀).</summary>
    public double[] GetMeanLog()
    {
        RequireProper("Dirichlet.GetMeanLog");
        double psi0 = SpecialFunctions.DiGamma(Total());
        return _alpha.Select(a => SpecialFunctions.DiGamma(a) - psi0).ToArray();
    }

    /// <summary>log B(α) = Σ log Γ(α_k) − log Γ(α₀).</summary>
    public double GetLogNormalizer()
    {
        RequireProper("Dirichlet.GetLogNormalizer");
        double s = 0;
        foreach (double a in _alpha) s += SpecialFunctions.GammaLn(a);
        return s - SpecialFunctions.GammaLn(Total());
    }

    /// <summary>E_q[log this(p)] = Σ_k (α_k − 1)E_q[log p_k] − log B(α).</summary>
    public double GetAverageLog(Dirichlet q)
    {
        ArgumentNullException.ThrowIfNull(q);
        if (q.Dimension != Dimension) throw new ArgumentException($"Dirichlet.GetAverageLog: dimensions differ ({Dimension} vs {q.Dimension}).");
        var meanLog = q.GetMeanLog();
        double s = -GetLogNormalizer();
        for (int k = 0; k < _alpha.Length; k++) s += (_alpha[k] - 1) * meanLog[k];
        return s;
    }

    /// <summary>Entropy −E[log p] = log B(α) − Σ_k (α_k − 1)(ψ(α_k) − ψ(α₀)).</summary>
    public double GetEntropy() => -GetAverageLog(this);

    /// <summary>The log density at the probability vector <paramref name="p"/>.</summary>
    public double LogDensity(double[] p)
    {
        if (p.Length != _alpha.Length) throw new ArgumentException($"Dirichlet.LogDensity: point has {p.Length} components, expected {_alpha.Length}.");
        double s = -GetLogNormalizer();
        for (int k = 0; k < p.Length; k++) s += (_alpha[k] - 1) * Math.Log(p[k]);
        return s;
    }

    /// <summary>Draws a probability vector with <paramref name="rng"/>.</summary>
    public double[] Sample(Rng rng)
    {
        RequireProper("Dirichlet.Sample");
        var p = new double[_alpha.Length];
        rng.Dirichlet(_alpha, p);
        return p;
    }

    private static double[] Combine(Dirichlet a, Dirichlet b, int sign, string op)
    {
        if (a.Dimension != b.Dimension) throw new ArgumentException($"Dirichlet {op}: dimensions differ ({a.Dimension} vs {b.Dimension}).");
        var r = new double[a.Dimension];
        for (int k = 0; k < r.Length; k++) r[k] = a._alpha[k] + sign * (b._alpha[k] - 1);
        return r;
    }

    /// <summary>The normalised product of two Dirichlet densities (pseudo-counts add, less one).</summary>
    public static Dirichlet operator *(Dirichlet a, Dirichlet b) => new(Combine(a, b, +1, "product"));
    /// <summary>The ratio of two Dirichlet densities (as EP divides messages).</summary>
    public static Dirichlet operator /(Dirichlet a, Dirichlet b) => new(Combine(a, b, -1, "ratio"));

    /// <summary>The power of a Dirichlet density, renormalised (natural parameters α − 1 scaled).</summary>
    public static Dirichlet operator ^(Dirichlet a, double power) => new(a._alpha.Select(x => (x - 1) * power + 1).ToArray());

    /// <summary>A short description with the pseudo-counts.</summary>
    public override string ToString() => "Dirichlet(" + string.Join(", ", _alpha.Select(a => a.ToString("G4"))) + ")";

    static Dirichlet IMessage<Dirichlet>.UniformOf(int dimension) => Uniform(dimension);
    static void IMessage<Dirichlet>.AppendSummary(Dirichlet d, List<double> to)
    {
        to.AddRange(d.GetMean());
        to.AddRange(d.GetVariance());
    }
}
