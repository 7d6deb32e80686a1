using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Engine;
using Probabilistic.Infer.Graph;

namespace Probabilistic.Infer.Factors;

/// <summary>
/// x ~ D with fixed parameters (Gaussian, Gamma or VectorGaussian), replicated over a plate when assigned into
/// an array. Its message is the prior itself; EP evidence ratio −A(prior) per element, VMP term E_q[log p].
/// </summary>
internal sealed class PriorFactor : FactorDef
{
    public PriorFactor(Gaussian prior) : base("Gaussian", new Node(null, null, DistKind.Gaussian), Array.Empty<Node>(), null)
    {
        prior.RequireProper("Gaussian prior");
        Prior = prior;
    }

    public PriorFactor(Gamma prior) : base("Gamma", new Node(null, null, DistKind.Gamma), Array.Empty<Node>(), null)
    {
        Prior = prior;
    }

    public PriorFactor(VectorGaussian prior) : base("VectorGaussian", new Node(null, null, DistKind.VectorGaussian), Array.Empty<Node>(), null)
    {
        Prior = prior;
    }

    public object Prior { get; }

    public int Dimension => Prior is VectorGaussian v ? v.Dimension : 1;

    public override FactorOperator CreateOperator(RunState state) => new Operator(this, state);

    private sealed class Operator : FactorOperator
    {
        private readonly PriorFactor _def;
        private readonly VarState? _var;
        private readonly EdgeState? _edge;

        public Operator(PriorFactor def, RunState state) : base(def, state)
        {
            _def = def;
            _var = state.Find(def.Output);
            _edge = _var?.AddEdge(this, isForward: true);
        }

        public override void UpdateForward(bool force)
        {
            if (_var == null || _edge == null) return;
            for (int i = 0; i < _var.Count; i++)
            {
                switch (_def.Prior)
                {
                    case Gaussian g: _edge.G![i] = g; break;
                    case Gamma g: _edge.Ga![i] = g; break;
                    case VectorGaussian v: _edge.V![i] = v; break;
                }
            }
            _var.RefreshAll(this);
        }

        public override void UpdateBackward() { }

        private int Elements => _def.Output.Count;

        public override double LogEvidenceRatio()
        {
            if (_var == null) return ObservedLogDensity();
            double a = _def.Prior switch
            {
                Gaussian g => g.GetLogNormalizer(),
                Gamma g => g.GetLogNormalizer(),
                VectorGaussian v => v.GetLogNormalizer(),
                _ => 0,
            };
            return -a * Elements;
        }

        public override double AverageLogFactor()
        {
            if (_var == null) return ObservedLogDensity();
            double s = 0;
            for (int i = 0; i < Elements; i++)
            {
                switch (_def.Prior)
                {
                    case Gaussian p:
                        var q = _var.G![i];
                        double m0 = p.GetMean(), v0 = p.GetVariance(), m = q.GetMean();
                        s += -0.5 * (Math.Log(2 * Math.PI * v0) + ((m - m0) * (m - m0) + q.GetVariance()) / v0);
                        break;
                    case Gamma p:
                        var qg = _var.Ga![i];
                        s += (p.Shape - 1) * qg.GetMeanLog() - p.Rate * qg.GetMean() - p.GetLogNormalizer();
                        break;
                    case VectorGaussian p:
                        var qv = _var.V![i];
                        var d = qv.GetMean() - p.GetMean();
                        var sigma = qv.VarianceReadOnly;
                        double trace = p.Precision.PointwiseMultiply(sigma).Enumerate().Sum();
                        s += -0.5 * (p.Dimension * Math.Log(2 * Math.PI) - p.GetCholesky("VectorGaussian prior").DeterminantLn
                                     + trace + d.DotProduct(p.Precision * d));
                        break;
                }
            }
            return s;
        }

        private double ObservedLogDensity()
        {
            var obs = _def.Output.Observed;
            double s = 0;
            for (int i = 0; i < Elements; i++)
            {
                s += _def.Prior switch
                {
                    Gaussian g => g.LogDensity(obs is double[] a ? a[i] : Convert.ToDouble(obs)),
                    Gamma g => g.LogDensity(obs is double[] a ? a[i] : Convert.ToDouble(obs)),
                    VectorGaussian v => v.LogDensity(obs is Vector<double>[] a ? a[i] : (Vector<double>)obs!),
                    _ => 0,
                };
            }
            return s;
        }
    }
}
