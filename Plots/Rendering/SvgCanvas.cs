using System.Globalization;
using System.Text;

namespace Probabilistic.Plots.Rendering;

/// <summary>Writes canvas calls as SVG 1.1 markup. Text uses a sans-serif font sized to match the layout metrics.</summary>
internal sealed class SvgCanvas : ICanvas
{
    private readonly StringBuilder _body = new();
    private readonly StringBuilder _defs = new();
    private readonly int _width, _height;
    private int _clipId, _depth = 1;

    public SvgCanvas(int width, int height, string? title)
    {
        _width = width; _height = height;
        if (!string.IsNullOrEmpty(title)) Line($"<title>{Esc(title)}</title>");
    }

    private static string F(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Escapes text for XML content and attributes.</summary>
    public static string Esc(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");

    private static string Fill(Color c) => c.A == 255 ? $"fill=\"{c.Hex}\"" : $"fill=\"{c.Hex}\" fill-opacity=\"{F(c.Opacity)}\"";

    private void Line(string s) => _body.Append(' ', 2 * _depth).Append(s).Append('\n');

    public void FillRect(RectD r, Color c)
    {
        if (r.W <= 0 || r.H <= 0 || c.A == 0) return;
        Line($"<rect x=\"{F(r.X)}\" y=\"{F(r.Y)}\" width=\"{F(r.W)}\" height=\"{F(r.H)}\" {Fill(c)}/>");
    }

    public void FillPolygons(IReadOnlyList<PointD[]> polygons, Color c)
    {
        var d = new StringBuilder();
        foreach (var poly in polygons)
        {
            if (poly.Length < 3) continue;
            d.Append('M').Append(F(poly[0].X)).Append(',').Append(F(poly[0].Y));
            for (int i = 1; i < poly.Length; i++) d.Append('L').Append(F(poly[i].X)).Append(',').Append(F(poly[i].Y));
            d.Append('Z');
        }
        if (d.Length > 0) Line($"<path d=\"{d}\" {Fill(c)} fill-rule=\"nonzero\"/>");
    }

    public void StrokePolyline(IReadOnlyList<PointD> points, Color c, double width, double[]? dash = null)
    {
        if (points.Count < 2) return;
        var pts = string.Join(" ", points.Select(p => F(p.X) + "," + F(p.Y)));
        string opacity = c.A == 255 ? "" : $" stroke-opacity=\"{F(c.Opacity)}\"";
        string dashes = dash is null ? "" : $" stroke-dasharray=\"{string.Join(",", dash.Select(F))}\"";
        Line($"<polyline points=\"{pts}\" fill=\"none\" stroke=\"{c.Hex}\"{opacity} stroke-width=\"{F(width)}\" stroke-linejoin=\"round\"{dashes}/>");
    }

    public void FillCircle(PointD centre, double radius, Color c) =>
        Line($"<circle cx=\"{F(centre.X)}\" cy=\"{F(centre.Y)}\" r=\"{F(radius)}\" {Fill(c)}/>");

    public void Text(string text, double x, double y, TextStyle st)
    {
        if (text.Length == 0) return;
        // The layout anchors text on the capitals; SVG anchors on the baseline, so shift along the text's "down".
        double down = st.V switch
        {
            VAlign.Top => TextMetrics.CapHeight * st.Scale,
            VAlign.Middle => TextMetrics.CapHeight * st.Scale / 2.0,
            _ => 0,
        };
        string anchor = st.H switch { HAlign.Middle => "middle", HAlign.End => "end", _ => "start" };
        double bx = st.Vertical ? x + down : x, by = st.Vertical ? y : y + down;
        string rotate = st.Vertical ? $" transform=\"rotate(-90 {F(bx)} {F(by)})\"" : "";
        string weight = st.Bold ? " font-weight=\"bold\"" : "";
        Line($"<text x=\"{F(bx)}\" y=\"{F(by)}\" font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\" font-size=\"{F(9.5 * st.Scale)}\"" +
             $"{weight} text-anchor=\"{anchor}\" {Fill(st.Color)}{rotate}>{Esc(text)}</text>");
    }

    public void PushClip(RectD r)
    {
        int id = ++_clipId;
        _defs.Append($"    <clipPath id=\"clip{id}\"><rect x=\"{F(r.X)}\" y=\"{F(r.Y)}\" width=\"{F(r.W)}\" height=\"{F(r.H)}\"/></clipPath>\n");
        Line($"<g clip-path=\"url(#clip{id})\">");
        _depth++;
    }

    public void PopClip() { _depth--; Line("</g>"); }

    public void BeginGroup(string kind, string? label)
    {
        Line(label is null ? $"<g class=\"{Esc(kind)}\">" : $"<g class=\"{Esc(kind)}\" data-label=\"{Esc(label)}\">");
        _depth++;
    }

    public void EndGroup() { _depth--; Line("</g>"); }

    public override string ToString() =>
        $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
        $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{_width}\" height=\"{_height}\" viewBox=\"0 0 {_width} {_height}\">\n" +
        (_defs.Length > 0 ? $"  <defs>\n{_defs}  </defs>\n" : "") + _body + "</svg>\n";
}
