using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Optim;

/// <summary>
/// Stochastic gradient descent with PyTorch's torch.optim.SGD rule (dampening 0):
/// d = g + wd·p; with momentum μ: b = d on the first step, then b = μ·b + d; d = d + μ·b (Nesterov) or d = b;
/// p = p − lr·d.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly StateStore _momentum = new(1);

    /// <summary>Momentum μ (0 = none).</summary>
    public double Momentum { get; }
    /// <summary>Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <summary>SGD over one group of parameters.</summary>
    public Sgd(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double weightDecay = 0, bool nesterov = false)
        : this(OneGroup(parameters, lr, weightDecay), momentum, nesterov) { }

    /// <summary>SGD over parameter groups.</summary>
    public Sgd(IReadOnlyList<ParameterGroup> groups, double momentum = 0, bool nesterov = false) : base(groups)
    {
        if (momentum < 0) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Sgd: momentum must be non-negative.");
        if (nesterov && momentum == 0) throw new ArgumentException("Sgd: Nesterov momentum requires momentum > 0.");
        Momentum = momentum;
        Nesterov = nesterov;
    }

    /// <inheritdoc/>
    protected override void Update(ParameterGroup group, Tensor parameter, Span<float> p, ReadOnlySpan<float> g)
    {
        float lr = (float)group.LearningRate, wd = (float)group.WeightDecay, mu = (float)Momentum;
        bool firstStep = false;
        float[]? buf = Momentum > 0 ? _momentum.For(parameter, out firstStep)[0] : null;
        for (int i = 0; i < p.Length; i++)
        {
            float d = g[i] + wd * p[i];
            if (buf is not null)
            {
                buf[i] = firstStep ? d : mu * buf[i] + d;
                d = Nesterov ? d + mu * buf[i] : buf[i];
            }
            p[i] -= lr * d;
        }
    }
}
