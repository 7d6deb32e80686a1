using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Engine;
using Probabilistic.Infer.Factors;
using Probabilistic.Infer.Graph;

namespace Probabilistic.Infer.Graph
{
    public abstract partial class Variable
    {
        /// <summary>p ~ Dirichlet(α) over probability vectors of length α.Length ≥ 2, every α_k > 0 (Infer.NET's
        /// <c>Variable.Dirichlet</c>).</summary>
        public static Variable<Vector<double>> Dirichlet(params double[] pseudoCounts)
        {
            ArgumentNullException.ThrowIfNull(pseudoCounts);
            var prior = Distributions.Dirichlet.FromPseudoCounts(pseudoCounts);
            if (!prior.IsProper())
                throw new ArgumentException($"Variable.Dirichlet: every pseudo-count must be > 0, got {string.Join(", ", pseudoCounts)}.");
            return new(PriorFactor.Of<Distributions.Dirichlet, double[]>(prior, prior.Dimension).Output);
        }

        /// <summary>p ~ Dirichlet(1, …, 1), uniform over probability vectors of length <paramref name="dimension"/>.</summary>
        public static Variable<Vector<double>> DirichletUniform(int dimension)
        {
            if (dimension < 2) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Variable.DirichletUniform: needs at least 2 categories.");
            return Dirichlet(Enumerable.Repeat(1.0, dimension).ToArray());
        }

        /// <summary>
        /// c ~ Discrete(p), a category in {0, …, K − 1}, for probabilities that are a constant, observed vector(s) or a
        /// Dirichlet variable (shared or indexed by the range the result is assigned over). Exact (conjugate) under EP and VMP.
        /// With <c>probs = Variable.Softmax(g[i])</c> (g[i][c] = InnerProduct(B[c], x[i])) it builds softmax regression's
        /// factor, the same graph as <see cref="DiscreteFromLinearSoftmax"/>(B, x[i]) (VMP).
        /// </summary>
        public static Variable<int> Discrete(Variable<Vector<double>> probs)
        {
            ArgumentNullException.ThrowIfNull(probs);
            if (probs.Node.Pending is PendingSoftmax softmax)
                return new(new SoftmaxFactor(softmax.Scores.Weights.Resolve(), softmax.Scores.X.Resolve(), softLabels: false).Output);
            return new(new DiscreteFromDirichletFactor(probs.Node).Output);
        }
    }
}

namespace Probabilistic.Infer.Factors
{
    /// <summary>
    /// c ~ Discrete(p), optionally tempered (p_c^λ), with p a Dirichlet variable or data. Conjugate: the message to p
    /// from an observed c is Dirichlet(1 + λe_c) under EP and VMP alike, so both are exact.
    /// </summary>
    internal sealed class DiscreteFromDirichletFactor : FactorDef
    {
        private const string Method = "Variable.Discrete";

        public DiscreteFromDirichletFactor(Node probs)
            : base("Discrete", new Node(null, probs.Plate, Family.Output("Discrete")), new[] { probs }, probs.Plate) { }

        internal override void Check(IReadOnlyList<Node> inputs, Node output)
        {
            var p = inputs[0].Resolve();
            if (p.Family is not (null or Family<Dirichlet>))
                throw new NotSupportedException($"{Method}: the probabilities '{p.Name}' are {Describe(p)}; supported: a constant, observed probability vector(s), a Dirichlet variable or Variable.Softmax(g[i]) of a jagged array of inner products.");
            foreach (var v in p.Observed switch { Vector<double> one => new[] { one }, Vector<double>[] many => many, _ => Array.Empty<Vector<double>>() })
                if (v == null || v.Count < 2 || v.Any(x => !(x >= 0)) || Math.Abs(v.Sum() - 1) > 1e-9)
                    throw new ArgumentException($"{Method}: the probabilities '{p.Name}' must be vectors of ≥ 2 entries ≥ 0 summing to 1.");
            int k = Categories(p);
            foreach (int c in output.Observed switch { int one => new[] { one }, int[] many => many, null => Array.Empty<int>(), var o => throw new ArgumentException($"{Method}: the observed value of '{output.Name}' must be int or int[], got {o.GetType().Name}.") })
                if (c < 0 || (k > 0 && c >= k))
                    throw new ArgumentException($"{Method}: the observed category {c} of '{output.Name}' is outside [0, {(k > 0 ? k : "K")}).");
        }

        /// <summary>K when it is known (from the Dirichlet prior or the observed probabilities), else 0.</summary>
        private static int Categories(Node p) => p.Observed switch
        {
            Vector<double> v => v.Count,
            Vector<double>[] a when a.Length > 0 && a[0] != null => a[0].Count,
            _ => p.Parent?.OutputDimension is > 1 and var d ? d : 0,
        };

        public override FactorOperator CreateOperator(RunState state) => new Operator(this, state);

        private sealed class Operator : FactorOperator
        {
            private readonly MessagePort<Dirichlet>? _p;
            private readonly Vector<double>[]? _data;   // the probabilities when they are observed
            private readonly int[]? _labels;
            private readonly int _k;

            public Operator(DiscreteFromDirichletFactor def, RunState s) : base(def, s)
            {
                var input = def.Inputs[0].Resolve();
                if (s.Find<Dirichlet>(input, def, "probabilities") is { } v)
                {
                    _p = new MessagePort<Dirichlet>(s, this, v, Count);
                    _k = v.Dimension;
                }
                else
                {
                    _data = input.Observed switch
                    {
                        Vector<double> one => Enumerable.Repeat(one, Count).ToArray(),
                        Vector<double>[] a when a.Length == Count => a,
                        var o => throw new ArgumentException($"{def.Name}: the probabilities '{input.Name}' must be a vector or one vector per element ({Count}), got {o?.GetType().Name ?? "no value"}."),
                    };
                    _k = _data[0].Count;
                }
                _labels = def.Output.Observed switch
                {
                    null => null,
                    int c when Count == 1 => new[] { c },
                    int[] a when a.Length == Count => a,
                    var o => throw new ArgumentException($"{def.Name}: the observed value of '{def.Output.Name}' must be int or int[{Count}], got {o.GetType().Name}."),
                };
                if (_labels != null)
                    foreach (int c in _labels)
                        if ((uint)c >= (uint)_k) throw new ArgumentException($"{def.Name}: the observed category {c} is outside [0, {_k}).");
            }

            public override void UpdateForward(bool force) { }

            public override void UpdateBackward()
            {
                if (_labels == null || _p == null) return;
                for (int i = 0; i < Count; i++)
                    _p.Set(i, S.IsEP ? DiscreteFromDirichletOp.ProbsAverageConditional(_labels[i], _k, Def.Power)
                                     : DiscreteFromDirichletOp.ProbsAverageLogarithm(_labels[i], _k, Def.Power));
                _p.Commit();
            }

            public override double LogEvidenceRatio()
            {
                if (_labels == null) return 0;
                double s = 0;
                for (int i = 0; i < Count; i++)
                    s += _p == null ? Def.Power * Math.Log(_data![i][_labels[i]])
                        : DiscreteFromDirichletOp.LogAverageFactor(_labels[i], _p.Incoming(i), Def.Power) + _p.CavityLogNormalizerGap(i);
                return s;
            }

            public override double AverageLogFactor()
            {
                if (_labels == null) return 0;
                double s = 0;
                for (int i = 0; i < Count; i++)
                    s += _p == null ? Def.Power * Math.Log(_data![i][_labels[i]])
                        : DiscreteFromDirichletOp.AverageLogFactor(_labels[i], _p.Belief(i), Def.Power);
                return s;
            }

            public override object? OutputMarginal()
            {
                if (_labels != null) return null;
                var result = new Discrete[Count];
                for (int i = 0; i < Count; i++)
                    result[i] = _p == null ? Discrete.FromProbabilities(_data![i].ToArray())
                        : S.IsEP ? DiscreteFromDirichletOp.SampleAverageConditional(_p.Incoming(i))
                        : DiscreteFromDirichletOp.SampleAverageLogarithm(_p.Belief(i));
                return Def.Output.Plate == null ? result[0] : result;
            }
        }
    }

    /// <summary>The message rules of c ~ Discrete(p) with p ~ Dirichlet, as static functions (Infer.NET's
    /// <c>DiscreteFromDirichletOp</c>): EP rules end in <c>AverageConditional</c>, VMP rules in <c>AverageLogarithm</c>;
    /// a power λ tempers the factor to p_c^λ.</summary>
    public static class DiscreteFromDirichletOp
    {
        /// <summary>EP message to p from an observed category: Dirichlet(1 + λe_c), the factor itself.</summary>
        /// <param name="sample">The observed category c.</param>
        /// <param name="dimension">The number of categories K.</param>
        /// <param name="power">The power λ of the factor.</param>
        public static Dirichlet ProbsAverageConditional(int sample, int dimension, double power = 1)
        {
            if ((uint)sample >= (uint)dimension) throw new ArgumentOutOfRangeException(nameof(sample), sample, $"DiscreteFromDirichletOp: the category must be in [0, {dimension}).");
            var alpha = new double[dimension];
            Array.Fill(alpha, 1.0);
            alpha[sample] += power;
            return Dirichlet.FromPseudoCounts(alpha);
        }

        /// <summary>VMP message to p: exp E[log f] = the factor itself, as under EP.</summary>
        /// <param name="sample">The observed category c.</param>
        /// <param name="dimension">The number of categories K.</param>
        /// <param name="power">The power λ of the factor.</param>
        public static Dirichlet ProbsAverageLogarithm(int sample, int dimension, double power = 1) => ProbsAverageConditional(sample, dimension, power);

        /// <summary>EP message to c (the predictive): Discrete(E[p]) under p's incoming message.</summary>
        public static Discrete SampleAverageConditional(Dirichlet probs) => Discrete.FromProbabilities(probs.GetMean());

        /// <summary>VMP message to c: Discrete ∝ exp E[log p_k].</summary>
        public static Discrete SampleAverageLogarithm(Dirichlet probs) => Discrete.FromLogProbabilities(probs.GetMeanLog());

        /// <summary>log ∫ p_c^λ Dirichlet(p; α) dp = log Γ(α_c + λ) − log Γ(α_c) − log Γ(α₀ + λ) + log Γ(α₀).</summary>
        /// <param name="sample">The observed category c.</param>
        /// <param name="probs">The incoming message (EP cavity) Dirichlet(α).</param>
        /// <param name="power">The power λ of the factor.</param>
        public static double LogAverageFactor(int sample, Dirichlet probs, double power = 1)
        {
            double a = probs.PseudoCounts[sample], total = 0;
            foreach (double x in probs.PseudoCounts) total += x;
            return SpecialFunctions.GammaLn(a + power) - SpecialFunctions.GammaLn(a) - SpecialFunctions.GammaLn(total + power) + SpecialFunctions.GammaLn(total);
        }

        /// <summary>E_q[log f] = λ E[log p_c] = λ(ψ(α_c) − ψ(α₀)).</summary>
        /// <param name="sample">The observed category c.</param>
        /// <param name="probs">The belief q(p).</param>
        /// <param name="power">The power λ of the factor.</param>
        public static double AverageLogFactor(int sample, Dirichlet probs, double power = 1) => power * probs.GetMeanLog()[sample];
    }
}
