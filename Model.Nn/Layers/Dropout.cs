using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Layers;

/// <summary>Inverted dropout, active only in training mode; masks are drawn from the given seeded generator.</summary>
public sealed class Dropout : Module
{
    private readonly float _p;
    private readonly Rng _rng;

    /// <summary>Drops each element with probability <paramref name="p"/> (default 0.5 as PyTorch).</summary>
    public Dropout(Rng rng, float p = 0.5f)
    {
        if (p < 0 || p >= 1) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout: p must be in [0, 1).");
        _p = p;
        _rng = rng;
    }

    /// <inheritdoc/>
    protected override Tensor ForwardCore(Tensor input) => Ops.Dropout(input, _p, IsTraining, _rng);
}
