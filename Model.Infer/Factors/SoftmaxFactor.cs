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
            new Node(null, x.Plate, softLabels ? Family.Output("Observation", "a soft-label observation") : Family.Output("Discrete")), new[] { weights, x }, x.Plate)
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
        if (w.Family is not (null or Family<VectorGaussian>) || w.IsObserved)
            throw new NotSupportedException($"{factor}: the weights '{w.Name}' are {(w.IsObserved ? "observed" : Describe(w))}; supported: an array of VectorGaussian random vectors.");
        RequireObservedVectors(factor, "vector", inputs[1]);
        RequireDimension(factor, w, inputs[1]);
    }

    /// <summary>One softmax factor's data and messages; updated by its <see cref="Group"/>.</summary>
    internal sealed class Member : FactorOperator, IGroupedOperator
    {
        public readonly VarState<VectorGaussian> W;
        public readonly EdgeState<VectorGaussian> Edge;
        private readonly double[] _x;
        private readonly int _m, _n, _k;
        private readonly double[]? _counts;      // m×K, null when the labels are not observed
        private readonly double[] _z, _psi, _g;  // m×K: E[z], the bound's ψ and softmax(ψ)
        private double[]? _gram;                 // XᵀX, shared by every class
        private double[]? _v, _a;                // m×K: Var[z] and Knowles–Minka's a (KnowlesMinka only)
        private readonly double[] _lse;          // m: lse(ψᵢ), set with ψ
        private bool _psiSet;
        private readonly double[] _col;          // m: one class's column of scores (scratch)
        private readonly VectorGaussian?[] _scored, _momented; // the beliefs E[z] (and Var[z]) were computed from
        private double[]? _means, _u, _shiftBase; // K×n, m×K, K×n scratch (Böhning)
        private Matrix<double>? _messagePrecision; // λA_kk XᵀX, the same every iteration (Böhning)
        private double[]? _kmPrecision, _kmShift, _kmGram; // m, m, n×n scratch (Knowles–Minka)

        /// <summary>Softmax factors on the same weight array are updated together.</summary>
        public object GroupKey => W;

        public FactorOperator CreateGroup(IReadOnlyList<FactorOperator> members) => new Group(members.Cast<Member>().ToList(), S);

        public double[] X => _x;
        public int Rows => _m;
        public double[]? Counts => _counts;

        public Member(SoftmaxFactor def, RunState s) : base(def, s)
        {
            if (s.IsEP) throw Unsupported("the softmax factor (use VariationalMessagePassing)");
            W = s.Find<VectorGaussian>(def.Inputs[0], def, "weights") ?? throw new ArgumentException($"{def.Name}: the weights must be random.");
            (_x, _m, _n) = InnerProductFactor.ObservedRows(def.Inputs[1], def.Name);
            _k = W.Count;
            if (_m != Count || _n != W.Dimension)
                throw new ArgumentException($"{def.Name}: x is {_m}×{_n}, expected {Count} rows of dimension {W.Dimension}.");
            if (_k < 2) throw new ArgumentException($"{def.Name}: needs at least 2 classes, got {_k}.");
            _counts = ReadCounts(def);
            Edge = W.AddEdge(this, isForward: false);
            for (int k = 0; k < _k; k++) Edge.M[k] = VectorGaussian.Uniform(_n);
            _z = new double[_m * _k];
            _psi = new double[_m * _k];
            _g = new double[_m * _k];
            _lse = new double[_m];
            _col = new double[_m];
            _scored = new VectorGaussian?[_k];
            _momented = new VectorGaussian?[_k];
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
            var q = W.Q[k];
            if (ReferenceEquals(_scored[k], q)) return;
            var mean = q.GetMean();
            DenseKernels.RowDots(_x, _m, _n, mean.AsArray() ?? mean.ToArray(), _col);
            for (int i = 0; i < _m; i++) _z[i * _k + k] = _col[i];
            _scored[k] = q;
        }

        /// <summary>Recomputes E[z] for every class whose belief changed, in one pass over X.</summary>
        private void RefreshAllScores()
        {
            bool stale = false;
            for (int k = 0; k < _k; k++) stale |= !ReferenceEquals(_scored[k], W.Q[k]);
            if (!stale) return;
            _means ??= new double[_k * _n];
            for (int k = 0; k < _k; k++)
            {
                var q = W.Q[k];
                q.GetMean().AsArray()!.AsSpan(0, _n).CopyTo(_means.AsSpan(k * _n, _n));
                _scored[k] = q;
            }
            DenseKernels.TimesTransposed(_x, _m, _n, _means, _k, _z);
        }

        /// <summary>Recomputes E[z] and Var[z] = xᵢᵀΣ_k xᵢ = ‖L⁻¹xᵢ‖² (Λ_k = LLᵀ, q(w_k)'s cached Cholesky factor) for class k
        /// from q(w_k) (nothing when q(w_k) is unchanged).</summary>
        public void RefreshMoments(int k)
        {
            RefreshScores(k);
            var q = W.Q[k];
            if (_v != null && ReferenceEquals(_momented[k], q)) return;
            _v ??= new double[_m * _k];
            var lower = q.GetCholesky("DiscreteFromLinearSoftmax").Factor.ToRowMajorArray();
            DenseKernels.InverseQuadraticForms(_x, _m, _n, lower, _col);
            for (int i = 0; i < _m; i++) _v[i * _k + k] = Math.Max(0, _col[i]);
            _momented[k] = q;
        }

        /// <summary>Knowles–Minka NCVMP message to w_k from the current E[z], Var[z]: per row, precision
        /// pᵢ = 2λ∂B/∂v_ik and shift λ(c_ik − ∂B/∂m_ik) + pᵢ E[z_ik]; to w_k, Xᵀdiag(p)X and Xᵀu.</summary>
        public void SendKnowlesMinka(int k)
        {
            if (_counts == null) { Edge.M[k] = VectorGaussian.Uniform(_n); return; }
            if (_a == null) { _a = new double[_m * _k]; Array.Fill(_a, 1.0 / _k); }
            double lambda = Def.Power;
            var p = _kmPrecision ??= new double[_m];
            var u = _kmShift ??= new double[_m];
            Span<double> gm = stackalloc double[_k], gv = stackalloc double[_k];
            for (int i = 0; i < _m; i++)
            {
                int o = i * _k;
                SoftmaxBounds.KnowlesMinka(_z.AsSpan(o, _k), _v.AsSpan(o, _k), _a.AsSpan(o, _k), gm, gv);
                p[i] = 2 * lambda * gv[k];
                u[i] = lambda * (_counts[o + k] - gm[k]) + p[i] * _z[o + k];
            }
            var prec = _kmGram ??= new double[_n * _n];   // copied by DenseOfRowMajor below
            DenseKernels.WeightedGram(_x, _m, _n, p, prec);
            var shift = new double[_n];
            DenseKernels.TransposeTimes(_x, _m, _n, u, shift);
            Edge.M[k] = VectorGaussian.FromNaturalNoCopy(Vector<double>.Build.Dense(shift), Matrix<double>.Build.DenseOfRowMajor(_n, _n, prec));
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
            RefreshAllScores();
            Array.Copy(_z, _psi, _z.Length);
            for (int i = 0; i < _m; i++) _lse[i] = Probabilistic.Core.Numerics.LogSumExp.Softmax(_psi.AsSpan(i * _k, _k), _g.AsSpan(i * _k, _k));
            _psiSet = true;
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

        /// <summary>The ψ-dependent part of the shifts, for every class k: Xᵀu_k with u_ik = λ(c_ik − g_ik + (Aψᵢ)_k), added
        /// into b (K×n, class-major); kept for <see cref="SendToClass"/>.</summary>
        public void AddJointShifts(Span<double> b)
        {
            if (_counts == null) return;
            _u ??= new double[_m * _k];
            _shiftBase ??= new double[_k * _n];
            double lambda = Def.Power;
            for (int i = 0; i < _m; i++)
            {
                int o = i * _k;
                double psiSum = 0;
                for (int j = 0; j < _k; j++) psiSum += _psi[o + j];
                for (int k = 0; k < _k; k++)
                    _u[o + k] = lambda * (_counts[o + k] - _g[o + k] + 0.5 * (_psi[o + k] - psiSum / _k));
            }
            DenseKernels.TransposeTimesMany(_x, _m, _n, _u, _k, _shiftBase);
            for (int j = 0; j < _k * _n; j++) b[j] += _shiftBase[j];
        }

        /// <summary>E[z] from given class means (row k of <paramref name="means"/> is m_k); the next read from the
        /// beliefs recomputes them.</summary>
        public void SetScores(Matrix<double> means)
        {
            for (int k = 0; k < _k; k++)
            {
                DenseKernels.RowDots(_x, _m, _n, means.Row(k).ToArray(), _col);
                for (int i = 0; i < _m; i++) _z[i * _k + k] = _col[i];
                _scored[k] = null;
                _momented[k] = null;
            }
        }

        /// <summary>Writes this factor's message to w_k on its edge, given every class mean (<paramref name="means"/>,
        /// K×n class-major, with <paramref name="meanSum"/> = Σ_j m_j): shift Xᵀu_k + (λ/2K)·XᵀX(Σ_{j≠k} m_j), since
        /// Σᵢ xᵢ Σ_{j≠k} E z_ij = XᵀX Σ_{j≠k} m_j; precision λA_kk XᵀX.</summary>
        public void SendToClass(int k, ReadOnlySpan<double> means, ReadOnlySpan<double> meanSum)
        {
            if (_counts == null) { Edge.M[k] = VectorGaussian.Uniform(_n); return; }
            double lambda = Def.Power, scale = lambda * 0.5 / _k;
            Span<double> others = _n <= 256 ? stackalloc double[_n] : new double[_n];
            for (int r = 0; r < _n; r++) others[r] = meanSum[r] - means[k * _n + r];
            var shift = new double[_n];
            for (int r = 0; r < _n; r++)
                shift[r] = _shiftBase![k * _n + r] + scale * DenseKernels.Dot(new ReadOnlySpan<double>(_gram, r * _n, _n), others);
            _messagePrecision ??= Matrix<double>.Build.DenseOfRowMajor(_n, _n, _gram!) * (lambda * Akk);
            Edge.M[k] = VectorGaussian.FromNaturalNoCopy(Vector<double>.Build.Dense(shift), _messagePrecision);
        }

        public override void UpdateForward(bool force) { }
        public override void UpdateBackward() => throw new InvalidOperationException("Softmax factors are updated by their group.");

        public override double AverageLogFactor()
        {
            if (_counts == null) return 0;
            if (S.Softmax == SoftmaxOperator.KnowlesMinka) return KnowlesMinkaAverageLogFactor();
            RefreshAllScores();
            double s = 0;
            Span<double> d = stackalloc double[_k];
            for (int i = 0; i < _m; i++)
            {
                int o = i * _k;
                double lse = _psiSet ? _lse[i] : Probabilistic.Core.Numerics.LogSumExp.Of(_psi.AsSpan(o, _k)), dSum = 0, term = 0;
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
            if (_gram == null) BeginSweep();
            double traces = 0;   // Σ_k tr(Σ_k XᵀX): both symmetric, so the column-major values pair with the row-major Gram
            for (int k = 0; k < _k; k++)
            {
                var cov = W.Q[k].VarianceReadOnly;
                traces += DenseKernels.Dot(cov.AsColumnMajorArray() ?? cov.ToColumnMajorArray(), _gram!);
            }
            return Def.Power * (s - 0.5 * Akk * traces);
        }


        public override object? OutputMarginal()
        {
            if (_counts != null || ((SoftmaxFactor)Def).SoftLabels) return null;
            RefreshAllScores();
            var result = new Discrete[_m];
            for (int i = 0; i < _m; i++) result[i] = Discrete.FromLogProbabilities(_z.AsSpan(i * _k, _k));
            return Def.Output.Plate == null ? result[0] : result;
        }
    }

    /// <summary>Updates all softmax factors on one weight array together (VMP coordinate ascent).</summary>
    internal sealed class Group : FactorOperator, IOperatorGroup
    {
        private readonly List<Member> _members;

        public Group(List<Member> members, RunState s) : base(members[0].Def, s) { _members = members; }

        public IReadOnlyList<Member> Members => _members;

        IEnumerable<FactorOperator> IOperatorGroup.Members => _members;

        public override void UpdateForward(bool force) { }

        private MathNet.Numerics.LinearAlgebra.Factorization.Cholesky<double>? _joint;
        private List<EdgeState<VectorGaussian>>? _others;   // the weights' edges from other factors (priors)

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
            if (_others == null)
            {
                var memberEdges = _members.Select(m => m.Edge).ToHashSet();
                _others = w.Edges.Where(e => !memberEdges.Contains(e)).ToList();
            }
            var others = _others;
            if (_joint == null)
            {
                var j = Matrix<double>.Build.Dense(k * n, k * n);
                for (int c = 0; c < k; c++)
                    foreach (var e in others)
                        if (e.M[c] != null) j.SetSubMatrix(c * n, c * n, j.SubMatrix(c * n, n, c * n, n) + e.M[c].Precision);
                foreach (var m in _members) m.AddJointPrecision(j);
                _joint = j.Cholesky();
            }
            var b = new double[k * n];
            for (int c = 0; c < k; c++)
            {
                var bc = b.AsSpan(c * n, n);
                foreach (var e in others)
                    if (e.M[c] != null)
                        for (int r = 0; r < n; r++) bc[r] += e.M[c].PrecisionTimesMean[r];
            }
            foreach (var m in _members) m.AddJointShifts(b);
            var solved = _joint.Solve(Vector<double>.Build.Dense(b));
            var means = solved.AsArray() ?? solved.ToArray();
            var meanSum = new double[n];
            for (int c = 0; c < k; c++)
                for (int r = 0; r < n; r++) meanSum[r] += means[c * n + r];
            for (int c = 0; c < k; c++)
            {
                foreach (var m in _members) m.SendToClass(c, means, meanSum);
                w.Refresh(c, this);
            }
        }

        private JointQuadrature? _joint2;

        private double[]? _kmDamping;           // per class: the damping d_c of the NCVMP messages (0: none)
        private Vector<double>?[]? _kmStep;      // per class: the last change of E[w_c]

        /// <summary>
        /// Class by class: every member's NCVMP message to w_k, the new belief, then its moments. NCVMP has no
        /// convergence guarantee and with many classes it can settle into a 2-cycle; damping, the standard remedy for
        /// non-convergent message passing, restores convergence. The messages are damped in natural parameters,
        /// m ← (1 − d)·m_new + d·m_old, which leaves the fixed points unchanged: with the engine's
        /// <see cref="InferenceEngine.Damping"/> when it is set, otherwise adaptively per class: d_c starts at 0 and is
        /// raised (0.5, 0.75, … up to 0.95) each time the step of E[w_c] reverses (cosine with the previous step
        /// below −0.5), the signature of the 2-cycle.
        /// </summary>
        private void UpdateKnowlesMinka()
        {
            var w = _members[0].W;
            int k = w.Count;
            _kmDamping ??= new double[k];
            _kmStep ??= new Vector<double>?[k];
            foreach (var m in _members)
                for (int c = 0; c < k; c++) m.RefreshMoments(c);
            for (int c = 0; c < k; c++)
            {
                double d = S.Damping > 0 ? S.Damping : _kmDamping[c];
                var before = w.Q[c].GetMean();
                foreach (var m in _members)
                {
                    var old = m.Edge.M[c];
                    m.SendKnowlesMinka(c);
                    if (d > 0 && old != null) m.Edge.M[c] = Damp(m.Edge.M[c], old, d);
                }
                w.Refresh(c, this);
                foreach (var m in _members) m.RefreshMoments(c);
                var step = w.Q[c].GetMean() - before;
                if (_kmStep[c] is { } last && S.Damping == 0)
                {
                    double norms = step.L2Norm() * last.L2Norm();
                    if (norms > 0 && step.DotProduct(last) < -0.5 * norms)
                        _kmDamping[c] = Math.Min(0.95, _kmDamping[c] == 0 ? 0.5 : 1 - 0.5 * (1 - _kmDamping[c]));
                }
                _kmStep[c] = step;
            }
        }

        /// <summary>(1 − d)·fresh + d·old in natural parameters.</summary>
        private static VectorGaussian Damp(VectorGaussian fresh, VectorGaussian old, double d) =>
            VectorGaussian.FromNaturalNoCopy(fresh.PrecisionTimesMean * (1 - d) + old.PrecisionTimesMean * d,
                fresh.Precision * (1 - d) + old.Precision * d);

        public override double AverageLogFactor() =>
            S.Softmax == SoftmaxOperator.JointQuadrature
                ? (_joint2 ??= new JointQuadrature(_members)).AverageLogFactor()
                : _members.Sum(m => m.AverageLogFactor());

        public override bool ReadsIncoming(Node input) => true;
    }
}
