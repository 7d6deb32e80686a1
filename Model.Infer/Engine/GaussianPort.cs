using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Factors;
using Probabilistic.Infer.Graph;

namespace Probabilistic.Infer.Engine;

/// <summary>
/// One double-valued argument of a plated factor: a constant, observed data, or a Gaussian random variable that
/// is either indexed by the factor's plate or shared by all its elements. Keeps the factor's per-element
/// messages so that EP cavities q/mᵢ are exact for shared variables, and posts their product on the edge.
/// </summary>
internal sealed class GaussianPort
{
    private readonly RunState _s;
    private readonly FactorOperator _op;
    private readonly double[]? _values;
    private readonly double _constant;
    private readonly Gaussian[]? _own;

    public GaussianPort(RunState s, FactorOperator op, Node node, int count, bool isOutput)
    {
        _s = s;
        _op = op;
        Node = node;
        Count = count;
        var v = s.Find(node);
        if (v == null)
        {
            if (node.Observed is double d) _constant = d;
            else if (node.Observed is double[] arr)
            {
                if (arr.Length != count) throw new ArgumentException($"{op.Def.Name}: '{node.Name}' has {arr.Length} observed values for {count} elements.");
                _values = arr;
            }
            else throw new ArgumentException($"{op.Def.Name}: '{node.Name}' must be a double variable, constant or observed array (got {node.Observed?.GetType().Name ?? "nothing"}).");
            return;
        }
        Var = v as GaussianVarState
              ?? throw new ArgumentException($"{op.Def.Name}: '{node.Name}' must be Gaussian-distributed, but its prior makes it {v.FamilyName}.");
        Shared = node.Plate == null && count > 1;
        if (node.Plate != null && node.Count != count)
            throw new ArgumentException($"{op.Def.Name}: '{node.Name}' has {node.Count} elements but the factor has {count}.");
        _own = Enumerable.Repeat(Gaussian.Uniform(), count).ToArray();
        Edge = Var.AddEdge(op, isOutput);
    }

    public Node Node { get; }
    public int Count { get; }
    public GaussianVarState? Var { get; }
    public EdgeState<Gaussian>? Edge { get; }
    public bool IsRandom => Var != null;
    public bool Shared { get; }

    private int Index(int i) => Shared || Var!.Count == 1 ? 0 : i;

    /// <summary>The observed value at element i (ports that are not random).</summary>
    public double Value(int i) => _values != null ? _values[i] : _constant;

    /// <summary>The factor's current message to the variable at element i.</summary>
    public Gaussian Own(int i) => _own![i];

    /// <summary>The belief q at element i (a point mass for data).</summary>
    public Gaussian Belief(int i) => Var == null ? Gaussian.PointMass(Value(i)) : Var.Q[Index(i)];

    /// <summary>
    /// The message from the variable to the factor at element i: the cavity q/mᵢ under EP, the belief q under VMP.
    /// A negative cavity precision is an improper message and an error.
    /// </summary>
    public Gaussian Incoming(int i)
    {
        if (Var == null) return Gaussian.PointMass(Value(i));
        if (!_s.IsEP) return Var.Q[Index(i)];
        var c = Var.Q[Index(i)] / _own![i];
        if (c.Precision < 0)
            throw _s.Improper("the message", _op.Def.Name, Node, i, $"precision {c.Precision:G6}");
        return c;
    }

    /// <summary>The product of the messages from the variable's other factors (used by deterministic factors).</summary>
    public Gaussian FromOthers(int i)
    {
        if (Var == null) return Gaussian.PointMass(Value(i));
        if (!Shared) return Var.ProductExcept(Edge, Index(i));
        return Var.ProductExcept(Edge, 0) * (Edge!.M[0] / _own![i]);
    }

    /// <summary>Sets the message to element i, damped under EP.</summary>
    public void Set(int i, Gaussian message, bool damp = true)
    {
        if (double.IsNaN(message.Precision) || double.IsNaN(message.MeanTimesPrecision))
            throw _s.Improper("the message", _op.Def.Name, Node, i, "NaN parameters");
        _own![i] = _s.IsEP && damp ? message.Damp(_own[i], _s.Damping) : message;
    }

    /// <summary>Posts the messages on the edge and refreshes the beliefs.</summary>
    public void Commit()
    {
        if (Var == null) return;
        if (Shared || Var.Count == 1 && Count > 1)
        {
            double h = 0, p = 0;
            for (int i = 0; i < Count; i++) { h += _own![i].MeanTimesPrecision; p += _own[i].Precision; }
            Edge!.M[0] = Gaussian.FromNatural(h, p);
            Var.Refresh(0, _op);
        }
        else
        {
            for (int i = 0; i < Count; i++) Edge!.M[i] = _own![i];
            Var.RefreshAll(_op);
        }
    }

    /// <summary>Σ over elements of A(q/mᵢ) − A(q), the variable's share of EP's evidence ratio (0 for data).</summary>
    public double CavityLogNormalizerGap(int i)
    {
        if (Var == null) return 0;
        var q = Var.Q[Index(i)];
        var c = q / _own![i];
        if (c.IsUniform) return -q.GetLogNormalizer();
        return c.GetLogNormalizer() - q.GetLogNormalizer();
    }
}
