using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Distill.Bayesian;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.Tests.Bayesian;

/// <summary>
/// Cross-check of <see cref="PerSampleGradients"/> and <see cref="ParameterVector"/> over plain Linear stacks against the
/// hand-written <see cref="ReferenceMlp"/> (its own forward and backward GEMMs) in the <see cref="NetworkModule"/> layout.
/// </summary>
public class PerSampleGradientsReferenceMlpTests
{
    private static Sequential Mlp(int[] widths, bool biases, bool leaky, ulong seed)
    {
        var model = new Sequential();
        for (int t = 1; t < widths.Length; t++)
        {
            model.Add(new Linear(widths[t - 1], widths[t], new Rng(seed + (ulong)t), bias: biases));
            if (t < widths.Length - 1) model.Add(leaky ? new LeakyReLU() : new ReLU());
        }
        return model;
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relative, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0;
        foreach (var v in expected) scale = Math.Max(scale, Math.Abs(v));
        for (int k = 0; k < expected.Length; k++)
            Assert.True(Math.Abs(expected[k] - actual[k]) <= relative * (Math.Abs(expected[k]) + 1e-3 * scale),
                $"{what}[{k}]: reference {expected[k]:G8}, per-sample {actual[k]:G8}");
    }

    [Fact]
    public void Bias_free_Linear_weights_are_the_NetworkStructure_vectorisation_and_the_Jacobian_is_the_reference_networks()
    {
        int[] widths = [10, 100, 50, 1];
        var model = Mlp(widths, biases: false, leaky: false, seed: 1);
        var view = new ParameterVector(model);
        var structure = new NetworkStructure(widths);
        Assert.Equal(structure.ParameterCount, view.Count);
        // Linear's weight [out, in] row-major is U_t (neuron, then input), layers in order U_1, U_2, …
        for (int t = 1; t <= structure.LayerCount; t++)
        {
            var segment = view.Segments[t - 1];
            Assert.Equal($"{2 * (t - 1)}.weight", segment.Name);
            Assert.Equal(structure.LayerOffset(t), segment.Offset);
            int neuron = widths[t] - 1, input = widths[t - 1] / 2;
            Assert.Equal(structure.ParameterIndex(t, neuron, input), segment.Offset + neuron * widths[t - 1] + input);
        }

        const int batch = 64;
        var x = Tensor.Normal(new Rng(2), 0f, 1f, batch, widths[0]);
        var theta = view.ToArray();
        var net = new NetworkModule(structure);
        var ws = net.CreateWorkspace(batch);
        var flatOutput = net.Forward(theta, x.Span, batch, ws).ToArray();
        float[] moduleOutput;
        using (GradMode.NoGrad()) moduleOutput = model.Forward(x).ToArray();
        AssertClose(flatOutput, moduleOutput, 1e-5, "output");

        var expected = new float[batch * view.Count];
        net.OutputJacobian(theta, x.Span, batch, ws, expected);
        var actual = new float[batch * view.Count];
        PerSampleGradients.Jacobian(model, x, view, actual);
        AssertClose(expected, actual, 1e-4, "Jacobian");
    }

    [Fact]
    public void With_biases_and_LeakyReLU_a_weights_then_biases_view_reproduces_the_reference_layout_rows_and_squares()
    {
        int[] widths = [4, 6, 5, 1];
        var model = Mlp(widths, biases: true, leaky: true, seed: 3);
        // NetworkModule keeps all weights first, then all biases; the reference reads that layout from the widths alone.
        var view = new ParameterVector(model, ["0.weight", "2.weight", "4.weight", "0.bias", "2.bias", "4.bias"]);
        var net = new NetworkModule(new NetworkStructure(widths), hasBiases: true, HiddenActivation.LeakyRelu);
        Assert.Equal(net.ParameterCount, view.Count);
        for (int t = 1; t <= 3; t++) Assert.Equal(net.BiasOffset(t), view.Segment($"{2 * (t - 1)}.bias").Offset);

        const int batch = 9;
        var x = Tensor.Normal(new Rng(4), 0f, 1f, batch, widths[0]);
        var theta = view.ToArray();
        var ws = net.CreateWorkspace(batch);
        net.Forward(theta, x.Span, batch, ws);
        var expected = new float[batch * view.Count];
        net.OutputJacobian(theta, x.Span, batch, ws, expected);
        var g = Tensor.Normal(new Rng(5), 0f, 1f, batch).ToArray();
        var expectedSquares = new float[view.Count];
        net.Backward(theta, x.Span, batch, g, ws, expectedSquares, squared: true);

        using var pass = PerSampleGradients.Begin(model, x, view);
        var actual = new float[batch * view.Count];
        pass.Jacobian(actual);
        var actualSquares = new float[view.Count];
        pass.AddSquaredGradients(g, actualSquares);
        AssertClose(expected, actual, 1e-5, "Jacobian");
        AssertClose(expectedSquares, actualSquares, 1e-5, "squared sum");
    }
}
