using Probabilistic.Core.Random;
using Probabilistic.Nn.Layers;

namespace Probabilistic.Distill.Bayesian;

/// <summary>
/// An ordinary <see cref="Module"/> for a <see cref="NetworkStructure"/>: <c>Sequential(Linear, act, …, Linear)</c> with
/// ReLU or LeakyReLU between the layers, and a <see cref="ParameterVector"/> over it in the flat layout of the
/// Bayesian-distillation posteriors (all weights U_1, U_2, … row-major, then, with biases, b_1, b_2, …), so a flat
/// parameter vector (a posterior mean, a sample) is written into the module with <see cref="ParameterVector.CopyFrom"/>
/// and per-sample gradients come from the autograd core.
/// </summary>
public sealed class NetworkModule
{
    /// <summary>Builds the module (its initial weights are overwritten by the first <see cref="ParameterVector.CopyFrom"/>).</summary>
    public NetworkModule(NetworkStructure structure, bool hasBiases = false, HiddenActivation activation = HiddenActivation.Relu)
    {
        ArgumentNullException.ThrowIfNull(structure);
        var model = new Sequential();
        var rng = new Rng(0);
        for (int t = 1; t <= structure.LayerCount; t++)
        {
            model.Add(new Linear(structure.Widths[t - 1], structure.Widths[t], rng, bias: hasBiases));
            if (t < structure.LayerCount)
                model.Add(activation == HiddenActivation.LeakyRelu ? new LeakyReLU(FlatMlp.LeakySlope) : new ReLU());
        }
        var names = Enumerable.Range(0, structure.LayerCount).Select(t => $"{2 * t}.weight");
        if (hasBiases) names = names.Concat(Enumerable.Range(0, structure.LayerCount).Select(t => $"{2 * t}.bias"));
        Structure = structure;
        Model = model;
        View = new ParameterVector(model, names.ToArray());
    }

    /// <summary>The module of <paramref name="network"/>'s structure, biases and activation, with its layout.</summary>
    public static NetworkModule Of(FlatMlp network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return new NetworkModule(network.Structure, network.HasBiases, network.Activation);
    }

    /// <summary>The widths.</summary>
    public NetworkStructure Structure { get; }

    /// <summary>The network as a module.</summary>
    public Sequential Model { get; }

    /// <summary>The flat view of its parameters (weights, then biases).</summary>
    public ParameterVector View { get; }

    /// <summary>Writes <paramref name="parameters"/> (length <see cref="ParameterVector.Count"/>) into the module and returns it.</summary>
    public Sequential With(ReadOnlySpan<float> parameters)
    {
        View.CopyFrom(parameters);
        return Model;
    }
}
