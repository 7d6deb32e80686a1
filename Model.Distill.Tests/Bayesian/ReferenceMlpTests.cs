using Probabilistic.Core.Random;
using Probabilistic.Distill.Bayesian;

namespace Probabilistic.Distill.Tests.Bayesian;

public class ReferenceMlpTests
{
    internal static float[] RandomInputs(int count, int features, ulong seed)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, count * features).Select(_ => (float)rng.Normal()).ToArray();
    }

    // ½ Σ (f − t)² for fixed targets t: its output gradient is f − t.
    private static double HalfSquaredLoss(NetworkModule net, float[] p, float[] x, int batch, float[] targets)
    {
        var ws = net.CreateWorkspace(batch);
        var f = net.Forward(p, x, batch, ws);
        double s = 0;
        for (int i = 0; i < f.Length; i++) s += 0.5 * (f[i] - targets[i]) * (f[i] - targets[i]);
        return s;
    }

    [Theory]
    [InlineData(false, HiddenActivation.Relu)]
    [InlineData(true, HiddenActivation.LeakyRelu)]
    public void Backward_matches_central_differences(bool biases, HiddenActivation activation)
    {
        var net = new NetworkModule(new NetworkStructure([3, 5, 4, 2]), biases, activation);
        var p = net.InitialParameters(new Rng(1));
        var x = RandomInputs(6, 3, 2);
        var targets = RandomInputs(6, 2, 3);
        var ws = net.CreateWorkspace(6);
        var f = net.Forward(p, x, 6, ws).ToArray();
        var dOut = f.Select((v, i) => v - targets[i]).ToArray();
        var grad = new float[net.ParameterCount];
        net.Backward(p, x, 6, dOut, ws, grad);
        // Small step so no pre-activation crosses a kink; float loss noise ~1e-7/h stays far below the tolerance.
        const float h = 1e-3f;
        for (int k = 0; k < p.Length; k++)
        {
            var plus = (float[])p.Clone();
            var minus = (float[])p.Clone();
            plus[k] += h;
            minus[k] -= h;
            double fd = (HalfSquaredLoss(net, plus, x, 6, targets) - HalfSquaredLoss(net, minus, x, 6, targets)) / (2 * h);
            // A wrong gradient shows up as an O(1) relative error.
            Assert.True(Math.Abs(fd - grad[k]) < 2e-3 * (1 + Math.Abs(fd)), $"parameter {k}: backward {grad[k]}, FD {fd}");
        }
    }

    [Fact]
    public void Squared_backward_equals_the_sum_of_squared_per_sample_jacobian_rows()
    {
        var net = new NetworkModule(new NetworkStructure([4, 6, 3, 1]), true, HiddenActivation.Relu);
        var p = net.InitialParameters(new Rng(5));
        var x = RandomInputs(7, 4, 6);
        var ws = net.CreateWorkspace(7);
        net.Forward(p, x, 7, ws);
        var jac = new float[7 * net.ParameterCount];
        net.OutputJacobian(p, x, 7, ws, jac);
        var squared = new float[net.ParameterCount];
        net.Backward(p, x, 7, Enumerable.Repeat(1f, 7).ToArray(), ws, squared, squared: true);
        for (int k = 0; k < net.ParameterCount; k++)
        {
            double expected = 0;
            for (int i = 0; i < 7; i++) expected += jac[i * net.ParameterCount + k] * (double)jac[i * net.ParameterCount + k];
            Assert.Equal(expected, squared[k], 1e-4 * (1 + expected));
        }
        // Each Jacobian row is the per-sample gradient: their sum is the batch gradient.
        var batchGrad = new float[net.ParameterCount];
        net.Backward(p, x, 7, Enumerable.Repeat(1f, 7).ToArray(), ws, batchGrad);
        for (int k = 0; k < net.ParameterCount; k++)
            Assert.Equal(batchGrad[k], Enumerable.Range(0, 7).Sum(i => jac[i * net.ParameterCount + k]), 1e-4);
    }
}
