using Probabilistic.Core.Numerics;
using Probabilistic.Core.Random;

namespace Probabilistic.Core.Tests.Numerics;

public class LogSumExpTests
{
    [Fact]
    public void Moderate_inputs_agree_with_the_unshifted_sum_of_exponentials()
    {
        var rng = new Rng(11);
        for (int trial = 0; trial < 200; trial++)
        {
            int k = 1 + trial % 12;
            var x = new double[k];
            for (int i = 0; i < k; i++) x[i] = rng.Uniform(-20, 20);
            double naive = Math.Log(x.Sum(Math.Exp));
            Assert.Equal(naive, LogSumExp.Of(x), 12);
            Assert.Equal(naive, LogSumExp.Of(x.Select(v => (float)v).ToArray()), 4);
        }
    }

    [Fact]
    public void Huge_inputs_do_not_overflow_and_shift_exactly()
    {
        // lse(x + c) = lse(x) + c, checked where the unshifted sum would overflow (exp(800) = ∞).
        double[] x = [0.5, -1.25, 2, 0];
        double[] shifted = x.Select(v => v + 800).ToArray();
        Assert.Equal(Math.Log(x.Sum(Math.Exp)) + 800, LogSumExp.Of(shifted), 10);
        Assert.True(double.IsFinite(LogSumExp.Of([-800.0, -801.0])));
        Assert.Equal(-800 + Math.Log(1 + Math.Exp(-1)), LogSumExp.Of([-800.0, -801.0]), 12);
    }

    [Fact]
    public void Infinities_empty_and_nan_follow_the_conventions()
    {
        Assert.Equal(double.NegativeInfinity, LogSumExp.Of(ReadOnlySpan<double>.Empty));
        Assert.Equal(double.NegativeInfinity, LogSumExp.Of([double.NegativeInfinity, double.NegativeInfinity]));
        Assert.Equal(double.PositiveInfinity, LogSumExp.Of([1.0, double.PositiveInfinity]));
        Assert.True(double.IsNaN(LogSumExp.Of([1.0, double.NaN])));
        Assert.Equal(3.0, LogSumExp.Of([double.NegativeInfinity, 3.0]), 15);
    }

    [Fact]
    public void Softmax_sums_to_one_and_its_log_is_the_log_softmax()
    {
        double[] x = [3, -1, 0.25, 7, 7];
        var p = new double[5];
        var l = new double[5];
        double lse = LogSumExp.Softmax(x, p);
        LogSumExp.LogSoftmax(x, l);
        Assert.Equal(1.0, p.Sum(), 14);
        for (int k = 0; k < 5; k++)
        {
            Assert.Equal(Math.Exp(x[k]) / x.Sum(Math.Exp), p[k], 14);
            Assert.Equal(Math.Log(p[k]), l[k], 13);
        }
        Assert.Equal(Math.Log(x.Sum(Math.Exp)), lse, 12);
        Assert.Throws<ArgumentException>(() => LogSumExp.Softmax(x, new double[4]));
    }
}

public class GoldenSectionTests
{
    [Theory]
    [InlineData(0.3, -2.0, 5.0)]
    [InlineData(4.9, 0.0, 5.0)]
    [InlineData(-1.7, -3.0, 1.0)]
    public void Finds_the_maximum_of_a_smooth_unimodal_function(double peak, double low, double high)
    {
        int calls = 0;
        double x = GoldenSection.Maximize(v => { calls++; return -Math.Cosh(v - peak); }, low, high, 1e-8);
        Assert.Equal(peak, x, 6);
        // Each step keeps 0.618 of the bracket: about log(width/tol)/log(1/0.618) evaluations, not more.
        Assert.InRange(calls, 2, 2 + (int)Math.Ceiling(Math.Log((high - low) / 1e-8) / Math.Log(1 / 0.6180339887)) + 1);
    }

    [Fact]
    public void Refuses_an_empty_interval_and_a_non_positive_tolerance()
    {
        Assert.Throws<ArgumentException>(() => GoldenSection.Maximize(v => v, 1, 1, 1e-3));
        Assert.Throws<ArgumentOutOfRangeException>(() => GoldenSection.Maximize(v => v, 0, 1, 0));
    }
}
