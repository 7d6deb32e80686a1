using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Engine;
using Probabilistic.Infer.Graph;

namespace Probabilistic.Infer.Factors;

/// <summary>
/// z = a + b (deterministic; a, b Gaussian variables, constants or data, shared or indexed by the plate).
/// <list type="bullet">
/// <item>To z: N(E a + E b, Var a + Var b) from the incoming messages (cavities under EP, beliefs under VMP).</item>
/// <item>To a: EP, N(E z − E b, Var z + Var b) with z's cavity (the product of its other messages);
/// VMP, the same precision π_z with shift h_z − π_z E[b] (Infer.NET's SumOp.AAverageLogarithm).</item>
/// <item>EP evidence ratio: log N(z̄; ā + b̄, v_z + v_a + v_b) plus the cavities' log-normaliser gaps.</item>
/// </list>
/// </summary>
internal sealed class PlusFactor : FactorDef
{
    public PlusFactor(Node a, Node b)
        : base("Plus", new Node(null, SharedPlate(a, b), Family<Gaussian>.Instance), new[] { a, b }, SharedPlate(a, b))
    { }

    private static Range? SharedPlate(Node a, Node b) => Variable.CommonPlate("Plus", ("first argument", a), ("second argument", b));

    internal override void Check(IReadOnlyList<Node> inputs, Node output)
    {
        RequireGaussianOrData("Plus", "first argument", inputs[0]);
        RequireGaussianOrData("Plus", "second argument", inputs[1]);
    }

    public override bool IsDeterministic => true;

    public override FactorOperator CreateOperator(RunState state) => new Operator(this, state);

    private sealed class Operator : FactorOperator
    {
        private readonly GaussianPort _a, _b, _z;

        public Operator(PlusFactor def, RunState s) : base(def, s)
        {
            _a = new GaussianPort(s, this, def.Inputs[0], Count, isOutput: false);
            _b = new GaussianPort(s, this, def.Inputs[1], Count, isOutput: false);
            _z = new GaussianPort(s, this, def.Output, Count, isOutput: true);
        }

        private static (double Mean, double Variance) Moments(Gaussian g) =>
            g.IsPointMass ? (g.MeanTimesPrecision, 0) : (g.GetMean(), g.GetVariance());

        public override void UpdateForward(bool force)
        {
            for (int i = 0; i < Count; i++)
            {
                var a = _a.Incoming(i);
                var b = _b.Incoming(i);
                if (a.IsUniform || b.IsUniform) { _z.Set(i, Gaussian.Uniform(), damp: false); continue; }
                var (ma, va) = Moments(a);
                var (mb, vb) = Moments(b);
                _z.Set(i, Gaussian.FromMeanAndVariance(ma + mb, va + vb), damp: false);
            }
            _z.Commit();
        }

        public override void UpdateBackward()
        {
            Send(_a, _b);
            Send(_b, _a);
        }

        private void Send(GaussianPort target, GaussianPort other)
        {
            if (!target.IsRandom) return;
            for (int i = 0; i < Count; i++)
            {
                var z = _z.FromOthers(i);
                if (z.IsUniform) { target.Set(i, Gaussian.Uniform()); continue; }
                var (mo, vo) = Moments(S.IsEP ? other.Incoming(i) : other.Belief(i));
                target.Set(i, S.IsEP
                    ? Gaussian.FromMeanAndVariance(z.GetMean() - mo, z.GetVariance() + vo)
                    : Gaussian.FromNatural(z.MeanTimesPrecision - z.Precision * mo, z.Precision));
            }
            target.Commit();
        }

        public override double LogEvidenceRatio()
        {
            if (_z.Var!.Predictive) return 0;
            double s = 0;
            for (int i = 0; i < Count; i++)
            {
                var cz = _z.FromOthers(i);
                if (!(cz.Precision > 0)) continue;
                var (ma, va) = Moments(_a.Incoming(i));
                var (mb, vb) = Moments(_b.Incoming(i));
                double v = cz.GetVariance() + va + vb, d = cz.GetMean() - ma - mb;
                s += -0.5 * (Math.Log(2 * Math.PI * v) + d * d / v)
                     + _a.CavityLogNormalizerGap(i) + _b.CavityLogNormalizerGap(i)
                     + cz.GetLogNormalizer() - _z.Belief(i).GetLogNormalizer();
            }
            return s;
        }

        public override double AverageLogFactor() => 0;
    }
}
