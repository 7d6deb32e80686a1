using Probabilistic.Distill.Bayesian;

namespace Probabilistic.Distill.Tests.Bayesian;

public class NetworkStructureTests
{
    [Fact]
    public void VectorisesU1FirstRowMajor()
    {
        var s = new NetworkStructure(new[] { 3, 4, 2 });
        Assert.Equal(3 * 4 + 4 * 2, s.ParameterCount);
        Assert.Equal(0, s.ParameterIndex(1, 0, 0));
        Assert.Equal(1, s.ParameterIndex(1, 0, 1));   // next input of the same neuron
        Assert.Equal(3, s.ParameterIndex(1, 1, 0));   // next neuron
        Assert.Equal(12, s.LayerOffset(2));
        Assert.Equal(12 + 1 * 4 + 3, s.ParameterIndex(2, 1, 3));
    }

    [Fact]
    public void NeuronRemovalDropsFanInPlusFanOutParameters()
    {
        // Seed's claim "N − 2n_t" is wrong unless n_{t−1} = n_{t+1} = n_t; the count is n_{t−1} + n_{t+1} per neuron.
        var s = new NetworkStructure(new[] { 3, 4, 2 });
        var partition = s.NeuronRemovalPartition(1, new[] { 1 });
        Assert.Equal(2, partition.Conditioned.Length);   // column 1 of U_2
        Assert.Equal(3, partition.Marginalised.Length);  // row 1 of U_1
        Assert.Equal(s.ParameterCount - 5, partition.Kept.Length);
        Assert.Equal(s.WithoutNeurons(1, 1).ParameterCount, partition.Kept.Length);
        Assert.Equal(new[] { 3, 4, 5 }, partition.Marginalised);
        Assert.Equal(new[] { 12 + 1, 12 + 4 + 1 }, partition.Conditioned);
        var two = s.NeuronRemovalPartition(1, new[] { 0, 3 });
        Assert.Equal(s.ParameterCount - 2 * (3 + 2), two.Kept.Length);
    }

    [Fact]
    public void LayerRemovalConditionsTheSquareBlockOnTheIdentity()
    {
        var s = new NetworkStructure(new[] { 3, 4, 4, 2 });
        Assert.Equal(36, s.ParameterCount);
        var partition = s.LayerRemovalPartition(2);
        Assert.Equal(Enumerable.Range(12, 16), partition.Conditioned);
        Assert.Empty(partition.Marginalised);
        Assert.Equal(new[] { 3, 4, 2 }, s.WithoutLayer(2).Widths);
        var identity = s.IdentityLayerValues(2);
        for (int p = 0; p < 16; p++) Assert.Equal(p % 5 == 0 ? 1.0 : 0.0, identity[p]);
    }

    [Fact]
    public void RejectsInvalidRequests()
    {
        Assert.Throws<ArgumentException>(() => new NetworkStructure(new[] { 3 }));
        Assert.Throws<ArgumentException>(() => new NetworkStructure(new[] { 3, 0, 2 }));
        var s = new NetworkStructure(new[] { 3, 3, 4, 2 });
        Assert.Throws<ArgumentOutOfRangeException>(() => s.WithoutNeurons(3, 1));   // output layer
        Assert.Throws<ArgumentOutOfRangeException>(() => s.WithoutNeurons(1, 3));   // would empty the layer
        Assert.Throws<ArgumentOutOfRangeException>(() => s.WithoutLayer(1));        // raw-input layer
        Assert.Throws<ArgumentException>(() => s.WithoutLayer(2));                  // 4×3, not square
        Assert.Throws<ArgumentException>(() => s.NeuronRemovalPartition(2, new[] { 1, 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.NeuronRemovalPartition(2, new[] { 4 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.ParameterIndex(1, 3, 0));
    }
}
