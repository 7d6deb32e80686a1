namespace Probabilistic.Core.Random;

/// <summary>A source of uniform doubles in [0, 1), the one thing <see cref="PolarGaussian"/> needs.</summary>
internal interface IUniformSource
{
    double NextUniform();
}

/// <summary>
/// Marsaglia's polar method, shared by <see cref="Rng"/> and <see cref="NumpyRandomState"/> (numpy's legacy Gaussian is
/// this method too): draw (x1, x2) uniformly on the square (−1, 1)² until it falls inside the unit disc, then
/// f = √(−2 ln r² / r²) makes f·x1 and f·x2 two independent standard normals. Callers return f·x2 and cache f·x1.
/// </summary>
internal static class PolarGaussian
{
    public static (double Returned, double Cached) Pair<TSource>(TSource source) where TSource : class, IUniformSource
    {
        double x1, x2, r2;
        do
        {
            x1 = 2.0 * source.NextUniform() - 1.0;
            x2 = 2.0 * source.NextUniform() - 1.0;
            r2 = x1 * x1 + x2 * x2;
        } while (r2 >= 1.0 || r2 == 0.0);
        double f = Math.Sqrt(-2.0 * Math.Log(r2) / r2);
        return (f * x2, f * x1);
    }
}
