using MathNet.Numerics;
using Probabilistic.Core.Random;
using Normaliser = Probabilistic.Core.Simplex.ContinuousCategorical;

namespace Probabilistic.Infer.Distributions;

/// <summary>
/// The continuous categorical CC on the simplex S_K (Gordon-Rodriguez et al. 2020), the corrected density of the
/// teacher's soft labels (methods.md §1.2): p(s) = exp(Σ_k a_k s_k) / Z(a) with Lebesgue measure on the first
/// K−1 coordinates; a_k = ln g_k for CC(g). Natural parameters a: products add, ratios subtract, a = 0 is uniform.
/// Z and E[s] = ∇ ln Z come from the one implementation in Model.Core/Simplex (stable divided differences of exp).
/// </summary>
public sealed class ContinuousCategorical : IDistribution<double[]>
{
    private readonly double[] _a;
    private double[]? _mean;
    private double _logZ = double.NaN;

    private ContinuousCategorical(double[] a) { _a = a; }

    /// <summary>From natural parameters a (any finite vector, K ≥ 2).</summary>
    public static ContinuousCategorical FromNatural(ReadOnlySpan<double> a)
    {
        if (a.Length < 2) throw new ArgumentException($"ContinuousCategorical: needs K >= 2 classes, got {a.Length}.");
        if (a.Length > Normaliser.MaxClasses) throw new ArgumentException($"ContinuousCategorical: at most {Normaliser.MaxClasses} classes, got {a.Length}.");
        foreach (double v in a) if (!double.IsFinite(v)) throw new ArgumentException($"ContinuousCategorical: natural parameters must be finite, got {v}.");
        return new ContinuousCategorical(a.ToArray());
    }

    /// <summary>CC(g) for g in the open simplex: a_k = ln g_k.</summary>
    public static ContinuousCategorical FromProbabilities(ReadOnlySpan<double> g)
    {
        var a = new double[g.Length];
        for (int k = 0; k < g.Length; k++)
        {
            if (!(g[k] > 0)) throw new ArgumentException($"ContinuousCategorical.FromProbabilities: g[{k}] = {g[k]}, expected > 0.");
            a[k] = Math.Log(g[k]);
        }
        return FromNatural(a);
    }

    /// <summary>The uniform density over the <paramref name="k"/>-simplex.</summary>
    public static ContinuousCategorical Uniform(int k) => FromNatural(new double[k]);

    /// <summary>The number of categories K.</summary>
    public int Dimension => _a.Length;
    /// <summary>The natural parameters a (one per category).</summary>
    public ReadOnlySpan<double> NaturalParameters => _a;

    /// <summary>Every finite a gives a proper density (the simplex is compact).</summary>
    public bool IsProper() => true;

    /// <summary>ln Z(a) = ln ∫ exp(aᵀs) ds.</summary>
    public double GetLogNormalizer()
    {
        if (double.IsNaN(_logZ)) GetMean();
        return _logZ;
    }

    /// <summary>E[s] = ∇_a ln Z(a).</summary>
    public double[] GetMean()
    {
        if (_mean == null)
        {
            var m = new double[_a.Length];
            _logZ = Normaliser.LogNormalizerAndMean(_a, m);
            _mean = m;
        }
        return (double[])_mean.Clone();
    }

    /// <summary>The log density at the probability vector <paramref name="s"/>.</summary>
    public double LogDensity(double[] s)
    {
        if (s.Length != _a.Length) throw new ArgumentException($"ContinuousCategorical.LogDensity: s has {s.Length} components, expected {_a.Length}.");
        double sum = 0, dot = 0;
        foreach (double v in s)
        {
            if (v < 0) return double.NegativeInfinity;
            sum += v;
        }
        if (Math.Abs(sum - 1) > Normaliser.SimplexTolerance) return double.NegativeInfinity;
        for (int k = 0; k < s.Length; k++) dot += _a[k] * s[k];
        return dot - GetLogNormalizer();
    }

    /// <summary>
    /// Exact draw by rejection from the uniform distribution on the simplex (Dirichlet(1)) with envelope e^{max a}.
    /// The acceptance rate is Z(a)(K−1)!/e^{max a}; below 1e-4 sampling is refused with an error.
    /// </summary>
    public double[] Sample(Rng rng)
    {
        double max = _a.Max();
        double logAccept = GetLogNormalizer() + SpecialFunctions.FactorialLn(_a.Length - 1) - max;
        if (logAccept < Math.Log(1e-4))
            throw new NotSupportedException($"ContinuousCategorical.Sample: the rejection sampler's acceptance rate is {Math.Exp(logAccept):G3} (< 1e-4) for these parameters.");
        var ones = new double[_a.Length];
        Array.Fill(ones, 1.0);
        var s = new double[_a.Length];
        while (true)
        {
            rng.Dirichlet(ones, s);
            double dot = 0;
            for (int k = 0; k < s.Length; k++) dot += _a[k] * s[k];
            if (Math.Log(rng.NextDouble()) < dot - max) return s;
        }
    }

    private static double[] Combine(ContinuousCategorical x, ContinuousCategorical y, double sign, string op)
    {
        if (x.Dimension != y.Dimension) throw new ArgumentException($"ContinuousCategorical {op}: dimensions differ ({x.Dimension} vs {y.Dimension}).");
        var r = new double[x.Dimension];
        for (int k = 0; k < r.Length; k++) r[k] = x._a[k] + sign * y._a[k];
        return r;
    }

    /// <summary>The normalised product (natural parameters add).</summary>
    public static ContinuousCategorical operator *(ContinuousCategorical x, ContinuousCategorical y) => new(Combine(x, y, 1, "product"));
    /// <summary>The ratio (natural parameters subtract).</summary>
    public static ContinuousCategorical operator /(ContinuousCategorical x, ContinuousCategorical y) => new(Combine(x, y, -1, "ratio"));
    /// <summary>The power (natural parameters times <paramref name="power"/>).</summary>
    public static ContinuousCategorical operator ^(ContinuousCategorical x, double power) => new(x._a.Select(v => v * power).ToArray());

    /// <summary>A short description with the natural parameters.</summary>
    public override string ToString() => "ContinuousCategorical(a = " + string.Join(", ", _a.Select(v => v.ToString("G4"))) + ")";
}
