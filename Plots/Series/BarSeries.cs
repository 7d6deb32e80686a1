using Probabilistic.Plots.Rendering;

namespace Probabilistic.Plots;

/// <summary>
/// One member of a bar group: a value (and optional error) per category. All bar series of an axes share the
/// categories; each category shows one bar per series, side by side, in the order the series were added.
/// </summary>
public sealed class BarSeries : Series
{
    internal BarSeries(string[] categories, double[] values, double[]? errors, string? label, Color color) : base(label, color)
    {
        if (errors is null) CheckLengths("Bars", label, ("categories", categories), ("values", values));
        else CheckLengths("Bars", label, ("categories", categories), ("values", values), ("errors", errors));
        Categories = categories; Values = values; Errors = errors;
    }

    /// <summary>Category names, placed at x = 0, 1, 2, ….</summary>
    public string[] Categories { get; }
    /// <summary>Bar heights.</summary>
    public double[] Values { get; }
    /// <summary>Optional symmetric error half-lengths.</summary>
    public double[]? Errors { get; }

    /// <summary>Fraction of a category's width taken by its group of bars.</summary>
    internal const double GroupWidth = 0.8;

    internal override int Layer => 1;

    internal override void Extend(ref Extent x, ref Extent y, bool logY)
    {
        x.Add(-0.5); x.Add(Categories.Length - 0.5);
        if (!logY) y.Add(0);
        for (int i = 0; i < Values.Length; i++)
        {
            double e = Errors?[i] ?? 0;
            if (!double.IsFinite(e)) e = 0;
            y.Add(Values[i] + e, logY); y.Add(Values[i] - e, logY); y.Add(Values[i], logY);
        }
    }

    internal override int Skipped(bool logY) => CountBad(logY, Values);

    /// <summary>Centre and width (data units) of this series' bar in category <paramref name="i"/>.</summary>
    internal (double Centre, double Width) Slot(PlotArea area, int i)
    {
        int k = 0, n = area.Bars.Count;
        for (; k < n && !ReferenceEquals(area.Bars[k], this); k++) { }
        double w = GroupWidth / n;
        return (i - GroupWidth / 2 + (k + 0.5) * w, w);
    }

    internal override void Draw(PlotArea area)
    {
        double baseline = area.Y.Accepts(0) ? area.Y.Map(0) : area.Rect.Bottom;
        for (int i = 0; i < Values.Length; i++)
        {
            if (!area.Y.Accepts(Values[i])) continue;
            var (c, w) = Slot(area, i);
            double x0 = area.X.Map(c - w / 2), x1 = area.X.Map(c + w / 2), y = area.Y.Map(Values[i]);
            // A 1 px gap between neighbouring bars keeps them apart without outlines.
            area.Canvas.FillRect(new RectD(x0 + 0.5, Math.Min(y, baseline), x1 - x0 - 1, Math.Abs(baseline - y)), Color);
            if (Errors is not null && double.IsFinite(Errors[i]) && Errors[i] > 0)
            {
                double xm = (x0 + x1) / 2, top = area.Y.Map(Values[i] + Errors[i]);
                double lowV = Values[i] - Errors[i];
                double bottom = area.Y.Accepts(lowV) ? area.Y.Map(lowV) : area.Rect.Bottom;
                double cap = Math.Min(4, (x1 - x0) / 4);
                area.Canvas.StrokePolyline([new PointD(xm, top), new PointD(xm, bottom)], Color.Ink, 1.2);
                area.Canvas.StrokePolyline([new PointD(xm - cap, top), new PointD(xm + cap, top)], Color.Ink, 1.2);
                area.Canvas.StrokePolyline([new PointD(xm - cap, bottom), new PointD(xm + cap, bottom)], Color.Ink, 1.2);
            }
        }
    }

    internal override void DrawSwatch(ICanvas canvas, RectD box) =>
        canvas.FillRect(new RectD(box.X + 3, box.Y, box.W - 6, box.H), Color);

    internal override IEnumerable<(double X, double Y)> SamplePoints() =>
        Values.SelectMany((v, i) => new[] { (i - 0.4, v), (i + 0.4, v), ((double)i, v / 2), ((double)i, 0.0) });
}
