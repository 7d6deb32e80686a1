namespace Probabilistic.Core.Random;

/// <summary>
/// numpy's legacy <c>np.random.RandomState</c> (MT19937 with <c>np.random.seed(int)</c> seeding), for the
/// draws the seeds' original scripts make: <c>random_sample</c>, <c>randn</c> (legacy polar Gaussian with its
/// cached second value) and <c>choice(a, p=...)</c>. With it the synthetic data sets are the very arrays the
/// authors used, not merely data from the same distribution.
/// </summary>
public sealed class NumpyRandomState : IUniformSource
{
    private const int N = 624, M = 397;
    private readonly uint[] _mt = new uint[N];
    private int _index;
    private bool _hasGauss;
    private double _gauss;

    /// <summary>A generator seeded as numpy's <c>RandomState(seed)</c> (MT19937 init_genrand).</summary>
    public NumpyRandomState(uint seed)
    {
        _mt[0] = seed;
        for (int i = 1; i < N; i++)
            _mt[i] = 1812433253u * (_mt[i - 1] ^ (_mt[i - 1] >> 30)) + (uint)i;
        _index = N;
    }

    /// <summary>Next raw 32-bit MT19937 output.</summary>
    public uint NextUInt32()
    {
        if (_index >= N) Twist();
        uint y = _mt[_index++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= y >> 18;
        return y;
    }

    private void Twist()
    {
        for (int i = 0; i < N; i++)
        {
            uint y = (_mt[i] & 0x80000000u) | (_mt[(i + 1) % N] & 0x7fffffffu);
            uint next = _mt[(i + M) % N] ^ (y >> 1);
            if ((y & 1) != 0) next ^= 0x9908b0dfu;
            _mt[i] = next;
        }
        _index = 0;
    }

    /// <summary><c>random_sample()</c>: a double in [0, 1) from two 32-bit outputs (53 bits).</summary>
    public double RandomSample()
    {
        uint a = NextUInt32() >> 5, b = NextUInt32() >> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    double IUniformSource.NextUniform() => RandomSample();

    /// <summary>One value of <c>randn()</c> (numpy's legacy polar method, <see cref="PolarGaussian"/>).</summary>
    public double StandardNormal()
    {
        if (_hasGauss)
        {
            _hasGauss = false;
            return _gauss;
        }
        (double result, _gauss) = PolarGaussian.Pair(this);
        _hasGauss = true;
        return result;
    }

    /// <summary><c>randn(rows, cols)</c> in row-major order.</summary>
    public double[] Randn(int rows, int cols)
    {
        var result = new double[checked(rows * cols)];
        for (int i = 0; i < result.Length; i++) result[i] = StandardNormal();
        return result;
    }

    /// <summary>
    /// <c>choice(len(p), p=p)</c> for one draw: the index of the first cumulative probability (normalised by its
    /// last entry) that exceeds one <c>random_sample()</c>.
    /// </summary>
    public int Choice(ReadOnlySpan<double> p)
    {
        if (p.Length == 0) throw new ArgumentException("Choice needs at least one probability.", nameof(p));
        Span<double> cdf = p.Length <= 64 ? stackalloc double[p.Length] : new double[p.Length];
        double acc = 0;
        for (int i = 0; i < p.Length; i++)
        {
            if (!(p[i] >= 0)) throw new ArgumentException($"Choice: probability {i} is {p[i]}, not a non-negative number.", nameof(p));
            acc += p[i];
            cdf[i] = acc;
        }
        for (int i = 0; i < cdf.Length; i++) cdf[i] /= acc;
        double u = RandomSample();
        for (int i = 0; i < cdf.Length; i++)
            if (cdf[i] > u) return i;
        return cdf.Length - 1;
    }
}
