using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.Tests;

/// <summary>
/// Gradient helpers for the loss tests beside the shared checker (TestSupport/GradCheck.cs, which checks a float32
/// op's backward rule): the backpropagated gradient of a loss, and the central-difference gradient of a double
/// function (h = 1e-5, error ≈ 1e-10) for comparing with a reference formula written in double.
/// </summary>
internal static class FiniteDifferences
{
    /// <summary>The gradient of the scalar <paramref name="loss"/> at <paramref name="x"/> by backpropagation.</summary>
    public static float[] Analytic(Func<Tensor, Tensor> loss, Tensor x)
    {
        x.Grad = null;
        loss(x).Backward();
        return x.Grad!.ToArray();
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
