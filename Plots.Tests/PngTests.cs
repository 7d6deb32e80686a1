using Probabilistic.Plots.Raster;
using Probabilistic.Plots.Rendering;

namespace Probabilistic.Plots.Tests;

public class PngTests
{
    [Fact]
    public void Crc32_matches_the_standard_check_value_and_a_bitwise_implementation()
    {
        // 0xCBF43926 is the published CRC-32 check value of ASCII "123456789".
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        var data = Enumerable.Range(0, 1000).Select(i => (byte)(i * 37 + 11)).ToArray();
        Assert.Equal(PngReader.BitwiseCrc(data), Crc32.Compute(data));
        Assert.Equal(Crc32.Compute(data), Crc32.Update(Crc32.Compute(data.AsSpan(0, 300)), data.AsSpan(300)));
    }

    [Fact]
    public void Encoded_png_has_valid_structure_and_round_trips_every_pixel()
    {
        const int w = 37, h = 23;
        var rgba = new byte[w * h * 4];
        for (int y = 0; y < h; y++) // gradients, a flat area and noise so all three filters get chosen
            for (int x = 0; x < w; x++)
            {
                int i = (y * w + x) * 4;
                rgba[i] = (byte)(x * 7); rgba[i + 1] = (byte)(y * 11); rgba[i + 2] = (byte)(y < 8 ? 200 : (x * 131 + y * 71) % 256); rgba[i + 3] = (byte)(255 - x);
            }
        var png = PngEncoder.Encode(w, h, rgba);
        var r = PngReader.Read(png);
        Assert.Equal(["IHDR", "IDAT", "IEND"], r.ChunkTypes);
        Assert.Equal(w, r.Width);
        Assert.Equal(h, r.Height);
        Assert.Equal(h * (1 + 4 * w), r.Inflated.Length);
        Assert.All(Enumerable.Range(0, h), y => Assert.InRange(r.Inflated[y * (1 + 4 * w)], 0, 2));
        Assert.Equal(rgba, r.Rgba);
    }

    [Fact]
    public void Encoder_rejects_a_buffer_of_the_wrong_size()
    {
        var e = Assert.Throws<ArgumentException>(() => PngEncoder.Encode(4, 3, new byte[47]));
        Assert.Contains("48", e.Message);
        Assert.Contains("47", e.Message);
    }

    [Fact]
    public void Figure_png_has_the_requested_size_and_inflates_to_height_rows_of_1_plus_4_width()
    {
        var fig = new Figure(width: 640, height: 360);
        fig.Axes().Line([0, 1, 2], [1, 3, 2]);
        var r = PngReader.Read(fig.ToPng());
        Assert.Equal(640, r.Width);
        Assert.Equal(360, r.Height);
        Assert.Equal(360 * (1 + 4 * 640), r.Inflated.Length);
    }

    [Fact]
    public void A_rendered_line_colours_the_pixels_along_it_and_nothing_far_from_it()
    {
        // Fixed limits make the data→pixel map known: draw y = x and read back the PNG.
        var red = new Color(220, 20, 20);
        var fig = new Figure(width: 400, height: 300);
        var ax = fig.Axes();
        ax.XLimits = (0, 10); ax.YLimits = (0, 10); ax.Grid = false;
        ax.Line([0, 10], [0, 10], color: red, width: 3);
        var r = PngReader.Read(fig.ToPng());
        bool IsRed(Color c) => c.R > 180 && c.G < 90 && c.B < 90;
        // Find the plot frame from the image itself: the red pixels' bounding box spans the plot diagonal.
        var reds = new List<(int X, int Y)>();
        for (int y = 0; y < r.Height; y++)
            for (int x = 0; x < r.Width; x++)
                if (IsRed(r.Pixel(x, y))) reds.Add((x, y));
        Assert.True(reds.Count > 300, $"only {reds.Count} red pixels");
        int x0 = reds.Min(p => p.X), x1 = reds.Max(p => p.X), y0 = reds.Min(p => p.Y), y1 = reds.Max(p => p.Y);
        Assert.True(x1 - x0 > 250 && y1 - y0 > 180, $"red box {x0}..{x1} × {y0}..{y1} is not the plot diagonal");
        // Every red pixel lies within ~2 px of the line from bottom-left to top-right of that box.
        double dx = x1 - x0, dy = y1 - y0, len = Math.Sqrt(dx * dx + dy * dy);
        foreach (var (x, y) in reds)
        {
            double dist = Math.Abs((x + 0.5 - x0) * dy - (y1 + 0.5 - (y + 0.5) - 0) * dx) / len;
            Assert.True(dist < 3, $"red pixel ({x},{y}) is {dist:F1} px from the line");
        }
        // And every column of the box has red pixels (the line is continuous).
        for (int x = x0; x <= x1; x++) Assert.Contains(reds, p => p.X == x);
        // Anti-aliasing: some pixels are partly red (between white and red).
        Assert.Contains(Enumerable.Range(x0, x1 - x0).SelectMany(x => Enumerable.Range(y0, y1 - y0).Select(y => r.Pixel(x, y))),
            c => c.R > 200 && c.G > 100 && c.G < 230 && c.B > 100 && c.B < 230);
    }

    [Fact]
    public void Raster_fill_rect_covers_exact_area_with_partial_edges()
    {
        var c = new RasterCanvas(10, 10);
        c.FillRect(new RectD(2, 2, 3.5, 1), Color.Black);
        Assert.Equal(Color.Black, c.GetPixel(2, 2));
        Assert.Equal(Color.Black, c.GetPixel(4, 2));
        Assert.InRange(c.GetPixel(5, 2).R, 126, 129); // half covered: 255·(1 − 0.5)
        Assert.Equal(Color.White, c.GetPixel(6, 2));
        Assert.Equal(Color.White, c.GetPixel(3, 3));
    }

    [Fact]
    public void Overlapping_pieces_of_one_translucent_polygon_set_are_painted_once()
    {
        var c = new RasterCanvas(20, 20);
        PointD[] a = [new(2, 2), new(12, 2), new(12, 12), new(2, 12)];
        PointD[] b = [new(6, 6), new(6, 16), new(16, 16), new(16, 6)]; // opposite orientation on purpose
        c.FillPolygons([a, b], Color.Black.WithOpacity(0.5));
        byte inA = c.GetPixel(4, 4).R, overlap = c.GetPixel(8, 8).R, inB = c.GetPixel(14, 14).R;
        Assert.InRange(inA, 126, 129);
        Assert.Equal(inA, overlap);
        Assert.Equal(inA, inB);
        Assert.Equal(255, c.GetPixel(18, 3).R);
    }

    [Fact]
    public void Circle_coverage_sums_to_its_area()
    {
        var c = new RasterCanvas(40, 40);
        c.FillCircle(new PointD(20.3, 19.6), 10, Color.Black);
        double covered = 0;
        for (int y = 0; y < 40; y++) for (int x = 0; x < 40; x++) covered += (255 - c.GetPixel(x, y).R) / 255.0;
        // Ramp coverage clamp(r + ½ − d, 0, 1) integrates to πr² + π/12 over the plane; sampling it at pixel
        // centres adds a lattice error (a Gauss-circle-type sum, smoothed by the ramp) well under 1.5 px² at r = 10,
        // and byte rounding adds < 0.5/255 per pixel.
        double expected = Math.PI * 100 + Math.PI / 12;
        Assert.InRange(covered, expected - 1.5, expected + 1.5);
    }

    [Fact]
    public void Bitmap_text_inks_pixels_and_every_required_symbol_has_a_glyph()
    {
        foreach (char ch in "0123456789−±λστ·.,:;()[]%+=<>/ABCXYZabcxyz")
            Assert.True(BitmapFont.Has(ch), $"no glyph for '{ch}'");
        for (char ch = ' '; ch <= '~'; ch++) Assert.True(BitmapFont.Has(ch), $"no glyph for ASCII '{ch}'");
        var c = new RasterCanvas(60, 30);
        c.Text("λ=1", 2, 2, new TextStyle(Color.Black, V: VAlign.Top));
        int inked = 0;
        for (int y = 0; y < 30; y++) for (int x = 0; x < 60; x++) if (c.GetPixel(x, y) == Color.Black) inked++;
        int expected = "λ=1".Sum(ch => { var g = BitmapFont.Glyph(ch); int k = 0; foreach (bool b in g) if (b) k++; return k; });
        Assert.Equal(expected, inked);
        var c2 = new RasterCanvas(60, 30);
        c2.Text("λ=1", 2, 2, new TextStyle(Color.Black, Scale: 2, V: VAlign.Top));
        int inked2 = 0;
        for (int y = 0; y < 30; y++) for (int x = 0; x < 60; x++) if (c2.GetPixel(x, y) == Color.Black) inked2++;
        Assert.Equal(4 * expected, inked2);
    }
}
