using Probabilistic.Infer.Engine;
using Probabilistic.Infer.Factors;

namespace Probabilistic.Infer.Graph;

/// <summary>
/// A node of the factor graph behind a user-visible variable: its name, plate, observed value and the factors
/// that define and use it. Assigning <c>y[n] = expr</c> forwards y's node to expr's node.
/// </summary>
internal sealed class Node
{
    private object? _observed;
    private string? _name;
    private ModelGraph _graph;

    /// <summary>The creation order within the node's model (orders the engine's schedule).</summary>
    public int Ordinal { get; private set; }

    /// <summary>The model the node belongs to.</summary>
    public ModelGraph Graph => _graph = _graph.Resolve();

    /// <summary>The user's name, or "v" and the ordinal for an anonymous node (any user name is kept as given).</summary>
    public string Name
    {
        get => _name ?? "v" + Ordinal;
        set => _name = value;
    }

    /// <summary>True while the user has not named the node.</summary>
    public bool IsAnonymous => _name == null;
    public Range? Plate { get; set; }
    /// <summary>The family its defining factor declares (null: unconstrained, i.e. data or not yet defined).</summary>
    public Family? Family { get; set; }
    public FactorDef? Parent { get; set; }
    public List<FactorDef> Children { get; } = new();
    public bool IsConstant { get; init; }
    /// <summary>A composition waiting for the factor that consumes it (e.g. <c>InnerProduct(B[c], x[i])</c> over two ranges,
    /// <c>Softmax(g[i])</c>); no factor other than its consumer accepts it (see <see cref="FactorDef"/>).</summary>
    public PendingExpression? Pending { get; init; }
    /// <summary>For a jagged array g[i][c]: its two ranges and the definition of its elements.</summary>
    public JaggedInfo? Jagged { get; init; }
    public Node? ForwardedTo { get; private set; }

    /// <summary>A node in a model of its own (a factor joins it to its arguments' model); a null name is anonymous.</summary>
    public Node(string? name, Range? plate, Family? family)
    {
        _name = name;
        Plate = plate;
        Family = family;
        _graph = new ModelGraph();
        Ordinal = _graph.Add(this);
    }

    /// <summary>Moves the node into <paramref name="graph"/> (a merge) with a new ordinal.</summary>
    internal void Rehome(ModelGraph graph, int ordinal)
    {
        _graph = graph;
        Ordinal = ordinal;
    }

    public int Count => Plate?.SizeAsInt ?? 1;
    public bool IsObserved => _observed != null;
    public bool IsDerived => Parent is { IsDeterministic: true };

    /// <summary>The observed value: a scalar for a scalar node, an array (or row-major matrix) for a plate.</summary>
    public object? Observed
    {
        get => _observed;
        set
        {
            var old = _observed;
            _observed = value;
            try
            {
                // The factors around the node refuse, now, an observation they cannot run with.
                Parent?.Recheck();
                foreach (var child in Children) child.Recheck();
            }
            catch
            {
                _observed = old;
                throw;
            }
            Graph.Touch();
        }
    }

    public Node Resolve()
    {
        var n = this;
        while (n.ForwardedTo != null) n = n.ForwardedTo;
        return n;
    }

    /// <summary>Makes this (empty) node an alias of <paramref name="target"/>, moving its name and observation.</summary>
    public void ForwardTo(Node target)
    {
        if (Parent != null)
            throw new InvalidOperationException($"Variable '{Name}' is already defined by {Parent.Name}; it cannot be assigned again.");
        // Refuse first (the model stays as it was): the factors that use this node must accept the target, and the
        // target's factor must accept this node's observation.
        foreach (var child in Children)
            child.Check(child.Inputs.Select(n => n == this ? target : n.Resolve()).ToArray(), child.Output.Resolve());
        if (_observed != null) target.Observed = _observed;
        ModelGraph.Merge(Graph, target.Graph);
        if (target.IsAnonymous && !IsAnonymous) target.Name = Name;
        foreach (var child in Children)
        {
            child.ReplaceInput(this, target);
            target.Children.Add(child);
        }
        Children.Clear();
        ForwardedTo = target;
        target.Graph.Touch();
    }

    public override string ToString() => Name;
}
