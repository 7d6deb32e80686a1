using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Graph;

namespace Probabilistic.Infer.Engine;

/// <summary>
/// What the engine needs of a distribution to carry it as messages: product and ratio, log normaliser (EP evidence),
/// entropy (VMP bound), a uniform message, properness, and the moments whose change decides convergence. A family
/// may choose its own storage (<see cref="CreateState"/>) to multiply its messages faster; the default
/// <see cref="VarState{T}"/> multiplies them with <c>*</c>.
/// </summary>
internal interface IMessage<TSelf> : ISettableToProduct<TSelf>, ISettableToRatio<TSelf>, ICanGetLogNormalizer, ICanGetEntropy
    where TSelf : IMessage<TSelf>
{
    /// <summary>The uniform message (the identity of the product) of the given dimension.</summary>
    static abstract TSelf UniformOf(int dimension);

    /// <summary>Appends the moments of <paramref name="d"/> that the convergence test compares.</summary>
    static abstract void AppendSummary(TSelf d, List<double> to);

    /// <summary>The storage of a variable of this family.</summary>
    static virtual VarState<TSelf> CreateState(RunState state, Node node, int dimension) => new(state, node, dimension);

    /// <summary>True when the distribution is normalisable.</summary>
    bool IsProper();
}

/// <summary>
/// The family of a node, as the factor that defines it declares: either a message family (<see cref="Family{T}"/>),
/// whose variables the engine keeps beliefs for, or an output the engine keeps no messages for (Bernoulli or
/// Discrete predictions, soft-label observations), whose marginal the defining factor reports.
/// </summary>
internal abstract class Family
{
    /// <summary>The family's name in messages ("Gaussian", "Gamma", …).</summary>
    public abstract string Name { get; }

    /// <summary>How the family reads in an error message.</summary>
    public virtual string Describe() => Name + "-distributed";

    /// <summary>The storage of a random node of the family, or null when the engine keeps no messages for it.</summary>
    public abstract VarState? CreateState(RunState state, Node node, int dimension);

    /// <summary>An output family without messages.</summary>
    public static Family Output(string name, string? description = null) => new OutputFamily(name, description);

    public override string ToString() => Name;

    private sealed class OutputFamily(string name, string? description) : Family
    {
        public override string Name => name;
        public override string Describe() => description ?? base.Describe();
        public override VarState? CreateState(RunState state, Node node, int dimension) => null;
    }
}

/// <summary>The message family <typeparamref name="T"/>.</summary>
internal sealed class Family<T> : Family where T : IMessage<T>
{
    public static readonly Family<T> Instance = new();
    private Family() { }
    public override string Name => typeof(T).Name;
    public override VarState? CreateState(RunState state, Node node, int dimension) => T.CreateState(state, node, dimension);
}
