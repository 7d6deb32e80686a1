namespace Probabilistic.Plots.Rendering;

/// <summary>Draws one panel: limits, ticks, grid, series, frame, labels, legend and colour bar.</summary>
internal static class AxesRenderer
{
    private const double Pad = 10, TickLen = 4, TickGap = 3, LabelGap = 8, Cap = TextMetrics.CapHeight, LineH = Cap + TextMetrics.Descent;
    private const double ColorbarGap = 14, ColorbarWidth = 12;
    private static readonly Color FrameColor = new(0x55, 0x55, 0x55);

    public static void Render(Axes ax, RectD cell, ICanvas canvas)
    {
        var series = ax.Series;
        var heat = series.OfType<HeatMapSeries>().FirstOrDefault();
        bool xTight = series.Any(s => s is BarSeries or HeatMapSeries or RegionSeries);
        bool yTight = series.Any(s => s is HeatMapSeries or RegionSeries);
        bool yStickyZero = series.Any(s => s is BarSeries);

        var xe = new Extent(); var ye = new Extent();
        foreach (var s in series) s.Extend(ref xe, ref ye, ax.LogY);
        var (x0, x1) = Limits.Choose("x", xe, ax.XLimits, false, xTight, false);
        var (y0, y1) = Limits.Choose("y", ye, ax.YLimits, ax.LogY, yTight, yStickyZero);

        // Vertical layout first: it does not depend on tick labels, and the plot height fixes the y ticks.
        var titleLines = string.IsNullOrEmpty(ax.Title) ? [] : TextMetrics.Fit(ax.Title, cell.W - 2 * Pad, 1, bold: true).Lines;
        double top = cell.Y + Pad + (titleLines.Count == 0 ? 4 : (titleLines.Count - 1) * TextMetrics.LineSpacing + Cap + LabelGap + 2);
        double bottom = cell.Bottom - Pad - TickLen - TickGap - LineH - (string.IsNullOrEmpty(ax.XLabel) ? 0 : LabelGap + LineH);
        double plotH = Math.Floor(bottom - top);
        var yTicks = ChooseTicks(ax.YTicks, y0, y1, ax.LogY, plotH, _ => 28);
        double yTickW = yTicks.Count == 0 ? 0 : yTicks.Max(t => TextMetrics.Width(t.Label));

        double left = cell.X + Pad + (string.IsNullOrEmpty(ax.YLabel) ? 0 : LineH + LabelGap) + yTickW + TickGap + TickLen;
        IReadOnlyList<Tick> cbTicks = [];
        double right = cell.Right - Pad - 6;
        if (heat is { ShowColorbar: true })
        {
            cbTicks = Ticks.Linear(heat.Min, heat.Max, Math.Max(2, (int)(plotH / 40)));
            right -= ColorbarGap + ColorbarWidth + TickLen + TickGap + cbTicks.Max(t => TextMetrics.Width(t.Label))
                     + (string.IsNullOrEmpty(heat.ColorbarLabel) ? 0 : LabelGap + LineH);
        }
        var plot = new RectD(Math.Round(left), Math.Round(top), Math.Floor(right - left), plotH);
        if (plot.W < 20 || plot.H < 20)
            throw new InvalidOperationException($"Axes ({ax.Row}, {ax.Column}): plot area {plot.W:F0}×{plot.H:F0} px is too small; make the figure larger or use fewer panels.");
        var xTicks = ChooseTicks(ax.XTicks, x0, x1, false, plot.W, ticks => ticks.Max(t => TextMetrics.Width(t.Label)) + 12);

        var xm = new AxisMap(x0, x1, plot.X, plot.Right, false);
        var ym = new AxisMap(y0, y1, plot.Bottom, plot.Y, ax.LogY);
        var area = new PlotArea(canvas, plot, xm, ym, series.OfType<BarSeries>().ToList());

        if (ax.Grid) DrawGrid(canvas, plot, xTicks, yTicks, xm, ym);
        canvas.PushClip(plot);
        foreach (var s in series.OrderBy(s => s.Layer)) // OrderBy is stable: insertion order within a layer
        {
            canvas.BeginGroup(s.GetType().Name.Replace("Series", "").ToLowerInvariant(), s.Label);
            s.Draw(area);
            canvas.EndGroup();
        }
        canvas.PopClip();
        DrawFrameAndTicks(canvas, plot, xTicks, yTicks, xm, ym);
        DrawLabels(canvas, ax, cell, plot, yTickW);
        if (heat is { ShowColorbar: true }) DrawColorbar(canvas, heat, plot, cbTicks);
        Legend.Draw(canvas, ax, area);
    }

    /// <summary>
    /// Explicit ticks inside the range, thinned to every k-th when their labels would collide; otherwise automatic
    /// ticks, as many as fit with the spacing <paramref name="minSpacing"/> asks for.
    /// </summary>
    private static IReadOnlyList<Tick> ChooseTicks(IReadOnlyList<Tick>? given, double lo, double hi, bool log, double length,
        Func<IReadOnlyList<Tick>, double> minSpacing)
    {
        if (given is not null)
        {
            var inside = given.Where(t => t.Value >= lo - 1e-9 * (hi - lo) && t.Value <= hi + 1e-9 * (hi - lo)).ToList();
            if (inside.Count < 2) return inside;
            double per = length * (inside[1].Value - inside[0].Value) / (hi - lo);
            int stride = Math.Max(1, (int)Math.Ceiling(minSpacing(inside) / Math.Max(per, 1e-9)));
            return inside.Where((_, i) => i % stride == 0).ToList();
        }
        for (int max = Math.Max(2, (int)(length / 40)); ; max--)
        {
            var ticks = log ? Ticks.Log(lo, hi, max) : Ticks.Linear(lo, hi, max);
            if (max <= 2 || ticks.Count < 2 || length / (ticks.Count - 0.5) >= minSpacing(ticks)) return ticks;
        }
    }

    private static void DrawGrid(ICanvas c, RectD plot, IReadOnlyList<Tick> xt, IReadOnlyList<Tick> yt, AxisMap xm, AxisMap ym)
    {
        c.BeginGroup("grid", null);
        foreach (var t in xt) c.FillRect(new RectD(Math.Floor(xm.Map(t.Value)), plot.Y, 1, plot.H), Color.GridGrey);
        foreach (var t in yt) c.FillRect(new RectD(plot.X, Math.Floor(ym.Map(t.Value)), plot.W, 1), Color.GridGrey);
        c.EndGroup();
    }

    private static void DrawFrameAndTicks(ICanvas c, RectD p, IReadOnlyList<Tick> xt, IReadOnlyList<Tick> yt, AxisMap xm, AxisMap ym)
    {
        c.BeginGroup("frame", null);
        // 1-px strips just outside the plot rectangle: crisp in both back ends, never covering data.
        c.FillRect(new RectD(p.X - 1, p.Y - 1, p.W + 2, 1), FrameColor);
        c.FillRect(new RectD(p.X - 1, p.Bottom, p.W + 2, 1), FrameColor);
        c.FillRect(new RectD(p.X - 1, p.Y, 1, p.H), FrameColor);
        c.FillRect(new RectD(p.Right, p.Y, 1, p.H), FrameColor);
        var label = new TextStyle(Color.Ink, H: HAlign.Middle, V: VAlign.Top);
        foreach (var t in xt)
        {
            double x = Math.Floor(xm.Map(t.Value));
            c.FillRect(new RectD(x, p.Bottom + 1, 1, TickLen), FrameColor);
            c.Text(t.Label, x + 0.5, p.Bottom + 1 + TickLen + TickGap, label);
        }
        var ylabel = new TextStyle(Color.Ink, H: HAlign.End, V: VAlign.Middle);
        foreach (var t in yt)
        {
            double y = Math.Floor(ym.Map(t.Value));
            c.FillRect(new RectD(p.X - 1 - TickLen, y, TickLen, 1), FrameColor);
            c.Text(t.Label, p.X - 1 - TickLen - TickGap, y + 0.5, ylabel);
        }
        c.EndGroup();
    }

    private static void DrawLabels(ICanvas c, Axes ax, RectD cell, RectD plot, double yTickW)
    {
        double cx = plot.X + plot.W / 2;
        if (!string.IsNullOrEmpty(ax.Title))
        {
            // Centred on the plot, but moved (and wrapped by Fit) so that no line leaves the panel.
            var lines = TextMetrics.Fit(ax.Title, cell.W - 2 * Pad, 1, bold: true).Lines;
            for (int i = 0; i < lines.Count; i++)
            {
                double half = TextMetrics.Width(lines[i], 1, bold: true) / 2;
                double x = Math.Clamp(cx, cell.X + Pad + half, Math.Max(cell.X + Pad + half, cell.Right - Pad - half));
                c.Text(lines[i], x, cell.Y + Pad + i * TextMetrics.LineSpacing, new TextStyle(Color.Ink, Bold: true, H: HAlign.Middle, V: VAlign.Top));
            }
        }
        if (!string.IsNullOrEmpty(ax.XLabel))
            c.Text(ax.XLabel, cx, plot.Bottom + 1 + TickLen + TickGap + LineH + LabelGap, new TextStyle(Color.Ink, H: HAlign.Middle, V: VAlign.Top));
        int skipped = ax.Series.Where(s => s.Label is null).Sum(s => s.Skipped(ax.LogY));
        if (skipped > 0) // labelled series report this in the legend; silently dropping points would mislead
            c.Text($"{skipped} point{(skipped == 1 ? "" : "s")} skipped (NaN, ∞{(ax.LogY ? " or ≤ 0" : "")})",
                plot.Right, plot.Bottom + 1 + TickLen + TickGap + LineH + LabelGap, new TextStyle(Color.Grey, H: HAlign.End, V: VAlign.Top));
        if (!string.IsNullOrEmpty(ax.YLabel))
        {
            double x = plot.X - 1 - TickLen - TickGap - yTickW - LabelGap - Cap / 2;
            c.Text(ax.YLabel, x, plot.Y + plot.H / 2, new TextStyle(Color.Ink, H: HAlign.Middle, V: VAlign.Middle, Vertical: true));
        }
    }

    private static void DrawColorbar(ICanvas c, HeatMapSeries heat, RectD plot, IReadOnlyList<Tick> ticks)
    {
        c.BeginGroup("colorbar", heat.ColorbarLabel);
        double x = plot.Right + ColorbarGap;
        int rows = (int)plot.H;
        for (int i = 0; i < rows; i++) // one strip per pixel row, top = max
            c.FillRect(new RectD(x, plot.Y + i, ColorbarWidth, 1), heat.Colormap.Map(1 - (i + 0.5) / rows));
        c.FillRect(new RectD(x - 1, plot.Y - 1, ColorbarWidth + 2, 1), FrameColor);
        c.FillRect(new RectD(x - 1, plot.Bottom, ColorbarWidth + 2, 1), FrameColor);
        c.FillRect(new RectD(x - 1, plot.Y, 1, plot.H), FrameColor);
        c.FillRect(new RectD(x + ColorbarWidth, plot.Y, 1, plot.H), FrameColor);
        var map = new AxisMap(heat.Min, heat.Max, plot.Bottom, plot.Y, false);
        var style = new TextStyle(Color.Ink, V: VAlign.Middle);
        double labelX = x + ColorbarWidth + 1 + TickLen + TickGap;
        foreach (var t in ticks)
        {
            double y = Math.Floor(map.Map(t.Value));
            c.FillRect(new RectD(x + ColorbarWidth + 1, y, TickLen, 1), FrameColor);
            c.Text(t.Label, labelX, y + 0.5, style);
        }
        if (!string.IsNullOrEmpty(heat.ColorbarLabel))
        {
            double w = ticks.Max(t => TextMetrics.Width(t.Label));
            c.Text(heat.ColorbarLabel, labelX + w + LabelGap + Cap / 2, plot.Y + plot.H / 2,
                new TextStyle(Color.Ink, H: HAlign.Middle, V: VAlign.Middle, Vertical: true));
        }
        c.EndGroup();
    }
}
