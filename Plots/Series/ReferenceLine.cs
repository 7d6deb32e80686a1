using Probabilistic.Plots.Rendering;

namespace Probabilistic.Plots;

/// <summary>A horizontal (y = value) or vertical (x = value) line across the whole plot.</summary>
public sealed class ReferenceLine : Series
{
    internal ReferenceLine(bool horizontal, double value, string? label, Color color, bool dashed) : base(label, color)
    {
        if (!double.IsFinite(value))
            throw new ArgumentException($"{(horizontal ? "HLine" : "VLine")}{(label is null ? "" : $" '{label}'")}: value {value} is not finite.", nameof(value));
        Horizontal = horizontal; Value = value; Dashed = dashed;
    }

    /// <summary>True for y = Value, false for x = Value.</summary>
    public bool Horizontal { get; }
    /// <summary>Position in data units.</summary>
    public double Value { get; }
    /// <summary>Whether the line is dashed.</summary>
    public bool Dashed { get; }

    internal override int Layer => 2;

    internal override void Extend(ref Extent x, ref Extent y, bool logY)
    {
        if (Horizontal) y.Add(Value, logY); else x.Add(Value);
    }

    internal override int Skipped(bool logY) => Horizontal && logY && Value <= 0 ? 1 : 0;

    internal override void Draw(PlotArea area)
    {
        var r = area.Rect;
        double[]? dash = Dashed ? LineSeries.DashPattern : null;
        if (Horizontal && area.Y.Accepts(Value))
        {
            double y = area.Y.Map(Value);
            area.Canvas.StrokePolyline([new PointD(r.X, y), new PointD(r.Right, y)], Color, 1.5, dash);
        }
        else if (!Horizontal)
        {
            double x = area.X.Map(Value);
            area.Canvas.StrokePolyline([new PointD(x, r.Y), new PointD(x, r.Bottom)], Color, 1.5, dash);
        }
    }

    internal override void DrawSwatch(ICanvas canvas, RectD box)
    {
        double y = box.Y + box.H / 2;
        canvas.StrokePolyline([new PointD(box.X, y), new PointD(box.Right, y)], Color, 1.5, Dashed ? LineSeries.DashPattern : null);
    }
}
