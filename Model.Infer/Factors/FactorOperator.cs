using Probabilistic.Infer.Engine;
using Probabilistic.Infer.Graph;

namespace Probabilistic.Infer.Factors;

/// <summary>
/// The message computations of one factor (over its whole plate) during a run, Infer.NET's "operator":
/// messages toward the output (forward), toward the inputs (backward), and the factor's contribution to
/// EP's log evidence or to VMP's lower bound.
/// </summary>
internal abstract class FactorOperator
{
    protected FactorOperator(FactorDef def, RunState state)
    {
        Def = def;
        S = state;
    }

    public FactorDef Def { get; }
    protected RunState S { get; }

    /// <summary>Number of elements of the factor's plate.</summary>
    public int Count => Def.Plate?.SizeAsInt ?? 1;

    /// <summary>
    /// Updates the message to the output. When <paramref name="force"/> is false an operator may skip the work if
    /// no downstream factor reads it (the engine forces it before reporting marginals and evidence).
    /// </summary>
    public abstract void UpdateForward(bool force);

    /// <summary>Updates the messages to the random inputs.</summary>
    public abstract void UpdateBackward();

    /// <summary>EP: Σ over elements of log ∫ f Π q̂/m_{f→v} (see <see cref="InferenceEngine"/> for the formula).</summary>
    public virtual double LogEvidenceRatio() =>
        throw new NotSupportedException($"{Def.Name}: the EP evidence is not available for this factor.");

    /// <summary>VMP: Σ over elements of E_q[log f].</summary>
    public virtual double AverageLogFactor() =>
        throw new NotSupportedException($"{Def.Name}: the VMP bound is not available for this factor.");

    /// <summary>Whether the backward update reads the incoming message from <paramref name="input"/>.</summary>
    public virtual bool ReadsIncoming(Node input) => true;

    /// <summary>The marginal of an output the engine does not keep messages for (Bernoulli, Discrete predictions).</summary>
    public virtual object? OutputMarginal() => null;

    protected NotSupportedException Unsupported(string what) =>
        new($"{Def.Name}: {what} is not supported under {S.AlgorithmName}.");
}

/// <summary>
/// A capability an operator declares when it must be updated together with other operators (for example softmax
/// factors sharing one weight array: each class update combines every factor's message). The engine collects the
/// operators with equal <see cref="GroupKey"/> (and type), in schedule order, and schedules the group that the first
/// of them creates at the first one's place.
/// </summary>
internal interface IGroupedOperator
{
    /// <summary>Operators with equal keys form one group.</summary>
    object GroupKey { get; }

    /// <summary>The operator that updates <paramref name="members"/> (this one among them) together.</summary>
    FactorOperator CreateGroup(IReadOnlyList<FactorOperator> members);
}

/// <summary>An operator that updates other operators together (see <see cref="IGroupedOperator"/>).</summary>
internal interface IOperatorGroup
{
    /// <summary>The operators it updates (they report their own output marginals).</summary>
    IEnumerable<FactorOperator> Members { get; }
}
