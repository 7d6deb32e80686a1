using Probabilistic.Core.Numerics;

namespace Probabilistic.Core.Tests.Numerics;

public class TrapezoidTests
{
    [Fact]
    public void Is_exact_on_a_straight_line()
    {
        // ∫_0^4 (3x + 1) dx = 24 + 4 = 28, sampled at x = 0..4.
        double[] y = Enumerable.Range(0, 5).Select(x => 3.0 * x + 1).ToArray();
        Assert.Equal(28, Trapezoid.Integrate(y), 12);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(101)]
    public void Misses_a_parabola_by_the_closed_form_error(int points)
    {
        // ∫_0^1 x² dx = 1/3; the trapezoid rule over n panels of width h overestimates it by exactly h²/6 (f'' = 2).
        double h = 1.0 / (points - 1);
        double[] y = Enumerable.Range(0, points).Select(k => (k * h) * (k * h)).ToArray();
        Assert.Equal(1.0 / 3 + h * h / 6, Trapezoid.Integrate(y, h), 12);
    }

    [Fact]
    public void Uneven_abscissae_sum_the_panel_areas()
    {
        // Panels [0,1], [1,3], [3,3.5] under y = 2, 4, 0, 1: areas 3, 4, 0.25.
        Assert.Equal(7.25, Trapezoid.Integrate([0, 1, 3, 3.5], [2, 4, 0, 1]), 12);
        Assert.Equal(0, Trapezoid.Integrate([5.0]));
        Assert.Throws<ArgumentException>(() => Trapezoid.Integrate([0, 1], [1.0]));
    }
}
