using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Engine;
using Probabilistic.Infer.Graph;
using Probabilistic.Infer.Numerics;

namespace Probabilistic.Infer.Factors;

/// <summary>
/// y ~ Bernoulli(σ(z)), optionally tempered (σ(±z)^λ). EP only.
/// <list type="bullet">
/// <item>To z: proj[cavity·σ(s z)^λ] / cavity, s = ±1 for the observed label; the tilted moments come from
/// quadrature accurate to 1e-10 (<see cref="LogisticMoments"/>).</item>
/// <item>To an unobserved y: Bernoulli(E[σ(z)]) under z's incoming message (the predictive probability).</item>
/// <item>EP evidence ratio: log ∫ N(z; cavity) σ(s z)^λ dz plus z's cavity log-normaliser gap.</item>
/// </list>
/// </summary>
internal sealed class LogisticFactor : FactorDef
{
    public LogisticFactor(Node z)
        : base("Logistic", new Node(Variable.NewName(), z.Plate, DistKind.Bernoulli), new[] { z }, z.Plate)
    { }

    public override FactorOperator CreateOperator(RunState state) => new Operator(this, state);

    private sealed class Operator : FactorOperator
    {
        private readonly GaussianPort _z;
        private readonly bool[]? _labels;

        public Operator(LogisticFactor def, RunState s) : base(def, s)
        {
            if (!s.IsEP) throw Unsupported("BernoulliFromLogOdds (use ExpectationPropagation)");
            _z = new GaussianPort(s, this, def.Inputs[0], Count, isOutput: false);
            _labels = def.Output.Observed switch
            {
                null => null,
                bool b => new[] { b },
                bool[] a when a.Length == Count => a,
                var o => throw new ArgumentException($"{def.Name}: observed value of '{def.Output.Name}' must be bool or bool[{Count}], got {o.GetType().Name}."),
            };
        }

        private double Sign(int i) => _labels![i] ? 1 : -1;

        public override void UpdateForward(bool force) { }

        public override void UpdateBackward()
        {
            if (_labels == null || !_z.IsRandom) return;
            for (int i = 0; i < Count; i++)
            {
                var cav = _z.Incoming(i);
                if (!(cav.Precision > 0))
                    throw S.Improper("the message", Def.Name, Def.Inputs[0], i, $"cavity precision {cav.Precision:G6}; the logistic factor needs a proper cavity");
                var (_, mean, variance) = LogisticMoments.Compute(cav.GetMean(), cav.GetVariance(), Sign(i), Def.Power);
                var msg = Gaussian.FromMeanAndVariance(mean, variance) / cav;
                _z.Set(i, msg);
            }
            _z.Commit();
        }

        public override double LogEvidenceRatio()
        {
            if (_labels == null) return 0;
            double s = 0;
            for (int i = 0; i < Count; i++)
            {
                var cav = _z.Incoming(i);
                if (cav.IsPointMass) { s += Def.Power * LogisticMoments.LogSigmoid(Sign(i) * cav.MeanTimesPrecision); continue; }
                s += LogisticMoments.Compute(cav.GetMean(), cav.GetVariance(), Sign(i), Def.Power).LogZ + _z.CavityLogNormalizerGap(i);
            }
            return s;
        }

        public override object? OutputMarginal()
        {
            var result = new Bernoulli[Count];
            for (int i = 0; i < Count; i++)
            {
                var z = _z.Incoming(i);
                result[i] = Bernoulli.FromProbTrue(z.IsPointMass ? LogisticMoments.Sigmoid(z.MeanTimesPrecision)
                    : LogisticMoments.ExpectedSigmoid(z.GetMean(), z.GetVariance()));
            }
            return Def.Output.Plate == null ? result[0] : result;
        }
    }
}
