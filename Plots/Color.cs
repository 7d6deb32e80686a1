using System.Globalization;

namespace Probabilistic.Plots;

/// <summary>An sRGB colour with straight (not premultiplied) alpha, 8 bits per channel.</summary>
public readonly record struct Color(byte R, byte G, byte B, byte A = 255)
{
    /// <summary>Opaque white.</summary>
    public static readonly Color White = new(255, 255, 255);
    /// <summary>Opaque black.</summary>
    public static readonly Color Black = new(0, 0, 0);
    /// <summary>Dark grey used for text, frames and ticks.</summary>
    public static readonly Color Ink = new(0x33, 0x33, 0x33);
    /// <summary>Medium grey, e.g. for reference lines.</summary>
    public static readonly Color Grey = new(0x80, 0x80, 0x80);
    /// <summary>Very light grey used for grid lines.</summary>
    public static readonly Color GridGrey = new(0xE4, 0xE4, 0xE4);

    /// <summary>Parses "#RRGGBB" or "#RRGGBBAA" (the '#' is optional).</summary>
    public static Color FromHex(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var h = hex.StartsWith('#') ? hex[1..] : hex;
        if ((h.Length != 6 && h.Length != 8) || !uint.TryParse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v))
            throw new FormatException($"Color.FromHex: '{hex}' is not #RRGGBB or #RRGGBBAA.");
        if (h.Length == 6) v = (v << 8) | 0xFF;
        return new Color((byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v);
    }

    /// <summary>The same colour with opacity <paramref name="opacity"/> in [0, 1].</summary>
    public Color WithOpacity(double opacity) => this with { A = (byte)Math.Round(Math.Clamp(opacity, 0, 1) * 255) };

    /// <summary>Opacity in [0, 1].</summary>
    public double Opacity => A / 255.0;

    /// <summary>"#rrggbb" (alpha is written separately in SVG).</summary>
    public string Hex => string.Create(CultureInfo.InvariantCulture, $"#{R:x2}{G:x2}{B:x2}");

    /// <summary>The opaque colour seen when this colour is painted over <paramref name="background"/>.</summary>
    public Color Over(Color background)
    {
        double a = Opacity;
        byte Mix(byte f, byte b) => (byte)Math.Round(f * a + b * (1 - a));
        return new Color(Mix(R, background.R), Mix(G, background.G), Mix(B, background.B));
    }

    /// <summary>WCAG relative luminance in [0, 1]; used to choose black or white text on a fill.</summary>
    public double Luminance => 0.2126 * Oklab.ToLinear(R) + 0.7152 * Oklab.ToLinear(G) + 0.0722 * Oklab.ToLinear(B);
}

/// <summary>The default colour cycle: the Okabe–Ito palette, distinguishable under the common colour-vision deficiencies.</summary>
public static class Palette
{
    /// <summary>Blue, orange, bluish green, vermillion, reddish purple, sky blue, yellow, grey.</summary>
    public static IReadOnlyList<Color> Cycle { get; } =
    [
        Color.FromHex("#0072B2"), Color.FromHex("#E69F00"), Color.FromHex("#009E73"), Color.FromHex("#D55E00"),
        Color.FromHex("#CC79A7"), Color.FromHex("#56B4E9"), Color.FromHex("#F0E442"), Color.FromHex("#666666"),
    ];

    /// <summary>The <paramref name="index"/>-th colour of the cycle, wrapping around.</summary>
    public static Color Get(int index) => Cycle[((index % Cycle.Count) + Cycle.Count) % Cycle.Count];
}
