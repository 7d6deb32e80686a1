using Probabilistic.Infer.Graph;

namespace Probabilistic.Infer.Factors;

/// <summary>
/// A factor of the graph as the user built it: its inputs, its output, its plate, and the power λ it is raised
/// to (1 unless created inside <see cref="Variable.Repeat"/>). Each concrete factor creates the operator that
/// computes its EP and/or VMP messages.
/// </summary>
internal abstract class FactorDef
{
    private static int s_count;

    protected FactorDef(string kind, Node output, Node[] inputs, Range? plate)
    {
        Id = Interlocked.Increment(ref s_count);
        Kind = kind;
        Output = output;
        Inputs = inputs;
        Plate = plate;
        Power = Variable.CurrentPower;
        output.Parent = this;
        foreach (var input in inputs) input.Children.Add(this);
    }

    public int Id { get; }
    public string Kind { get; }
    public Node Output { get; }
    public Node[] Inputs { get; }
    public Range? Plate { get; set; }
    public double Power { get; }

    /// <summary>Deterministic factors define derived variables (their VMP marginal is the forward message).</summary>
    public virtual bool IsDeterministic => false;

    /// <summary>A readable name such as <c>InnerProduct(w, x)</c> used in errors.</summary>
    public string Name => $"{Kind}({string.Join(", ", Inputs.Select(i => i.Resolve().Name))}) -> {Output.Resolve().Name}" + (Power != 1 ? $" ^{Power:G4}" : "");

    public void ReplaceInput(Node from, Node to)
    {
        for (int i = 0; i < Inputs.Length; i++) if (Inputs[i] == from) Inputs[i] = to;
    }

    public abstract FactorOperator CreateOperator(Engine.RunState state);
}
