using System.Globalization;

namespace Probabilistic.Plots;

/// <summary>One axis tick: its data value and its label.</summary>
public readonly record struct Tick(double Value, string Label);

/// <summary>Tick placement ("nice" 1-2-5 steps on linear axes, decades on log axes) and tick labels.</summary>
public static class Ticks
{
    /// <summary>The minus sign used in labels (U+2212, wider than a hyphen, as typeset mathematics uses).</summary>
    public const char Minus = '\u2212';

    /// <summary>
    /// The smallest step of the form {1, 2, 5}·10^k that gives at most <paramref name="maxTicks"/> ticks on
    /// [<paramref name="lo"/>, <paramref name="hi"/>] (at least 2 ticks when the range allows).
    /// </summary>
    public static double NiceStep(double lo, double hi, int maxTicks)
    {
        CheckRange(lo, hi, nameof(NiceStep));
        if (maxTicks < 2) maxTicks = 2;
        double raw = (hi - lo) / (maxTicks - 1);
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        foreach (double m in (ReadOnlySpan<double>)[1, 2, 5, 10, 20])
        {
            double step = m * mag;
            if (Count(lo, hi, step) <= maxTicks) return step;
        }
        return 20 * mag; // unreachable: 10·mag ≥ raw always fits
    }

    /// <summary>Ticks at multiples of a nice step inside [lo, hi], labelled with just enough decimals.</summary>
    public static IReadOnlyList<Tick> Linear(double lo, double hi, int maxTicks)
    {
        double step = NiceStep(lo, hi, maxTicks);
        double k0 = Math.Ceiling(lo / step - 1e-9), k1 = Math.Floor(hi / step + 1e-9);
        var values = new List<double>();
        for (double k = k0; k <= k1; k++) values.Add(k * step);
        double maxAbs = Math.Max(Math.Abs(lo), Math.Abs(hi));
        return values.Select(v => new Tick(v, FormatLinear(v, step, maxAbs))).ToList();
    }

    /// <summary>
    /// Ticks for a log axis on [lo, hi] (both &gt; 0): every decade (or every n-th when there are many); when the
    /// range spans less than two decades, also 2× and 5× multiples.
    /// </summary>
    public static IReadOnlyList<Tick> Log(double lo, double hi, int maxTicks)
    {
        if (!(lo > 0) || !(hi > lo) || double.IsInfinity(hi))
            throw new ArgumentException($"Ticks.Log: need 0 < lo < hi < ∞, got lo={lo}, hi={hi}.");
        int e0 = (int)Math.Floor(Math.Log10(lo) + 1e-9), e1 = (int)Math.Ceiling(Math.Log10(hi) - 1e-9);
        var ticks = new List<Tick>();
        if (Math.Log10(hi / lo) <= 2)
        {
            for (int e = e0; e <= e1; e++)
                foreach (int m in (ReadOnlySpan<int>)[1, 2, 5])
                {
                    double v = m * Math.Pow(10, e);
                    if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.Add(new Tick(v, FormatDecade(m, e)));
                }
            if (ticks.Count >= 2) return ticks;
            return Linear(lo, hi, maxTicks); // narrower than a 1-2-5 gap: plain linear ticks read better
        }
        int stride = Math.Max(1, (int)Math.Ceiling((e1 - e0 + 1) / (double)Math.Max(2, maxTicks)));
        for (int e = (int)(Math.Ceiling(e0 / (double)stride) * stride); e <= e1; e += stride)
        {
            double v = Math.Pow(10, e);
            if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.Add(new Tick(v, FormatDecade(1, e)));
        }
        return ticks;
    }

    /// <summary>
    /// Formats <paramref name="v"/> for an axis whose ticks are <paramref name="step"/> apart: fixed notation with
    /// as many decimals as the step needs, or scientific notation for very large or very small magnitudes.
    /// </summary>
    public static string FormatLinear(double v, double step, double maxAbs)
    {
        if (Math.Abs(v) < step * 1e-6) v = 0; // k·step rounding can leave 1e-17 where 0 is meant
        bool scientific = maxAbs >= 1e6 || (maxAbs > 0 && maxAbs < 1e-3);
        string s;
        if (scientific)
        {
            if (v == 0) return "0";
            int e = (int)Math.Floor(Math.Log10(Math.Abs(v)));
            int digits = Math.Clamp(e - (int)Math.Floor(Math.Log10(step) + 1e-9), 0, 15);
            double mant = v / Math.Pow(10, e);
            s = mant.ToString("F" + digits, CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.') + "e" + e.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            int decimals = Math.Clamp(-(int)Math.Floor(Math.Log10(step) + 1e-9), 0, 15);
            s = v.ToString("F" + decimals, CultureInfo.InvariantCulture);
        }
        return s.Replace('-', Minus);
    }

    /// <summary>Formats a general value compactly (≤ 4 significant digits), e.g. for colour-bar ends and cell annotations.</summary>
    public static string FormatValue(double v, string format = "G4") =>
        v.ToString(format, CultureInfo.InvariantCulture).Replace("E+", "e").Replace("E", "e").Replace('-', Minus);

    private static string FormatDecade(int mantissa, int exponent)
    {
        double v = mantissa * Math.Pow(10, exponent);
        if (exponent >= -3 && exponent <= 4) return FormatValue(v, "0.####");
        return (mantissa == 1 ? "" : mantissa + "×") + "1e" + exponent.ToString(CultureInfo.InvariantCulture).Replace('-', Minus);
    }

    private static double Count(double lo, double hi, double step) =>
        Math.Floor(hi / step + 1e-9) - Math.Ceiling(lo / step - 1e-9) + 1;

    private static void CheckRange(double lo, double hi, string op)
    {
        if (!double.IsFinite(lo) || !double.IsFinite(hi) || !(hi > lo) || !double.IsFinite(hi - lo))
            throw new ArgumentException($"Ticks.{op}: need finite lo < hi, got lo={lo}, hi={hi}.");
    }
}
