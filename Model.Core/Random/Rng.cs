using System.Runtime.Intrinsics;

namespace Probabilistic.Core.Random;

/// <summary>
/// The toolkit's seeded random generator: xoshiro256** (Blackman and Vigna, 2018) seeded through SplitMix64.
/// The bit stream depends only on the seed, so the same seed gives the same data on every machine
/// (System.Random's algorithm is an implementation detail of the runtime and may change).
/// Doubles use the top 53 bits; normals use the Marsaglia polar method with its second value cached (<see cref="FillNormal"/>,
/// for many at once, a vectorised Box–Muller).
/// Not thread-safe: give each thread its own generator, e.g. via <see cref="Split"/>.
/// </summary>
public sealed class Rng : IUniformSource
{
    private ulong _s0, _s1, _s2, _s3;
    private double _cachedNormal;
    private bool _hasCachedNormal;

    /// <summary>The seed this generator was created with (for results files).</summary>
    public ulong Seed { get; }

    /// <summary>A generator whose whole stream is fixed by <paramref name="seed"/>.</summary>
    public Rng(ulong seed)
    {
        Seed = seed;
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A new generator whose stream is independent of this one's (seeded from this stream).</summary>
    public Rng Split() => new(NextUInt64());

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    double IUniformSource.NextUniform() => NextDouble();

    /// <summary>Uniform float in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Uniform double in [low, high).</summary>
    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Uniform integer in [0, n), without modulo bias (Lemire's method).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "NextInt needs n > 0.");
        ulong range = (ulong)n;
        UInt128 m = (UInt128)NextUInt64() * range;
        ulong low = (ulong)m;
        if (low < range)
        {
            ulong threshold = (0UL - range) % range;
            while (low < threshold)
            {
                m = (UInt128)NextUInt64() * range;
                low = (ulong)m;
            }
        }
        return (int)(m >> 64);
    }

    /// <summary>Standard normal draw (Marsaglia polar method, <see cref="PolarGaussian"/>).</summary>
    public double Normal()
    {
        if (_hasCachedNormal)
        {
            _hasCachedNormal = false;
            return _cachedNormal;
        }
        (double result, _cachedNormal) = PolarGaussian.Pair(this);
        _hasCachedNormal = true;
        return result;
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with independent standard normal draws, many at a time: Box–Muller on
    /// blocks of 16 values computed in 8-lane float vectors (<see cref="Vector256"/>: the same arithmetic with or
    /// without AVX, so the values depend only on the generator's state). Each block takes 8 <see cref="NextUInt64"/>
    /// draws, one per pair: its high 31 bits give u₁ = (k + ½)/2³¹ ∈ (0, 1] (so |z| ≤ √(2·32·ln 2) ≈ 6.66), its low 24
    /// bits k the angle θ = 2π·k/2²⁴; the block's first 8 values are r·cos θ, the next 8 r·sin θ with r = √(−2 ln u₁). A final
    /// partial block of k &lt; 16 values takes min(k, 8) draws. Much faster than calling <see cref="Normal()"/> per
    /// element (a different stream: it neither uses nor changes the cached second value of <see cref="Normal()"/>).
    /// </summary>
    public void FillNormal(Span<float> destination)
    {
        const int Lanes = 8, Block = 2 * Lanes;
        Span<int> high = stackalloc int[Lanes];
        Span<int> low = stackalloc int[Lanes];
        Span<float> tail = stackalloc float[Block];
        var half = Vector256.Create(0.5f);
        var toUnit31 = Vector256.Create(1f / 2147483648f);     // 2^-31
        int i = 0;
        while (i < destination.Length)
        {
            int remaining = destination.Length - i;
            int pairs = Math.Min(remaining, Lanes);
            for (int k = 0; k < pairs; k++)
            {
                ulong bits = NextUInt64();
                high[k] = (int)(bits >> 33);
                low[k] = (int)(bits & 0xFFFFFF);
            }
            for (int k = pairs; k < Lanes; k++) high[k] = low[k] = 0;
            var u1 = (Vector256.ConvertToSingle(Vector256.Create<int>(high)) + half) * toUnit31;
            var r = BoxMuller.Radius(u1);
            var (sin, cos) = BoxMuller.SinCosOfTurn(Vector256.Create<int>(low));
            if (remaining >= Block)
            {
                (r * cos).CopyTo(destination.Slice(i, Lanes));
                (r * sin).CopyTo(destination.Slice(i + Lanes, Lanes));
                i += Block;
            }
            else
            {
                (r * cos).CopyTo(tail);
                (r * sin).CopyTo(tail[Lanes..]);
                tail[..remaining].CopyTo(destination[i..]);
                i += remaining;
            }
        }
    }

    /// <summary>Normal draw with the given mean and standard deviation.</summary>
    public double Normal(double mean, double std) => mean + std * Normal();

    /// <summary>Gamma(shape, scale=1) draw (Marsaglia and Tsang, 2000); shape &lt; 1 via the boost u^(1/shape).</summary>
    public double Gamma(double shape)
    {
        if (!(shape > 0) || double.IsInfinity(shape))
            throw new ArgumentOutOfRangeException(nameof(shape), shape, "Gamma needs a finite shape > 0.");
        if (shape < 1.0)
        {
            double u = NextDouble();
            return Gamma(shape + 1.0) * Math.Pow(u == 0 ? double.Epsilon : u, 1.0 / shape);
        }
        double d = shape - 1.0 / 3.0, c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal();
                v = 1.0 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = NextDouble();
            if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
            if (Math.Log(u) < 0.5 * x * x + d * (1.0 - v + Math.Log(v))) return d * v;
        }
    }

    /// <summary>Fills <paramref name="destination"/> with a Dirichlet(alpha) draw.</summary>
    public void Dirichlet(ReadOnlySpan<double> alpha, Span<double> destination)
    {
        if (alpha.Length != destination.Length)
            throw new ArgumentException($"Dirichlet: alpha has {alpha.Length} components but destination has {destination.Length}.");
        double sum = 0;
        for (int i = 0; i < alpha.Length; i++)
        {
            destination[i] = Gamma(alpha[i]);
            sum += destination[i];
        }
        for (int i = 0; i < alpha.Length; i++) destination[i] /= sum;
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A uniformly random permutation of 0..n-1.</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        Shuffle<int>(p);
        return p;
    }
}
