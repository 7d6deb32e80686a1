using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Factors;
using Probabilistic.Infer.Graph;

namespace Probabilistic.Infer.Engine;

/// <summary>The storage of a scalar Gaussian variable: sums natural parameters in place (a point-mass message wins),
/// allows a uniform belief, and offers the product of all messages but one (cavities of deterministic factors).</summary>
internal sealed class GaussianVarState : VarState<Gaussian>
{
    public GaussianVarState(RunState state, Node node, int dimension) : base(state, node, dimension) { }

    /// <summary>Product of the messages on all edges except <paramref name="except"/> at element i.</summary>
    public Gaussian ProductExcept(EdgeState? except, int i)
    {
        double h = 0, p = 0;
        foreach (var e in Edges)
        {
            if (e == except) continue;
            var m = e.M[i];
            if (m.IsPointMass) return m;
            h += m.MeanTimesPrecision;
            p += m.Precision;
        }
        return Gaussian.FromNatural(h, p);
    }

    public override void Refresh(int i, FactorOperator sender)
    {
        bool forwardOnly = Derived && !State.IsEP;
        var g = forwardOnly ? Edges.First(e => e.IsForward).M[i] : ProductExcept(null, i);
        if (g.Precision < 0 || (forwardOnly && !(g.Precision > 0) && !g.IsUniform))
            throw State.Improper("the belief", sender.Def.Name, Node, i, $"precision {g.Precision}");
        Q[i] = g;
    }
}
