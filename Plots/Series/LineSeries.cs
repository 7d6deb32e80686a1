using Probabilistic.Plots.Rendering;

namespace Probabilistic.Plots;

/// <summary>The stroke pattern of a line, so that overlapping curves stay distinguishable without colour.</summary>
public enum LineStyle
{
    /// <summary>A continuous line.</summary>
    Solid,
    /// <summary>Dashes of 6 px with gaps of 4 px.</summary>
    Dashed,
    /// <summary>Dots of 2 px with gaps of 3 px.</summary>
    Dotted,
    /// <summary>Alternating 8 px dashes and 2 px dots.</summary>
    DashDot,
}

/// <summary>A polyline through (x, y), optionally with round markers and/or dashed.</summary>
public sealed class LineSeries : Series
{
    internal LineSeries(double[] x, double[] y, string? label, Color color, double width, bool markers, bool dashed)
        : base(label, color)
    {
        CheckLengths("Line", label, ("x", x), ("y", y));
        X = x; Y = y; Width = width; Markers = markers; Style = dashed ? LineStyle.Dashed : LineStyle.Solid;
    }

    /// <summary>X values.</summary>
    public double[] X { get; }
    /// <summary>Y values.</summary>
    public double[] Y { get; }
    /// <summary>Stroke width in pixels.</summary>
    public double Width { get; }
    /// <summary>Whether a marker is drawn at each point.</summary>
    public bool Markers { get; }
    /// <summary>Whether the line is dashed (any pattern other than <see cref="LineStyle.Solid"/>).</summary>
    public bool Dashed => Style != LineStyle.Solid;
    /// <summary>The stroke pattern; <c>dashed: true</c> at creation gives <see cref="LineStyle.Dashed"/>.</summary>
    public LineStyle Style { get; set; }

    internal static readonly double[] DashPattern = [6, 4];

    /// <summary>The on/off lengths of <paramref name="style"/>, or null for a solid line.</summary>
    internal static double[]? Pattern(LineStyle style) => style switch
    {
        LineStyle.Dashed => DashPattern,
        LineStyle.Dotted => [2, 3],
        LineStyle.DashDot => [8, 3, 2, 3],
        _ => null,
    };

    /// <summary>Set by <see cref="Axes.MeanBand"/>: the legend symbol shows the band behind the line.</summary>
    internal Color? BandColor { get; set; }

    internal override int Layer => 3;

    internal override void Extend(ref Extent x, ref Extent y, bool logY)
    {
        for (int i = 0; i < X.Length; i++)
            if (double.IsFinite(X[i]) && double.IsFinite(Y[i])) { x.Add(X[i]); y.Add(Y[i], logY); }
    }

    internal override int Skipped(bool logY) => CountBad(X, logY, Y);

    internal override void Draw(PlotArea area)
    {
        foreach (var (s, e) in Runs(X.Length, i => area.X.Accepts(X[i]) && area.Y.Accepts(Y[i])))
        {
            var pts = new PointD[e - s];
            for (int i = s; i < e; i++) area.TryMap(X[i], Y[i], out pts[i - s]);
            if (pts.Length >= 2) area.Canvas.StrokePolyline(pts, Color, Width, Pattern(Style));
            if (Markers || pts.Length == 1)
                foreach (var p in pts) DrawMarker(area.Canvas, p);
        }
    }

    private double MarkerRadius => Math.Max(2.5, Width * 1.6);

    private void DrawMarker(ICanvas c, PointD p)
    {
        c.FillCircle(p, MarkerRadius + 1, Color.White);
        c.FillCircle(p, MarkerRadius, Color);
    }

    internal override void DrawSwatch(ICanvas canvas, RectD box)
    {
        double y = box.Y + box.H / 2;
        if (BandColor is { } band) canvas.FillRect(new RectD(box.X, box.Y, box.W, box.H), band);
        canvas.StrokePolyline([new PointD(box.X, y), new PointD(box.Right, y)], Color, Width, Pattern(Style));
        if (Markers) DrawMarker(canvas, new PointD(box.X + box.W / 2, y));
    }

    internal override IEnumerable<(double X, double Y)> SamplePoints() => Densify(X, Y);
}
