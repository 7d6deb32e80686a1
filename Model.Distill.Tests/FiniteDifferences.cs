using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.Tests;

/// <summary>
/// Finite-difference gradients for the loss tests. A float32 loss L is differentiated by Richardson-extrapolated central
/// differences (steps 2⁻⁶ and 2⁻⁷ with the steps actually taken in float): truncation O(h⁴) ≈ 1e-7, and float rounding
/// of the value (6e-8·|L|) divided by the step gives ≈ 1.1e-5·|L|. <see cref="Check"/> demands agreement to
/// 3e-5·max(1, |L|) + 2e-4·|numeric| per element: for an O(1) loss it catches a 1e-3 relative error in any element
/// larger than 0.04. A double function is differentiated by plain central differences with h = 1e-5 (error ≈ 1e-10).
/// </summary>
internal static class FiniteDifferences
{
    public const double AbsTol = 3e-5, RelTol = 2e-4;

    /// <summary>A tensor of N(0, scale²) draws that requires a gradient.</summary>
    public static Tensor Random(Rng rng, float scale, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Length; i++) t[i] = (float)(rng.Normal() * scale);
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>The gradient of the scalar <paramref name="loss"/> at <paramref name="x"/> by backpropagation.</summary>
    public static float[] Analytic(Func<Tensor, Tensor> loss, Tensor x)
    {
        x.Grad = null;
        loss(x).Backward();
        return x.Grad!.ToArray();
    }

    /// <summary>The gradient of the float32 scalar <paramref name="loss"/> at <paramref name="x"/> by extrapolated central differences.</summary>
    public static double[] Numeric(Func<Tensor, Tensor> loss, Tensor x)
    {
        var result = new double[x.Length];
        using var noGrad = GradMode.NoGrad();
        for (int i = 0; i < x.Length; i++)
        {
            float orig = x[i];
            double Central(double h)
            {
                x[i] = (float)(orig + h);
                double up = x[i] - (double)orig, plus = loss(x).Item();
                x[i] = (float)(orig - h);
                double down = orig - (double)x[i], minus = loss(x).Item();
                x[i] = orig;
                return (plus - minus) / (up + down);
            }
            double coarse = Central(1.0 / 64), fine = Central(1.0 / 128);
            result[i] = (4 * fine - coarse) / 3;
        }
        return result;
    }

    /// <summary>Asserts that backpropagation and finite differences give the same gradient of <paramref name="loss"/> at <paramref name="x"/>.</summary>
    public static void Check(Func<Tensor, Tensor> loss, Tensor x)
    {
        float[] analytic = Analytic(loss, x);
        double[] numeric = Numeric(loss, x);
        double value;
        using (GradMode.NoGrad()) value = loss(x).Item();
        double absTol = AbsTol * Math.Max(1, Math.Abs(value));
        for (int i = 0; i < numeric.Length; i++)
        {
            double err = Math.Abs(analytic[i] - numeric[i]);
            Assert.True(err <= absTol + RelTol * Math.Abs(numeric[i]),
                $"element {i}: analytic {analytic[i]:G8} vs numeric {numeric[i]:G8} (|diff| {err:G3}, loss {value:G6})");
        }
    }

    /// <summary>The gradient of a double function by central differences with h = 1e-5.</summary>
    public static double[] Numeric(Func<double[], double> f, double[] x)
    {
        const double h = 1e-5;
        var result = new double[x.Length];
        var probe = (double[])x.Clone();
        for (int i = 0; i < x.Length; i++)
        {
            probe[i] = x[i] + h;
            double plus = f(probe);
            probe[i] = x[i] - h;
            double minus = f(probe);
            probe[i] = x[i];
            result[i] = (plus - minus) / (2 * h);
        }
        return result;
    }
}
