using Probabilistic.Core.Random;

namespace Probabilistic.Plots.Tests;

public class ColorTests
{
    [Fact]
    public void Colormap_endpoints_are_the_first_and_last_anchor()
    {
        foreach (var cm in new[] { Colormap.Viridis, Colormap.Blues })
        {
            Assert.Equal(cm.Anchors[0], cm.Map(0));
            Assert.Equal(cm.Anchors[^1], cm.Map(1));
            Assert.Equal(cm.Map(0), cm.Map(-3)); // clamped
            Assert.Equal(cm.Map(1), cm.Map(7));
        }
        Assert.Equal(Color.FromHex("#440154"), Colormap.Viridis.Map(0));
        Assert.Equal(Color.FromHex("#FDE725"), Colormap.Viridis.Map(1));
        Assert.Throws<ArgumentException>(() => Colormap.Viridis.Map(double.NaN));
    }

    [Fact]
    public void Viridis_lightness_rises_monotonically_and_evenly()
    {
        var ls = Enumerable.Range(0, 101).Select(i => Oklab.FromColor(Colormap.Viridis.Map(i / 100.0)).L).ToArray();
        for (int i = 1; i < ls.Length; i++) Assert.True(ls[i] > ls[i - 1] - 2e-3, $"L drops at {i}: {ls[i - 1]:F4} → {ls[i]:F4}");
        Assert.True(ls[^1] - ls[0] > 0.5, "a sequential map should span a wide lightness range");
    }

    [Fact]
    public void Oklab_round_trips_srgb_within_one_level()
    {
        var rng = new Rng(5);
        for (int k = 0; k < 500; k++)
        {
            var c = new Color((byte)rng.NextInt(256), (byte)rng.NextInt(256), (byte)rng.NextInt(256));
            var (l, a, b) = Oklab.FromColor(c);
            var back = Oklab.ToColor(l, a, b);
            Assert.True(Math.Abs(back.R - c.R) <= 1 && Math.Abs(back.G - c.G) <= 1 && Math.Abs(back.B - c.B) <= 1, $"{c} → {back}");
        }
        Assert.Equal(1.0, Oklab.FromColor(Color.White).L, 3); // OKLab: white has L = 1, black L = 0
        Assert.Equal(0.0, Oklab.FromColor(Color.Black).L, 6);
    }

    [Fact]
    public void Hex_parsing_and_palette_cycle()
    {
        Assert.Equal(new Color(0x12, 0x34, 0x56, 0xFF), Color.FromHex("#123456"));
        Assert.Equal(new Color(0x12, 0x34, 0x56, 0x78), Color.FromHex("12345678"));
        Assert.Throws<FormatException>(() => Color.FromHex("#12345"));
        Assert.Equal(Palette.Get(0), Palette.Get(Palette.Cycle.Count));
        Assert.Equal(Palette.Cycle.Count, Palette.Cycle.Distinct().Count());
    }
}
