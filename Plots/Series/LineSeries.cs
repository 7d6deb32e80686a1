using Probabilistic.Plots.Rendering;

namespace Probabilistic.Plots;

/// <summary>A polyline through (x, y), optionally with round markers and/or dashed.</summary>
public sealed class LineSeries : Series
{
    internal LineSeries(double[] x, double[] y, string? label, Color color, double width, bool markers, bool dashed)
        : base(label, color)
    {
        CheckLengths("Line", label, ("x", x), ("y", y));
        X = x; Y = y; Width = width; Markers = markers; Dashed = dashed;
    }

    /// <summary>X values.</summary>
    public double[] X { get; }
    /// <summary>Y values.</summary>
    public double[] Y { get; }
    /// <summary>Stroke width in pixels.</summary>
    public double Width { get; }
    /// <summary>Whether a marker is drawn at each point.</summary>
    public bool Markers { get; }
    /// <summary>Whether the line is dashed.</summary>
    public bool Dashed { get; }

    internal static readonly double[] DashPattern = [6, 4];

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
            if (pts.Length >= 2) area.Canvas.StrokePolyline(pts, Color, Width, Dashed ? DashPattern : null);
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
        canvas.StrokePolyline([new PointD(box.X, y), new PointD(box.Right, y)], Color, Width, Dashed ? DashPattern : null);
        if (Markers) DrawMarker(canvas, new PointD(box.X + box.W / 2, y));
    }

    internal override IEnumerable<(double X, double Y)> SamplePoints() => Densify(X, Y);
}
