using Probabilistic.Plots.Rendering;

namespace Probabilistic.Plots;

/// <summary>Points drawn as filled circles.</summary>
public sealed class ScatterSeries : Series
{
    internal ScatterSeries(double[] x, double[] y, string? label, Color color, double radius) : base(label, color)
    {
        CheckLengths("Scatter", label, ("x", x), ("y", y));
        if (!(radius > 0)) throw new ArgumentOutOfRangeException(nameof(radius), radius, "Scatter: radius must be > 0.");
        X = x; Y = y; Radius = radius;
    }

    /// <summary>X values.</summary>
    public double[] X { get; }
    /// <summary>Y values.</summary>
    public double[] Y { get; }
    /// <summary>Marker radius in pixels.</summary>
    public double Radius { get; }

    internal override int Layer => 4;

    internal override void Extend(ref Extent x, ref Extent y, bool logY)
    {
        for (int i = 0; i < X.Length; i++)
            if (double.IsFinite(X[i]) && double.IsFinite(Y[i])) { x.Add(X[i]); y.Add(Y[i], logY); }
    }

    internal override int Skipped(bool logY) => CountBad(X, logY, Y);

    internal override void Draw(PlotArea area)
    {
        // A thin white ring keeps overlapping points apart; translucent points skip it so density still shows.
        bool ring = Color.A == 255;
        for (int i = 0; i < X.Length; i++)
            if (area.TryMap(X[i], Y[i], out var p))
            {
                if (ring) area.Canvas.FillCircle(p, Radius + 0.8, Color.White);
                area.Canvas.FillCircle(p, Radius, Color);
            }
    }

    internal override void DrawSwatch(ICanvas canvas, RectD box) =>
        canvas.FillCircle(new PointD(box.X + box.W / 2, box.Y + box.H / 2), Math.Min(Radius, box.H / 2), Color);

    internal override IEnumerable<(double X, double Y)> SamplePoints() => X.Zip(Y);
}
