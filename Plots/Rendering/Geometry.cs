namespace Probabilistic.Plots.Rendering;

/// <summary>A point in pixel coordinates (x right, y down).</summary>
public readonly record struct PointD(double X, double Y);

/// <summary>An axis-aligned rectangle in pixel coordinates.</summary>
public readonly record struct RectD(double X, double Y, double W, double H)
{
    /// <summary>X + W.</summary>
    public double Right => X + W;
    /// <summary>Y + H.</summary>
    public double Bottom => Y + H;
    /// <summary>Whether <paramref name="p"/> lies inside (edges included).</summary>
    public bool Contains(PointD p) => p.X >= X && p.X <= Right && p.Y >= Y && p.Y <= Bottom;
    /// <summary>Whether the two rectangles overlap.</summary>
    public bool Intersects(RectD o) => X < o.Right && o.X < Right && Y < o.Bottom && o.Y < Bottom;
}

/// <summary>Horizontal anchor of a text run.</summary>
public enum HAlign
{
    /// <summary>The text starts at the anchor.</summary>
    Start,

    /// <summary>The text is centred on the anchor.</summary>
    Middle,

    /// <summary>The text ends at the anchor.</summary>
    End,
}

/// <summary>Vertical anchor of a text run, relative to the capital letters: their top, middle, or the baseline.</summary>
public enum VAlign
{
    /// <summary>The top of the capitals is at the anchor.</summary>
    Top,

    /// <summary>The middle of the capitals is at the anchor.</summary>
    Middle,

    /// <summary>The baseline is at the anchor.</summary>
    Baseline,
}

/// <summary>How a text run is drawn. <see cref="Scale"/> is 1 (small) or 2 (large); <see cref="Vertical"/> turns it 90° anticlockwise.</summary>
public readonly record struct TextStyle(Color Color, int Scale = 1, bool Bold = false,
    HAlign H = HAlign.Start, VAlign V = VAlign.Baseline, bool Vertical = false);

/// <summary>
/// Text sizes shared by layout and both renderers. They follow the built-in 5×7 bitmap font (6 px advance,
/// 7 px capitals, 2 px descenders at scale 1); the SVG font size is chosen so that common sans-serif fonts match.
/// </summary>
public static class TextMetrics
{
    /// <summary>Advance per character at scale 1.</summary>
    public const int Advance = 6;
    /// <summary>Height of capitals at scale 1.</summary>
    public const int CapHeight = 7;
    /// <summary>Depth of descenders at scale 1.</summary>
    public const int Descent = 2;

    /// <summary>Width in pixels of <paramref name="text"/>.</summary>
    public static double Width(string text, int scale = 1, bool bold = false) =>
        text.Length == 0 ? 0 : (text.Length * (Advance + (bold ? 1 : 0)) - 1) * scale;

    /// <summary>Distance between the tops of two lines of wrapped text at scale 1.</summary>
    public const int LineSpacing = CapHeight + Descent + 3;

    /// <summary>
    /// Fits <paramref name="text"/> into <paramref name="maxWidth"/> pixels: on one line at <paramref name="scale"/> if
    /// it fits, else at smaller scales down to 1, else wrapped at spaces into lines at scale 1 (a word longer than a
    /// line is broken). Every returned line is at most <paramref name="maxWidth"/> wide (at least one character each).
    /// </summary>
    public static (IReadOnlyList<string> Lines, int Scale) Fit(string text, double maxWidth, int scale = 1, bool bold = false)
    {
        for (int s = scale; s >= 1; s--)
            if (Width(text, s, bold) <= maxWidth) return ([text], s);
        int perLine = Math.Max(1, (int)((maxWidth + 1) / (Advance + (bold ? 1 : 0))));
        var lines = new List<string>();
        var line = new System.Text.StringBuilder();
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string rest = word;
            if (line.Length > 0 && line.Length + 1 + rest.Length <= perLine) { line.Append(' ').Append(rest); continue; }
            if (line.Length > 0) { lines.Add(line.ToString()); line.Clear(); }
            while (rest.Length > perLine) { lines.Add(rest[..perLine]); rest = rest[perLine..]; }
            line.Append(rest);
        }
        if (line.Length > 0) lines.Add(line.ToString());
        return (lines, 1);
    }
}

/// <summary>
/// A drawing surface in pixel coordinates. The figure layout draws once against this interface; the SVG and
/// raster back ends turn the calls into markup or pixels.
/// </summary>
public interface ICanvas
{
    /// <summary>Fills an axis-aligned rectangle.</summary>
    void FillRect(RectD r, Color c);
    /// <summary>Fills the union of the polygons (each closed implicitly; overlaps are painted once).</summary>
    void FillPolygons(IReadOnlyList<PointD[]> polygons, Color c);
    /// <summary>Strokes a polyline of the given width; <paramref name="dash"/> is an on/off length pattern or null.</summary>
    void StrokePolyline(IReadOnlyList<PointD> points, Color c, double width, double[]? dash = null);
    /// <summary>Fills a circle.</summary>
    void FillCircle(PointD centre, double radius, Color c);
    /// <summary>Draws a text run anchored at (x, y).</summary>
    void Text(string text, double x, double y, TextStyle style);
    /// <summary>Restricts drawing to <paramref name="r"/> until the matching <see cref="PopClip"/>.</summary>
    void PushClip(RectD r);
    /// <summary>Ends the innermost clip.</summary>
    void PopClip();
    /// <summary>Starts a named group (a series, the legend, …); SVG writes a &lt;g&gt;, rasters ignore it.</summary>
    void BeginGroup(string kind, string? label);
    /// <summary>Ends the innermost group.</summary>
    void EndGroup();
}
