using MathNet.Numerics;
using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Engine;
using Probabilistic.Infer.Factors;
using Probabilistic.Infer.Graph;

namespace Probabilistic.Infer.Graph
{
    public abstract partial class Variable
    {
        /// <summary>p ~ Beta(<paramref name="trueCount"/>, <paramref name="falseCount"/>), both counts > 0 (Infer.NET's <c>Variable.Beta</c>).</summary>
        public static Variable<double> Beta(double trueCount, double falseCount)
        {
            var prior = Distributions.Beta.FromCounts(trueCount, falseCount);
            if (!prior.IsProper())
                throw new ArgumentException($"Variable.Beta: both counts must be > 0, got {trueCount}, {falseCount}.");
            return new(PriorFactor.Of<Distributions.Beta, double>(prior).Output);
        }

        /// <summary>
        /// x ~ Bernoulli(p) for a probability that is a constant, observed value(s) in [0, 1] or a Beta variable (shared
        /// or indexed by the range the result is assigned over). Exact (conjugate) under EP and VMP.
        /// </summary>
        public static Variable<bool> Bernoulli(Variable<double> probTrue) =>
            new(new BernoulliFromBetaFactor(probTrue.Node).Output);
    }
}

namespace Probabilistic.Infer.Factors
{
    /// <summary>
    /// x ~ Bernoulli(p), optionally tempered (p^{λx}(1 − p)^{λ(1−x)}), with p a Beta variable or data. Conjugate:
    /// the message to p from an observed x is Beta(1 + λx, 1 + λ(1 − x)) under EP and VMP alike, so both are exact.
    /// </summary>
    internal sealed class BernoulliFromBetaFactor : FactorDef
    {
        private const string Method = "Variable.Bernoulli";

        public BernoulliFromBetaFactor(Node probTrue)
            : base("Bernoulli", new Node(null, probTrue.Plate, Family.Output("Bernoulli")), new[] { probTrue }, probTrue.Plate) { }

        internal override void Check(IReadOnlyList<Node> inputs, Node output)
        {
            var p = inputs[0].Resolve();
            if (p.Family is not (null or Family<Beta>))
                throw new NotSupportedException($"{Method}: the probability '{p.Name}' is {Describe(p)}; supported: a constant, observed value(s) in [0, 1] or a Beta variable.");
            foreach (var (v, i) in Values(p.Observed))
                if (!(v >= 0 && v <= 1)) throw new ArgumentException($"{Method}: the probability '{p.Name}'{(i >= 0 ? $"[{i}]" : "")} must be in [0, 1], got {v}.");
            if (output.Observed is not (null or bool or bool[]))
                throw new ArgumentException($"{Method}: the observed value of '{output.Name}' must be bool or bool[], got {output.Observed.GetType().Name}.");
        }

        private static IEnumerable<(double Value, int Index)> Values(object? observed) => observed switch
        {
            double d => new[] { (d, -1) },
            double[] a => a.Select((v, i) => (v, i)),
            _ => Array.Empty<(double, int)>(),
        };

        public override FactorOperator CreateOperator(RunState state) => new Operator(this, state);

        private sealed class Operator : FactorOperator
        {
            private readonly MessagePort<Beta>? _p;
            private readonly double[]? _data;    // the probabilities when they are observed
            private readonly bool[]? _labels;

            public Operator(BernoulliFromBetaFactor def, RunState s) : base(def, s)
            {
                var input = def.Inputs[0].Resolve();
                if (s.Find<Beta>(input, def, "probability") is { } v) _p = new MessagePort<Beta>(s, this, v, Count);
                else _data = input.Observed switch
                {
                    double d => Enumerable.Repeat(d, Count).ToArray(),
                    double[] a when a.Length == Count => a,
                    var o => throw new ArgumentException($"{def.Name}: the probability '{input.Name}' must be a double or one double per element ({Count}), got {o?.GetType().Name ?? "no value"}."),
                };
                _labels = def.Output.Observed switch
                {
                    null => null,
                    bool b when Count == 1 => new[] { b },
                    bool[] a when a.Length == Count => a,
                    var o => throw new ArgumentException($"{def.Name}: the observed value of '{def.Output.Name}' must be bool or bool[{Count}], got {o.GetType().Name}."),
                };
            }

            public override void UpdateForward(bool force) { }

            public override void UpdateBackward()
            {
                if (_labels == null || _p == null) return;
                for (int i = 0; i < Count; i++)
                    _p.Set(i, S.IsEP ? BernoulliFromBetaOp.ProbTrueAverageConditional(_labels[i], Def.Power)
                                     : BernoulliFromBetaOp.ProbTrueAverageLogarithm(_labels[i], Def.Power));
                _p.Commit();
            }

            public override double LogEvidenceRatio()
            {
                if (_labels == null) return 0;
                double s = 0;
                for (int i = 0; i < Count; i++)
                    s += _p == null ? Def.Power * Bernoulli.FromProbTrue(_data![i]).LogDensity(_labels[i])
                        : BernoulliFromBetaOp.LogAverageFactor(_labels[i], _p.Incoming(i), Def.Power) + _p.CavityLogNormalizerGap(i);
                return s;
            }

            public override double AverageLogFactor()
            {
                if (_labels == null) return 0;
                double s = 0;
                for (int i = 0; i < Count; i++)
                    s += _p == null ? Def.Power * Bernoulli.FromProbTrue(_data![i]).LogDensity(_labels[i])
                        : BernoulliFromBetaOp.AverageLogFactor(_labels[i], _p.Belief(i), Def.Power);
                return s;
            }

            public override object? OutputMarginal()
            {
                if (_labels != null) return null;
                var result = new Bernoulli[Count];
                for (int i = 0; i < Count; i++)
                    result[i] = _p == null ? Bernoulli.FromProbTrue(_data![i])
                        : S.IsEP ? BernoulliFromBetaOp.SampleAverageConditional(_p.Incoming(i))
                        : BernoulliFromBetaOp.SampleAverageLogarithm(_p.Belief(i));
                return Def.Output.Plate == null ? result[0] : result;
            }
        }
    }

    /// <summary>The message rules of x ~ Bernoulli(p) with p ~ Beta, as static functions (Infer.NET's
    /// <c>BernoulliFromBetaOp</c>): EP rules end in <c>AverageConditional</c>, VMP rules in <c>AverageLogarithm</c>;
    /// a power λ tempers the factor to p^{λx}(1 − p)^{λ(1−x)}.</summary>
    public static class BernoulliFromBetaOp
    {
        /// <summary>EP message to p from an observed <paramref name="sample"/>: Beta(1 + λx, 1 + λ(1 − x)), the factor itself.</summary>
        /// <param name="sample">The observed outcome x.</param>
        /// <param name="power">The power λ of the factor.</param>
        public static Beta ProbTrueAverageConditional(bool sample, double power = 1) =>
            Beta.FromCounts(1 + (sample ? power : 0), 1 + (sample ? 0 : power));

        /// <summary>VMP message to p: exp E[log f] = the factor itself, as under EP (p enters linearly in the log).</summary>
        /// <param name="sample">The observed outcome x.</param>
        /// <param name="power">The power λ of the factor.</param>
        public static Beta ProbTrueAverageLogarithm(bool sample, double power = 1) => ProbTrueAverageConditional(sample, power);

        /// <summary>EP message to x (the predictive): Bernoulli(E[p]) under p's incoming message.</summary>
        public static Bernoulli SampleAverageConditional(Beta probTrue) => Bernoulli.FromProbTrue(probTrue.GetMean());

        /// <summary>VMP message to x: log odds E[log p] − E[log(1 − p)].</summary>
        public static Bernoulli SampleAverageLogarithm(Beta probTrue) =>
            Bernoulli.FromLogOdds(probTrue.GetMeanLog() - probTrue.GetMeanLogComplement());

        /// <summary>log ∫ p^{λx}(1 − p)^{λ(1−x)} Beta(p; α, β) dp = log B(α + λx, β + λ(1 − x)) − log B(α, β).</summary>
        /// <param name="sample">The observed outcome x.</param>
        /// <param name="probTrue">The incoming message (EP cavity) Beta(α, β).</param>
        /// <param name="power">The power λ of the factor.</param>
        public static double LogAverageFactor(bool sample, Beta probTrue, double power = 1)
        {
            double a = probTrue.TrueCount, b = probTrue.FalseCount, t = sample ? power : 0, f = sample ? 0 : power;
            return SpecialFunctions.GammaLn(a + t) + SpecialFunctions.GammaLn(b + f) - SpecialFunctions.GammaLn(a + b + power)
                   - (SpecialFunctions.GammaLn(a) + SpecialFunctions.GammaLn(b) - SpecialFunctions.GammaLn(a + b));
        }

        /// <summary>E_q[log f] = λ E[log p] for x true, λ E[log(1 − p)] for x false.</summary>
        /// <param name="sample">The observed outcome x.</param>
        /// <param name="probTrue">The belief q(p).</param>
        /// <param name="power">The power λ of the factor.</param>
        public static double AverageLogFactor(bool sample, Beta probTrue, double power = 1) =>
            power * (sample ? probTrue.GetMeanLog() : probTrue.GetMeanLogComplement());
    }
}
