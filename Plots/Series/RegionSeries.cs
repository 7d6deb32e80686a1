using Probabilistic.Plots.Rendering;

namespace Probabilistic.Plots;

/// <summary>
/// Decision regions of a 2-D classifier: a grid of class indices (<c>Classes[i, j]</c> at x = Xs[j], y = Ys[i]),
/// each cell tinted with the class colour of the default cycle so it matches scatter points coloured with
/// <see cref="Palette.Get"/>. A negative class leaves the cell blank.
/// </summary>
public sealed class RegionSeries : Series
{
    internal RegionSeries(double[] xs, double[] ys, int[,] classes, double opacity) : base(null, Color.Black)
    {
        ArgumentNullException.ThrowIfNull(xs); ArgumentNullException.ThrowIfNull(ys); ArgumentNullException.ThrowIfNull(classes);
        if (classes.GetLength(0) != ys.Length || classes.GetLength(1) != xs.Length)
            throw new ArgumentException($"Regions: classes is {classes.GetLength(0)}×{classes.GetLength(1)} but ys has {ys.Length} and xs has {xs.Length} (expected classes[ys, xs]).");
        CheckAxis("xs", xs); CheckAxis("ys", ys);
        Xs = xs; Ys = ys; Classes = classes; Opacity = opacity;
    }

    private static void CheckAxis(string name, double[] v)
    {
        if (v.Length < 2) throw new ArgumentException($"Regions: {name} needs at least 2 grid points, got {v.Length}.", name);
        for (int i = 0; i < v.Length; i++)
            if (!double.IsFinite(v[i]) || (i > 0 && v[i] <= v[i - 1]))
                throw new ArgumentException($"Regions: {name} must be finite and strictly increasing (at index {i}: {v[i]}).", name);
    }

    /// <summary>Grid x values (cell centres).</summary>
    public double[] Xs { get; }
    /// <summary>Grid y values (cell centres).</summary>
    public double[] Ys { get; }
    /// <summary>Class index per cell, [y index, x index].</summary>
    public int[,] Classes { get; }
    /// <summary>Opacity of the class tint over white.</summary>
    public double Opacity { get; }

    internal override int Layer => 0;

    /// <summary>Cell edges: midpoints between centres, and half a spacing beyond the ends.</summary>
    private static double[] Edges(double[] c)
    {
        var e = new double[c.Length + 1];
        e[0] = c[0] - (c[1] - c[0]) / 2;
        e[^1] = c[^1] + (c[^1] - c[^2]) / 2;
        for (int i = 1; i < c.Length; i++) e[i] = (c[i - 1] + c[i]) / 2;
        return e;
    }

    internal override void Extend(ref Extent x, ref Extent y, bool logY)
    {
        var xe = Edges(Xs); var ye = Edges(Ys);
        x.Add(xe[0]); x.Add(xe[^1]); y.Add(ye[0], logY); y.Add(ye[^1], logY);
    }

    internal override int Skipped(bool logY) => logY ? Ys.Count(v => v <= 0) : 0;

    internal override void Draw(PlotArea area)
    {
        var xe = Edges(Xs).Select(v => Math.Round(area.X.Map(v))).ToArray();
        var yeData = Edges(Ys);
        for (int i = 0; i < Ys.Length; i++)
        {
            if (!area.Y.Accepts(yeData[i]) || !area.Y.Accepts(yeData[i + 1])) continue;
            double top = Math.Round(area.Y.Map(yeData[i + 1])), bottom = Math.Round(area.Y.Map(yeData[i]));
            // Runs of equal class become one rectangle: far fewer SVG elements for smooth boundaries.
            for (int j = 0; j < Xs.Length;)
            {
                int k = Classes[i, j], end = j + 1;
                while (end < Xs.Length && Classes[i, end] == k) end++;
                if (k >= 0)
                    area.Canvas.FillRect(new RectD(xe[j], top, xe[end] - xe[j], bottom - top), Palette.Get(k).WithOpacity(Opacity).Over(Color.White));
                j = end;
            }
        }
    }

    internal override void DrawSwatch(ICanvas canvas, RectD box) => canvas.FillRect(box, Palette.Get(0).WithOpacity(Opacity).Over(Color.White));
}
