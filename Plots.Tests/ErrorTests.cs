namespace Probabilistic.Plots.Tests;

public class ErrorTests
{
    [Fact]
    public void Mismatched_lengths_name_the_series_and_both_lengths()
    {
        var ax = new Figure().Axes();
        var e = Assert.Throws<ArgumentException>(() => ax.Line([1, 2, 3], [1, 2], label: "teacher"));
        Assert.Contains("Line 'teacher'", e.Message);
        Assert.Contains("x has 3", e.Message);
        Assert.Contains("y has 2", e.Message);
        var b = Assert.Throws<ArgumentException>(() => ax.Band([1, 2], [1, 2], [1, 2, 3]));
        Assert.Contains("hi has 3", b.Message);
        Assert.Throws<ArgumentException>(() => ax.Bars(["a", "b"], [1.0]));
        Assert.Throws<ArgumentException>(() => ax.HeatMap(new double[2, 3], xLabels: ["a", "b"]));
        Assert.Throws<ArgumentException>(() => ax.Line([], []));
    }

    [Fact]
    public void Empty_figure_and_empty_axes_are_reported_on_render()
    {
        var fig = new Figure(title: "nothing");
        var e = Assert.Throws<InvalidOperationException>(() => fig.ToPng());
        Assert.Contains("no axes", e.Message);
        fig.Axes(title: "panel");
        var e2 = Assert.Throws<InvalidOperationException>(() => fig.ToSvg());
        Assert.Contains("'panel' has no series", e2.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => fig.Axes(1, 0));
        Assert.Throws<ArgumentException>(() => fig.Save("figure.jpg"));
    }

    [Fact]
    public void Non_finite_points_are_skipped_and_counted_in_the_legend()
    {
        var fig = new Figure();
        var ax = fig.Axes();
        ax.Line([0, 1, 2, 3], [1, double.NaN, 3, double.PositiveInfinity], label: "loss");
        ax.Line([0, 1, 2, 3], [2, 2, double.NaN, 2]);
        var svg = fig.ToSvg();
        Assert.Contains("loss (2 skipped)", svg);
        Assert.Contains("1 point skipped", svg);
        // The unlabelled line breaks at the NaN into the run x = 0, 1 (a polyline) and the lone point x = 3 (a marker).
        var doc = System.Xml.Linq.XDocument.Parse(svg);
        System.Xml.Linq.XNamespace ns = "http://www.w3.org/2000/svg";
        var second = doc.Descendants(ns + "g").Where(g => g.Attribute("class")?.Value == "line").ElementAt(1);
        Assert.Single(second.Elements(ns + "polyline"));
        Assert.Equal(2, second.Elements(ns + "circle").Count()); // marker = white ring + dot
    }

    [Fact]
    public void Log_axis_skips_non_positive_values_and_rejects_bad_fixed_limits()
    {
        var fig = new Figure();
        var ax = fig.Axes(logY: true);
        ax.Line([1, 2, 3], [0.1, 0, 10], label: "kl");
        Assert.Contains("kl (1 skipped)", fig.ToSvg());
        ax.YLimits = (0, 10);
        Assert.Throws<ArgumentException>(() => fig.ToPng());
    }

    [Fact]
    public void Bars_must_share_categories_and_errors_must_be_non_negative()
    {
        var ax = new Figure().Axes();
        ax.Bars(["a", "b"], [1, 2]);
        var e = Assert.Throws<ArgumentException>(() => ax.Bars(["a", "c"], [1, 2], label: "s"));
        Assert.Contains("differ", e.Message);
        Assert.Throws<ArgumentException>(() => ax.ErrorBars([1], [1], [-0.1]));
    }
}
