using System.Xml.Linq;
using Probabilistic.Core.Random;

namespace Probabilistic.Plots.Tests;

public class LargeFigureTests
{
    [Fact]
    public void Large_figure_renders_every_series()
    {
        // 4 curves × 5,000 points with bands, plus 3,000 scatter points: a generous experiment figure.
        var rng = new Rng(1);
        var fig = new Figure(rows: 1, cols: 2);
        var ax = fig.Axes(0, 0);
        var x = Enumerable.Range(0, 5000).Select(i => (double)i).ToArray();
        for (int k = 0; k < 4; k++)
        {
            var m = x.Select(v => Math.Sin(v / 300 + k) + 0.05 * rng.Normal()).ToArray();
            ax.MeanBand(x, m, x.Select(_ => 0.1).ToArray(), label: $"run {k}");
        }
        var sc = fig.Axes(0, 1);
        sc.Scatter(Enumerable.Range(0, 3000).Select(_ => rng.Normal()).ToArray(), Enumerable.Range(0, 3000).Select(_ => rng.Normal()).ToArray(), opacity: 0.5);
        // Speed is a benchmark matter, not a test: here only that a large figure renders completely.
        byte[] png = fig.ToPng();
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        string svg = fig.ToSvg();
        XDocument.Parse(svg);
        for (int k = 0; k < 4; k++) Assert.Contains($"run {k}", svg);
    }
}
