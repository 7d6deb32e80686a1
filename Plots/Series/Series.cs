using Probabilistic.Plots.Rendering;

namespace Probabilistic.Plots;

/// <summary>
/// Something drawn in an <see cref="Axes"/>. Points with a NaN or infinite coordinate (or y ≤ 0 on a log axis)
/// are skipped: lines and bands break there, and the legend entry says how many points were skipped.
/// </summary>
public abstract class Series
{
    private protected Series(string? label, Color color) { Label = label; Color = color; }

    /// <summary>Legend text; null keeps the series out of the legend.</summary>
    public string? Label { get; }

    /// <summary>Colour (its alpha is used as opacity).</summary>
    public Color Color { get; }

    /// <summary>Drawing order: lower layers are painted first.</summary>
    internal abstract int Layer { get; }

    /// <summary>Widens the data extents with this series' finite values (positive ones only for a log y axis).</summary>
    internal abstract void Extend(ref Extent x, ref Extent y, bool logY);

    /// <summary>Number of points that cannot be drawn (non-finite, or y ≤ 0 on a log axis).</summary>
    internal abstract int Skipped(bool logY);

    /// <summary>Paints the series into the plot area (already clipped).</summary>
    internal abstract void Draw(PlotArea area);

    /// <summary>Paints the legend symbol into <paramref name="box"/>.</summary>
    internal abstract void DrawSwatch(ICanvas canvas, RectD box);

    /// <summary>Data points the legend should avoid covering.</summary>
    internal virtual IEnumerable<(double X, double Y)> SamplePoints() => [];

    /// <summary>The points of a polyline plus 7 evenly spaced points on each segment, so a legend avoids lines, not just vertices.</summary>
    internal static IEnumerable<(double X, double Y)> Densify(double[] x, double[] y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            yield return (x[i], y[i]);
            if (i + 1 < x.Length)
                for (int k = 1; k < 8; k++) yield return (x[i] + (x[i + 1] - x[i]) * k / 8, y[i] + (y[i + 1] - y[i]) * k / 8);
        }
    }

    internal static int CountBad(bool logY, params double[][] ys) => CountBad(null, logY, ys);

    /// <summary>Counts indices where an x (if given) or any y is non-finite, or a y ≤ 0 on a log axis.</summary>
    internal static int CountBad(double[]? xs, bool logY, params double[][] ys)
    {
        int n = xs?.Length ?? ys[0].Length, bad = 0;
        for (int i = 0; i < n; i++)
        {
            bool ok = xs is null || double.IsFinite(xs[i]);
            foreach (var y in ys) ok &= double.IsFinite(y[i]) && (!logY || y[i] > 0);
            if (!ok) bad++;
        }
        return bad;
    }

    /// <summary>Throws when the arrays are null or differ in length, naming the series and every length.</summary>
    internal static void CheckLengths(string kind, string? label, params (string Name, Array? Values)[] arrays)
    {
        string who = label is null ? kind : $"{kind} '{label}'";
        foreach (var (name, values) in arrays)
            if (values is null) throw new ArgumentNullException(name, $"{who}: {name} is null.");
        int n = arrays[0].Values!.Length;
        if (arrays.Any(a => a.Values!.Length != n))
            throw new ArgumentException($"{who}: lengths differ: " +
                string.Join(", ", arrays.Select(a => $"{a.Name} has {a.Values!.Length}")) + ".");
        if (n == 0) throw new ArgumentException($"{who}: no points ({arrays[0].Name} is empty).");
    }

    /// <summary>Maximal runs [start, end) of consecutive indices that can be drawn.</summary>
    internal static IEnumerable<(int Start, int End)> Runs(int n, Func<int, bool> ok)
    {
        int start = -1;
        for (int i = 0; i <= n; i++)
        {
            bool good = i < n && ok(i);
            if (good && start < 0) start = i;
            else if (!good && start >= 0) { yield return (start, i); start = -1; }
        }
    }
}

/// <summary>A running [min, max] of finite values.</summary>
internal struct Extent
{
    public double Min = double.PositiveInfinity, Max = double.NegativeInfinity;
    public Extent() { }
    public readonly bool IsEmpty => Min > Max;
    public void Add(double v, bool positiveOnly = false)
    {
        if (!double.IsFinite(v) || (positiveOnly && v <= 0)) return;
        if (v < Min) Min = v;
        if (v > Max) Max = v;
    }
}
