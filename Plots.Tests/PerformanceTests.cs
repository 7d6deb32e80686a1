using System.Diagnostics;
using Probabilistic.Core.Random;
using Xunit.Abstractions;

namespace Probabilistic.Plots.Tests;

public class PerformanceTests(ITestOutputHelper output)
{
    [Fact]
    public void Large_figure_renders_quickly()
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
        fig.ToPng(); // warm-up (JIT)
        var sw = Stopwatch.StartNew();
        var png = fig.ToPng();
        double pngMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var svg = fig.ToSvg();
        double svgMs = sw.Elapsed.TotalMilliseconds;
        output.WriteLine($"PNG {pngMs:F0} ms ({png.Length / 1024} KiB), SVG {svgMs:F0} ms ({svg.Length / 1024} KiB)");
        Assert.True(pngMs < 10000, $"PNG took {pngMs:F0} ms");
    }
}
