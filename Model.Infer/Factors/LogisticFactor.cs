using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Engine;
using Probabilistic.Infer.Graph;
using Probabilistic.Infer.Numerics;

namespace Probabilistic.Infer.Factors;

/// <summary>
/// y ~ Bernoulli(σ(z)), optionally tempered (σ(±z)^λ).
/// <list type="bullet">
/// <item>To z: proj[cavity·σ(s z)^λ] / cavity, s = ±1 for the observed label; the tilted moments come from
/// quadrature accurate to 1e-10 (<see cref="LogisticMoments"/>).</item>
/// <item>To an unobserved y: Bernoulli(E[σ(z)]) under z's incoming message (the predictive probability).</item>
/// <item>EP evidence ratio: log ∫ N(z; cavity) σ(s z)^λ dz plus z's cavity log-normaliser gap.</item>
/// <item>VMP (Jaakkola–Jordan bound): log σ(sz) ≥ log σ(ξ) + (sz − ξ)/2 − κ(ξ)(z² − ξ²), κ(ξ) = tanh(ξ/2)/(4ξ),
/// with ξ² = E[z²] (its optimum) refreshed before each update; message to z: precision 2λκ(ξ), shift λs/2.</item>
/// </list>
/// </summary>
internal sealed class LogisticFactor : FactorDef
{
    public LogisticFactor(Node z)
        : base("Logistic", new Node(null, z.Plate, Family.Output("Bernoulli")), new[] { z }, z.Plate)
    { }

    internal override void Check(IReadOnlyList<Node> inputs, Node output) =>
        RequireGaussianOrData("BernoulliFromLogOdds", "log-odds", inputs[0]);

    public override FactorOperator CreateOperator(RunState state) => new Operator(this, state);

    private sealed class Operator : FactorOperator
    {
        private readonly GaussianPort _z;
        private readonly bool[]? _labels;
        private readonly double[] _xi;   // VMP: the bound's variational parameters

        private static double Kappa(double xi) => Math.Abs(xi) < 1e-6 ? 0.125 : Math.Tanh(xi / 2) / (4 * xi);

        /// <summary>ξ = √E[z²] under the current belief (the optimum of the Jaakkola–Jordan bound).</summary>
        private void RefreshXi()
        {
            for (int i = 0; i < Count; i++) _xi[i] = Math.Sqrt(_z.Belief(i).GetMeanSquare());
        }

        public Operator(LogisticFactor def, RunState s) : base(def, s)
        {
            _z = new GaussianPort(s, this, def.Inputs[0], Count, isOutput: false);
            _xi = new double[Count];
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
            if (!S.IsEP)
            {
                RefreshXi();
                for (int i = 0; i < Count; i++)
                    _z.Set(i, Gaussian.FromNatural(Def.Power * 0.5 * Sign(i), Def.Power * 2 * Kappa(_xi[i])));
                _z.Commit();
                return;
            }
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

        public override double AverageLogFactor()
        {
            if (_labels == null) return 0;
            double s = 0;
            for (int i = 0; i < Count; i++)
            {
                var q = _z.Belief(i);
                double xi = _xi[i];
                s += LogisticMoments.LogSigmoid(xi) + 0.5 * (Sign(i) * q.GetMean() - xi) - Kappa(xi) * (q.GetMeanSquare() - xi * xi);
            }
            return Def.Power * s;
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
