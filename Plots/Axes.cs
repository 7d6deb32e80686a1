namespace Probabilistic.Plots;

/// <summary>Where the legend goes inside the plot; <see cref="Best"/> picks the corner covering the fewest data points.</summary>
public enum LegendPosition
{
    /// <summary>The corner that covers the fewest data points.</summary>
    Best,

    /// <summary>Top right corner.</summary>
    TopRight,

    /// <summary>Top left corner.</summary>
    TopLeft,

    /// <summary>Bottom right corner.</summary>
    BottomRight,

    /// <summary>Bottom left corner.</summary>
    BottomLeft,

    /// <summary>No legend.</summary>
    None,
}

/// <summary>
/// One plot panel of a <see cref="Figure"/>: titles, axis settings and the series drawn in it. Series without an
/// explicit colour take the next colour of <see cref="Palette.Cycle"/>, except <see cref="Band"/> and
/// <see cref="ErrorBars"/>, which reuse the colour of the series added just before them (so a band follows its line).
/// </summary>
public sealed class Axes
{
    private readonly List<Series> _series = [];
    private int _nextColor;
    private Color? _lastColor;

    internal Axes(int row, int col) { Row = row; Column = col; }

    /// <summary>Grid row in the figure.</summary>
    public int Row { get; }
    /// <summary>Grid column in the figure.</summary>
    public int Column { get; }
    /// <summary>Title above the panel.</summary>
    public string? Title { get; set; }
    /// <summary>Label under the x axis.</summary>
    public string? XLabel { get; set; }
    /// <summary>Label beside the y axis.</summary>
    public string? YLabel { get; set; }
    /// <summary>Logarithmic y axis (values ≤ 0 are skipped and counted).</summary>
    public bool LogY { get; set; }
    /// <summary>Fixed x range; null chooses it from the data with a margin.</summary>
    public (double Min, double Max)? XLimits { get; set; }
    /// <summary>Fixed y range; null chooses it from the data with a margin.</summary>
    public (double Min, double Max)? YLimits { get; set; }
    /// <summary>Legend placement.</summary>
    public LegendPosition Legend { get; set; } = LegendPosition.Best;
    /// <summary>Whether light grid lines are drawn at the ticks.</summary>
    public bool Grid { get; set; } = true;
    /// <summary>Explicit x ticks (positions and labels), or null for automatic ones.</summary>
    public IReadOnlyList<Tick>? XTicks { get; set; }
    /// <summary>Explicit y ticks, or null for automatic ones.</summary>
    public IReadOnlyList<Tick>? YTicks { get; set; }

    /// <summary>The series, in the order they were added.</summary>
    public IReadOnlyList<Series> Series => _series;

    private Color Next(Color? given) => given ?? Palette.Get(_nextColor++);
    private Color Companion(Color? given) => given ?? _lastColor ?? Palette.Get(_nextColor++);

    private T Add<T>(T s) where T : Series { _series.Add(s); _lastColor = s.Color; return s; }

    /// <summary>A line through (x, y).</summary>
    public LineSeries Line(double[] x, double[] y, string? label = null, Color? color = null, double width = 2,
        bool markers = false, bool dashed = false) =>
        Add(new LineSeries(x, y, label, Next(color), width, markers, dashed));

    /// <summary>A line through (x, y) with the stroke pattern <paramref name="style"/>.</summary>
    public LineSeries Line(double[] x, double[] y, string? label, LineStyle style, Color? color = null, double width = 2, bool markers = false)
    {
        LineSeries line = Line(x, y, label, color, width, markers);
        line.Style = style;
        return line;
    }

    /// <summary>A line through (0, y0), (1, y1), … .</summary>
    public LineSeries Line(double[] y, string? label = null, Color? color = null, double width = 2, bool markers = false, bool dashed = false) =>
        Line(Enumerable.Range(0, y?.Length ?? 0).Select(i => (double)i).ToArray(), y!, label, color, width, markers, dashed);

    /// <summary>Points (x, y) as filled circles of the given radius and opacity.</summary>
    public ScatterSeries Scatter(double[] x, double[] y, string? label = null, Color? color = null, double radius = 3.5, double opacity = 1) =>
        Add(new ScatterSeries(x, y, label, Next(color).WithOpacity(opacity), radius));

    /// <summary>A translucent band between <paramref name="lo"/> and <paramref name="hi"/>.</summary>
    public BandSeries Band(double[] x, double[] lo, double[] hi, string? label = null, Color? color = null, double opacity = 0.22) =>
        Add(new BandSeries(x, lo, hi, label, Companion(color).WithOpacity(opacity)));

    /// <summary>The usual learning-curve picture: a line at <paramref name="mean"/> over a band mean ± <paramref name="sd"/>.</summary>
    public LineSeries MeanBand(double[] x, double[] mean, double[] sd, string? label = null, Color? color = null, bool markers = false)
    {
        Plots.Series.CheckLengths("MeanBand", label, ("x", x), ("mean", mean), ("sd", sd));
        var c = Next(color);
        var band = Band(x, mean.Select((m, i) => m - sd[i]).ToArray(), mean.Select((m, i) => m + sd[i]).ToArray(), null, c);
        var line = Line(x, mean, label, c, markers: markers);
        line.BandColor = band.Color;
        return line;
    }

    /// <summary>Vertical error bars y ± err.</summary>
    public ErrorBarSeries ErrorBars(double[] x, double[] y, double[] err, string? label = null, Color? color = null) =>
        Add(new ErrorBarSeries(x, y, err, label, Companion(color)));

    /// <summary>
    /// One bar per category for this series; several calls form grouped bars. Sets the x ticks to the categories.
    /// All calls on one axes must pass the same categories.
    /// </summary>
    public BarSeries Bars(string[] categories, double[] values, string? label = null, Color? color = null, double[]? errors = null)
    {
        var s = new BarSeries(categories, values, errors, label, Next(color));
        var first = _series.OfType<BarSeries>().FirstOrDefault();
        if (first is not null && !first.Categories.SequenceEqual(categories))
            throw new ArgumentException($"Bars{(label is null ? "" : $" '{label}'")}: categories [{string.Join(", ", categories)}] differ from those already on this axes [{string.Join(", ", first.Categories)}].");
        XTicks ??= categories.Select((c, i) => new Tick(i, c)).ToList();
        return Add(s);
    }

    /// <summary>
    /// A heat map of <paramref name="z"/>[row, column] with a colour bar; labels name the columns (x) and rows (y)
    /// and become the ticks. <paramref name="annotate"/> is a format string (e.g. "F2") for writing values in cells.
    /// </summary>
    public HeatMapSeries HeatMap(double[,] z, string[]? xLabels = null, string[]? yLabels = null, Colormap? colormap = null,
        double? min = null, double? max = null, string? annotate = null, string? colorbarLabel = null)
    {
        var s = new HeatMapSeries(z, xLabels, yLabels, colormap ?? Colormap.Viridis, min, max, annotate, colorbarLabel);
        if (_series.OfType<HeatMapSeries>().Any())
            throw new InvalidOperationException("HeatMap: this axes already has a heat map (one colour bar per axes); use another subplot.");
        // Cells sit at whole indices; unlabelled grids are ticked by index so no tick falls between cells.
        XTicks = (xLabels ?? Indices(z.GetLength(1))).Select((c, i) => new Tick(i, c)).ToList();
        YTicks = (yLabels ?? Indices(z.GetLength(0))).Select((c, i) => new Tick(i, c)).ToList();
        Grid = false;
        return Add(s);
    }

    /// <summary>
    /// A grey-scale picture: <paramref name="pixels"/>[row, column] with row 0 at the top (as images are stored), values
    /// from <paramref name="min"/> (black) to <paramref name="max"/> (white), no ticks, no grid, no colour bar.
    /// </summary>
    public HeatMapSeries Image(double[,] pixels, double min = 0, double max = 1)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        int rows = pixels.GetLength(0), cols = pixels.GetLength(1);
        var flipped = new double[rows, cols]; // heat maps put row 0 at the bottom
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) flipped[rows - 1 - r, c] = pixels[r, c];
        var s = HeatMap(flipped, Enumerable.Repeat("", cols).ToArray(), Enumerable.Repeat("", rows).ToArray(), Colormap.Grey, min, max);
        s.ShowColorbar = false;
        XTicks = [];
        YTicks = [];
        return s;
    }

    private static string[] Indices(int n) => Enumerable.Range(0, n).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Decision regions: <paramref name="classes"/>[iy, ix] on the grid <paramref name="ys"/> × <paramref name="xs"/>, tinted by class colour.</summary>
    public RegionSeries Regions(double[] xs, double[] ys, int[,] classes, double opacity = 0.22) =>
        Add(new RegionSeries(xs, ys, classes, opacity));

    /// <summary>A horizontal line y = <paramref name="y"/> across the plot.</summary>
    public ReferenceLine HLine(double y, string? label = null, Color? color = null, bool dashed = true) =>
        Add(new ReferenceLine(true, y, label, color ?? Color.Grey, dashed));

    /// <summary>A vertical line x = <paramref name="x"/> across the plot.</summary>
    public ReferenceLine VLine(double x, string? label = null, Color? color = null, bool dashed = true) =>
        Add(new ReferenceLine(false, x, label, color ?? Color.Grey, dashed));
}
