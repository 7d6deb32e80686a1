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

    /// <summary>The error for an improper message or belief: names factor, variable, element and iteration.</summary>
    public ImproperDistributionException Improper(string what, string factor, Node variable, int element, string detail) =>
        new($"{(IsEP ? "EP" : "VMP")}: {what} between factor {factor} and variable '{variable.Name}'"
            + (variable.Plate != null ? $"[{element}]" : "") + $" is improper ({detail}) in iteration {Iteration}. "
            + "This happens when EP's moment matching overshoots; try damping (e.g. engine.Damping = 0.5), "
            + "a broader prior, or VMP.");

    public string AlgorithmName => IsEP ? "EP" : "VMP";
}

/// <summary>A factor-to-variable message array (one entry per element of the variable).</summary>
internal sealed class EdgeState
{
    public EdgeState(VarState variable, FactorOperator op, bool isForward)
    {
        Var = variable;
        Op = op;
        IsForward = isForward;
        int n = variable.Count;
        switch (variable.Kind)
        {
            case DistKind.Gaussian: G = Enumerable.Repeat(Gaussian.Uniform(), n).ToArray(); break;
            case DistKind.Gamma: Ga = Enumerable.Repeat(Gamma.Uniform(), n).ToArray(); break;
            case DistKind.VectorGaussian: V = new VectorGaussian[n]; break;
        }
    }

    public VarState Var { get; }
    public FactorOperator Op { get; }
    public bool IsForward { get; }
    public Gaussian[]? G { get; }
    public Gamma[]? Ga { get; }
    public VectorGaussian[]? V { get; }
}

/// <summary>A random node's beliefs: the product of its incoming messages (for a derived variable under VMP,
/// the forward message alone, as in Infer.NET).</summary>
internal sealed class VarState
{
    private readonly RunState _state;

    public VarState(RunState state, Node node, int dimension)
    {
        _state = state;
        Node = node;
        Kind = node.Kind;
        Count = node.Count;
        Dimension = dimension;
        switch (Kind)
        {
            case DistKind.Gaussian: G = Enumerable.Repeat(Gaussian.Uniform(), Count).ToArray(); break;
            case DistKind.Gamma: Ga = Enumerable.Repeat(Gamma.Uniform(), Count).ToArray(); break;
            case DistKind.VectorGaussian: V = Enumerable.Range(0, Count).Select(_ => VectorGaussian.Uniform(dimension)).ToArray(); break;
            default: throw new InvalidOperationException($"Variable '{node.Name}' of kind {Kind} cannot carry messages.");
        }
    }

    public Node Node { get; }
    public DistKind Kind { get; }
    public int Count { get; }
    public int Dimension { get; }
    public Gaussian[]? G { get; }
    public Gamma[]? Ga { get; }
    public VectorGaussian[]? V { get; }
    public List<EdgeState> Edges { get; } = new();
    public bool Derived => Node.IsDerived;

    /// <summary>True when no observed value depends on the variable: it is only predicted (its messages are
    /// computed at the end of a run) and takes no part in the evidence.</summary>
    public bool Predictive { get; set; }

    public EdgeState AddEdge(FactorOperator op, bool isForward)
    {
        var e = new EdgeState(this, op, isForward);
        Edges.Add(e);
        return e;
    }

    /// <summary>Product of the messages on all edges except <paramref name="except"/> at element i.</summary>
    public Gaussian ProductExcept(EdgeState? except, int i)
    {
        double h = 0, p = 0;
        foreach (var e in Edges)
        {
            if (e == except) continue;
            var m = e.G![i];
            if (m.IsPointMass) return m;
            h += m.MeanTimesPrecision;
            p += m.Precision;
        }
        return Gaussian.FromNatural(h, p);
    }

    /// <summary>Recomputes the belief at element i after <paramref name="sender"/> changed its message.</summary>
    public void Refresh(int i, FactorOperator sender)
    {
        bool forwardOnly = Derived && !_state.IsEP;
        switch (Kind)
        {
            case DistKind.Gaussian:
                var g = forwardOnly ? Edges.First(e => e.IsForward).G![i] : ProductExcept(null, i);
                if (g.Precision < 0 || (forwardOnly && !(g.Precision > 0) && !g.IsUniform))
                    throw _state.Improper("the belief", sender.Def.Name, Node, i, $"precision {g.Precision}");
                G![i] = g;
                break;
            case DistKind.Gamma:
                var ga = Gamma.Uniform();
                foreach (var e in Edges) ga *= e.Ga![i];
                if (!ga.IsProper())
                    throw _state.Improper("the belief", sender.Def.Name, Node, i, $"shape {ga.Shape}, rate {ga.Rate}");
                Ga![i] = ga;
                break;
            case DistKind.VectorGaussian:
                var h = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(Dimension);
                var p = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(Dimension, Dimension);
                foreach (var e in Edges)
                {
                    if (e.V![i] == null) continue;
                    h.Add(e.V[i].PrecisionTimesMean, h);
                    p.Add(e.V[i].Precision, p);
                }
                // A precision equal to the previous belief's (Böhning's fixed curvature, a fixed prior) reuses its
                // Cholesky factor and covariance: the same matrix gives the same factor, bit for bit.
                var previous = V![i];
                var v = previous != null && SameValues(previous.Precision, p)
                    ? VectorGaussian.FromNaturalSharingPrecision(h, previous)
                    : VectorGaussian.FromNaturalNoCopy(h, p);
                if (!v.IsProper())
                    throw _state.Improper("the belief", sender.Def.Name, Node, i, "precision matrix not positive definite");
                V![i] = v;
                break;
        }
    }

    private static bool SameValues(MathNet.Numerics.LinearAlgebra.Matrix<double> a, MathNet.Numerics.LinearAlgebra.Matrix<double> b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a is not MathNet.Numerics.LinearAlgebra.Double.DenseMatrix da || b is not MathNet.Numerics.LinearAlgebra.Double.DenseMatrix db
            || a.RowCount != b.RowCount || a.ColumnCount != b.ColumnCount) return false;
        return da.Values.AsSpan().SequenceEqual(db.Values);
    }

    public void RefreshAll(FactorOperator sender)
    {
        for (int i = 0; i < Count; i++) Refresh(i, sender);
    }

    /// <summary>The log-partition function of the (unnormalised) belief at element i, for EP's evidence.</summary>
    public double LogNormalizer(int i) => Kind switch
    {
        DistKind.Gaussian => G![i].GetLogNormalizer(),
        DistKind.Gamma => Ga![i].GetLogNormalizer(),
        DistKind.VectorGaussian => V![i].GetLogNormalizer(),
        _ => 0,
    };

    /// <summary>The entropy of the belief at element i, for the VMP bound.</summary>
    public double Entropy(int i) => Kind switch
    {
        DistKind.Gaussian => G![i].GetEntropy(),
        DistKind.Gamma => Ga![i].GetEntropy(),
        DistKind.VectorGaussian => V![i].GetEntropy(),
        _ => 0,
    };
}
