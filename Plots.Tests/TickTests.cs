namespace Probabilistic.Plots.Tests;

public class TickTests
{
    private static bool IsNice(double step)
    {
        double m = step / Math.Pow(10, Math.Floor(Math.Log10(step)));
        return new[] { 1.0, 2, 5, 10 }.Any(n => Math.Abs(m - n) < 1e-9);
    }

    [Theory]
    [InlineData(0, 1, 6)]
    [InlineData(-3.7, 12.2, 8)]
    [InlineData(0.001, 0.0013, 5)]
    [InlineData(1e9, 7.3e9, 6)]
    [InlineData(-1e-7, 3e-7, 5)]
    [InlineData(17, 17.5, 10)]
    public void Linear_ticks_use_1_2_5_steps_lie_inside_the_range_and_are_not_too_many(double lo, double hi, int max)
    {
        var ticks = Ticks.Linear(lo, hi, max);
        Assert.InRange(ticks.Count, 2, max);
        double step = ticks[1].Value - ticks[0].Value;
        Assert.True(IsNice(step), $"step {step} is not 1, 2 or 5 × 10^k");
        Assert.All(ticks, t => Assert.InRange(t.Value, lo - 1e-9 * step, hi + 1e-9 * step));
        // Covers the range: no gap of a whole step left at either end.
        Assert.True(ticks[0].Value - lo < step + 1e-9 * step && hi - ticks[^1].Value < step + 1e-9 * step);
        Assert.Equal(ticks.Count, ticks.Select(t => t.Label).Distinct().Count()); // labels tell ticks apart
    }

    [Fact]
    public void Labels_use_the_minus_sign_and_just_enough_decimals()
    {
        Assert.Equal(["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"], Ticks.Linear(0, 1, 6).Select(t => t.Label));
        Assert.Equal(["\u221210", "\u22125", "0", "5", "10"], Ticks.Linear(-10, 10, 5).Select(t => t.Label));
        Assert.Equal("2e9", Ticks.Linear(1e9, 7.3e9, 6)[0].Label);
        Assert.Equal("0.0", Ticks.FormatLinear(-1e-17, 0.1, 1)); // k·step rounding noise is zero, not "−0.0"
    }

    [Fact]
    public void Log_ticks_are_decades_or_1_2_5_within_a_decade_or_two()
    {
        Assert.Equal(["0.001", "0.01", "0.1", "1", "10"], Ticks.Log(1e-3, 10, 8).Select(t => t.Label));
        Assert.Equal([1.0, 2, 5, 10, 20, 50], Ticks.Log(0.9, 60, 8).Select(t => t.Value).Select(v => Math.Round(v, 9)));
        var wide = Ticks.Log(1e-20, 1e20, 6);
        Assert.InRange(wide.Count, 2, 6);
        var exps = wide.Select(t => Math.Log10(t.Value)).ToArray();
        Assert.All(exps, e => Assert.Equal(Math.Round(e), e, 9)); // whole decades only
        Assert.Single(exps.Zip(exps.Skip(1), (a, b) => Math.Round(b - a)).Distinct()); // evenly strided
        Assert.Contains(wide, t => t.Label == "1e\u22127");
    }

    [Fact]
    public void Figure_handles_constant_tiny_and_huge_ranges()
    {
        foreach (var ys in new[] { new[] { 2.5, 2.5, 2.5 }, [0.0, 0, 0], [1, 1 + 1e-9, 1 + 2e-9], [1e-300, 2e-300, 3e-300], [1e300, -1e300, 0] })
        {
            var fig = new Figure();
            fig.Axes().Line([0, 1, 2], ys);
            var png = PngReader.Read(fig.ToPng());
            Assert.Equal(800, png.Width);
            System.Xml.Linq.XDocument.Parse(fig.ToSvg());
        }
    }
}
