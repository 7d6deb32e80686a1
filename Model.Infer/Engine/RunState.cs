using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Factors;
using Probabilistic.Infer.Graph;

namespace Probabilistic.Infer.Engine;

/// <summary>Which message-passing algorithm a run uses.</summary>
internal enum AlgorithmKind { ExpectationPropagation, VariationalMessagePassing }

/// <summary>The state of one inference run: the variables' beliefs and messages, the algorithm, the iteration.</summary>
internal sealed class RunState
{
    public RunState(AlgorithmKind algorithm, double damping, SoftmaxOperator softmax = SoftmaxOperator.JointQuadrature)
    {
        Algorithm = algorithm;
        Damping = damping;
        Softmax = softmax;
    }

    /// <summary>The softmax factors' operator (VMP).</summary>
    public SoftmaxOperator Softmax { get; }

    public AlgorithmKind Algorithm { get; }
    public bool IsEP => Algorithm == AlgorithmKind.ExpectationPropagation;
    public double Damping { get; }
    public int Iteration { get; set; }
    public Dictionary<Node, VarState> Vars { get; } = new();

    /// <summary>Nodes whose messages some factor reads during the iterations (others are computed at the end).</summary>
    public HashSet<Node> ReadNodes { get; } = new();

    /// <summary>The state of a random (not observed, not constant) node, or null.</summary>
    public VarState? Find(Node node) => Vars.TryGetValue(node, out var v) ? v : null;

    /// <summary>The state of a random node whose messages are of family <typeparamref name="T"/>; null for data, and an
    /// error naming the factor when the node is random but of another family.</summary>
    public VarState<T>? Find<T>(Node node, FactorDef factor, string argument) where T : IMessage<T> =>
        Find(node) switch
        {
            null => null,
            VarState<T> v => v,
            var v => throw new ArgumentException($"{factor.Name}: the {argument} '{node.Name}' must be {typeof(T).Name}-distributed, but its prior makes it {v.FamilyName}."),
        };

    /// <summary>The error for an improper message or belief: names factor, variable, element and iteration.</summary>
    public ImproperDistributionException Improper(string what, string factor, Node variable, int element, string detail) =>
        new($"{(IsEP ? "EP" : "VMP")}: {what} between factor {factor} and variable '{variable.Name}'"
            + (variable.Plate != null ? $"[{element}]" : "") + $" is improper ({detail}) in iteration {Iteration}. "
            + "This happens when EP's moment matching overshoots; try damping (e.g. engine.Damping = 0.5), "
            + "a broader prior, or VMP.");

    public string AlgorithmName => IsEP ? "EP" : "VMP";
}

/// <summary>A factor-to-variable message array (one entry per element of the variable).</summary>
internal abstract class EdgeState
{
    protected EdgeState(FactorOperator op, bool isForward)
    {
        Op = op;
        IsForward = isForward;
    }

    public FactorOperator Op { get; }
    public bool IsForward { get; }
}

/// <summary>The messages of one edge, in the variable's family.</summary>
internal sealed class EdgeState<T> : EdgeState where T : IMessage<T>
{
    public EdgeState(VarState<T> variable, FactorOperator op, bool isForward, T[] messages) : base(op, isForward)
    {
        Var = variable;
        M = messages;
    }

    public VarState<T> Var { get; }

    /// <summary>The message at each element of the variable.</summary>
    public T[] M { get; }
}

/// <summary>
/// A random node's beliefs and the messages of its edges, for any message family: the engine holds variables
/// through this class only (it never asks which family a variable has). The family's storage
/// (<see cref="VarState{T}"/>, or a subclass a family chooses through <see cref="IMessage{TSelf}.CreateState"/>)
/// knows how to multiply its messages into a belief.
/// </summary>
internal abstract class VarState
{
    protected VarState(RunState state, Node node, int dimension)
    {
        State = state;
        Node = node;
        Count = node.Count;
        Dimension = dimension;
    }

    protected RunState State { get; }
    public Node Node { get; }
    public int Count { get; }
    public int Dimension { get; }
    public bool Derived => Node.IsDerived;

    /// <summary>True when no observed value depends on the variable: it is only predicted (its messages are
    /// computed at the end of a run) and takes no part in the evidence.</summary>
    public bool Predictive { get; set; }

    /// <summary>The family's name, for messages.</summary>
    public abstract string FamilyName { get; }

    /// <summary>Recomputes the belief at element i after <paramref name="sender"/> changed its message.</summary>
    public abstract void Refresh(int i, FactorOperator sender);

    public void RefreshAll(FactorOperator sender)
    {
        for (int i = 0; i < Count; i++) Refresh(i, sender);
    }

    /// <summary>The log-partition function of the (unnormalised) belief at element i, for EP's evidence.</summary>
    public abstract double LogNormalizer(int i);

    /// <summary>The entropy of the belief at element i, for the VMP bound.</summary>
    public abstract double Entropy(int i);

    /// <summary>Appends the numbers whose change decides convergence (means and spreads of every element).</summary>
    public abstract void AppendSummary(List<double> to);

    /// <summary>The marginal: the belief for a scalar node, an array of them for an array.</summary>
    public abstract object Marginal();
}

/// <summary>The storage of a variable whose messages are <typeparamref name="T"/>: beliefs are the product of the
/// edges' messages (for a derived variable under VMP, the forward message alone, as in Infer.NET).</summary>
internal class VarState<T> : VarState where T : IMessage<T>
{
    public VarState(RunState state, Node node, int dimension) : base(state, node, dimension)
    {
        Q = new T[Count];
        for (int i = 0; i < Count; i++) Q[i] = T.UniformOf(dimension);
    }

    /// <summary>The belief at each element.</summary>
    public T[] Q { get; }

    public List<EdgeState<T>> Edges { get; } = new();

    public override string FamilyName => typeof(T).Name;

    public EdgeState<T> AddEdge(FactorOperator op, bool isForward)
    {
        var e = new EdgeState<T>(this, op, isForward, NewMessages());
        Edges.Add(e);
        return e;
    }

    /// <summary>The initial messages of a new edge (uniform).</summary>
    protected virtual T[] NewMessages()
    {
        var m = new T[Count];
        for (int i = 0; i < Count; i++) m[i] = T.UniformOf(Dimension);
        return m;
    }

    public override void Refresh(int i, FactorOperator sender)
    {
        T q;
        if (Derived && !State.IsEP) q = Edges.First(e => e.IsForward).M[i];
        else
        {
            q = T.UniformOf(Dimension);
            foreach (var e in Edges) q *= e.M[i];
        }
        if (!q.IsProper())
            throw State.Improper("the belief", sender.Def.Name, Node, i, q.ToString() ?? typeof(T).Name);
        Q[i] = q;
    }

    public override double LogNormalizer(int i) => Q[i].GetLogNormalizer();
    public override double Entropy(int i) => Q[i].GetEntropy();
    public override void AppendSummary(List<double> to)
    {
        for (int i = 0; i < Count; i++) T.AppendSummary(Q[i], to);
    }
    public override object Marginal() => Node.Plate == null ? Q[0] : Q.ToArray();
}
