using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Engine;
using Probabilistic.Infer.Graph;

namespace Probabilistic.Infer.Factors;

/// <summary>
/// x ~ D with fixed parameters, replicated over a plate when assigned into an array. Its message is the prior itself;
/// EP evidence ratio −A(prior) per element, VMP term E_q[log p] (<see cref="ICanGetAverageLog{TSelf}"/>). Any message
/// family can be a prior: see <see cref="PriorFactor{T, TValue}"/>.
/// </summary>
internal abstract class PriorFactor : FactorDef
{
    private protected PriorFactor(string kind, Family family) : base(kind, new Node(null, null, family), Array.Empty<Node>(), null) { }

    /// <summary>The prior distribution.</summary>
    public abstract object Prior { get; }

    /// <summary>The dimension of the prior's messages.</summary>
    public int Dimension => OutputDimension;

    /// <summary>A prior <paramref name="prior"/> of family <typeparamref name="T"/> over values <typeparamref name="TValue"/>.</summary>
    public static PriorFactor<T, TValue> Of<T, TValue>(T prior, int dimension = 1)
        where T : IMessage<T>, ICanGetAverageLog<T>, IDistribution<TValue> => new(prior, dimension);
}

/// <summary>The prior x ~ <typeparamref name="T"/> over values <typeparamref name="TValue"/>.</summary>
internal sealed class PriorFactor<T, TValue> : PriorFactor where T : IMessage<T>, ICanGetAverageLog<T>, IDistribution<TValue>
{
    private readonly T _prior;
    private readonly int _dimension;

    public PriorFactor(T prior, int dimension) : base(typeof(T).Name, Family<T>.Instance)
    {
        _prior = prior;
        _dimension = dimension;
    }

    public override object Prior => _prior;

    public override int OutputDimension => _dimension;

    public override FactorOperator CreateOperator(RunState state) => new Operator(this, state);

    /// <summary>The observed value of element i as <typeparamref name="TValue"/> (an array, a scalar, or a vector for an array value).</summary>
    private static TValue ObservedAt(object observed, int i) => observed switch
    {
        TValue[] a => a[i],
        TValue v => v,
        Vector<double>[] a when typeof(TValue) == typeof(double[]) => (TValue)(object)a[i].ToArray(),
        Vector<double> v when typeof(TValue) == typeof(double[]) => (TValue)(object)v.ToArray(),
        _ => (TValue)Convert.ChangeType(observed, typeof(TValue), System.Globalization.CultureInfo.InvariantCulture),
    };

    private sealed class Operator : FactorOperator
    {
        private readonly PriorFactor<T, TValue> _def;
        private readonly VarState<T>? _var;
        private readonly EdgeState<T>? _edge;

        public Operator(PriorFactor<T, TValue> def, RunState state) : base(def, state)
        {
            _def = def;
            _var = state.Find<T>(def.Output, def, "variable");
            _edge = _var?.AddEdge(this, isForward: true);
        }

        public override void UpdateForward(bool force)
        {
            if (_var == null || _edge == null) return;
            for (int i = 0; i < _var.Count; i++) _edge.M[i] = _def._prior;
            _var.RefreshAll(this);
        }

        public override void UpdateBackward() { }

        private int Elements => _def.Output.Count;

        public override double LogEvidenceRatio()
        {
            if (_var == null) return ObservedLogDensity();
            return -_def._prior.GetLogNormalizer() * Elements;
        }

        public override double AverageLogFactor()
        {
            if (_var == null) return ObservedLogDensity();
            double s = 0;
            for (int i = 0; i < Elements; i++) s += _def._prior.GetAverageLog(_var.Q[i]);
            return s;
        }

        private double ObservedLogDensity()
        {
            var obs = _def.Output.Observed!;
            double s = 0;
            for (int i = 0; i < Elements; i++) s += _def._prior.LogDensity(ObservedAt(obs, i));
            return s;
        }
    }
}
