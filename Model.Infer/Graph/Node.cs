using Probabilistic.Infer.Factors;

namespace Probabilistic.Infer.Graph;

/// <summary>The family of messages the engine keeps for a node.</summary>
internal enum DistKind { None, Gaussian, Gamma, VectorGaussian, Bernoulli, Discrete, Observation }

/// <summary>
/// A node of the factor graph behind a user-visible variable: its name, plate, observed value and the factors
/// that define and use it. Assigning <c>y[n] = expr</c> forwards y's node to expr's node.
/// </summary>
internal sealed class Node
{
    private static int s_nextId;
    private object? _observed;

    public int Id { get; } = Interlocked.Increment(ref s_nextId);
    public string Name { get; set; }
    public Range? Plate { get; set; }
    public DistKind Kind { get; set; }
    public FactorDef? Parent { get; set; }
    public List<FactorDef> Children { get; } = new();
    public bool IsConstant { get; init; }
    public Node? ForwardedTo { get; private set; }

    /// <summary>Raised on every change that invalidates cached inference results.</summary>
    public static int Version;

    public Node(string name, Range? plate, DistKind kind)
    {
        Name = name;
        Plate = plate;
        Kind = kind;
        Interlocked.Increment(ref Version);
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
            Interlocked.Increment(ref Version);
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
        if (target.Name.StartsWith('v') && target.Name.Skip(1).All(char.IsDigit)) target.Name = Name;
        foreach (var child in Children)
        {
            child.ReplaceInput(this, target);
            target.Children.Add(child);
        }
        Children.Clear();
        ForwardedTo = target;
        Interlocked.Increment(ref Version);
    }

    public override string ToString() => Name;
}
