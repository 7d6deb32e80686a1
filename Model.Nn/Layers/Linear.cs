using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Layers;

/// <summary>y = x·Wᵀ + b with weight [out, in] and bias [out] (torch.nn.Linear, same initialisation).</summary>
public sealed class Linear : Module
{
    /// <summary>Weight [out_features, in_features].</summary>
    public Tensor Weight { get; }
    /// <summary>Bias [out_features], or null.</summary>
    public Tensor? Bias { get; }
    /// <summary>Input width.</summary>
    public int InFeatures { get; }
    /// <summary>Output width.</summary>
    public int OutFeatures { get; }

    /// <summary>A linear layer initialised as PyTorch does (weights and bias U(±1/√in)).</summary>
    public Linear(int inFeatures, int outFeatures, Rng rng, bool bias = true)
    {
        if (inFeatures < 1 || outFeatures < 1) throw new ArgumentException($"Linear: sizes must be positive, got {inFeatures}→{outFeatures}.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Tensor.Zeros(outFeatures, inFeatures));
        Init.KaimingUniformDefault(Weight, inFeatures, rng);
        if (bias)
        {
            Bias = RegisterParameter("bias", Tensor.Zeros(outFeatures));
            Init.BiasDefault(Bias, inFeatures, rng);
        }
    }

    /// <inheritdoc/>
    protected override Tensor ForwardCore(Tensor input) => Ops.Linear(input, Weight, Bias);
}
