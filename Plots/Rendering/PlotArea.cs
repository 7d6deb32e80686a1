namespace Probabilistic.Plots.Rendering;

/// <summary>Maps data values on one axis to pixels, linearly or through log10.</summary>
internal readonly record struct AxisMap(double Lo, double Hi, double P0, double P1, bool Log)
{
    private double T(double v) => Log ? Math.Log10(v) : v;

    /// <summary>Pixel coordinate of data value <paramref name="v"/>.</summary>
    public double Map(double v) => P0 + (T(v) - T(Lo)) / (T(Hi) - T(Lo)) * (P1 - P0);

    /// <summary>Whether <paramref name="v"/> can be placed on this axis (finite, and positive on a log axis).</summary>
    public bool Accepts(double v) => double.IsFinite(v) && (!Log || v > 0);
}

/// <summary>What a series needs to draw itself: the canvas, the plot rectangle and the two axis maps.</summary>
internal sealed class PlotArea(ICanvas canvas, RectD rect, AxisMap x, AxisMap y, IReadOnlyList<BarSeries> bars)
{
    public ICanvas Canvas { get; } = canvas;
    public RectD Rect { get; } = rect;
    public AxisMap X { get; } = x;
    public AxisMap Y { get; } = y;

    /// <summary>The bar series of this axes, in order; each takes one slot of every category's group.</summary>
    public IReadOnlyList<BarSeries> Bars { get; } = bars;

    /// <summary>Pixel position of (x, y), or false when either cannot be placed.</summary>
    public bool TryMap(double x, double y, out PointD p)
    {
        if (!X.Accepts(x) || !Y.Accepts(y)) { p = default; return false; }
        p = new PointD(X.Map(x), Y.Map(y));
        return true;
    }
}
