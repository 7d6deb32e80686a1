namespace Probabilistic.Plots.Rendering;

/// <summary>Axis limits from data extents: margins, constant series, log axes and fixed limits.</summary>
internal static class Limits
{
    /// <summary>Fraction of the data span added on each side.</summary>
    public const double Margin = 0.05;

    /// <summary>
    /// The [lo, hi] to show. Fixed limits win (validated). Otherwise the data range widened by
    /// <see cref="Margin"/> (none when <paramref name="tight"/>; none below 0 when <paramref name="stickyZero"/> and the
    /// data start at 0). A constant series gets ±10 % of its value (±1 around 0; half a decade each way on a log axis).
    /// </summary>
    public static (double Lo, double Hi) Choose(string axis, Extent e, (double Min, double Max)? fixedLimits, bool log, bool tight, bool stickyZero)
    {
        if (fixedLimits is { } f)
        {
            if (!double.IsFinite(f.Min) || !double.IsFinite(f.Max) || !(f.Max > f.Min))
                throw new ArgumentException($"{axis} limits ({f.Min}, {f.Max}): need finite min < max.");
            if (log && f.Min <= 0) throw new ArgumentException($"{axis} limits ({f.Min}, {f.Max}): a log axis needs min > 0.");
            return f;
        }
        if (e.IsEmpty) return log ? (1, 10) : (0, 1);
        if (log)
        {
            double l0 = Math.Log10(e.Min), l1 = Math.Log10(e.Max);
            if (l1 - l0 < 1e-9) { l0 -= 0.5; l1 += 0.5; }
            double m = tight ? 0 : Margin * (l1 - l0);
            return (Math.Pow(10, l0 - m), Math.Pow(10, l1 + m));
        }
        double lo = e.Min, hi = e.Max;
        // Below ~1e-12 relative span the values are equal for plotting purposes (and ticks would run out of digits).
        if (hi - lo <= 1e-12 * Math.Max(Math.Abs(lo), Math.Abs(hi)))
        {
            double d = lo == 0 ? 1 : Math.Abs(lo) * 0.1;
            return (lo - d, hi + d);
        }
        double span = hi - lo;
        if (!double.IsFinite(span)) span = double.MaxValue; // e.g. -1e308 … 1e308
        double margin = tight ? 0 : Margin * span;
        double newLo = stickyZero && lo == 0 ? 0 : lo - margin, newHi = stickyZero && hi == 0 ? 0 : hi + margin;
        if (!double.IsFinite(newLo - 0) || !double.IsFinite(newHi) || !double.IsFinite(newHi - newLo)) return (lo, hi);
        return (newLo, newHi);
    }
}
