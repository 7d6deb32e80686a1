using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Layers;

/// <summary>Max pooling (torch.nn.MaxPool2d; stride defaults to the kernel).</summary>
public sealed class MaxPool2d(int kernel, int? stride = null, int padding = 0) : Module
{
    /// <inheritdoc/>
    protected override Tensor ForwardCore(Tensor input) => Ops.MaxPool2d(input, kernel, stride, padding);
}

/// <summary>Average pooling (torch.nn.AvgPool2d; stride defaults to the kernel).</summary>
public sealed class AvgPool2d(int kernel, int? stride = null, int padding = 0, bool countIncludePad = true) : Module
{
    /// <inheritdoc/>
    protected override Tensor ForwardCore(Tensor input) => Ops.AvgPool2d(input, kernel, stride, padding, countIncludePad);
}

/// <summary>Adaptive average pooling to a fixed output size (torch.nn.AdaptiveAvgPool2d).</summary>
public sealed class AdaptiveAvgPool2d(int outHeight, int outWidth) : Module
{
    /// <summary>Square output.</summary>
    public AdaptiveAvgPool2d(int outSize) : this(outSize, outSize) { }

    /// <inheritdoc/>
    protected override Tensor ForwardCore(Tensor input) => Ops.AdaptiveAvgPool2d(input, outHeight, outWidth);
}
