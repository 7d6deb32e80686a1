using System.Xml.Linq;
using Probabilistic.Plots.Rendering;

namespace Probabilistic.Plots.Tests;

public class LayoutTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void Dashes_alternate_on_and_off_along_the_path_and_preserve_its_length()
    {
        // A 25-px horizontal line then a 25-px vertical one, pattern 6 on / 4 off.
        PointD[] path = [new(0, 0), new(25, 0), new(25, 25)];
        var pieces = Dashes.Split(path, [6, 4]);
        double Len(List<PointD> p) => p.Zip(p.Skip(1), (a, b) => Math.Sqrt((b.X - a.X) * (b.X - a.X) + (b.Y - a.Y) * (b.Y - a.Y))).Sum();
        // 50 px = 5 full periods of 10: five dashes of 6 px each; the third dash turns the corner (20..26).
        Assert.Equal(5, pieces.Count);
        Assert.All(pieces, p => Assert.Equal(6, Len(p), 9));
        Assert.Equal(new PointD(20, 0), pieces[2][0]);
        Assert.Equal(new PointD(25, 0), pieces[2][1]);
        Assert.Equal(new PointD(25, 1), pieces[2][2]);
        Assert.Throws<ArgumentException>(() => Dashes.Split(path, [6, 0]));
    }

    [Fact]
    public void Limits_add_margins_keep_bars_on_zero_and_widen_constant_series()
    {
        var e = new Extent(); e.Add(2); e.Add(12);
        Assert.Equal((1.5, 12.5), Limits.Choose("y", e, null, false, false, false));
        Assert.Equal((2.0, 12.0), Limits.Choose("y", e, null, false, true, false));
        var bars = new Extent(); bars.Add(0); bars.Add(0.8);
        Assert.Equal(0, Limits.Choose("y", bars, null, false, false, true).Lo);
        var c = new Extent(); c.Add(5);
        Assert.Equal((4.5, 5.5), Limits.Choose("y", c, null, false, false, false));
        var z = new Extent(); z.Add(0);
        Assert.Equal((-1.0, 1.0), Limits.Choose("y", z, null, false, false, false));
        var lg = new Extent(); lg.Add(1); lg.Add(100);
        var (lo, hi) = Limits.Choose("y", lg, null, true, false, false);
        Assert.Equal(-0.1, Math.Log10(lo), 9); // 5 % of 2 decades each side
        Assert.Equal(2.1, Math.Log10(hi), 9);
        Assert.Equal((3.0, 4.0), Limits.Choose("x", e, (3, 4), false, false, false));
        Assert.Throws<ArgumentException>(() => Limits.Choose("x", e, (4, 3), false, false, false));
    }

    [Fact]
    public void Best_legend_avoids_the_corner_where_the_data_are()
    {
        // The diagonal y = x runs through the top-right and bottom-left corners; top-left is the first free corner
        // in the preference order (top-right, top-left, bottom-right, bottom-left).
        var fig = new Figure();
        var ax = fig.Axes();
        ax.Line([0, 10], [0, 10], label: "curve");
        var legend = XDocument.Parse(fig.ToSvg()).Descendants(Svg + "g").Single(g => g.Attribute("class")?.Value == "legend");
        var box = legend.Elements(Svg + "rect").First();
        double x = double.Parse(box.Attribute("x")!.Value, System.Globalization.CultureInfo.InvariantCulture);
        double y = double.Parse(box.Attribute("y")!.Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(x < 200 && y < 150, $"legend at ({x}, {y}) is not top-left");
        ax.Legend = LegendPosition.None;
        Assert.DoesNotContain(XDocument.Parse(fig.ToSvg()).Descendants(Svg + "g"), g => g.Attribute("class")?.Value == "legend");
    }

    [Fact]
    public void Band_and_error_bars_follow_the_colour_of_the_preceding_series()
    {
        var ax = new Figure().Axes();
        var l1 = ax.Line([0, 1], [0, 1]);
        var b1 = ax.Band([0, 1], [0, 0], [1, 1]);
        var l2 = ax.Line([0, 1], [1, 0]);
        var e2 = ax.ErrorBars([0, 1], [1, 0], [0.1, 0.1]);
        Assert.Equal(Palette.Get(0), l1.Color);
        Assert.Equal(Palette.Get(0), b1.Color with { A = 255 });
        Assert.True(b1.Color.A < 255);
        Assert.Equal(Palette.Get(1), l2.Color);
        Assert.Equal(Palette.Get(1), e2.Color);
    }

    [Fact]
    public void Grouped_bars_split_each_category_and_regions_merge_equal_cells()
    {
        var fig = new Figure();
        var ax = fig.Axes();
        ax.Bars(["a", "b", "c"], [1, 2, 3], label: "p");
        ax.Bars(["a", "b", "c"], [3, 2, 1], label: "q");
        var doc = XDocument.Parse(fig.ToSvg());
        var bars = doc.Descendants(Svg + "g").Where(g => g.Attribute("class")?.Value == "bar").ToList();
        Assert.Equal(2, bars.Count);
        var w = bars.Select(g => g.Elements(Svg + "rect").Select(r => double.Parse(r.Attribute("x")!.Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToArray();
        Assert.All(Enumerable.Range(0, 3), i => Assert.True(w[1][i] > w[0][i])); // q sits right of p in every group
        var texts = doc.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("a", texts); Assert.Contains("c", texts);

        var fig2 = new Figure();
        var classes = new int[2, 4] { { 0, 0, 1, 1 }, { 0, 1, 1, -1 } };
        fig2.Axes().Regions([0, 1, 2, 3], [0, 1], classes);
        var rects = XDocument.Parse(fig2.ToSvg()).Descendants(Svg + "g").Single(g => g.Attribute("class")?.Value == "region").Elements(Svg + "rect").ToList();
        Assert.Equal(4, rects.Count); // row 0: [0 0][1 1]; row 1: [0][1 1], the −1 cell blank
    }

    [Fact]
    public void Save_picks_the_format_from_the_extension_and_creates_folders()
    {
        var dir = Path.Combine(Path.GetTempPath(), "plots-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var fig = new Figure();
            fig.Axes().Scatter([1, 2], [3, 4]);
            fig.Save(Path.Combine(dir, "sub", "a.png"));
            fig.Save(Path.Combine(dir, "a.SVG"));
            Assert.Equal(0x89, File.ReadAllBytes(Path.Combine(dir, "sub", "a.png"))[0]);
            XDocument.Load(Path.Combine(dir, "a.SVG"));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
