using Probabilistic.Infer.Factors;

namespace Probabilistic.Infer.Graph;

/// <summary>
/// The model a node belongs to: a builder that owns its nodes and factors, numbers them in creation order, names
/// anonymous variables and counts its changes (<see cref="Version"/>), which is what an engine's result cache
/// compares. Every new node starts a model of its own; a factor joins the models of its arguments into one (the
/// larger absorbs the smaller and keeps its numbering; the absorbed model is marked as merged). So changing or
/// building one model never touches another's version, and there is no state shared between models.
/// </summary>
internal sealed class ModelGraph
{
    private readonly List<Node> _nodes = new();
    private readonly List<FactorDef> _factors = new();
    private int _nextOrdinal;

    /// <summary>Raised on every change of the model that invalidates inference results.</summary>
    public int Version { get; private set; }

    /// <summary>The model this one was merged into, or null while it is alive.</summary>
    public ModelGraph? MergedInto { get; private set; }

    /// <summary>The live model (following merges).</summary>
    public ModelGraph Resolve()
    {
        var g = this;
        while (g.MergedInto != null) g = g.MergedInto;
        return g;
    }

    public void Touch() => Version++;

    /// <summary>Adds a node and returns its ordinal (creation order within the model).</summary>
    public int Add(Node node)
    {
        _nodes.Add(node);
        Version++;
        return _nextOrdinal++;
    }

    /// <summary>Adds a factor and returns its ordinal.</summary>
    public int Add(FactorDef factor)
    {
        _factors.Add(factor);
        Version++;
        return _nextOrdinal++;
    }

    /// <summary>One model holding both: the larger absorbs the smaller, whose nodes and factors keep their relative order.</summary>
    public static ModelGraph Merge(ModelGraph a, ModelGraph b)
    {
        a = a.Resolve();
        b = b.Resolve();
        if (a == b) return a;
        if (a._nodes.Count + a._factors.Count < b._nodes.Count + b._factors.Count) (a, b) = (b, a);
        var items = new List<(int Ordinal, object Item)>();
        foreach (var n in b._nodes) items.Add((n.Ordinal, n));
        foreach (var f in b._factors) items.Add((f.Ordinal, f));
        foreach (var (_, item) in items.OrderBy(t => t.Ordinal))
        {
            if (item is Node n) { a._nodes.Add(n); n.Rehome(a, a._nextOrdinal++); }
            else { var f = (FactorDef)item; a._factors.Add(f); f.Ordinal = a._nextOrdinal++; }
        }
        b._nodes.Clear();
        b._factors.Clear();
        b.MergedInto = a;
        a.Version++;
        return a;
    }
}
