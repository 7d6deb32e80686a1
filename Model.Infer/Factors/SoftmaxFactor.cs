using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Engine;
using Probabilistic.Infer.Graph;
using Probabilistic.Infer.Numerics;

namespace Probabilistic.Infer.Factors;

/// <summary>
/// log p(c | z) = Σ_k c_k z_k − (Σ_k c_k) log Σ_k e^{z_k} with z_k = w_kᵀx and c a one-hot label or soft labels
/// (fractional counts), optionally tempered by λ. VMP only, with Böhning's quadratic bound
/// lse(z) ≤ lse(ψ) + (z − ψ)ᵀg(ψ) + ½(z − ψ)ᵀA(z − ψ), A = ½(I − 11ᵀ/K), g = softmax(ψ), ψ = E[z]
/// (Böhning 1992; chosen over Knowles–Minka's because A is fixed, so each class's message precision λA_kk XᵀX is
/// computed once). The posterior factorises over classes, q(W) = Π_k q(w_k); given ψ, all class means are
/// updated jointly to the exact maximiser of the bound (see <see cref="Group.UpdateBackward"/>).
/// <list type="bullet">
/// <item>To w_k: precision λA_kk XᵀX, shift Xᵀu with uᵢ = λ[c_ik − g_ik + (Aψᵢ)_k + (1/2K) Σ_{j≠k} E z_ij].</item>
/// <item>To an unobserved label: Discrete(softmax(E z)), the VMP message exp(E[log p]).</item>
/// <item>Bound term: λ Σᵢ [cᵢᵀE zᵢ − lse(ψᵢ) − (E zᵢ − ψᵢ)ᵀgᵢ − ½(E zᵢ − ψᵢ)ᵀA(E zᵢ − ψᵢ)] − ½λ Σ_k A_kk tr(Σ_k XᵀX).</item>
/// </list>
/// All softmax factors on the same weight array are updated together by one <see cref="Group"/>, so that each
/// class update combines every factor's message computed from the current beliefs.
/// </summary>
internal sealed class SoftmaxFactor : FactorDef
{
    public SoftmaxFactor(Node weights, Node x, bool softLabels)
        : base(softLabels ? "SoftLabelsSoftmax" : "DiscreteSoftmax",
            new Node(Variable.NewName(), x.Plate, softLabels ? DistKind.Observation : DistKind.Discrete), new[] { weights, x }, x.Plate)
    {
        SoftLabels = softLabels;
    }

    public bool SoftLabels { get; }

    public override FactorOperator CreateOperator(RunState state) => new Member(this, state);

    internal override void Check(IReadOnlyList<Node> inputs, Node output)
    {
        string factor = Kind == "SoftLabelsSoftmax" ? "SoftLabelsFromLinearSoftmax" : "DiscreteFromLinearSoftmax";
        var w = inputs[0].Resolve();
        if (w.Plate == null)
            throw new ArgumentException($"{factor}: the weights '{w.Name}' must be an array of VectorGaussian weight vectors over the class range.");
        if (w.Kind is not (DistKind.None or DistKind.VectorGaussian) || w.IsObserved)
            throw new NotSupportedException($"{factor}: the weights '{w.Name}' are {(w.IsObserved ? "observed" : Family(w))}; supported: an array of VectorGaussian random vectors.");
        RequireObservedVectors(factor, "vector", inputs[1]);
        RequireDimension(factor, w, inputs[1]);
    }

    /// <summary>One softmax factor's data and messages; updated by its <see cref="Group"/>.</summary>
    internal sealed class Member : FactorOperator
    {
        public readonly VarState W;
        public readonly EdgeState Edge;
        private readonly double[] _x;
        private readonly int _m, _n, _k;
        private readonly double[]? _counts;      // m×K, null when the labels are not observed
        private readonly double[] _z, _psi, _g;  // m×K: E[z], the bound's ψ and softmax(ψ)
        private double[]? _gram;                 // XᵀX, shared by every class
        private double[]? _v, _a;                // m×K: Var[z] and Knowles–Minka's a (KnowlesMinka only)

        public double[] X => _x;
        public int Rows => _m;
        public double[]? Counts => _counts;

        public Member(SoftmaxFactor def, RunState s) : base(def, s)
        {
            if (s.IsEP) throw Unsupported("the softmax factor (use VariationalMessagePassing)");
            W = s.Find(def.Inputs[0]) ?? throw new ArgumentException($"{def.Name}: the weights must be random.");
            if (W.Kind != DistKind.VectorGaussian) throw new ArgumentException($"{def.Name}: the weights must be VectorGaussian-distributed.");
            (_x, _m, _n) = InnerProductFactor.ObservedRows(def.Inputs[1], def.Name);
            _k = W.Count;
            if (_m != Count || _n != W.Dimension)
                throw new ArgumentException($"{def.Name}: x is {_m}×{_n}, expected {Count} rows of dimension {W.Dimension}.");
            if (_k < 2) throw new ArgumentException($"{def.Name}: needs at least 2 classes, got {_k}.");
            _counts = ReadCounts(def);
            Edge = W.AddEdge(this, isForward: false);
            for (int k = 0; k < _k; k++) Edge.V![k] = VectorGaussian.Uniform(_n);
            _z = new double[_m * _k];
            _psi = new double[_m * _k];
            _g = new double[_m * _k];
        }

        private double[]? ReadCounts(SoftmaxFactor def)
        {
            var c = new double[_m * _k];
            switch (def.Output.Observed)
            {
                case null: return null;
                case int[] labels when labels.Length == _m:
                    for (int i = 0; i < _m; i++)
                    {
                        if ((uint)labels[i] >= (uint)_k) throw new ArgumentException($"{def.Name}: label {labels[i]} of object {i} is outside [0, {_k}).");
                        c[i * _k + labels[i]] = 1;
                    }
                    return c;
                case Vector<double>[] soft when soft.Length == _m:
                    for (int i = 0; i < _m; i++)
                    {
                        if (soft[i].Count != _k) throw new ArgumentException($"{def.Name}: soft label {i} has {soft[i].Count} entries, expected {_k}.");
                        for (int k = 0; k < _k; k++) c[i * _k + k] = soft[i][k];
                    }
                    CheckSoftRows(def, c);
                    return c;
                case RowMajorMatrix rows when rows.Rows == _m:
                    if (rows.Columns != _k) throw new ArgumentException($"{def.Name}: soft labels have {rows.Columns} columns, expected {_k}.");
                    Array.Copy(rows.Data, c, c.Length);
                    CheckSoftRows(def, c);
                    return c;
                default:
                    throw new ArgumentException($"{def.Name}: observed value of '{def.Output.Name}' must be int[{_m}] labels or {_m} soft labels (Vector<double>[] or ObserveRows).");
            }
        }

        /// <summary>Each soft label is a probability vector: entries ≥ 0 summing to 1 (to 1e-6).</summary>
        private void CheckSoftRows(SoftmaxFactor def, double[] c)
        {
            for (int i = 0; i < _m; i++)
            {
                double sum = 0;
                for (int k = 0; k < _k; k++)
                {
                    if (!(c[i * _k + k] >= 0)) throw new ArgumentException($"{def.Name}: soft label {i} has a negative entry {c[i * _k + k]}.");
                    sum += c[i * _k + k];
                }
                if (Math.Abs(sum - 1) > 1e-6) throw new ArgumentException($"{def.Name}: soft label {i} sums to {sum}, expected 1.");
            }
        }

        private double Akk => 0.5 * (1 - 1.0 / _k);

        /// <summary>Recomputes E[z] for class k from q(w_k).</summary>
        public void RefreshScores(int k)
        {
            var mean = W.V![k].GetMean();
            var col = new double[_m];
            DenseKernels.RowDots(_x, _m, _n, mean.AsArray() ?? mean.ToArray(), col);
            for (int i = 0; i < _m; i++) _z[i * _k + k] = col[i];
        }

        /// <summary>Recomputes E[z] and Var[z] = xᵢᵀΣ_k xᵢ for class k from q(w_k).</summary>
        public void RefreshMoments(int k)
        {
            RefreshScores(k);
            _v ??= new double[_m * _k];
            var cov = W.V![k].GetVariance();
            var col = new double[_m];
            DenseKernels.QuadraticForms(_x, _m, _n, cov.ToRowMajorArray(), col);
            for (int i = 0; i < _m; i++) _v[i * _k + k] = Math.Max(0, col[i]);
        }

        /// <summary>Knowles–Minka NCVMP message to w_k from the current E[z], Var[z]: per row, precision
        /// pᵢ = 2λ∂B/∂v_ik and shift λ(c_ik − ∂B/∂m_ik) + pᵢ E[z_ik]; to w_k, Xᵀdiag(p)X and Xᵀu.</summary>
        public void SendKnowlesMinka(int k)
        {
            if (_counts == null) { Edge.V![k] = VectorGaussian.Uniform(_n); return; }
            if (_a == null) { _a = new double[_m * _k]; Array.Fill(_a, 1.0 / _k); }
            double lambda = Def.Power;
            var p = new double[_m];
            var u = new double[_m];
            Span<double> gm = stackalloc double[_k], gv = stackalloc double[_k];
            for (int i = 0; i < _m; i++)
            {
                int o = i * _k;
                SoftmaxBounds.KnowlesMinka(_z.AsSpan(o, _k), _v.AsSpan(o, _k), _a.AsSpan(o, _k), gm, gv);
                p[i] = 2 * lambda * gv[k];
                u[i] = lambda * (_counts[o + k] - gm[k]) + p[i] * _z[o + k];
            }
            var prec = new double[_n * _n];
            DenseKernels.WeightedGram(_x, _m, _n, p, prec);
            var shift = new double[_n];
            DenseKernels.TransposeTimes(_x, _m, _n, u, shift);
            Edge.V![k] = VectorGaussian.FromNaturalNoCopy(Vector<double>.Build.Dense(shift), Matrix<double>.Build.DenseOfRowMajor(_n, _n, prec));
        }

        /// <summary>λ Σᵢ [cᵢᵀE zᵢ − KM(E zᵢ, Var zᵢ)].</summary>
        private double KnowlesMinkaAverageLogFactor()
        {
            for (int k = 0; k < _k; k++) RefreshMoments(k);
            if (_a == null) { _a = new double[_m * _k]; Array.Fill(_a, 1.0 / _k); }
            double s = 0;
            for (int i = 0; i < _m; i++)
            {
                int o = i * _k;
                double b = SoftmaxBounds.KnowlesMinka(_z.AsSpan(o, _k), _v.AsSpan(o, _k), _a.AsSpan(o, _k), default, default);
                for (int k = 0; k < _k; k++) s += _counts![o + k] * _z[o + k];
                s -= b;
            }
            return Def.Power * s;
        }

        /// <summary>Sets ψ = E[z] (the optimal bound parameter) and g = softmax(ψ).</summary>
        public void BeginSweep()
        {
            for (int k = 0; k < _k; k++) RefreshScores(k);
            Array.Copy(_z, _psi, _z.Length);
            for (int i = 0; i < _m; i++) Probabilistic.Core.Numerics.LogSumExp.Softmax(_psi.AsSpan(i * _k, _k), _g.AsSpan(i * _k, _k));
            if (_gram == null)
            {
                _gram = new double[_n * _n];
                var ones = new double[_m];
                Array.Fill(ones, 1.0);
                DenseKernels.WeightedGram(_x, _m, _n, ones, _gram);
            }
        }

        /// <summary>λ·A ⊗ XᵀX added into the joint precision J (Kn×Kn, class-major blocks).</summary>
        public void AddJointPrecision(Matrix<double> j)
        {
            if (_counts == null) return;
            for (int k = 0; k < _k; k++)
                for (int l = 0; l < _k; l++)
                {
                    double a = Def.Power * 0.5 * ((k == l ? 1 : 0) - 1.0 / _k);
                    for (int r = 0; r < _n; r++)
                        for (int c = 0; c < _n; c++) j[k * _n + r, l * _n + c] += a * _gram![r * _n + c];
                }
        }

        /// <summary>The ψ-dependent part of the shift to class k: Xᵀu, uᵢ = λ(c_ik − g_ik + (Aψᵢ)_k), added into b.</summary>
        public void AddJointShift(int k, Span<double> b)
        {
            if (_counts == null) return;
            var u = new double[_m];
            for (int i = 0; i < _m; i++)
            {
                int o = i * _k;
                double psiSum = 0;
                for (int j = 0; j < _k; j++) psiSum += _psi[o + j];
                u[i] = Def.Power * (_counts[o + k] - _g[o + k] + 0.5 * (_psi[o + k] - psiSum / _k));
            }
            var shift = new double[_n];
            DenseKernels.TransposeTimes(_x, _m, _n, u, shift);
            for (int j = 0; j < _n; j++) b[j] += shift[j];
        }

        /// <summary>E[z] from given class means (row k of <paramref name="means"/> is m_k).</summary>
        public void SetScores(Matrix<double> means)
        {
            for (int k = 0; k < _k; k++)
            {
                var col = new double[_m];
                DenseKernels.RowDots(_x, _m, _n, means.Row(k).ToArray(), col);
                for (int i = 0; i < _m; i++) _z[i * _k + k] = col[i];
            }
        }

        /// <summary>Writes this factor's message to w_k on its edge.</summary>
        public void SendToClass(int k)
        {
            if (_counts == null) { Edge.V![k] = VectorGaussian.Uniform(_n); return; }
            double lambda = Def.Power, invTwoK = 0.5 / _k;
            var u = new double[_m];
            for (int i = 0; i < _m; i++)
            {
                int o = i * _k;
                double psiSum = 0, zOthers = 0;
                for (int j = 0; j < _k; j++) { psiSum += _psi[o + j]; if (j != k) zOthers += _z[o + j]; }
                double aPsi = 0.5 * (_psi[o + k] - psiSum / _k);
                u[i] = lambda * (_counts[o + k] - _g[o + k] + aPsi + invTwoK * zOthers);
            }
            var shift = new double[_n];
            DenseKernels.TransposeTimes(_x, _m, _n, u, shift);
            var p = Matrix<double>.Build.DenseOfRowMajor(_n, _n, _gram!) * (lambda * Akk);
            Edge.V![k] = VectorGaussian.FromNaturalNoCopy(Vector<double>.Build.Dense(shift), p);
        }

        public override void UpdateForward(bool force) { }
        public override void UpdateBackward() => throw new InvalidOperationException("Softmax factors are updated by their group.");

        public override double AverageLogFactor()
        {
            if (_counts == null) return 0;
            if (S.Softmax == SoftmaxOperator.KnowlesMinka) return KnowlesMinkaAverageLogFactor();
            BeginScoresOnly();
            double s = 0;
            Span<double> d = stackalloc double[_k];
            for (int i = 0; i < _m; i++)
            {
                int o = i * _k;
                double lse = Probabilistic.Core.Numerics.LogSumExp.Of(_psi.AsSpan(o, _k)), dSum = 0, term = 0;
                for (int k = 0; k < _k; k++)
                {
                    d[k] = _z[o + k] - _psi[o + k];
                    dSum += d[k];
                    term += _counts[o + k] * _z[o + k] - d[k] * _g[o + k];
                }
                double quad = 0;
                for (int k = 0; k < _k; k++) quad += d[k] * d[k];
                quad = 0.5 * (quad - dSum * dSum / _k);   // dᵀAd
                s += term - lse - 0.5 * quad;
            }
            double traces = 0;
            var gram = Matrix<double>.Build.DenseOfRowMajor(_n, _n, _gram!);
            for (int k = 0; k < _k; k++) traces += W.V![k].GetVariance().PointwiseMultiply(gram).Enumerate().Sum();
            return Def.Power * (s - 0.5 * Akk * traces);
        }

        private void BeginScoresOnly()
        {
            for (int k = 0; k < _k; k++) RefreshScores(k);
        }

        public override object? OutputMarginal()
        {
            if (_counts != null || ((SoftmaxFactor)Def).SoftLabels) return null;
            BeginScoresOnly();
            var result = new Discrete[_m];
            for (int i = 0; i < _m; i++) result[i] = Discrete.FromLogProbabilities(_z.AsSpan(i * _k, _k));
            return Def.Output.Plate == null ? result[0] : result;
        }
    }

    /// <summary>Updates all softmax factors on one weight array together (VMP coordinate ascent).</summary>
    internal sealed class Group : FactorOperator
    {
        private readonly List<Member> _members;

        public Group(List<Member> members, RunState s) : base(members[0].Def, s) { _members = members; }

        public IReadOnlyList<Member> Members => _members;

        public override void UpdateForward(bool force) { }

        private MathNet.Numerics.LinearAlgebra.Factorization.Cholesky<double>? _joint;

        /// <summary>
        /// One VMP step: ψ ← E[z] (optimal for the bound), then all class means at once. Given ψ the bound is a
        /// concave quadratic in the means with the fixed Hessian J = blockdiag(prior precisions) + Σ λ A ⊗ XᵀX, so
        /// the class-by-class updates have a fixed point J·m = b that is solved directly (J is factorised once);
        /// the messages are then the class-by-class messages at that fixed point, whose product is exactly it.
        /// This is the block-coordinate maximum over all means; sweeping class by class reaches it only slowly,
        /// because adding one vector to every w_k leaves the softmax unchanged.
        /// </summary>
        public override void UpdateBackward()
        {
            switch (S.Softmax)
            {
                case SoftmaxOperator.KnowlesMinka: UpdateKnowlesMinka(); return;
                case SoftmaxOperator.JointQuadrature: _joint2 ??= new JointQuadrature(_members); _joint2.Update(this); return;
            }
            foreach (var m in _members) m.BeginSweep();
            var w = _members[0].W;
            int k = w.Count, n = w.Dimension;
            var memberEdges = _members.Select(m => m.Edge).ToHashSet();
            var others = w.Edges.Where(e => !memberEdges.Contains(e)).ToList();
            if (_joint == null)
            {
                var j = Matrix<double>.Build.Dense(k * n, k * n);
                for (int c = 0; c < k; c++)
                    foreach (var e in others)
                        if (e.V![c] != null) j.SetSubMatrix(c * n, c * n, j.SubMatrix(c * n, n, c * n, n) + e.V[c].Precision);
                foreach (var m in _members) m.AddJointPrecision(j);
                _joint = j.Cholesky();
            }
            var b = new double[k * n];
            for (int c = 0; c < k; c++)
            {
                var bc = b.AsSpan(c * n, n);
                foreach (var e in others)
                    if (e.V![c] != null)
                        for (int r = 0; r < n; r++) bc[r] += e.V[c].PrecisionTimesMean[r];
                foreach (var m in _members) m.AddJointShift(c, bc);
            }
            var means = _joint.Solve(Vector<double>.Build.Dense(b));
            var meanRows = Matrix<double>.Build.Dense(k, n, (c, r) => means[c * n + r]);
            foreach (var m in _members) m.SetScores(meanRows);
            for (int c = 0; c < k; c++)
            {
                foreach (var m in _members) m.SendToClass(c);
                w.Refresh(c, this);
            }
        }

        private JointQuadrature? _joint2;

        /// <summary>Class by class: every member's NCVMP message to w_k, the new belief, then its moments.</summary>
        private void UpdateKnowlesMinka()
        {
            var w = _members[0].W;
            foreach (var m in _members)
                for (int c = 0; c < w.Count; c++) m.RefreshMoments(c);
            for (int c = 0; c < w.Count; c++)
            {
                foreach (var m in _members) m.SendKnowlesMinka(c);
                w.Refresh(c, this);
                foreach (var m in _members) m.RefreshMoments(c);
            }
        }

        public override double AverageLogFactor() =>
            S.Softmax == SoftmaxOperator.JointQuadrature
                ? (_joint2 ??= new JointQuadrature(_members)).AverageLogFactor()
                : _members.Sum(m => m.AverageLogFactor());

        public override bool ReadsIncoming(Node input) => true;
    }
}
