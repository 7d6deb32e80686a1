namespace Probabilistic.Plots.Rendering;

/// <summary>The legend box: one row per labelled series, placed in a corner of the plot.</summary>
internal static class Legend
{
    private const double Inset = 8, Padding = 6, RowH = 14, SwatchW = 22, SwatchH = 9, Gap = 6;

    public static void Draw(ICanvas c, Axes ax, PlotArea area)
    {
        var entries = ax.Series.Where(s => s.Label is not null)
            .Select(s => (Series: s, Text: s.Label + Note(s.Skipped(ax.LogY)))).ToList();
        if (entries.Count == 0 || ax.Legend == LegendPosition.None) return;

        double w = Padding + SwatchW + Gap + entries.Max(e => TextMetrics.Width(e.Text)) + Padding;
        double h = Padding + entries.Count * RowH - (RowH - TextMetrics.CapHeight) + Padding;
        var box = Place(ax, area, w, h);

        c.BeginGroup("legend", null);
        c.FillRect(box, Color.White.WithOpacity(0.88));
        var border = new Color(0xCC, 0xCC, 0xCC);
        c.FillRect(new RectD(box.X, box.Y, box.W, 1), border);
        c.FillRect(new RectD(box.X, box.Bottom - 1, box.W, 1), border);
        c.FillRect(new RectD(box.X, box.Y, 1, box.H), border);
        c.FillRect(new RectD(box.Right - 1, box.Y, 1, box.H), border);
        for (int i = 0; i < entries.Count; i++)
        {
            double rowTop = box.Y + Padding + i * RowH; // top of the capitals
            var swatch = new RectD(box.X + Padding, rowTop + TextMetrics.CapHeight / 2.0 - SwatchH / 2, SwatchW, SwatchH);
            entries[i].Series.DrawSwatch(c, swatch);
            c.Text(entries[i].Text, swatch.Right + Gap, rowTop, new TextStyle(Color.Ink, V: VAlign.Top));
        }
        c.EndGroup();
    }

    private static string Note(int skipped) => skipped == 0 ? "" : $" ({skipped} skipped)";

    private static RectD Place(Axes ax, PlotArea area, double w, double h)
    {
        var p = area.Rect;
        RectD At(LegendPosition pos) => pos switch
        {
            LegendPosition.TopLeft => new RectD(Math.Round(p.X + Inset), Math.Round(p.Y + Inset), Math.Ceiling(w), Math.Ceiling(h)),
            LegendPosition.BottomRight => new RectD(Math.Round(p.Right - Inset - w), Math.Round(p.Bottom - Inset - h), Math.Ceiling(w), Math.Ceiling(h)),
            LegendPosition.BottomLeft => new RectD(Math.Round(p.X + Inset), Math.Round(p.Bottom - Inset - h), Math.Ceiling(w), Math.Ceiling(h)),
            _ => new RectD(Math.Round(p.Right - Inset - w), Math.Round(p.Y + Inset), Math.Ceiling(w), Math.Ceiling(h)),
        };
        if (ax.Legend != LegendPosition.Best) return At(ax.Legend);
        // Best: the corner that covers the fewest data points (ties keep the first in this order).
        var points = new List<PointD>();
        foreach (var s in ax.Series)
            foreach (var (x, y) in s.SamplePoints())
                if (area.TryMap(x, y, out var q)) points.Add(q);
        LegendPosition best = LegendPosition.TopRight;
        int bestCount = int.MaxValue;
        foreach (var pos in (LegendPosition[])[LegendPosition.TopRight, LegendPosition.TopLeft, LegendPosition.BottomRight, LegendPosition.BottomLeft])
        {
            var r = At(pos);
            int n = points.Count(r.Contains);
            if (n < bestCount) { best = pos; bestCount = n; }
        }
        return At(best);
    }
}
