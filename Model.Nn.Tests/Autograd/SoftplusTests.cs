using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Tests.Autograd;

public class SoftplusTests
{
    [Fact]
    public void Keeps_its_relative_precision_far_below_zero()
    {
        // softplus(z) = log(1 + e^z) → e^z(1 − e^z/2 + …) for z → −∞; in double that is exact to 1e-12 here.
        float[] z = [-5f, -17f, -20f, -30f, -60f, -87f];
        var y = Ops.Softplus(Tensor.FromArray(z, z.Length)).ToArray();
        for (int i = 0; i < z.Length; i++)
        {
            double expected = Math.Log(1 + Math.Exp(z[i]));
            if (z[i] < -20) expected = Math.Exp(z[i]) * (1 - Math.Exp(z[i]) / 2);
            Assert.True(y[i] > 0, $"softplus({z[i]}) = {y[i]}");
            Assert.True(Math.Abs(y[i] - expected) <= 1e-6 * expected, $"softplus({z[i]}) = {y[i]:R}, expected {expected:R}");
        }
    }

    [Fact]
    public void Matches_the_direct_formula_where_it_is_well_conditioned()
    {
        float[] z = [-3f, -1e-3f, -1e-4f, 0f, 1e-4f, 0.5f, 4f, 15f];
        var y = Ops.Softplus(Tensor.FromArray(z, z.Length)).ToArray();
        for (int i = 0; i < z.Length; i++)
            Assert.Equal(Math.Log(1 + Math.Exp(z[i])), y[i], 6);
    }
}
