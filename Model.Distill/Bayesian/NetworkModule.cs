using Probabilistic.Core.Random;
using Probabilistic.Nn.Layers;

namespace Probabilistic.Distill.Bayesian;

/// <summary>Hidden-layer non-linearity of a <see cref="NetworkModule"/>. The output layer is always linear.</summary>
public enum HiddenActivation
{
    /// <summary>max(0, z): σ∘σ = σ, so Theorem B2 (identity layer) holds exactly.</summary>
    Relu,

    /// <summary>max(0.01 z, z), as in the authors' code (code-compat mode only; B2's premise fails).</summary>
    LeakyRelu,
}

/// <summary>
/// A fully connected network of a <see cref="NetworkStructure"/> as an ordinary <see cref="Module"/>:
/// <c>Sequential(Linear, act, …, Linear)</c> with ReLU or LeakyReLU between the layers, biases optional (the theory
/// has none), and a <see cref="ParameterVector"/> over it in the flat layout of the Bayesian-distillation posteriors:
/// all weights U_1, U_2, … row-major (the posterior's vectorisation, so a <see cref="FullGaussianPosterior"/> mean is
/// used as weights without any permutation), then, with biases, b_1, b_2, …. The module holds the current weights:
/// the trainers work on its parameter tensors, and a flat vector (a posterior mean, a sample) is written into it with
/// <see cref="With"/>; per-sample gradients come from the autograd core.
/// </summary>
public sealed class NetworkModule
{
    /// <summary>Builds the module (its weights start as Linear's default initialisation; trainers and
    /// <see cref="With"/> overwrite them).</summary>
    public NetworkModule(NetworkStructure structure, bool hasBiases = false, HiddenActivation activation = HiddenActivation.Relu)
    {
        ArgumentNullException.ThrowIfNull(structure);
        var model = new Sequential();
        var rng = new Rng(0);
        for (int t = 1; t <= structure.LayerCount; t++)
        {
            model.Add(new Linear(structure.Widths[t - 1], structure.Widths[t], rng, bias: hasBiases));
            if (t < structure.LayerCount)
                model.Add(activation == HiddenActivation.LeakyRelu ? new LeakyReLU(LeakySlope) : new ReLU());
        }
        var names = Enumerable.Range(0, structure.LayerCount).Select(t => $"{2 * t}.weight");
        if (hasBiases) names = names.Concat(Enumerable.Range(0, structure.LayerCount).Select(t => $"{2 * t}.bias"));
        Structure = structure;
        HasBiases = hasBiases;
        Activation = activation;
        Model = model;
        View = new ParameterVector(model, names.ToArray());
    }

    /// <summary>Slope of the negative part for <see cref="HiddenActivation.LeakyRelu"/> (PyTorch's default).</summary>
    public const float LeakySlope = 0.01f;

    /// <summary>The widths.</summary>
    public NetworkStructure Structure { get; }

    /// <summary>True when b_1..b_T follow the weights in the parameter vector.</summary>
    public bool HasBiases { get; }

    /// <summary>Hidden non-linearity.</summary>
    public HiddenActivation Activation { get; }

    /// <summary>The network as a module.</summary>
    public Sequential Model { get; }

    /// <summary>The flat view of its parameters (weights, then biases).</summary>
    public ParameterVector View { get; }

    /// <summary>Weights plus biases: the length of <see cref="View"/>.</summary>
    public int ParameterCount => View.Count;

    /// <summary>The number of parameters of a network of <paramref name="structure"/> (weights, plus biases when
    /// <paramref name="hasBiases"/>), without building it.</summary>
    public static int ParameterCountOf(NetworkStructure structure, bool hasBiases)
    {
        ArgumentNullException.ThrowIfNull(structure);
        int count = structure.ParameterCount;
        if (hasBiases)
            for (int t = 1; t <= structure.LayerCount; t++) count += structure.Widths[t];
        return count;
    }

    /// <summary>Index of b_t[0] (t = 1..T) in the parameter vector; throws without biases.</summary>
    public int BiasOffset(int layer)
    {
        if (!HasBiases) throw new InvalidOperationException($"NetworkModule.BiasOffset: the network {Structure} has no biases.");
        if (layer < 1 || layer > Structure.LayerCount)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"NetworkModule.BiasOffset: layer must be in 1..{Structure.LayerCount}.");
        return View.Segments[Structure.LayerCount + layer - 1].Offset;
    }

    /// <summary>PyTorch's default nn.Linear initialisation as a flat vector: weights and biases U(−1/√fan_in, 1/√fan_in),
    /// drawn layer by layer (weights row-major, then that layer's biases).</summary>
    public float[] InitialParameters(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var p = new float[ParameterCount];
        for (int t = 1; t <= Structure.LayerCount; t++)
        {
            int fanIn = Structure.Widths[t - 1], fanOut = Structure.Widths[t];
            float bound = 1f / MathF.Sqrt(fanIn);
            int w0 = Structure.LayerOffset(t);
            for (int k = 0; k < fanIn * fanOut; k++) p[w0 + k] = (float)rng.Uniform(-bound, bound);
            if (HasBiases)
                for (int k = 0; k < fanOut; k++) p[BiasOffset(t) + k] = (float)rng.Uniform(-bound, bound);
        }
        return p;
    }

    /// <summary>Writes <paramref name="parameters"/> (length <see cref="ParameterCount"/>) into the module and returns it.</summary>
    public Sequential With(ReadOnlySpan<float> parameters)
    {
        View.CopyFrom(parameters);
        return Model;
    }
}
