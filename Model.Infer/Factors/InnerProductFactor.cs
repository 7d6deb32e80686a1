using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Engine;
using Probabilistic.Infer.Graph;
using Probabilistic.Infer.Numerics;

namespace Probabilistic.Infer.Factors;

/// <summary>
/// zᵢ = wᵀxᵢ for a VectorGaussian w shared by the plate and observed rows xᵢ (deterministic).
/// <list type="bullet">
/// <item>To zᵢ: the projection N(xᵢᵀm, xᵢᵀΣxᵢ) of q(w). Under EP it is divided by the site the factor sent to w
/// for row i (exact: the cavity of w projects to the projection divided by the site); under VMP it is the
/// projection itself (Infer.NET's InnerProductAverageLogarithm), which makes zᵢ a derived variable.</item>
/// <item>To w: Σᵢ of the rank-one messages exp(hᵢ xᵢᵀw − ½πᵢ(xᵢᵀw)²), where (hᵢ, πᵢ) is the product of the
/// messages zᵢ receives from its other factors: precision XᵀΛX by a blocked, two-thread SYRK (reused while Λ
/// is unchanged), shift Xᵀh. Identical under EP and VMP.</item>
/// <item>EP evidence ratio per row: log N(0; m_w − m_z, v_w + v_z) with the two cavities projected on z, plus
/// the cavities' log-normaliser gaps (computed in one dimension by the projection).</item>
/// </list>
/// </summary>
internal sealed class InnerProductFactor : FactorDef
{
    public InnerProductFactor(Node w, Node x)
        : base("InnerProduct", new Node(null, x.Plate, Family<Gaussian>.Instance), new[] { w, x }, x.Plate)
    {
    }

    internal override void Check(IReadOnlyList<Node> inputs, Node output)
    {
        var w = inputs[0].Resolve();
        if (w.Plate != null)
            throw new NotSupportedException($"InnerProduct: the weights '{w.Name}' are indexed by {w.Plate.Name}; supported: one VectorGaussian vector shared by the range (an array of weight vectors B over c only as InnerProduct(B[c], x[i]) with x over another range i, the scores of Softmax, or inside DiscreteFromLinearSoftmax).");
        if (w.Family is not (null or Family<VectorGaussian>) || w.IsObserved || w.IsConstant)
            throw new NotSupportedException($"InnerProduct: the weights '{w.Name}' are {(w.IsObserved || w.IsConstant ? "observed" : Describe(w))}; supported: a VectorGaussian random vector (with observed vectors as the other argument).");
        RequireObservedVectors("InnerProduct", "vector", inputs[1]);
        RequireDimension("InnerProduct", w, inputs[1]);
        if (output.IsObserved)
            throw new NotSupportedException($"InnerProduct: its result '{output.Name}' is observed; supported: observe a Gaussian of it (GaussianFromMeanAndPrecision(z, τ)).");
    }

    public override bool IsDeterministic => true;

    public override FactorOperator CreateOperator(RunState state) => new Operator(this, state);

    /// <summary>The observed vectors of <paramref name="node"/> as a row-major matrix (m rows).</summary>
    internal static (double[] Data, int Rows, int Columns) ObservedRows(Node node, string factor)
    {
        switch (node.Observed)
        {
            case RowMajorMatrix r: return (r.Data, r.Rows, r.Columns);
            case Vector<double> v: return (v.ToArray(), 1, v.Count);
            case Vector<double>[] rows:
                if (rows.Length == 0) return (Array.Empty<double>(), 0, 0);
                int n = rows[0].Count;
                var data = new double[rows.Length * n];
                for (int i = 0; i < rows.Length; i++)
                {
                    if (rows[i].Count != n) throw new ArgumentException($"{factor}: row {i} of '{node.Name}' has {rows[i].Count} entries, row 0 has {n}.");
                    for (int j = 0; j < n; j++) data[i * n + j] = rows[i][j];
                }
                return (data, rows.Length, n);
            default:
                throw new NotSupportedException($"{factor}: the vector argument '{node.Name}' must be observed (this engine supports inner products of a VectorGaussian with observed vectors).");
        }
    }

    private sealed class Operator : FactorOperator
    {
        private readonly VarState<VectorGaussian> _w;
        private readonly EdgeState<VectorGaussian> _wEdge;
        private readonly GaussianPort _z;
        private readonly double[] _x;
        private readonly int _m, _n;
        private readonly double[] _siteH, _sitePi, _projMean, _projVar;
        private double[]? _gramWeights, _gram;

        public Operator(InnerProductFactor def, RunState s) : base(def, s)
        {
            _w = s.Find<VectorGaussian>(def.Inputs[0], def, "weights") ?? throw new NotSupportedException($"{def.Name}: '{def.Inputs[0].Name}' must be a VectorGaussian random variable.");
            (_x, _m, _n) = ObservedRows(def.Inputs[1], def.Name);
            if (_m != Count) throw new ArgumentException($"{def.Name}: {_m} observed vectors for {Count} elements.");
            if (_n != _w.Dimension) throw new ArgumentException($"{def.Name}: vectors have {_n} entries but '{_w.Node.Name}' has dimension {_w.Dimension}.");
            _wEdge = _w.AddEdge(this, isForward: false);
            _wEdge.M[0] = VectorGaussian.Uniform(_n);
            if (s.Find(def.Output) == null) throw new NotSupportedException($"{def.Name}: observing an inner product directly is not supported; observe a Gaussian of it.");
            _z = new GaussianPort(s, this, def.Output, Count, isOutput: true);
            _siteH = new double[_m];
            _sitePi = new double[_m];
            _projMean = new double[_m];
            _projVar = new double[_m];
        }

        public override void UpdateForward(bool force)
        {
            if (!force && !S.ReadNodes.Contains(Def.Output)) return;
            var q = _w.Q[0];
            DenseKernels.RowDots(_x, _m, _n, q.GetMean().AsArray() ?? q.GetMean().ToArray(), _projMean);
            DenseKernels.QuadraticForms(_x, _m, _n, q.GetVariance().ToRowMajorArray(), _projVar);
            for (int i = 0; i < _m; i++)
            {
                double v = _projVar[i], mu = _projMean[i];
                Gaussian msg = v <= 0 ? Gaussian.PointMass(mu)
                    : S.IsEP ? Gaussian.FromNatural(mu / v - _siteH[i], 1 / v - _sitePi[i])
                    : Gaussian.FromNatural(mu / v, 1 / v);
                if (S.IsEP && msg.Precision < 0)
                    throw S.Improper("the message", Def.Name, Def.Output, i, $"cavity precision {msg.Precision:G6}");
                _z.Set(i, msg, damp: false);
            }
            _z.Commit();
        }

        public override void UpdateBackward()
        {
            var h = new double[_m];
            var pi = new double[_m];
            for (int i = 0; i < _m; i++)
            {
                var c = _z.FromOthers(i);
                if (c.IsPointMass) throw new NotSupportedException($"{Def.Name}: '{Def.Output.Name}' is observed; observe a Gaussian of it instead.");
                double d = S.IsEP ? S.Damping : 0;
                h[i] = (1 - d) * c.MeanTimesPrecision + d * _siteH[i];
                pi[i] = (1 - d) * c.Precision + d * _sitePi[i];
            }
            Array.Copy(h, _siteH, _m);
            Array.Copy(pi, _sitePi, _m);
            if (_gram == null || !pi.AsSpan().SequenceEqual(_gramWeights))
            {
                _gram ??= new double[_n * _n];
                DenseKernels.WeightedGram(_x, _m, _n, pi, _gram);
                _gramWeights = pi;
            }
            var shift = new double[_n];
            DenseKernels.TransposeTimes(_x, _m, _n, h, shift);
            _wEdge.M[0] = VectorGaussian.FromNaturalNoCopy(Vector<double>.Build.Dense(shift),
                Matrix<double>.Build.DenseOfRowMajor(_n, _n, _gram));
            _w.Refresh(0, this);
        }

        public override double LogEvidenceRatio()
        {
            if (_z.Var!.Predictive) return 0;
            double s = 0;
            for (int i = 0; i < _m; i++)
            {
                double v = _projVar[i], mu = _projMean[i];
                var cw = Gaussian.FromNatural(mu / v - _siteH[i], 1 / v - _sitePi[i]);
                var cz = _z.FromOthers(i);
                if (!(cz.Precision > 0)) continue;   // nothing observed downstream of this row
                double dm = cw.GetMean() - cz.GetMean(), vv = cw.GetVariance() + cz.GetVariance();
                s += -0.5 * (Math.Log(2 * Math.PI * vv) + dm * dm / vv)
                     + cw.GetLogNormalizer() - Gaussian.FromNatural(mu / v, 1 / v).GetLogNormalizer()
                     + cz.GetLogNormalizer() - _z.Belief(i).GetLogNormalizer();
            }
            return s;
        }

        public override double AverageLogFactor() => 0;
    }
}
