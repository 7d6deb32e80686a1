namespace Probabilistic.Core.Numerics;

/// <summary>Golden-section search for the maximum of a unimodal function on an interval (no derivatives).</summary>
public static class GoldenSection
{
    private static readonly double InverseRatio = (Math.Sqrt(5) - 1) / 2;

    /// <summary>
    /// The point of [<paramref name="low"/>, <paramref name="high"/>] where <paramref name="f"/> is largest, to within
    /// <paramref name="tolerance"/> (the final bracket's width), assuming f is unimodal there. Each step shrinks the
    /// bracket by the golden ratio and costs one evaluation of f.
    /// </summary>
    public static double Maximize(Func<double, double> f, double low, double high, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(f);
        if (!(low < high) || !double.IsFinite(low) || !double.IsFinite(high))
            throw new ArgumentException($"GoldenSection.Maximize: the interval [{low}, {high}] must be finite with low < high.");
        if (!(tolerance > 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "GoldenSection.Maximize: the tolerance must be > 0.");
        double a = low, b = high;
        double c = b - InverseRatio * (b - a), d = a + InverseRatio * (b - a);
        double fc = f(c), fd = f(d);
        while (b - a > tolerance)
        {
            if (fc > fd)
            {
                b = d;
                d = c;
                fd = fc;
                c = b - InverseRatio * (b - a);
                fc = f(c);
            }
            else
            {
                a = c;
                c = d;
                fc = fd;
                d = a + InverseRatio * (b - a);
                fd = f(d);
            }
        }
        return 0.5 * (a + b);
    }
}
