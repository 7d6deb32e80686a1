using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Engine;
using Probabilistic.Infer.Graph;

namespace Probabilistic.Infer.Factors;

/// <summary>
/// x ~ N(mean, 1/precision), optionally tempered: N(x | mean, τ)^λ ∝ N(x | mean, λτ).
/// <list type="bullet">
/// <item>EP (known precision): to x, N(E[mean], Var[mean] + 1/(λτ)) from the cavity of the mean; to the mean,
/// symmetrically. Evidence ratio log N(x̄; mean̄, v_x + v_mean + 1/(λτ)) + log c(λ) with the cavities' moments,
/// c(λ) = (τ/2π)^{λ/2} (λτ/2π)^{−1/2} the constant the power leaves over.</item>
/// <item>VMP (known or Gamma precision): to x and to the mean, N(·, λE[τ]) centred on the other's mean; to τ,
/// Gamma(1 + λ/2, λ E[(x − mean)²]/2) per element. Bound term λ(½E[log τ] − ½ log 2π − ½E[τ]E[(x − mean)²]).</item>
/// </list>
/// </summary>
internal sealed class GaussianFactor : FactorDef
{
    public GaussianFactor(Node mean, Node precision)
        : base("Gaussian", new Node(Variable.NewName(), Variable.CommonPlate("GaussianFromMeanAndPrecision", mean, precision), DistKind.Gaussian),
            new[] { mean, precision }, Variable.CommonPlate("GaussianFromMeanAndPrecision", mean, precision))
    { }

    public override FactorOperator CreateOperator(RunState state) => new Operator(this, state);

    private sealed class Operator : FactorOperator
    {
        private readonly GaussianPort _x, _mean;
        private readonly double _tau;           // the precision when it is a constant
        private readonly VarState? _tauVar;     // the precision when it is a Gamma variable (VMP)
        private readonly EdgeState? _tauEdge;
        private readonly double _power;

        public Operator(GaussianFactor def, RunState s) : base(def, s)
        {
            _power = def.Power;
            _mean = new GaussianPort(s, this, def.Inputs[0], Count, isOutput: false);
            var precision = def.Inputs[1];
            _tauVar = s.Find(precision);
            if (_tauVar == null)
            {
                _tau = Convert.ToDouble(precision.Observed);
                if (!(_tau > 0)) throw new ArgumentException($"{def.Name}: the precision must be > 0, got {_tau}.");
            }
            else
            {
                if (_tauVar.Kind != DistKind.Gamma || _tauVar.Count != 1)
                    throw new NotSupportedException($"{def.Name}: a random precision must be one shared Gamma variable.");
                if (s.IsEP)
                    throw new NotSupportedException($"{def.Name}: a Gamma-distributed precision needs VMP (new VariationalMessagePassing()); EP supports known precisions.");
                _tauEdge = _tauVar.AddEdge(this, isForward: false);
            }
            _x = new GaussianPort(s, this, def.Output, Count, isOutput: true);
        }

        private double MeanTau => _tauVar == null ? _tau : _tauVar.Ga![0].GetMean();
        private double MeanLogTau => _tauVar == null ? Math.Log(_tau) : _tauVar.Ga![0].GetMeanLog();

        public override bool ReadsIncoming(Node input) => _x.IsRandom || _tauVar != null;

        public override void UpdateForward(bool force)
        {
            if (!_x.IsRandom || (!force && _x.Var!.Predictive)) return;
            for (int i = 0; i < Count; i++) _x.Set(i, MessageFrom(_mean.Incoming(i), _power * MeanTau));
            _x.Commit();
        }

        public override void UpdateBackward()
        {
            if (_tauVar != null)
            {
                // VMP: the precision first, from the current beliefs (a coordinate step of the bound).
                double rate = 0;
                for (int i = 0; i < Count; i++) rate += ExpectedSquaredDifference(i);
                _tauEdge!.Ga![0] = Gamma.FromShapeAndRate(1 + 0.5 * _power * Count, 0.5 * _power * rate);
                _tauVar.Refresh(0, this);
            }
            if (!_mean.IsRandom) return;
            for (int i = 0; i < Count; i++) _mean.Set(i, MessageFrom(_x.Incoming(i), _power * MeanTau));
            _mean.Commit();
        }

        /// <summary>The message to one side given the other side's incoming message and precision τ.</summary>
        private Gaussian MessageFrom(Gaussian other, double tau)
        {
            if (S.IsEP)
            {
                if (other.IsUniform) return Gaussian.Uniform();
                if (other.IsPointMass) return Gaussian.FromMeanAndPrecision(other.MeanTimesPrecision, tau);
                return Gaussian.FromMeanAndVariance(other.GetMean(), other.GetVariance() + 1 / tau);
            }
            return Gaussian.FromNatural(tau * other.GetMean(), tau);
        }

        private double ExpectedSquaredDifference(int i)
        {
            var x = _x.Belief(i);
            var m = _mean.Belief(i);
            double d = x.GetMean() - m.GetMean();
            return d * d + x.GetVariance() + m.GetVariance();
        }

        public override double LogEvidenceRatio()
        {
            if (_x.IsRandom && _x.Var!.Predictive) return 0;
            double tauEff = _power * _tau;
            double logC = 0.5 * _power * Math.Log(_tau / (2 * Math.PI)) - 0.5 * Math.Log(tauEff / (2 * Math.PI));
            double s = 0;
            for (int i = 0; i < Count; i++)
            {
                var cx = _x.Incoming(i);
                var cm = _mean.Incoming(i);
                double v = (cx.IsPointMass ? 0 : cx.GetVariance()) + (cm.IsPointMass ? 0 : cm.GetVariance()) + 1 / tauEff;
                double d = cx.GetMean() - cm.GetMean();
                s += -0.5 * (Math.Log(2 * Math.PI * v) + d * d / v) + logC
                     + _x.CavityLogNormalizerGap(i) + _mean.CavityLogNormalizerGap(i);
            }
            return s;
        }

        public override double AverageLogFactor()
        {
            if (_x.IsRandom && _x.Var!.Predictive) return 0;
            double eTau = MeanTau, eLogTau = MeanLogTau, s = 0;
            for (int i = 0; i < Count; i++)
                s += 0.5 * (eLogTau - Math.Log(2 * Math.PI)) - 0.5 * eTau * ExpectedSquaredDifference(i);
            return _power * s;
        }
    }
}
