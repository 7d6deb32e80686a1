using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;
using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Factors;
using Probabilistic.Infer.Graph;

namespace Probabilistic.Infer.Engine;

/// <summary>The storage of a VectorGaussian variable: a new edge starts without messages (null, skipped), and a
/// belief whose precision equals the previous one's reuses its Cholesky factor and covariance.</summary>
internal sealed class VectorGaussianVarState : VarState<VectorGaussian>
{
    public VectorGaussianVarState(RunState state, Node node, int dimension) : base(state, node, dimension) { }

    protected override VectorGaussian[] NewMessages() => new VectorGaussian[Count];

    public override void Refresh(int i, FactorOperator sender)
    {
        var h = Vector<double>.Build.Dense(Dimension);
        var p = Matrix<double>.Build.Dense(Dimension, Dimension);
        foreach (var e in Edges)
        {
            if (e.M[i] == null) continue;
            h.Add(e.M[i].PrecisionTimesMean, h);
            p.Add(e.M[i].Precision, p);
        }
        // A precision equal to the previous belief's (Böhning's fixed curvature, a fixed prior) reuses its
        // Cholesky factor and covariance: the same matrix gives the same factor, bit for bit.
        var previous = Q[i];
        var v = previous != null && SameValues(previous.Precision, p)
            ? VectorGaussian.FromNaturalSharingPrecision(h, previous)
            : VectorGaussian.FromNaturalNoCopy(h, p);
        if (!v.IsProper())
            throw State.Improper("the belief", sender.Def.Name, Node, i, "precision matrix not positive definite");
        Q[i] = v;
    }

    private static bool SameValues(Matrix<double> a, Matrix<double> b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a is not DenseMatrix da || b is not DenseMatrix db || a.RowCount != b.RowCount || a.ColumnCount != b.ColumnCount) return false;
        return da.Values.AsSpan().SequenceEqual(db.Values);
    }
}
