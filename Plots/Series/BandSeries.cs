using Probabilistic.Plots.Rendering;

namespace Probabilistic.Plots;

/// <summary>A translucent filled band between two curves, e.g. mean ± sd.</summary>
public sealed class BandSeries : Series
{
    internal BandSeries(double[] x, double[] lo, double[] hi, string? label, Color color) : base(label, color)
    {
        CheckLengths("Band", label, ("x", x), ("lo", lo), ("hi", hi));
        X = x; Lo = lo; Hi = hi;
    }

    /// <summary>X values.</summary>
    public double[] X { get; }
    /// <summary>Lower edge.</summary>
    public double[] Lo { get; }
    /// <summary>Upper edge.</summary>
    public double[] Hi { get; }

    internal override int Layer => 1;

    internal override void Extend(ref Extent x, ref Extent y, bool logY)
    {
        for (int i = 0; i < X.Length; i++)
            if (double.IsFinite(X[i]) && double.IsFinite(Lo[i]) && double.IsFinite(Hi[i]))
            { x.Add(X[i]); y.Add(Lo[i], logY); y.Add(Hi[i], logY); }
    }

    internal override int Skipped(bool logY) => CountBad(X, logY, Lo, Hi);

    internal override void Draw(PlotArea area)
    {
        var polys = new List<PointD[]>();
        foreach (var (s, e) in Runs(X.Length, i => area.X.Accepts(X[i]) && area.Y.Accepts(Lo[i]) && area.Y.Accepts(Hi[i])))
        {
            if (e - s < 2) continue;
            var poly = new PointD[2 * (e - s)];
            for (int i = s; i < e; i++)
            {
                area.TryMap(X[i], Hi[i], out poly[i - s]);
                area.TryMap(X[i], Lo[i], out poly[poly.Length - 1 - (i - s)]);
            }
            polys.Add(poly);
        }
        if (polys.Count > 0) area.Canvas.FillPolygons(polys, Color);
    }

    internal override void DrawSwatch(ICanvas canvas, RectD box) =>
        canvas.FillRect(new RectD(box.X, box.Y + 1, box.W, box.H - 2), Color);

    internal override IEnumerable<(double X, double Y)> SamplePoints() =>
        Densify(X, Lo).Concat(Densify(X, Hi));
}
