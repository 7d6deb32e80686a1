using Probabilistic.Core.Numerics;

namespace Probabilistic.Core.Tests.Numerics;

public class NormalDensityTests
{
    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(-3.0, 0.01)]
    [InlineData(5.0, 40.0)]
    public void Integrates_to_one_and_has_the_given_mean_and_variance(double mean, double variance)
    {
        // Trapezoid over ±12 sd with 20,000 panels (independent of the formula's normaliser).
        double sd = Math.Sqrt(variance), h = 24 * sd / 20_000;
        var p = new double[20_001];
        var xp = new double[20_001];
        var x2p = new double[20_001];
        for (int k = 0; k < p.Length; k++)
        {
            double x = mean - 12 * sd + k * h;
            p[k] = Math.Exp(NormalDensity.Log(x, mean, variance));
            xp[k] = x * p[k];
            x2p[k] = (x - mean) * (x - mean) * p[k];
        }
        Assert.Equal(1, Trapezoid.Integrate(p, h), 9);
        Assert.Equal(mean, Trapezoid.Integrate(xp, h), 7);
        Assert.Equal(variance, Trapezoid.Integrate(x2p, h), 6 - (int)Math.Ceiling(Math.Log10(variance + 1)));
    }

    [Fact]
    public void Refuses_a_non_positive_variance()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NormalDensity.Log(0, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => NormalDensity.Log(0, 0, double.NaN));
    }
}
