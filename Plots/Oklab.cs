namespace Probabilistic.Plots;

/// <summary>
/// Conversions between sRGB and the OKLab perceptual colour space (Björn Ottosson, 2020). Interpolating in OKLab
/// gives ramps whose lightness changes evenly, which is what a sequential colormap needs.
/// </summary>
public static class Oklab
{
    /// <summary>sRGB byte to linear-light intensity in [0, 1].</summary>
    public static double ToLinear(byte c)
    {
        double v = c / 255.0;
        return v <= 0.04045 ? v / 12.92 : Math.Pow((v + 0.055) / 1.055, 2.4);
    }

    /// <summary>Linear-light intensity to an sRGB byte (clamped).</summary>
    public static byte FromLinear(double v)
    {
        v = Math.Clamp(v, 0, 1);
        double s = v <= 0.0031308 ? 12.92 * v : 1.055 * Math.Pow(v, 1 / 2.4) - 0.055;
        return (byte)Math.Round(s * 255);
    }

    /// <summary>sRGB (alpha ignored) to OKLab (L in [0, 1]).</summary>
    public static (double L, double A, double B) FromColor(Color c)
    {
        double r = ToLinear(c.R), g = ToLinear(c.G), b = ToLinear(c.B);
        double l = Math.Cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
        double m = Math.Cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
        double s = Math.Cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
        return (0.2104542553 * l + 0.7936177850 * m - 0.0040720468 * s,
                1.9779984951 * l - 2.4285922050 * m + 0.4505937099 * s,
                0.0259040371 * l + 0.7827717662 * m - 0.8086757660 * s);
    }

    /// <summary>OKLab to an opaque sRGB colour (out-of-gamut channels are clamped).</summary>
    public static Color ToColor(double L, double a, double b)
    {
        double l = L + 0.3963377774 * a + 0.2158037573 * b;
        double m = L - 0.1055613458 * a - 0.0638541728 * b;
        double s = L - 0.0894841775 * a - 1.2914855480 * b;
        l = l * l * l; m = m * m * m; s = s * s * s;
        return new Color(
            FromLinear(4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s),
            FromLinear(-1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s),
            FromLinear(-0.0041960863 * l - 0.7034186147 * m + 1.7076147010 * s));
    }
}
