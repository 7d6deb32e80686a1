namespace Probabilistic.Plots.Tests;

public class ImageTests
{
    [Fact]
    public void Image_puts_row_zero_at_the_top_in_grey_levels_and_draws_no_colour_bar()
    {
        // Top row black (0), bottom row white (1): in the PNG the pure-black block must lie in the upper half.
        var figure = new Figure(null, 200, 200);
        figure.Axes().Image(new double[,] { { 0, 0 }, { 1, 1 } });
        var png = PngReader.Read(figure.ToPng());
        int upper = 0, lower = 0, coloured = 0;
        for (int y = 0; y < png.Height; y++)
            for (int x = 0; x < png.Width; x++)
            {
                int i = (y * png.Width + x) * 4;
                byte r = png.Rgba[i], g = png.Rgba[i + 1], b = png.Rgba[i + 2];
                if (r == 0 && g == 0 && b == 0) { if (y < png.Height / 2) upper++; else lower++; }
                if (r != g || g != b) coloured++;
            }
        Assert.True(upper > 5000, $"only {upper} black pixels in the upper half");
        Assert.True(lower < upper / 10, $"{lower} black pixels in the lower half against {upper} in the upper");
        Assert.Equal(0, coloured); // grey levels only: no coloured colour bar or tinted cells
    }

    [Fact]
    public void Grey_colormap_runs_from_black_to_white()
    {
        Assert.Equal(Color.FromHex("#000000"), Colormap.Grey.Map(0));
        Assert.Equal(Color.FromHex("#FFFFFF"), Colormap.Grey.Map(1));
    }
}
