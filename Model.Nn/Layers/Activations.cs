using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Layers;

/// <summary>max(x, 0).</summary>
public sealed class ReLU : Module
{
    /// <inheritdoc/>
    protected override Tensor ForwardCore(Tensor input) => Ops.Relu(input);
}

/// <summary>x for x &gt; 0, slope·x otherwise (default slope 0.01 as PyTorch).</summary>
public sealed class LeakyReLU(float negativeSlope = 0.01f) : Module
{
    /// <inheritdoc/>
    protected override Tensor ForwardCore(Tensor input) => Ops.LeakyRelu(input, negativeSlope);
}

/// <summary>Logistic sigmoid.</summary>
public sealed class Sigmoid : Module
{
    /// <inheritdoc/>
    protected override Tensor ForwardCore(Tensor input) => Ops.Sigmoid(input);
}

/// <summary>Hyperbolic tangent.</summary>
public sealed class Tanh : Module
{
    /// <inheritdoc/>
    protected override Tensor ForwardCore(Tensor input) => Ops.Tanh(input);
}

/// <summary>log(1 + exp(β·x))/β, linear above the threshold (torch.nn.Softplus).</summary>
public sealed class Softplus(float beta = 1f, float threshold = 20f) : Module
{
    /// <inheritdoc/>
    protected override Tensor ForwardCore(Tensor input) => Ops.Softplus(input, beta, threshold);
}

/// <summary>Flattens all dimensions after the batch dimension.</summary>
public sealed class Flatten : Module
{
    /// <inheritdoc/>
    protected override Tensor ForwardCore(Tensor input) => Ops.Flatten(input);
}
