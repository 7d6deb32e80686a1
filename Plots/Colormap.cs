namespace Probabilistic.Plots;

/// <summary>
/// A sequential colormap: a few anchor colours, evenly spaced on [0, 1], interpolated piecewise-linearly in OKLab.
/// </summary>
public sealed class Colormap
{
    private readonly (double L, double A, double B)[] _anchors;

    /// <summary>Name shown in SVG metadata and error messages.</summary>
    public string Name { get; }

    /// <summary>Anchor colours as given, first at 0 and last at 1.</summary>
    public IReadOnlyList<Color> Anchors { get; }

    /// <summary>Creates a colormap from at least two anchor colours.</summary>
    public Colormap(string name, params Color[] anchors)
    {
        if (anchors is null || anchors.Length < 2)
            throw new ArgumentException($"Colormap '{name}': needs at least 2 anchor colours, got {anchors?.Length ?? 0}.", nameof(anchors));
        Name = name;
        Anchors = anchors.ToArray();
        _anchors = anchors.Select(Oklab.FromColor).ToArray();
    }

    /// <summary>
    /// Dark blue-violet through teal and green to yellow, lightness rising monotonically (a viridis-like ramp;
    /// anchors chosen here, the ramp itself is computed).
    /// </summary>
    public static Colormap Viridis { get; } = new("viridis",
        Color.FromHex("#440154"), Color.FromHex("#3B528B"), Color.FromHex("#21918C"), Color.FromHex("#5EC962"), Color.FromHex("#FDE725"));

    /// <summary>White to dark blue, for non-negative quantities where 0 should look empty.</summary>
    public static Colormap Blues { get; } = new("blues", Color.FromHex("#F7FBFF"), Color.FromHex("#6BAED6"), Color.FromHex("#08306B"));

    /// <summary>Black to white, for grey-scale images.</summary>
    public static Colormap Grey { get; } = new("grey", Color.FromHex("#000000"), Color.FromHex("#FFFFFF"));

    /// <summary>Colour at <paramref name="t"/> in [0, 1] (values outside are clamped; NaN is an error).</summary>
    public Color Map(double t)
    {
        if (double.IsNaN(t)) throw new ArgumentException($"Colormap '{Name}'.Map: t is NaN.", nameof(t));
        t = Math.Clamp(t, 0, 1);
        double pos = t * (_anchors.Length - 1);
        int i = Math.Min((int)pos, _anchors.Length - 2);
        double f = pos - i;
        if (f == 0) return Anchors[i];
        if (f == 1) return Anchors[i + 1];
        var (l0, a0, b0) = _anchors[i];
        var (l1, a1, b1) = _anchors[i + 1];
        return Oklab.ToColor(l0 + f * (l1 - l0), a0 + f * (a1 - a0), b0 + f * (b1 - b0));
    }
}
