using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Tests.Autograd;

namespace Probabilistic.Nn.Tests.Layers;

/// <summary><see cref="ParameterVector"/>: order, layout, subsets and copies against hand-indexed tensors.</summary>
public class ParameterVectorTests
{
    [Fact]
    public void Parameter_vector_follows_named_parameter_order_row_major_and_round_trips()
    {
        var model = PerSampleGradientsTests.LeakyMlp(1, outputs: 2);
        var view = new ParameterVector(model);
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"], view.Segments.Select(s => s.Name));
        Assert.Equal(model.ParameterCount(), view.Count);
        Assert.Equal([0, 24, 30, 60, 65, 75], view.Segments.Select(s => s.Offset));
        Assert.Equal([6, 4], view.Segment("0.weight").Shape);

        // Element (neuron r, input c) of layer 2's weight sits at offset + r·in + c.
        var flat = view.ToArray();
        var w2 = ((Linear)model[2]).Weight;
        for (int r = 0; r < 5; r++)
        for (int c = 0; c < 6; c++)
            Assert.Equal(w2.At(r, c), flat[30 + r * 6 + c]);

        var values = PerSampleGradientsTests.RandomValues(2, view.Count);
        view.CopyFrom(values);
        Assert.Equal(values[65], ((Linear)model[4]).Weight.At(0, 0));
        Assert.Equal(values[^1], ((Linear)model[4]).Bias!.At(1));
        Assert.Equal(values, view.ToArray());

        Assert.Throws<ArgumentException>(() => view.CopyFrom(new float[view.Count - 1]));
        foreach (var p in model.Parameters()) p.Grad = null;
        var grads = PerSampleGradientsTests.RandomValues(3, view.Count);
        view.CopyGradientsTo(grads);
        Assert.All(grads, v => Assert.Equal(0f, v)); // no gradient yet: zeros
        Assert.Throws<ArgumentException>(() => new ParameterVector(model, ["0.weight", "nope"]));
        Assert.Throws<ArgumentException>(() => new ParameterVector(model, ["0.weight", "0.weight"]));
    }

    [Fact]
    public void Parameter_vector_with_names_picks_a_subset_in_the_given_order()
    {
        var model = PerSampleGradientsTests.LeakyMlp(3);
        var view = new ParameterVector(model, ["2.bias", "0.weight"]);
        Assert.Equal(5 + 24, view.Count);
        Assert.Equal(0, view.Segment("2.bias").Offset);
        Assert.Equal(5, view.Segment("0.weight").Offset);
        var values = PerSampleGradientsTests.RandomValues(4, view.Count);
        view.CopyFrom(values);
        Assert.Equal(values[0], ((Linear)model[2]).Bias!.At(0));
        Assert.Equal(values[5 + 7], ((Linear)model[0]).Weight.At(1, 3));
    }

    // ---- Jacobian against finite differences ----------------------------------------------------------------------
}
