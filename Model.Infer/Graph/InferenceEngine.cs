using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Engine;
using Probabilistic.Infer.Factors;

namespace Probabilistic.Infer.Graph;

/// <summary>A message-passing algorithm for <see cref="InferenceEngine"/>.</summary>
public abstract class InferenceAlgorithm
{
    internal abstract AlgorithmKind Kind { get; }
    /// <summary>The algorithm's name, as reported in results and messages.</summary>
    public abstract string Name { get; }
    /// <summary>The algorithm's name.</summary>
    public override string ToString() => Name;
}

/// <summary>Expectation propagation (Minka 2001): moment-matched messages, Bethe-style log evidence.</summary>
public sealed class ExpectationPropagation : InferenceAlgorithm
{
    internal override AlgorithmKind Kind => AlgorithmKind.ExpectationPropagation;
    /// <summary>"ExpectationPropagation".</summary>
    public override string Name => "ExpectationPropagation";
}

/// <summary>Variational message passing (Winn and Bishop 2005): mean-field coordinate ascent; the evidence
/// is the lower bound (ELBO), which never decreases over iterations.</summary>
public sealed class VariationalMessagePassing : InferenceAlgorithm
{
    internal override AlgorithmKind Kind => AlgorithmKind.VariationalMessagePassing;
    /// <summary>"VariationalMessagePassing".</summary>
    public override string Name => "VariationalMessagePassing";
}

/// <summary>
/// Runs message passing on the factor graph that contains the queried variables, as Infer.NET's engine does,
/// but by interpreting the graph (no code generation). Schedule per iteration: factors in topological order send
/// their forward messages (toward the variables they define), then in reverse order their backward messages.
/// It stops when no marginal moment moves by more than <see cref="Tolerance"/> (relative to max(1, |value|)) or
/// after <see cref="NumberOfIterations"/> iterations, in which case the result carries a warning.
/// <para>Log evidence: under EP, Σ_v A(q_v) + Σ_f log ∫ f Π_v q̂_v/m_{f→v}, with A the log-partition function of
/// the unnormalised product of a variable's messages and q̂ the normalised belief (Minka's EP evidence; exact for
/// linear-Gaussian models). Under VMP, the lower bound Σ_f E_q[log f] + Σ_v H[q_v]. Tempered factors (Repeat)
/// contribute f^λ unnormalised, as in Infer.NET.</para>
/// </summary>
public sealed class InferenceEngine
{
    private (ModelGraph Graph, int Version, HashSet<Node> Nodes, InferenceResult Result)? _cache;

    /// <summary>An engine running expectation propagation (Infer.NET's default algorithm).</summary>
    public InferenceEngine() : this(new ExpectationPropagation()) { }
    /// <summary>An engine running <paramref name="algorithm"/>.</summary>
    public InferenceEngine(InferenceAlgorithm algorithm) { Algorithm = algorithm; }

    /// <summary>The message-passing algorithm (EP or VMP); changing it takes effect at the next inference.</summary>
    public InferenceAlgorithm Algorithm { get; set; }

    /// <summary>The iteration cap (default 100).</summary>
    public int NumberOfIterations { get; set; } = 100;

    /// <summary>Convergence threshold on the change of marginal moments between iterations (default 1e-9).</summary>
    public double Tolerance { get; set; } = 1e-9;

    /// <summary>Damping d ∈ [0, 1) of EP messages and of the Knowles–Minka softmax operator's NCVMP messages: a new
    /// message's natural parameters are mixed as (1−d)·new + d·old. 0 (the default) leaves EP undamped and lets the
    /// Knowles–Minka operator damp adaptively where it detects a 2-cycle.</summary>
    public double Damping { get; set; }

    /// <summary>How softmax factors are treated under VMP (Infer.NET chooses by <c>GivePriorityTo</c>); default
    /// <see cref="Factors.SoftmaxOperator.JointQuadrature"/>, the tightest. See <see cref="Factors.SoftmaxBounds"/>.</summary>
    public SoftmaxOperator SoftmaxOperator { get; set; } = SoftmaxOperator.JointQuadrature;

    /// <summary>Write warnings (e.g. no convergence) to stderr as well as to <see cref="InferenceResult.Warnings"/>.</summary>
    public bool ShowWarnings { get; set; } = true;

    /// <summary>How many inference runs this engine has performed (a query answered from the cached result of an
    /// unchanged model does not run again).</summary>
    public int RunCount { get; private set; }

    /// <summary>The result of the last run.</summary>
    public InferenceResult? LastResult { get; private set; }

    /// <summary>The marginal of <paramref name="variable"/>: Gaussian, Gamma, VectorGaussian, Beta, Dirichlet, Bernoulli or Discrete
    /// (arrays of them for variable arrays).</summary>
    public T Infer<T>(Variable variable) => Result(variable).Marginal<T>(variable);

    /// <summary>The log evidence of the model containing <paramref name="variable"/> (EP estimate or VMP bound).</summary>
    public double LogEvidence(Variable variable) => Result(variable).LogEvidence;

    private InferenceResult Result(Variable variable)
    {
        var node = variable.Node;
        if (_cache is { } c && c.Graph.MergedInto == null && c.Graph.Version == c.Version && node.Graph == c.Graph && c.Nodes.Contains(node))
            return c.Result;
        return Run(variable);
    }

    /// <summary>Runs inference on the model containing the given variables.</summary>
    public InferenceResult Run(params Variable[] variables)
    {
        if (variables.Length == 0) throw new ArgumentException("InferenceEngine.Run: name at least one variable of the model.");
        if (!(Damping >= 0 && Damping < 1)) throw new ArgumentOutOfRangeException(nameof(Damping), Damping, "Damping must be in [0, 1).");
        if (NumberOfIterations < 1) throw new ArgumentOutOfRangeException(nameof(NumberOfIterations), NumberOfIterations, "NumberOfIterations must be >= 1.");
        foreach (var v in variables)
            if (v.Node.Pending is { } pending || v.Node.Jagged != null)
                throw new NotSupportedException($"InferenceEngine.Run: '{v.Name}' is {(v.Node.Pending is { } pe ? pe.Description : "a jagged array of scores")}, part of a composition with no marginal of its own; infer the weights or the labels.");
        var graph = variables[0].Node.Graph;
        foreach (var v in variables)
            if (v.Node.Graph != graph)
                throw new ArgumentException($"InferenceEngine.Run: '{v.Name}' and '{variables[0].Name}' belong to different models (no factor connects them); infer each model with its own call.");
        var (nodes, factors) = Collect(variables.Select(v => v.Node));
        var state = new RunState(Algorithm.Kind, Damping, SoftmaxOperator);
        foreach (var node in nodes.OrderBy(n => n.Ordinal))
        {
            if (node.IsObserved || node.IsConstant) continue;
            if (node.Parent == null)
                throw new InvalidOperationException($"Variable '{node.Name}' is neither observed nor defined by a factor: give it a prior or an ObservedValue.");
            if (node.Family?.CreateState(state, node, node.Parent.OutputDimension) is { } v) state.Vars[node] = v;
        }
        var order = TopologicalOrder(factors);
        var relevant = new HashSet<Node>(nodes.Where(n => n.IsObserved));
        for (int k = order.Count - 1; k >= 0; k--)
            if (relevant.Contains(order[k].Output.Resolve()))
                foreach (var input in order[k].Inputs) relevant.Add(input.Resolve());
        foreach (var v in state.Vars.Values) v.Predictive = !relevant.Contains(v.Node);
        var ops = CreateOperators(order, state);
        foreach (var op in ops)
            foreach (var input in op.Def.Inputs)
                if (op.ReadsIncoming(input)) state.ReadNodes.Add(input);

        var result = Iterate(state, ops);
        RunCount++;
        _cache = (graph, graph.Version, nodes, result);
        LastResult = result;
        return result;
    }

    private InferenceResult Iterate(RunState state, List<FactorOperator> ops)
    {
        bool vmp = state.Algorithm == AlgorithmKind.VariationalMessagePassing;
        var bounds = new List<double>();
        var warnings = new List<string>();
        double[]? previous = null;
        double change = double.PositiveInfinity;
        int iteration = 0;
        bool converged = false;
        while (iteration < NumberOfIterations)
        {
            state.Iteration = ++iteration;
            foreach (var op in ops) op.UpdateForward(force: false);
            for (int k = ops.Count - 1; k >= 0; k--) ops[k].UpdateBackward();
            if (vmp)
            {
                foreach (var op in ops) op.UpdateForward(force: true);
                bounds.Add(Bound(state, ops));
            }
            var snapshot = Snapshot(state);
            if (previous != null)
            {
                change = 0;
                for (int i = 0; i < snapshot.Length; i++)
                    change = Math.Max(change, Math.Abs(snapshot[i] - previous[i]) / Math.Max(1, Math.Abs(previous[i])));
                if (change <= Tolerance) { converged = true; break; }
            }
            previous = snapshot;
        }
        if (!converged)
        {
            string w = $"InferenceEngine ({Algorithm.Name}): stopped at the iteration cap of {NumberOfIterations} without converging "
                       + $"(last change {change:G3} > tolerance {Tolerance:G3}); the result is returned as it is. "
                       + "Raise NumberOfIterations, loosen Tolerance, or add Damping.";
            warnings.Add(w);
            if (ShowWarnings) Console.Error.WriteLine("warning: " + w);
        }
        foreach (var op in ops) op.UpdateForward(force: true);
        double evidence = vmp ? Bound(state, ops) : EpEvidence(state, ops);
        return new InferenceResult(Algorithm.Name, iteration, converged, warnings, bounds, evidence, Marginals(state, ops));
    }

    private static double EpEvidence(RunState state, List<FactorOperator> ops)
    {
        double s = 0;
        foreach (var op in ops) s += op.LogEvidenceRatio();
        foreach (var v in state.Vars.Values)
        {
            if (v.Predictive) continue;
            for (int i = 0; i < v.Count; i++) s += v.LogNormalizer(i);
        }
        return s;
    }

    private static double Bound(RunState state, List<FactorOperator> ops)
    {
        double s = 0;
        foreach (var op in ops) s += op.AverageLogFactor();
        foreach (var v in state.Vars.Values)
        {
            if (v.Predictive || v.Derived) continue;
            for (int i = 0; i < v.Count; i++) s += v.Entropy(i);
        }
        return s;
    }

    /// <summary>Means and spreads of every non-derived marginal, for the convergence test.</summary>
    private static double[] Snapshot(RunState state)
    {
        var list = new List<double>();
        foreach (var v in state.Vars.Values)
        {
            if (v.Derived || v.Predictive) continue;   // computed from the others at the end
            v.AppendSummary(list);
        }
        return list.ToArray();
    }

    private static Dictionary<Node, object> Marginals(RunState state, List<FactorOperator> ops)
    {
        var result = new Dictionary<Node, object>();
        foreach (var v in state.Vars.Values) result[v.Node] = v.Marginal();
        foreach (var op in ops.SelectMany(o => o is IOperatorGroup g ? g.Members : new[] { o }))
            if (!op.Def.Output.IsObserved && op.OutputMarginal() is { } m) result[op.Def.Output] = m;
        return result;
    }

    private static (HashSet<Node>, List<FactorDef>) Collect(IEnumerable<Node> start)
    {
        var nodes = new HashSet<Node>();
        var factors = new HashSet<FactorDef>();
        var stack = new Stack<Node>(start);
        while (stack.Count > 0)
        {
            var n = stack.Pop().Resolve();
            if (!nodes.Add(n)) continue;
            var adjacent = new List<FactorDef>(n.Children);
            if (n.Parent != null) adjacent.Add(n.Parent);
            foreach (var f in adjacent)
            {
                if (!factors.Add(f)) continue;
                stack.Push(f.Output);
                foreach (var i in f.Inputs) stack.Push(i);
            }
        }
        return (nodes, factors.ToList());
    }

    /// <summary>Each factor after the factors that define its inputs (creation order breaks ties).</summary>
    private static List<FactorDef> TopologicalOrder(List<FactorDef> factors)
    {
        var order = new List<FactorDef>();
        var done = new HashSet<FactorDef>();
        var visiting = new HashSet<FactorDef>();
        void Visit(FactorDef f)
        {
            if (done.Contains(f)) return;
            if (!visiting.Add(f)) throw new InvalidOperationException($"The model has a directed cycle through {f.Name}.");
            foreach (var input in f.Inputs)
                if (input.Resolve().Parent is { } p) Visit(p);
            visiting.Remove(f);
            done.Add(f);
            order.Add(f);
        }
        foreach (var f in factors.OrderBy(f => f.Ordinal)) Visit(f);
        return order;
    }

    private static List<FactorOperator> CreateOperators(List<FactorDef> order, RunState state)
    {
        // Operators that declare a group (IGroupedOperator) are scheduled as one operator at the first member's place.
        var slots = new List<(FactorOperator? Single, List<FactorOperator>? Group)>();
        var groups = new Dictionary<(Type, object), List<FactorOperator>>();
        foreach (var f in order)
        {
            var op = f.CreateOperator(state);
            if (op is IGroupedOperator grouped)
            {
                var key = (op.GetType(), grouped.GroupKey);
                if (!groups.TryGetValue(key, out var list))
                {
                    groups[key] = list = new List<FactorOperator>();
                    slots.Add((null, list));
                }
                list.Add(op);
            }
            else slots.Add((op, null));
        }
        return slots.Select(s => s.Single ?? ((IGroupedOperator)s.Group![0]).CreateGroup(s.Group)).ToList();
    }
}

/// <summary>The outcome of a run: marginals, log evidence (EP) or bound (VMP), iterations, warnings.</summary>
public sealed class InferenceResult
{
    private readonly Dictionary<Node, object> _marginals;

    internal InferenceResult(string algorithm, int iterations, bool converged, List<string> warnings,
        List<double> boundHistory, double logEvidence, Dictionary<Node, object> marginals)
    {
        Algorithm = algorithm;
        Iterations = iterations;
        Converged = converged;
        Warnings = warnings;
        BoundHistory = boundHistory;
        LogEvidence = logEvidence;
        _marginals = marginals;
    }

    /// <summary>The name of the algorithm that produced the result.</summary>
    public string Algorithm { get; }
    /// <summary>The number of iterations run.</summary>
    public int Iterations { get; }
    /// <summary>True when the marginals stopped moving within the tolerance before the iteration cap.</summary>
    public bool Converged { get; }
    /// <summary>Warnings of the run (for example, no convergence within the iteration cap).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>VMP: the lower bound after each iteration (non-decreasing). Empty under EP.</summary>
    public IReadOnlyList<double> BoundHistory { get; }

    /// <summary>EP: the log evidence estimate; VMP: the final lower bound on it.</summary>
    public double LogEvidence { get; }

    /// <summary>The marginal of <paramref name="variable"/> as <typeparamref name="T"/>.</summary>
    public T Marginal<T>(Variable variable)
    {
        if (!_marginals.TryGetValue(variable.Node, out var m))
            throw new InvalidOperationException(variable.IsObserved
                ? $"'{variable.Name}' is observed: it has no marginal to infer."
                : $"'{variable.Name}' has no marginal in this run.");
        if (m is T t) return t;
        throw new InvalidCastException($"Infer<{typeof(T).Name}>('{variable.Name}'): its marginal is a {m.GetType().Name}.");
    }
}
