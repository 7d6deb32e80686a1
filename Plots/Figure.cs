using Probabilistic.Plots.Raster;
using Probabilistic.Plots.Rendering;

namespace Probabilistic.Plots;

/// <summary>
/// A figure: an optional title over a grid of <see cref="Plots.Axes"/>, saved as PNG (own encoder and rasteriser,
/// built-in bitmap font) or SVG. Example:
/// <code>
/// var fig = new Figure(title: "Learning curves");
/// var ax = fig.Axes(xLabel: "epoch", yLabel: "accuracy");
/// ax.MeanBand(epochs, mean, sd, label: "student");
/// fig.Save("curves.png");
/// </code>
/// </summary>
public sealed class Figure
{
    private readonly Dictionary<(int, int), Axes> _axes = [];

    /// <summary>Creates a figure of <paramref name="width"/>×<paramref name="height"/> pixels with a rows×cols grid of panels.</summary>
    public Figure(string? title = null, int width = 800, int height = 500, int rows = 1, int cols = 1)
    {
        if (width < 100 || height < 80 || width > 10000 || height > 10000)
            throw new ArgumentOutOfRangeException(nameof(width), $"Figure: size {width}×{height} px is outside 100×80 … 10000×10000.");
        if (rows < 1 || cols < 1 || rows > 10 || cols > 10)
            throw new ArgumentOutOfRangeException(nameof(rows), $"Figure: grid {rows}×{cols} is outside 1×1 … 10×10.");
        Title = title; Width = width; Height = height; Rows = rows; Cols = cols;
    }

    /// <summary>Title above all panels.</summary>
    public string? Title { get; set; }
    /// <summary>Width in pixels.</summary>
    public int Width { get; }
    /// <summary>Height in pixels.</summary>
    public int Height { get; }
    /// <summary>Grid rows.</summary>
    public int Rows { get; }
    /// <summary>Grid columns.</summary>
    public int Cols { get; }

    /// <summary>The panels created so far, row by row.</summary>
    public IReadOnlyList<Axes> AllAxes => _axes.Values.OrderBy(a => a.Row).ThenBy(a => a.Column).ToList();

    /// <summary>
    /// The panel at (row, col), created on first use; non-null arguments set its title, axis labels and y scale.
    /// </summary>
    public Axes Axes(int row = 0, int col = 0, string? title = null, string? xLabel = null, string? yLabel = null, bool? logY = null)
    {
        if (row < 0 || row >= Rows || col < 0 || col >= Cols)
            throw new ArgumentOutOfRangeException(nameof(row), $"Figure.Axes: ({row}, {col}) is outside the {Rows}×{Cols} grid.");
        if (!_axes.TryGetValue((row, col), out var ax)) _axes[(row, col)] = ax = new Axes(row, col);
        if (title is not null) ax.Title = title;
        if (xLabel is not null) ax.XLabel = xLabel;
        if (yLabel is not null) ax.YLabel = yLabel;
        if (logY is not null) ax.LogY = logY.Value;
        return ax;
    }

    /// <summary>The figure as an SVG document.</summary>
    public string ToSvg()
    {
        var svg = new SvgCanvas(Width, Height, Title);
        FigureRenderer.Render(this, svg);
        return svg.ToString();
    }

    /// <summary>The figure as PNG file bytes (RGBA, 8 bits per channel).</summary>
    public byte[] ToPng()
    {
        var raster = new RasterCanvas(Width, Height);
        FigureRenderer.Render(this, raster);
        return raster.ToPng();
    }

    /// <summary>Writes an SVG file (folders are created as needed).</summary>
    public void SaveSvg(string path) => Write(path, System.Text.Encoding.UTF8.GetBytes(ToSvg()));

    /// <summary>Writes a PNG file (folders are created as needed).</summary>
    public void SavePng(string path) => Write(path, ToPng());

    /// <summary>Writes PNG or SVG according to the extension of <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".png": SavePng(path); break;
            case ".svg": SaveSvg(path); break;
            default: throw new ArgumentException($"Figure.Save: '{path}' must end in .png or .svg.", nameof(path));
        }
    }

    private static void Write(string path, byte[] bytes)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        File.WriteAllBytes(path, bytes);
    }
}
