using Probabilistic.Core.Random;

namespace Probabilistic.Infer.Distributions;

/// <summary>
/// Discrete distribution over {0, …, K−1}, stored as normalised probabilities. Products and ratios are
/// element-wise and renormalised; a ratio with a zero divisor where the dividend is positive is an error.
/// </summary>
public sealed class Discrete : IDistribution<int>, ISettableToProduct<Discrete>, ISettableToRatio<Discrete>, ISettableToPower<Discrete>, ICanGetEntropy
{
    private readonly double[] _probs;

    private Discrete(double[] probs) { _probs = probs; }

    /// <summary>From (possibly unnormalised) non-negative weights with a positive sum.</summary>
    public static Discrete FromProbabilities(ReadOnlySpan<double> weights)
    {
        if (weights.Length == 0) throw new ArgumentException("Discrete.FromProbabilities: needs at least one category.");
        double sum = 0;
        foreach (double w in weights)
        {
            if (!(w >= 0) || double.IsInfinity(w))
                throw new ArgumentException($"Discrete.FromProbabilities: weights must be finite and >= 0, got {w}.");
            sum += w;
        }
        if (!(sum > 0)) throw new ImproperDistributionException("Discrete.FromProbabilities: the weights sum to 0.");
        var p = new double[weights.Length];
        for (int k = 0; k < p.Length; k++) p[k] = weights[k] / sum;
        return new Discrete(p);
    }

    /// <summary>From log weights (normalised with the log-sum-exp trick).</summary>
    public static Discrete FromLogProbabilities(ReadOnlySpan<double> logWeights)
    {
        double max = double.NegativeInfinity;
        foreach (double l in logWeights) max = Math.Max(max, l);
        if (double.IsNegativeInfinity(max) || double.IsNaN(max))
            throw new ImproperDistributionException("Discrete.FromLogProbabilities: every log weight is -infinity or NaN.");
        var w = new double[logWeights.Length];
        for (int k = 0; k < w.Length; k++) w[k] = Math.Exp(logWeights[k] - max);
        return FromProbabilities(w);
    }

    /// <summary>The uniform distribution over {0, …, <paramref name="k"/>−1}.</summary>
    public static Discrete Uniform(int k)
    {
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, "Discrete.Uniform needs at least one category.");
        var p = new double[k];
        Array.Fill(p, 1.0 / k);
        return new Discrete(p);
    }

    /// <summary>All mass on <paramref name="value"/> among <paramref name="k"/> values.</summary>
    public static Discrete PointMass(int value, int k)
    {
        if ((uint)value >= (uint)k) throw new ArgumentOutOfRangeException(nameof(value), value, $"Discrete.PointMass: value must be in [0, {k}).");
        var p = new double[k];
        p[value] = 1;
        return new Discrete(p);
    }

    /// <summary>The number of values K.</summary>
    public int Dimension => _probs.Length;
    /// <summary>The probabilities P(0), …, P(K−1).</summary>
    public ReadOnlySpan<double> Probabilities => _probs;
    /// <summary>P(<paramref name="k"/>).</summary>
    public double this[int k] => _probs[k];

    /// <summary>Always true: a Discrete distribution is normalised.</summary>
    public bool IsProper() => true;

    /// <summary>The most probable category (lowest index on ties).</summary>
    public int GetMode()
    {
        int best = 0;
        for (int k = 1; k < _probs.Length; k++) if (_probs[k] > _probs[best]) best = k;
        return best;
    }

    /// <summary>The mean Σ k P(k).</summary>
    public double GetMean()
    {
        double m = 0;
        for (int k = 0; k < _probs.Length; k++) m += k * _probs[k];
        return m;
    }

    /// <summary>log P(<paramref name="x"/>) (−∞ outside the range).</summary>
    public double LogDensity(int x) => (uint)x < (uint)_probs.Length ? Math.Log(_probs[x]) : double.NegativeInfinity;

    /// <summary>Entropy −Σ_k P(k) log P(k).</summary>
    public double GetEntropy()
    {
        double h = 0;
        foreach (double p in _probs) if (p > 0) h -= p * Math.Log(p);
        return h;
    }

    /// <summary>Draws a value with <paramref name="rng"/>.</summary>
    public int Sample(Rng rng)
    {
        double u = rng.NextDouble(), c = 0;
        for (int k = 0; k < _probs.Length; k++)
        {
            c += _probs[k];
            if (u < c) return k;
        }
        return _probs.Length - 1;
    }

    private static void CheckSameDimension(Discrete a, Discrete b, string op)
    {
        if (a.Dimension != b.Dimension)
            throw new ArgumentException($"Discrete {op}: dimensions differ ({a.Dimension} vs {b.Dimension}).");
    }

    /// <summary>The normalised product of two Discrete distributions.</summary>
    public static Discrete operator *(Discrete a, Discrete b)
    {
        CheckSameDimension(a, b, "product");
        var w = new double[a.Dimension];
        for (int k = 0; k < w.Length; k++) w[k] = a._probs[k] * b._probs[k];
        return FromProbabilities(w);
    }

    /// <summary>The ratio of two Discrete distributions (as EP divides messages).</summary>
    public static Discrete operator /(Discrete a, Discrete b)
    {
        CheckSameDimension(a, b, "ratio");
        var w = new double[a.Dimension];
        for (int k = 0; k < w.Length; k++)
        {
            if (b._probs[k] == 0)
            {
                if (a._probs[k] != 0) throw new ImproperDistributionException($"Discrete ratio: category {k} has divisor 0 but dividend {a._probs[k]}.");
                w[k] = 0;
            }
            else w[k] = a._probs[k] / b._probs[k];
        }
        return FromProbabilities(w);
    }

    /// <summary>The distribution ∝ P(k)^power.</summary>
    public static Discrete operator ^(Discrete a, double power)
    {
        var w = new double[a.Dimension];
        for (int k = 0; k < w.Length; k++) w[k] = a._probs[k] == 0 ? 0 : Math.Pow(a._probs[k], power);
        return FromProbabilities(w);
    }

    /// <summary>A short description with the probabilities.</summary>
    public override string ToString() => "Discrete(" + string.Join(", ", _probs.Select(p => p.ToString("G4"))) + ")";
}
