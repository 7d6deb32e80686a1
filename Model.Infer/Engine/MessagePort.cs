using Probabilistic.Infer.Factors;
using Probabilistic.Infer.Graph;

namespace Probabilistic.Infer.Engine;

/// <summary>
/// One random argument of a plated factor whose messages are of family <typeparamref name="T"/>, for any family:
/// the variable is either indexed by the factor's plate or shared by all its elements. Keeps the factor's
/// per-element messages, so that EP cavities q/mᵢ are exact for a shared variable, and posts their product on the
/// edge. A new factor over an existing family needs nothing else from the engine.
/// </summary>
internal sealed class MessagePort<T> where T : IMessage<T>
{
    private readonly FactorOperator _op;
    private readonly RunState _s;
    private readonly T[] _own;

    /// <summary>A port on the random <paramref name="variable"/> (see <see cref="RunState.Find{T}"/>) for a factor of
    /// <paramref name="count"/> elements.</summary>
    public MessagePort(RunState s, FactorOperator op, VarState<T> variable, int count, bool isOutput = false)
    {
        _s = s;
        _op = op;
        Var = variable;
        Count = count;
        if (variable.Node.Plate != null && variable.Count != count)
            throw new ArgumentException($"{op.Def.Name}: '{variable.Node.Name}' has {variable.Count} elements but the factor has {count}.");
        Shared = variable.Count == 1 && count > 1;
        _own = new T[count];
        for (int i = 0; i < count; i++) _own[i] = T.UniformOf(variable.Dimension);
        Edge = variable.AddEdge(op, isOutput);
    }

    public VarState<T> Var { get; }
    public EdgeState<T> Edge { get; }
    public int Count { get; }
    public bool Shared { get; }

    private int Index(int i) => Var.Count == 1 ? 0 : i;

    /// <summary>The belief q at element i.</summary>
    public T Belief(int i) => Var.Q[Index(i)];

    /// <summary>The message from the variable to the factor at element i: the cavity q/mᵢ under EP, q under VMP.</summary>
    public T Incoming(int i) => _s.IsEP ? Var.Q[Index(i)] / _own[i] : Var.Q[Index(i)];

    /// <summary>Sets the factor's message at element i (posted by <see cref="Commit"/>). Not damped: the conjugate
    /// factors that use this port send messages that do not depend on the incoming ones.</summary>
    public void Set(int i, T message) => _own[i] = message;

    /// <summary>Posts the messages on the edge (their product for a shared variable) and refreshes the beliefs.</summary>
    public void Commit()
    {
        if (Shared)
        {
            var product = _own[0];
            for (int i = 1; i < Count; i++) product *= _own[i];
            Edge.M[0] = product;
            Var.Refresh(0, _op);
        }
        else
        {
            for (int i = 0; i < Count; i++) Edge.M[i] = _own[i];
            Var.RefreshAll(_op);
        }
    }

    /// <summary>A(q/mᵢ) − A(q), the variable's share of EP's evidence ratio at element i.</summary>
    public double CavityLogNormalizerGap(int i) => (Var.Q[Index(i)] / _own[i]).GetLogNormalizer() - Var.Q[Index(i)].GetLogNormalizer();
}
