using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Layers;

/// <summary>
/// Batch normalisation with affine weight/bias (initialised to 1/0) and running statistics (buffers
/// running_mean = 0, running_var = 1, momentum 0.1, eps 1e-5), as torch.nn.BatchNorm1d/2d.
/// PyTorch's num_batches_tracked counter is not kept (it only matters for momentum = None).
/// </summary>
public abstract class BatchNormBase : Module
{
    private readonly int _rank;
    /// <summary>Scale γ [C].</summary>
    public Tensor Weight { get; }
    /// <summary>Shift β [C].</summary>
    public Tensor Bias { get; }
    /// <summary>Running mean [C].</summary>
    public Tensor RunningMean { get; }
    /// <summary>Running (unbiased) variance [C].</summary>
    public Tensor RunningVar { get; }
    /// <summary>Weight of the current batch in the running averages.</summary>
    public float Momentum { get; }
    /// <summary>Added to the variance before the square root.</summary>
    public float Eps { get; }

    private protected BatchNormBase(int features, int rank, float momentum, float eps)
    {
        if (features < 1) throw new ArgumentException($"BatchNorm: features must be positive, got {features}.");
        _rank = rank;
        Momentum = momentum;
        Eps = eps;
        Weight = RegisterParameter("weight", Tensor.Full(1f, features));
        Bias = RegisterParameter("bias", Tensor.Zeros(features));
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(features));
        RunningVar = RegisterBuffer("running_var", Tensor.Full(1f, features));
    }

    /// <inheritdoc/>
    protected override Tensor ForwardCore(Tensor input)
    {
        if (_rank == 4 ? input.Rank != 4 : input.Rank is not (2 or 3))
            throw new ArgumentException($"{GetType().Name}: unexpected input {input.Describe()} (BatchNorm1d takes [N, C] or [N, C, L], BatchNorm2d [N, C, H, W]).");
        return Ops.BatchNorm(input, Weight, Bias, RunningMean, RunningVar, IsTraining, Momentum, Eps);
    }
}

/// <summary>Batch normalisation of [N, C] or [N, C, L].</summary>
public sealed class BatchNorm1d(int features, float momentum = 0.1f, float eps = 1e-5f) : BatchNormBase(features, 2, momentum, eps);

/// <summary>Batch normalisation of [N, C, H, W] per channel.</summary>
public sealed class BatchNorm2d(int features, float momentum = 0.1f, float eps = 1e-5f) : BatchNormBase(features, 4, momentum, eps);
