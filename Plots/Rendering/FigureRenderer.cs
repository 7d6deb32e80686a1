namespace Probabilistic.Plots.Rendering;

/// <summary>Lays out a figure (title, grid of panels) and draws it on any <see cref="ICanvas"/>.</summary>
internal static class FigureRenderer
{
    private const int TitleScale = 2;

    public static void Render(Figure fig, ICanvas canvas)
    {
        var axes = fig.AllAxes;
        if (axes.Count == 0)
            throw new InvalidOperationException($"Figure{Name(fig.Title)}: nothing to draw, no axes were created (call fig.Axes() and add a series).");
        foreach (var ax in axes)
            if (ax.Series.Count == 0)
                throw new InvalidOperationException($"Figure{Name(fig.Title)}: axes ({ax.Row}, {ax.Column}){Name(ax.Title)} has no series.");

        canvas.FillRect(new RectD(0, 0, fig.Width, fig.Height), Color.White);
        double top = 0;
        if (!string.IsNullOrEmpty(fig.Title))
        {
            // A title wider than the figure shrinks, then wraps: never clipped.
            var (lines, scale) = TextMetrics.Fit(fig.Title, fig.Width - 20, TitleScale, bold: true);
            for (int i = 0; i < lines.Count; i++)
                canvas.Text(lines[i], fig.Width / 2.0, 10 + i * TextMetrics.LineSpacing * scale, new TextStyle(Color.Ink, scale, Bold: true, H: HAlign.Middle, V: VAlign.Top));
            top = 10 + (lines.Count - 1) * TextMetrics.LineSpacing * scale + TextMetrics.CapHeight * scale + 4;
        }
        double cellW = fig.Width / (double)fig.Cols, cellH = (fig.Height - top) / fig.Rows;
        foreach (var ax in axes)
        {
            var cell = new RectD(Math.Round(ax.Column * cellW), Math.Round(top + ax.Row * cellH), Math.Floor(cellW), Math.Floor(cellH));
            canvas.BeginGroup("axes", ax.Title);
            AxesRenderer.Render(ax, cell, canvas);
            canvas.EndGroup();
        }
    }

    private static string Name(string? title) => string.IsNullOrEmpty(title) ? "" : $" '{title}'";
}
