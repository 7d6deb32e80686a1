using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Optim;

/// <summary>Parameters that share hyper-parameters (PyTorch's param_groups). Schedules change <see cref="LearningRate"/>.</summary>
public sealed class ParameterGroup
{
    /// <summary>The parameters of this group.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }
    /// <summary>Current learning rate.</summary>
    public double LearningRate { get; set; }
    /// <summary>Learning rate the group started with (schedules scale from it).</summary>
    public double InitialLearningRate { get; }
    /// <summary>Weight decay (L2 for SGD/Adam, decoupled for AdamW).</summary>
    public double WeightDecay { get; set; }

    /// <summary>A group with its own learning rate and weight decay.</summary>
    public ParameterGroup(IEnumerable<Tensor> parameters, double learningRate, double weightDecay = 0)
    {
        Parameters = parameters.ToList();
        if (!(learningRate >= 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "learning rate must be non-negative.");
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "weight decay must be non-negative.");
        LearningRate = InitialLearningRate = learningRate;
        WeightDecay = weightDecay;
    }
}

/// <summary>Base of the optimizers: parameter groups, zeroing gradients, one update per <see cref="Step"/>.</summary>
public abstract class Optimizer
{
    /// <summary>The parameter groups.</summary>
    public IReadOnlyList<ParameterGroup> Groups { get; }

    /// <summary>An optimizer over the given groups.</summary>
    protected Optimizer(IReadOnlyList<ParameterGroup> groups)
    {
        if (groups.Count == 0) throw new ArgumentException("Optimizer: no parameter groups.");
        foreach (var g in groups)
            foreach (var p in g.Parameters)
                if (!p.RequiresGrad) throw new ArgumentException($"Optimizer: parameter {p.Describe()} does not require a gradient.");
        Groups = groups;
    }

    /// <summary>Sets every parameter's gradient to zero.</summary>
    public void ZeroGrad()
    {
        foreach (var g in Groups)
            foreach (var p in g.Parameters) p.ZeroGrad();
    }

    /// <summary>Applies one update from the current gradients (parameters without a gradient are skipped, as in PyTorch).</summary>
    public void Step()
    {
        for (int gi = 0; gi < Groups.Count; gi++)
        {
            var group = Groups[gi];
            for (int pi = 0; pi < group.Parameters.Count; pi++)
            {
                var p = group.Parameters[pi];
                if (p.Grad is null) continue;
                Update(group, p, p.Span, p.Grad.Span);
            }
        }
        AfterStep();
    }

    /// <summary>Updates one parameter in place.</summary>
    protected abstract void Update(ParameterGroup group, Tensor parameter, Span<float> value, ReadOnlySpan<float> grad);

    /// <summary>Called once after every parameter was updated.</summary>
    protected virtual void AfterStep() { }

    /// <summary>Per-parameter state buffers (momentum etc.), created zeroed on first use.</summary>
    protected sealed class StateStore(int buffersPerParameter)
    {
        private readonly Dictionary<Tensor, float[][]> _state = new(ReferenceEqualityComparer.Instance);

        /// <summary>The state buffers of <paramref name="p"/>; <paramref name="created"/> tells whether they are new.</summary>
        public float[][] For(Tensor p, out bool created)
        {
            if (_state.TryGetValue(p, out var s)) { created = false; return s; }
            s = new float[buffersPerParameter][];
            for (int i = 0; i < s.Length; i++) s[i] = new float[p.Length];
            _state[p] = s;
            created = true;
            return s;
        }
    }

    internal static IReadOnlyList<ParameterGroup> OneGroup(IEnumerable<Tensor> parameters, double lr, double weightDecay) =>
        [new ParameterGroup(parameters, lr, weightDecay)];
}
