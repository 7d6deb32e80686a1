namespace Probabilistic.Core.Numerics;

/// <summary>The trapezoid rule over tabulated values: the one home of this quadrature for curves logged at discrete points.</summary>
public static class Trapezoid
{
    /// <summary>∫ y dx over equally spaced points x_k = x_0 + k·<paramref name="spacing"/>: spacing·Σ_k (y_k + y_{k+1})/2 (0 for fewer than two points).</summary>
    public static double Integrate(ReadOnlySpan<double> y, double spacing = 1)
    {
        if (!double.IsFinite(spacing)) throw new ArgumentOutOfRangeException(nameof(spacing), spacing, "Trapezoid.Integrate: the spacing must be finite.");
        double sum = 0;
        for (int k = 1; k < y.Length; k++) sum += 0.5 * (y[k - 1] + y[k]);
        return sum * spacing;
    }

    /// <summary>∫ y dx over the points (x_k, y_k), x in any order of increase: Σ_k (x_{k+1} − x_k)(y_k + y_{k+1})/2.</summary>
    public static double Integrate(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length) throw new ArgumentException($"Trapezoid.Integrate: {x.Length} abscissae for {y.Length} values.");
        double sum = 0;
        for (int k = 1; k < y.Length; k++) sum += 0.5 * (y[k - 1] + y[k]) * (x[k] - x[k - 1]);
        return sum;
    }
}
