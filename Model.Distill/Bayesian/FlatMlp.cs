namespace Probabilistic.Distill.Bayesian;

/// <summary>Hidden-layer non-linearity of a <see cref="FlatMlp"/>. The output layer is always linear.</summary>
public enum HiddenActivation
{
    /// <summary>max(0, z): σ∘σ = σ, so Theorem B2 (identity layer) holds exactly.</summary>
    Relu,

    /// <summary>max(0.01 z, z), as in the authors' code (code-compat mode only; B2's premise fails).</summary>
    LeakyRelu,
}

/// <summary>
/// The layout of a fully connected network whose parameters live in one flat float vector: the weights first, in the
/// order of <see cref="NetworkStructure"/> (U_1 first, each row-major), then, if present, the biases b_1..b_T. Keeping
/// the weights in exactly the posterior's vectorisation lets a <see cref="FullGaussianPosterior"/> mean be used as
/// network weights without any copy or permutation. The network itself runs as an ordinary module
/// (<see cref="NetworkModule"/>) through the autograd core.
/// </summary>
public sealed class FlatMlp
{
    private readonly int[] _biasOffsets;

    /// <summary>A network of the given widths; biases are optional (the theory has none).</summary>
    public FlatMlp(NetworkStructure structure, bool hasBiases = false, HiddenActivation activation = HiddenActivation.Relu)
    {
        ArgumentNullException.ThrowIfNull(structure);
        Structure = structure;
        HasBiases = hasBiases;
        Activation = activation;
        _biasOffsets = new int[structure.LayerCount + 1];
        int offset = structure.ParameterCount;
        for (int t = 1; t <= structure.LayerCount; t++)
        {
            _biasOffsets[t - 1] = offset;
            if (hasBiases) offset += structure.Widths[t];
        }
        _biasOffsets[^1] = offset;
        ParameterCount = offset;
    }

    /// <summary>Slope of the negative part for <see cref="HiddenActivation.LeakyRelu"/> (PyTorch's default).</summary>
    public const float LeakySlope = 0.01f;

    /// <summary>Layer widths.</summary>
    public NetworkStructure Structure { get; }

    /// <summary>True when b_1..b_T follow the weights in the parameter vector.</summary>
    public bool HasBiases { get; }

    /// <summary>Hidden non-linearity.</summary>
    public HiddenActivation Activation { get; }

    /// <summary>Weights plus biases.</summary>
    public int ParameterCount { get; }

    /// <summary>Index of b_t[0] (t = 1..T) in the parameter vector; only meaningful with biases.</summary>
    public int BiasOffset(int layer) => _biasOffsets[layer - 1];

    /// <summary>PyTorch's default nn.Linear initialisation: weights and biases U(−1/√fan_in, 1/√fan_in).</summary>
    public float[] InitialParameters(Probabilistic.Core.Random.Rng rng)
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
}
