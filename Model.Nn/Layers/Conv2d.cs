using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Layers;

/// <summary>2-D convolution over [N, C, H, W] (torch.nn.Conv2d with square kernels, same initialisation).</summary>
public sealed class Conv2d : Module
{
    /// <summary>Weight [out_channels, in_channels, k, k].</summary>
    public Tensor Weight { get; }
    /// <summary>Bias [out_channels], or null.</summary>
    public Tensor? Bias { get; }
    /// <summary>Kernel, stride, padding and dilation.</summary>
    public ConvGeometry Geometry { get; }

    /// <summary>A convolution initialised as PyTorch does: U(±1/√fan_in), fan_in = in_channels·k·k.</summary>
    public Conv2d(int inChannels, int outChannels, int kernel, Rng rng, int stride = 1, int padding = 0, int dilation = 1, bool bias = true)
    {
        if (inChannels < 1 || outChannels < 1 || kernel < 1 || stride < 1 || padding < 0 || dilation < 1)
            throw new ArgumentException($"Conv2d: invalid configuration in={inChannels} out={outChannels} k={kernel} stride={stride} padding={padding} dilation={dilation}.");
        Geometry = new ConvGeometry(kernel, kernel, stride, stride, padding, padding, dilation, dilation);
        int fanIn = inChannels * kernel * kernel;
        Weight = RegisterParameter("weight", Tensor.Zeros(outChannels, inChannels, kernel, kernel));
        Init.KaimingUniformDefault(Weight, fanIn, rng);
        if (bias)
        {
            Bias = RegisterParameter("bias", Tensor.Zeros(outChannels));
            Init.BiasDefault(Bias, fanIn, rng);
        }
    }

    /// <inheritdoc/>
    protected override Tensor ForwardCore(Tensor input) => Ops.Conv2d(input, Weight, Bias, Geometry);
}
