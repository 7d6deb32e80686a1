using Probabilistic.Plots.Rendering;

namespace Probabilistic.Plots;

/// <summary>
/// A grid of coloured cells: <c>Z[i, j]</c> is drawn at column j (x = j) and row i (y = i, row 0 at the bottom),
/// coloured through a colormap, with a colour bar beside the axes. NaN/∞ cells are left blank (light grey).
/// </summary>
public sealed class HeatMapSeries : Series
{
    internal HeatMapSeries(double[,] z, string[]? xLabels, string[]? yLabels, Colormap colormap, double? min, double? max,
        string? annotate, string? colorbarLabel) : base(null, Color.Black)
    {
        ArgumentNullException.ThrowIfNull(z);
        int ny = z.GetLength(0), nx = z.GetLength(1);
        if (nx == 0 || ny == 0) throw new ArgumentException($"HeatMap: z is empty ({ny}×{nx}).", nameof(z));
        if (xLabels is not null && xLabels.Length != nx)
            throw new ArgumentException($"HeatMap: xLabels has {xLabels.Length} entries but z has {nx} columns.", nameof(xLabels));
        if (yLabels is not null && yLabels.Length != ny)
            throw new ArgumentException($"HeatMap: yLabels has {yLabels.Length} entries but z has {ny} rows.", nameof(yLabels));
        Z = z; XLabels = xLabels; YLabels = yLabels; Colormap = colormap; Annotate = annotate; ColorbarLabel = colorbarLabel;
        var e = new Extent();
        foreach (double v in z) e.Add(v);
        double lo = min ?? (e.IsEmpty ? 0 : e.Min), hi = max ?? (e.IsEmpty ? 1 : e.Max);
        if (!(hi >= lo)) throw new ArgumentException($"HeatMap: colour range min={lo} > max={hi}.");
        if (hi == lo) { lo -= 0.5; hi += 0.5; } // a constant grid still needs a colour bar with a span
        Min = lo; Max = hi;
    }

    /// <summary>Values, [row (y), column (x)].</summary>
    public double[,] Z { get; }
    /// <summary>Column labels, or null for 0, 1, ….</summary>
    public string[]? XLabels { get; }
    /// <summary>Row labels, or null for 0, 1, ….</summary>
    public string[]? YLabels { get; }
    /// <summary>The colormap.</summary>
    public Colormap Colormap { get; }
    /// <summary>Value mapped to the start of the colormap.</summary>
    public double Min { get; }
    /// <summary>Value mapped to the end of the colormap.</summary>
    public double Max { get; }
    /// <summary>.NET format string for writing each value in its cell, or null for none.</summary>
    public string? Annotate { get; }
    /// <summary>Title of the colour bar.</summary>
    public string? ColorbarLabel { get; }
    /// <summary>Whether the colour bar is drawn (false for an image, see <see cref="Axes.Image"/>).</summary>
    public bool ShowColorbar { get; internal set; } = true;

    internal static readonly Color Missing = new(0xDD, 0xDD, 0xDD);

    internal override int Layer => 0;

    internal override void Extend(ref Extent x, ref Extent y, bool logY)
    {
        x.Add(-0.5); x.Add(Z.GetLength(1) - 0.5);
        y.Add(-0.5); y.Add(Z.GetLength(0) - 0.5);
    }

    internal override int Skipped(bool logY) { int bad = 0; foreach (double v in Z) if (!double.IsFinite(v)) bad++; return bad; }

    /// <summary>Colour of value <paramref name="v"/>.</summary>
    public Color ColorOf(double v) => double.IsFinite(v) ? Colormap.Map((v - Min) / (Max - Min)) : Missing;

    internal override void Draw(PlotArea area)
    {
        int ny = Z.GetLength(0), nx = Z.GetLength(1);
        // Cell edges snapped to whole pixels so neighbouring cells meet without anti-aliased seams.
        var xe = Enumerable.Range(0, nx + 1).Select(j => Math.Round(area.X.Map(j - 0.5))).ToArray();
        var ye = Enumerable.Range(0, ny + 1).Select(i => Math.Round(area.Y.Map(i - 0.5))).ToArray();
        for (int i = 0; i < ny; i++)
            for (int j = 0; j < nx; j++)
                area.Canvas.FillRect(new RectD(xe[j], ye[i + 1], xe[j + 1] - xe[j], ye[i] - ye[i + 1]), ColorOf(Z[i, j]));
        if (Annotate is null) return;
        for (int i = 0; i < ny; i++)
            for (int j = 0; j < nx; j++)
            {
                string s = double.IsFinite(Z[i, j]) ? Ticks.FormatValue(Z[i, j], Annotate) : "n/a";
                if (TextMetrics.Width(s) > xe[j + 1] - xe[j] - 2 || ye[i] - ye[i + 1] < TextMetrics.CapHeight + 2) continue;
                var ink = ColorOf(Z[i, j]).Luminance > 0.35 ? Color.Black : Color.White;
                area.Canvas.Text(s, (xe[j] + xe[j + 1]) / 2, (ye[i] + ye[i + 1]) / 2, new TextStyle(ink, H: HAlign.Middle, V: VAlign.Middle));
            }
    }

    internal override void DrawSwatch(ICanvas canvas, RectD box) => canvas.FillRect(box, Colormap.Map(0.5));
}
