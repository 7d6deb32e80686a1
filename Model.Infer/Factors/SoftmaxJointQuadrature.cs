using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Engine;
using Probabilistic.Infer.Numerics;

namespace Probabilistic.Infer.Factors;

/// <summary>
/// <see cref="SoftmaxOperator.JointQuadrature"/> for one softmax group: q(W) is one Gaussian N(μ, Σ) over all K·n
/// weights (class-major). The rows' logits are then zᵢ ~ N(Mxᵢ, Vᵢ) with (Vᵢ)_kl = xᵢᵀΣ_kl xᵢ, and
/// S = Σ_members λ Σᵢ [cᵢᵀE zᵢ − E lse(zᵢ)] is computed by <see cref="SoftmaxBounds.ExpectedLogSumExp"/>. One update
/// moves the natural parameters toward the fixed point of the Gaussian-variational (NCVMP) equations,
/// Λ* = Λ₀ + Σ λ E[∇²lse(zᵢ)] ⊗ xᵢxᵢᵀ, h* = h₀ + Σ λ (cᵢ − E softmax(zᵢ) + E[∇²lse(zᵢ)] E zᵢ) ⊗ xᵢ, with Λ₀, h₀ the
/// other messages to W (the prior), halving the step until the bound S + E log N(W; Λ₀, h₀) + H[q] increases.
/// Each class receives the message that makes its belief the joint's marginal; the bound adds the entropy
/// correction H[q] − Σ_k H[q_k], since the engine sums the marginals' entropies.
/// </summary>
internal sealed class JointQuadrature
{
    private readonly List<SoftmaxFactor.Member> _members;
    private readonly int _k, _n;
    private readonly GaussianCubature _rule;
    private Vector<double>? _mean;
    private Matrix<double>? _cov;

    public JointQuadrature(List<SoftmaxFactor.Member> members)
    {
        _members = members.Where(m => m.Counts != null).ToList();
        _k = members[0].W.Count;
        _n = members[0].W.Dimension;
        _rule = GaussianCubature.For(_k);
    }

    private (Matrix<double> L0, Vector<double> H0) OtherMessages(FactorOperator self)
    {
        var w = _members.Count > 0 ? _members[0].W : null;
        int d = _k * _n;
        var l0 = Matrix<double>.Build.Dense(d, d);
        var h0 = Vector<double>.Build.Dense(d);
        if (w == null) return (l0, h0);
        var own = _members.Select(m => m.Edge).ToHashSet();
        foreach (var e in w.Edges)
        {
            if (own.Contains(e)) continue;
            for (int c = 0; c < _k; c++)
            {
                var msg = e.M[c];
                if (msg == null) continue;
                l0.SetSubMatrix(c * _n, c * _n, l0.SubMatrix(c * _n, _n, c * _n, _n) + msg.Precision);
                h0.SetSubVector(c * _n, _n, h0.SubVector(c * _n, _n) + msg.PrecisionTimesMean);
            }
        }
        return (l0, h0);
    }

    /// <summary>S(μ, Σ) and, when <paramref name="target"/> is set, the fixed-point natural parameters' likelihood part.</summary>
    private double Expected(Vector<double> mean, Matrix<double> cov, (Matrix<double> L, Vector<double> H)? target)
    {
        int k = _k, n = _n;
        double total = 0;
        var meanRows = new double[k][];
        for (int c = 0; c < k; c++) meanRows[c] = mean.SubVector(c * n, n).ToArray();
        foreach (var mem in _members)
        {
            int m = mem.Rows;
            var x = mem.X;
            var counts = mem.Counts!;
            double lambda = mem.Def.Power;
            var z = new double[m * k];
            var col = new double[m];
            for (int c = 0; c < k; c++)
            {
                DenseKernels.RowDots(x, m, n, meanRows[c], col);
                for (int i = 0; i < m; i++) z[i * k + c] = col[i];
            }
            var v = new double[m * k * k];
            for (int a = 0; a < k; a++)
                for (int b = a; b < k; b++)
                {
                    DenseKernels.QuadraticForms(x, m, n, cov.SubMatrix(a * n, n, b * n, n).ToRowMajorArray(), col);
                    for (int i = 0; i < m; i++) v[i * k * k + a * k + b] = v[i * k * k + b * k + a] = col[i];
                }
            var g = new double[m * k];
            var hess = new double[m * k * k];   // E[∇²lse] = 2∂/∂V
            double s = 0;
            for (int i = 0; i < m; i++)
            {
                var gi = g.AsSpan(i * k, k);
                var hi = hess.AsSpan(i * k * k, k * k);
                double e = SoftmaxBounds.ExpectedLogSumExp(z.AsSpan(i * k, k), v.AsSpan(i * k * k, k * k), _rule,
                    target != null ? gi : default, target != null ? hi : default);
                for (int c = 0; c < k; c++) s += counts[i * k + c] * z[i * k + c];
                s -= e;
            }
            total += lambda * s;
            if (target is not { } t) continue;
            var weights = new double[m];
            var gram = new double[n * n];
            for (int a = 0; a < k; a++)
                for (int b = a; b < k; b++)
                {
                    for (int i = 0; i < m; i++) weights[i] = lambda * 2 * hess[i * k * k + a * k + b];
                    DenseKernels.WeightedGram(x, m, n, weights, gram);
                    var block = Matrix<double>.Build.DenseOfRowMajor(n, n, gram);
                    t.L.SetSubMatrix(a * n, b * n, t.L.SubMatrix(a * n, n, b * n, n) + block);
                    if (b != a) t.L.SetSubMatrix(b * n, a * n, t.L.SubMatrix(b * n, n, a * n, n) + block);
                }
            var u = new double[m];
            var shift = new double[n];
            for (int a = 0; a < k; a++)
            {
                for (int i = 0; i < m; i++)
                {
                    double hz = 0;
                    for (int b = 0; b < k; b++) hz += 2 * hess[i * k * k + a * k + b] * z[i * k + b];
                    u[i] = lambda * (counts[i * k + a] - g[i * k + a] + hz);
                }
                DenseKernels.TransposeTimes(x, m, n, u, shift);
                for (int j = 0; j < n; j++) t.H[a * n + j] += shift[j];
            }
        }
        return total;
    }

    /// <summary>The bound up to a constant: S + h₀ᵀμ − ½tr(Λ₀(Σ + μμᵀ)) + ½ log det Σ.</summary>
    private double Objective(Vector<double> mean, Matrix<double> cov, double logDetCov, Matrix<double> l0, Vector<double> h0,
        (Matrix<double>, Vector<double>)? target) =>
        Expected(mean, cov, target) + h0.DotProduct(mean) - 0.5 * (l0.PointwiseMultiply(cov).Enumerate().Sum() + mean.DotProduct(l0 * mean))
        + 0.5 * logDetCov;

    public void Update(FactorOperator self)
    {
        var w = _members.Count > 0 ? _members[0].W : null;
        if (w == null) return;
        var (l0, h0) = OtherMessages(self);
        int d = _k * _n;
        if (_mean == null || _cov == null)
        {
            _mean = Vector<double>.Build.Dense(d);
            _cov = Matrix<double>.Build.Dense(d, d);
            for (int c = 0; c < _k; c++)
            {
                _mean.SetSubVector(c * _n, _n, w.Q[c].GetMean());
                _cov.SetSubMatrix(c * _n, c * _n, w.Q[c].GetVariance());
            }
        }
        var precision = _cov.Inverse();
        precision = 0.5 * (precision + precision.Transpose());
        var hCur = precision * _mean;
        var target = (L: l0.Clone(), H: h0.Clone());
        double current = Objective(_mean, _cov, _cov.Cholesky().DeterminantLn, l0, h0, target);
        double step = 1;
        for (int attempt = 0; attempt < 30; attempt++, step *= 0.5)
        {
            var lam = (1 - step) * precision + step * target.L;
            lam = 0.5 * (lam + lam.Transpose());
            var h = (1 - step) * hCur + step * target.H;
            MathNet.Numerics.LinearAlgebra.Factorization.Cholesky<double> chol;
            try { chol = lam.Cholesky(); } catch (ArgumentException) { continue; }
            var cov = chol.Solve(Matrix<double>.Build.DenseIdentity(d));
            cov = 0.5 * (cov + cov.Transpose());
            var mean = chol.Solve(h);
            double value = Objective(mean, cov, -chol.DeterminantLn, l0, h0, null);
            if (value >= current - 1e-12 * Math.Abs(current))
            {
                _mean = mean;
                _cov = cov;
                break;
            }
        }
        SendMarginals(w, l0, h0, self);
    }

    private void SendMarginals(VarState<VectorGaussian> w, Matrix<double> l0, Vector<double> h0, FactorOperator self)
    {
        var meanRows = Matrix<double>.Build.Dense(_k, _n, (c, j) => _mean![c * _n + j]);
        for (int c = 0; c < _k; c++)
        {
            var pk = _cov!.SubMatrix(c * _n, _n, c * _n, _n).Inverse();
            pk = 0.5 * (pk + pk.Transpose());
            var hk = pk * _mean!.SubVector(c * _n, _n);
            var msgP = pk - l0.SubMatrix(c * _n, _n, c * _n, _n);
            var msgH = hk - h0.SubVector(c * _n, _n);
            for (int i = 0; i < _members.Count; i++)
                _members[i].Edge.M[c] = i == 0 ? VectorGaussian.FromNaturalNoCopy(msgH, msgP) : VectorGaussian.Uniform(_n);
            w.Refresh(c, self);
        }
        foreach (var m in _members) m.SetScores(meanRows);
    }

    /// <summary>S at the current joint plus the entropy correction H[q] − Σ_k H[q_k].</summary>
    public double AverageLogFactor()
    {
        if (_mean == null || _cov == null) return 0;
        double correction = 0.5 * _cov.Cholesky().DeterminantLn;
        for (int c = 0; c < _k; c++) correction -= 0.5 * _cov.SubMatrix(c * _n, _n, c * _n, _n).Cholesky().DeterminantLn;
        return Expected(_mean, _cov, null) + correction;
    }
}
