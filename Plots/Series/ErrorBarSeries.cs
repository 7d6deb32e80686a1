using Probabilistic.Plots.Rendering;

namespace Probabilistic.Plots;

/// <summary>Vertical error bars y ± err with caps and a dot at y.</summary>
public sealed class ErrorBarSeries : Series
{
    internal ErrorBarSeries(double[] x, double[] y, double[] err, string? label, Color color) : base(label, color)
    {
        CheckLengths("ErrorBars", label, ("x", x), ("y", y), ("err", err));
        for (int i = 0; i < err.Length; i++)
            if (err[i] < 0) throw new ArgumentException($"ErrorBars{(label is null ? "" : $" '{label}'")}: err[{i}] = {err[i]} is negative.", nameof(err));
        X = x; Y = y; Err = err;
    }

    /// <summary>X values.</summary>
    public double[] X { get; }
    /// <summary>Centre values.</summary>
    public double[] Y { get; }
    /// <summary>Half-lengths (≥ 0).</summary>
    public double[] Err { get; }

    internal override int Layer => 3;

    internal override void Extend(ref Extent x, ref Extent y, bool logY)
    {
        for (int i = 0; i < X.Length; i++)
            if (double.IsFinite(X[i]) && double.IsFinite(Y[i]) && double.IsFinite(Err[i]))
            { x.Add(X[i]); y.Add(Y[i] - Err[i], logY); y.Add(Y[i] + Err[i], logY); y.Add(Y[i], logY); }
    }

    internal override int Skipped(bool logY)
    {
        int bad = 0;
        for (int i = 0; i < X.Length; i++)
            if (!double.IsFinite(X[i]) || !double.IsFinite(Y[i]) || !double.IsFinite(Err[i]) || (logY && Y[i] <= 0)) bad++;
        return bad;
    }

    internal override void Draw(PlotArea area)
    {
        const double cap = 4;
        for (int i = 0; i < X.Length; i++)
        {
            if (!double.IsFinite(Err[i]) || !area.TryMap(X[i], Y[i], out var c)) continue;
            // On a log axis a lower end ≤ 0 is drawn to the bottom edge of the plot.
            double top = area.Y.Map(Y[i] + Err[i]);
            double lowV = Y[i] - Err[i];
            double bottom = area.Y.Accepts(lowV) ? area.Y.Map(lowV) : area.Rect.Bottom;
            DrawBar(area.Canvas, c.X, top, bottom, c.Y, cap);
        }
    }

    private void DrawBar(ICanvas canvas, double x, double top, double bottom, double y, double cap)
    {
        canvas.StrokePolyline([new PointD(x, top), new PointD(x, bottom)], Color, 1.5);
        canvas.StrokePolyline([new PointD(x - cap, top), new PointD(x + cap, top)], Color, 1.5);
        canvas.StrokePolyline([new PointD(x - cap, bottom), new PointD(x + cap, bottom)], Color, 1.5);
        canvas.FillCircle(new PointD(x, y), 2.8, Color);
    }

    internal override void DrawSwatch(ICanvas canvas, RectD box) =>
        DrawBar(canvas, box.X + box.W / 2, box.Y, box.Bottom, box.Y + box.H / 2, 3);

    internal override IEnumerable<(double X, double Y)> SamplePoints() =>
        X.Select((x, i) => (x, Y[i] + Err[i])).Concat(X.Select((x, i) => (x, Y[i] - Err[i]))).Concat(X.Zip(Y));
}
