using System.Text.RegularExpressions;
using Probabilistic.Plots.Raster;
using Probabilistic.Plots.Rendering;

namespace Probabilistic.Plots.Tests;

/// <summary>
/// Text in PNGs: the glyphs the figures use exist and have the shape their character demands, and titles too wide for
/// the figure or panel are shrunk or wrapped, never clipped (every ink pixel of the title reaches the image).
/// </summary>
public class GlyphAndTitleTests
{
    private static readonly Color FrameColor = new(0x55, 0x55, 0x55);

    private static List<(int Row, int Col)> Ink(char c)
    {
        var g = BitmapFont.Glyph(c);
        var ink = new List<(int, int)>();
        for (int r = 0; r < BitmapFont.GlyphRows; r++)
            for (int col = 0; col < BitmapFont.GlyphWidth; col++)
                if (g[r, col]) ink.Add((r, col));
        return ink;
    }

    private static readonly bool[,] Fallback = BitmapFont.Glyph('\uE000'); // a private-use character: never a glyph

    private static bool IsFallback(char c)
    {
        var g = BitmapFont.Glyph(c);
        for (int r = 0; r < BitmapFont.GlyphRows; r++)
            for (int col = 0; col < BitmapFont.GlyphWidth; col++)
                if (g[r, col] != Fallback[r, col]) return false;
        return true;
    }

    [Theory]
    [InlineData('–')] [InlineData('—')] [InlineData('λ')] [InlineData('σ')] [InlineData('φ')] [InlineData('τ')] [InlineData('μ')]
    [InlineData('α')] [InlineData('β')] [InlineData('±')] [InlineData('≤')] [InlineData('≥')] [InlineData('×')] [InlineData('−')]
    [InlineData('²')] [InlineData('ℓ')] [InlineData('η')] [InlineData('γ')] [InlineData('Σ')] [InlineData('ᵢ')] [InlineData('ⱼ')] [InlineData('→')]
    public void Glyphs_the_paper_figures_use_are_their_own_not_the_fallback_box(char c)
    {
        Assert.True(BitmapFont.Has(c), $"no glyph for '{c}'");
        Assert.False(IsFallback(c), $"'{c}' draws as the fallback box");
        Assert.NotEmpty(Ink(c));
    }

    [Fact]
    public void Every_non_ascii_character_in_the_experiments_string_literals_has_a_glyph()
    {
        string? root = FindRoot();
        Assert.True(root is not null, "repository root (Probabilistic.sln) not found above the test binaries");
        var missing = new SortedSet<char>();
        foreach (string file in Directory.EnumerateFiles(Path.Combine(root!, "examples", "Reproduce", "Experiments"), "*.cs", SearchOption.AllDirectories))
            foreach (Match m in Regex.Matches(File.ReadAllText(file), "\"(?:[^\"\\\\\\n]|\\\\.)*\""))
                foreach (char c in m.Value)
                    if (c > 127 && !BitmapFont.Has(c)) missing.Add(c);
        Assert.True(missing.Count == 0, "no glyph for: " + string.Join(" ", missing));
    }

    private static string? FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Probabilistic.sln"))) return d.FullName;
        return null;
    }

    [Fact]
    public void Dashes_are_one_horizontal_bar_at_mid_height_and_the_em_dash_spans_the_cell()
    {
        foreach (char c in "–—")
        {
            var ink = Ink(c);
            Assert.Single(ink.Select(p => p.Row).Distinct());
            Assert.InRange(ink[0].Row, 2, 4); // mid x-height, like the minus sign, not on the baseline like '_'
            Assert.True(ink.Count >= 4, $"'{c}' is only {ink.Count} px wide");
        }
        Assert.Equal(BitmapFont.GlyphWidth, Ink('—').Count);
    }

    [Fact]
    public void Phi_has_a_vertical_stem_through_its_bowl_and_a_descender_and_lambda_has_two_legs_at_the_baseline()
    {
        var phi = Ink('φ');
        int centre = BitmapFont.GlyphWidth / 2;
        Assert.True(phi.Count(p => p.Col == centre) >= 6, "φ needs a long central stem");
        Assert.Contains(phi, p => p.Row >= 7); // below the baseline
        Assert.Contains(phi, p => p.Col == 0);
        Assert.Contains(phi, p => p.Col == BitmapFont.GlyphWidth - 1);
        var lambda = Ink('λ');
        Assert.Contains((6, 0), lambda);
        Assert.Contains((6, BitmapFont.GlyphWidth - 1), lambda);
        Assert.DoesNotContain(lambda, p => p.Row == 0 && p.Col == BitmapFont.GlyphWidth - 1);
    }

    [Fact]
    public void The_en_dash_renders_in_a_png_as_a_bar_not_as_a_box()
    {
        var canvas = new RasterCanvas(40, 20);
        canvas.FillRect(new RectD(0, 0, 40, 20), Color.White);
        canvas.Text("–", 10, 5, new TextStyle(Color.Ink, 1, H: HAlign.Start, V: VAlign.Top));
        var png = PngReader.Read(canvas.ToPng());
        var ink = new List<(int X, int Y)>();
        for (int y = 0; y < png.Height; y++)
            for (int x = 0; x < png.Width; x++)
                if (png.Pixel(x, y) == Color.Ink) ink.Add((x, y));
        Assert.Single(ink.Select(p => p.Y).Distinct()); // a box has ink on seven rows
        Assert.Equal(5, ink.Count);
    }

    /// <summary>The ink a bold title must leave: each glyph's pixels united with themselves shifted one column right.</summary>
    private static int BoldInk(string text) => text.Where(c => c != ' ').Sum(c =>
    {
        var set = new HashSet<(int, int)>(Ink(c));
        foreach (var (r, col) in Ink(c)) set.Add((r, col + 1));
        return set.Count;
    });

    /// <summary>The Ink pixels above the plot frame, within columns [0, <paramref name="xEnd"/>) (default: the whole width).</summary>
    private static (int Ink, int MinX, int MaxX, int Rows) TitleBand(byte[] pngBytes, int xEnd = -1)
    {
        var png = PngReader.Read(pngBytes);
        int width = xEnd < 0 ? png.Width : xEnd;
        int frameTop = Enumerable.Range(0, png.Height).First(y => Enumerable.Range(0, width).Count(x => png.Pixel(x, y) == FrameColor) > width / 3);
        int ink = 0, minX = int.MaxValue, maxX = -1;
        var rows = new SortedSet<int>();
        for (int y = 0; y < frameTop - 5; y++)
            for (int x = 0; x < width; x++)
                if (png.Pixel(x, y) == Color.Ink) { ink++; minX = Math.Min(minX, x); maxX = Math.Max(maxX, x); rows.Add(y); }
        int lines = rows.Zip(rows.Skip(1), (a, b) => b - a > 1 ? 1 : 0).Sum() + (rows.Count > 0 ? 1 : 0);
        return (ink, minX, maxX, lines);
    }

    private const string LongTitle = "Bayesian distillation on FashionMNIST: test log-likelihood of student, distil-student and distil-student-all, terms 1–4, λ = 0.25";

    [Fact]
    public void A_figure_title_wider_than_the_figure_wraps_and_every_pixel_of_it_is_drawn_inside()
    {
        var fig = new Figure(LongTitle, width: 300, height: 300);
        fig.Axes().Line([0.0, 1, 2], [1.0, 2, 1]);
        var band = TitleBand(fig.ToPng());
        Assert.Equal(BoldInk(LongTitle), band.Ink); // scale 1, nothing cut off
        Assert.True(band.Rows >= 2, "the title should wrap");
        Assert.InRange(band.MinX, 1, 298);
        Assert.InRange(band.MaxX, 1, 298);
    }

    [Fact]
    public void A_short_figure_title_keeps_its_double_size()
    {
        var fig = new Figure("Short", width: 300, height: 300);
        fig.Axes().Line([0.0, 1, 2], [1.0, 2, 1]);
        Assert.Equal(4 * BoldInk("Short"), TitleBand(fig.ToPng()).Ink); // scale 2: four pixels per font pixel
    }

    [Fact]
    public void A_panel_title_wider_than_its_panel_wraps_inside_the_panel()
    {
        // The right panel has no title, so every Ink pixel above the left panel's frame is the left title's.
        var fig = new Figure(width: 400, height: 300, cols: 2);
        fig.Axes(0, 0, LongTitle).Line([0.0, 1, 2], [1.0, 2, 1]);
        fig.Axes(0, 1).Line([0.0, 1, 2], [1.0, 2, 1]);
        var band = TitleBand(fig.ToPng(), xEnd: 200);
        Assert.Equal(BoldInk(LongTitle), band.Ink);
        Assert.True(band.Rows >= 3, "a 200-px panel needs several lines");
        Assert.True(band.MaxX < 200, $"the left panel's title reaches x = {band.MaxX}, into the right panel");
    }

    [Fact]
    public void Fit_returns_lines_no_wider_than_the_limit_and_loses_no_word()
    {
        var (lines, scale) = TextMetrics.Fit(LongTitle, 100, 2, bold: true);
        Assert.Equal(1, scale);
        Assert.All(lines, l => Assert.True(l.Length * 7 - 1 <= 100, $"'{l}' is {l.Length * 7 - 1} px")); // bold advance 7 px
        Assert.Equal(LongTitle.Replace(" ", ""), string.Concat(lines).Replace(" ", "")); // words longer than a line are broken, none lost
        Assert.Equal((IReadOnlyList<string>)["abc"], TextMetrics.Fit("abc", 100, 2).Lines);
        Assert.Equal(2, TextMetrics.Fit("abc", 100, 2).Scale);
    }

    [Fact]
    public void Line_styles_give_distinct_dash_patterns_in_svg()
    {
        var fig = new Figure(width: 300, height: 200);
        var ax = fig.Axes();
        ax.Line([0.0, 1], [0.0, 1], "a", LineStyle.Solid);
        ax.Line([0.0, 1], [0.0, 1], "b", LineStyle.Dashed);
        ax.Line([0.0, 1], [0.0, 1], "c", LineStyle.Dotted);
        ax.Line([0.0, 1], [0.0, 1], "d", LineStyle.DashDot);
        string svg = fig.ToSvg();
        var patterns = Regex.Matches(svg, "stroke-dasharray=\"([^\"]+)\"").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Contains("6,4", patterns);
        Assert.Contains("2,3", patterns);
        Assert.Contains("8,3,2,3", patterns);
    }
}
