using Probabilistic.Infer.Engine;
using Probabilistic.Infer.Graph;

namespace Probabilistic.Infer.Factors;

/// <summary>
/// A factor of the graph as the user built it: its inputs, its output, its plate, and the power λ it is raised
/// to (1 unless created inside <see cref="Variable.Repeat"/>). Each concrete factor creates the operator that
/// computes its EP and/or VMP messages.
/// </summary>
internal abstract class FactorDef
{
    protected FactorDef(string kind, Node output, Node[] inputs, Range? plate)
    {
        Kind = kind;
        Output = output;
        Inputs = inputs;
        Plate = plate;
        Power = Variable.CurrentPower;
        foreach (var input in inputs)
            if (input.Resolve().Pending is { } pending)
                throw new NotSupportedException($"{kind}: the argument '{input.Resolve().Name}' is {pending.Description}; {pending.Supported}.");
        Check(inputs, output);   // before the factor joins the graph: a refused factor leaves the model as it was
        var graph = output.Graph;
        foreach (var input in inputs) graph = ModelGraph.Merge(graph, input.Graph);
        Ordinal = graph.Add(this);
        output.Parent = this;
        foreach (var input in inputs) input.Children.Add(this);
    }

    /// <summary>The creation order within the model (breaks ties of the schedule).</summary>
    public int Ordinal { get; set; }
    public string Kind { get; }
    public Node Output { get; }
    public Node[] Inputs { get; }
    public Range? Plate { get; set; }
    public double Power { get; }

    /// <summary>Deterministic factors define derived variables (their VMP marginal is the forward message).</summary>
    public virtual bool IsDeterministic => false;

    /// <summary>A readable name such as <c>InnerProduct(w, x)</c> used in errors.</summary>
    public string Name => $"{Kind}({string.Join(", ", Inputs.Select(i => i.Resolve().Name))}) -> {Output.Resolve().Name}" + (Power != 1 ? $" ^{Power:G4}" : "");

    /// <summary>
    /// Refuses, when the model is built, what the engine cannot run: called when the factor is created, when one of
    /// its arguments is assigned (<c>x[i] = …</c>) and when an argument or the output is observed. It reads only the
    /// given (resolved) nodes, their kinds, plates and observed values. Throws with a one-line message naming the
    /// factor, the argument and what is supported.
    /// </summary>
    internal virtual void Check(IReadOnlyList<Node> inputs, Node output) { }

    /// <summary><see cref="Check"/> on the factor's current arguments.</summary>
    internal void Recheck() => Check(Inputs.Select(i => i.Resolve()).ToArray(), Output.Resolve());

    /// <summary>The user-facing name of a node's distribution family, for messages.</summary>
    protected static string Describe(Node node) => node.Family?.Describe() ?? "unconstrained";

    /// <summary>Refuses a double argument whose family is not Gaussian (a constant, data or a Gaussian variable).</summary>
    protected static void RequireGaussianOrData(string factor, string argument, Node node)
    {
        node = node.Resolve();
        if (node.Family is not (null or Family<Distributions.Gaussian>))
            throw new NotSupportedException($"{factor}: the {argument} '{node.Name}' is {Describe(node)}; supported: a constant, observed value(s) or a Gaussian variable.");
    }

    /// <summary>Refuses a vector argument that is random: the engine supports observed vectors there.</summary>
    protected static void RequireObservedVectors(string factor, string argument, Node node)
    {
        node = node.Resolve();
        if (node.Parent != null && !node.IsObserved)
            throw new NotSupportedException($"{factor}: the {argument} '{node.Name}' is random ({node.Parent.Kind}); supported: observed vectors (Variable.Observed, ObserveRows, or a constant).");
    }

    /// <summary>Refuses observed vectors whose length differs from the weights' dimension (when both are known).</summary>
    protected static void RequireDimension(string factor, Node weights, Node x)
    {
        weights = weights.Resolve();
        x = x.Resolve();
        if (weights.Parent is not PriorFactor { Prior: Distributions.VectorGaussian } prior) return;
        int d = prior.Dimension, n;
        switch (x.Observed)
        {
            case MathNet.Numerics.LinearAlgebra.Vector<double> v: n = v.Count; break;
            case RowMajorMatrix r: n = r.Columns; break;
            case MathNet.Numerics.LinearAlgebra.Vector<double>[] rows:
                n = d;
                for (int i = 0; i < rows.Length; i++)
                    if (rows[i] == null || rows[i].Count != d) { n = rows[i]?.Count ?? 0; break; }
                break;
            default: return;
        }
        if (n != d)
            throw new ArgumentException($"{factor}: the observed vectors '{x.Name}' have {n} entries but the weights '{weights.Name}' have dimension {d}.");
    }

    public void ReplaceInput(Node from, Node to)
    {
        for (int i = 0; i < Inputs.Length; i++) if (Inputs[i] == from) Inputs[i] = to;
    }

    public abstract FactorOperator CreateOperator(Engine.RunState state);

    /// <summary>The dimension of the output's messages (1 for scalars; a prior over vectors gives its own).</summary>
    public virtual int OutputDimension => 1;
}
