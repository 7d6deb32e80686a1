using System.Xml.Linq;

namespace Probabilistic.Plots.Tests;

public class SvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void Svg_is_well_formed_and_contains_each_series_with_its_label()
    {
        var fig = new Figure(title: "A & B <test>");
        var ax = fig.Axes(xLabel: "epoch", yLabel: "loss");
        ax.MeanBand([1, 2, 3], [0.5, 0.4, 0.3], [0.1, 0.1, 0.05], label: "teacher \"T\"");
        ax.Scatter([1, 2], [0.2, 0.3], label: "points");
        var doc = XDocument.Parse(fig.ToSvg());
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        Assert.Equal("800", doc.Root.Attribute("width")!.Value);
        var groups = doc.Descendants(Svg + "g").Where(g => g.Attribute("data-label") is not null).ToList();
        Assert.Contains(groups, g => g.Attribute("class")!.Value == "line" && g.Attribute("data-label")!.Value == "teacher \"T\"");
        Assert.Contains(groups, g => g.Attribute("class")!.Value == "scatter" && g.Attribute("data-label")!.Value == "points");
        Assert.Single(doc.Descendants(Svg + "g"), g => g.Attribute("class")?.Value == "band");
        var texts = doc.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("A & B <test>", texts);
        Assert.Contains("epoch", texts);
        Assert.Contains("teacher \"T\"", texts); // legend entry
        // The line's polyline has 3 vertices; the scatter has 2 circles (plus white rings).
        var line = groups.First(g => g.Attribute("class")!.Value == "line").Element(Svg + "polyline")!;
        Assert.Equal(3, line.Attribute("points")!.Value.Split(' ').Length);
        Assert.Equal(2, groups.First(g => g.Attribute("class")!.Value == "scatter").Elements(Svg + "circle").Count(c => c.Attribute("fill")!.Value != "#ffffff"));
    }

    [Fact]
    public void Every_demo_figure_renders_valid_svg_and_png_and_is_written_for_viewing()
    {
        Directory.CreateDirectory(DemoFigures.Folder);
        foreach (var (name, fig) in DemoFigures.All())
        {
            var doc = XDocument.Parse(fig.ToSvg());
            Assert.NotEmpty(doc.Descendants(Svg + "text"));
            var png = fig.ToPng();
            var r = PngReader.Read(png);
            Assert.Equal(fig.Width, r.Width);
            // Not blank: a real figure has plenty of non-white pixels.
            int ink = 0;
            for (int i = 0; i < r.Rgba.Length; i += 4) if (r.Rgba[i] < 250 || r.Rgba[i + 1] < 250 || r.Rgba[i + 2] < 250) ink++;
            Assert.True(ink > r.Width * r.Height / 100, $"{name}: only {ink} non-white pixels");
            File.WriteAllBytes(Path.Combine(DemoFigures.Folder, name + ".png"), png);
            fig.Save(Path.Combine(DemoFigures.Folder, name + ".svg"));
        }
    }

    [Fact]
    public void Heat_map_svg_has_one_cell_per_value_with_the_colormap_colour()
    {
        var z = new double[,] { { 0, 1 }, { 2, 3 } };
        var fig = new Figure();
        fig.Axes().HeatMap(z, ["a", "b"], ["p", "q"]);
        var doc = XDocument.Parse(fig.ToSvg());
        var cells = doc.Descendants(Svg + "g").First(g => g.Attribute("class")?.Value == "heatmap").Elements(Svg + "rect").ToList();
        Assert.Equal(4, cells.Count);
        Assert.Contains(cells, c => c.Attribute("fill")!.Value == Colormap.Viridis.Map(0).Hex);
        Assert.Contains(cells, c => c.Attribute("fill")!.Value == Colormap.Viridis.Map(1).Hex);
        var texts = doc.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("a", texts); Assert.Contains("q", texts);

        // Without labels the ticks are the cell indices, never fractions between cells.
        var fig2 = new Figure();
        fig2.Axes().HeatMap(new double[3, 4]);
        var frame = XDocument.Parse(fig2.ToSvg()).Descendants(Svg + "g").Single(g => g.Attribute("class")?.Value == "frame");
        Assert.Equal(["0", "1", "2", "3", "0", "1", "2"], frame.Elements(Svg + "text").Select(t => t.Value));
    }
}
