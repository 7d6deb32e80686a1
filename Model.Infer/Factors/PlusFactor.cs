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

        public override void UpdateForward(bool force)
        {
            for (int i = 0; i < Count; i++) _z.Set(i, PlusOp.SumAverageConditional(_a.Incoming(i), _b.Incoming(i)), damp: false);
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
                target.Set(i, S.IsEP ? PlusOp.AAverageConditional(_z.FromOthers(i), other.Incoming(i))
                                     : PlusOp.AAverageLogarithm(_z.FromOthers(i), other.Belief(i)));
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
                var (ma, va) = PlusOp.Moments(_a.Incoming(i));
                var (mb, vb) = PlusOp.Moments(_b.Incoming(i));
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

/// <summary>The message rules of z = a + b as static functions of the incoming messages (Infer.NET's <c>DoublePlusOp</c>):
/// EP rules end in <c>AverageConditional</c>, VMP rules in <c>AverageLogarithm</c>. By symmetry the rules to a are the
/// rules to b with the arguments swapped.</summary>
public static class PlusOp
{
    /// <summary>Mean and variance of a message (variance 0 for a point mass).</summary>
    internal static (double Mean, double Variance) Moments(Gaussian g) =>
        g.IsPointMass ? (g.MeanTimesPrecision, 0) : (g.GetMean(), g.GetVariance());

    /// <summary>Message to the sum: N(E a + E b, Var a + Var b); uniform when either argument's message is uniform.</summary>
    public static Gaussian SumAverageConditional(Gaussian a, Gaussian b)
    {
        if (a.IsUniform || b.IsUniform) return Gaussian.Uniform();
        var (ma, va) = Moments(a);
        var (mb, vb) = Moments(b);
        return Gaussian.FromMeanAndVariance(ma + mb, va + vb);
    }

    /// <summary>EP message to a, given the sum's cavity <paramref name="sum"/> and b's cavity: N(E z − E b, Var z + Var b).</summary>
    public static Gaussian AAverageConditional(Gaussian sum, Gaussian b)
    {
        if (sum.IsUniform) return Gaussian.Uniform();
        var (mb, vb) = Moments(b);
        return Gaussian.FromMeanAndVariance(sum.GetMean() - mb, sum.GetVariance() + vb);
    }

    /// <summary>VMP message to a, given the product of the sum's other messages and b's belief: precision π_z, shift h_z − π_z E[b].</summary>
    public static Gaussian AAverageLogarithm(Gaussian sum, Gaussian b)
    {
        if (sum.IsUniform) return Gaussian.Uniform();
        var (mb, _) = Moments(b);
        return Gaussian.FromNatural(sum.MeanTimesPrecision - sum.Precision * mb, sum.Precision);
    }
}
