using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Numerics;
using Probabilistic.Core.Random;

namespace Probabilistic.Infer.Factors;

/// <summary>
/// How <see cref="Graph.InferenceEngine"/> treats E_q[log Σ_k e^{z_k}] in a softmax factor under VMP (chosen per
/// engine, as Infer.NET's <c>GivePriorityTo</c> chooses an operator).
/// </summary>
public enum SoftmaxOperator
{
    /// <summary>Böhning's quadratic bound (1992) with q(W) = Π_k q(w_k): fixed curvature ½(I − 11ᵀ/K), the fastest
    /// and the loosest (<see cref="SoftmaxBounds.Bohning"/>).</summary>
    Bohning,

    /// <summary>Knowles and Minka's (2011) bound with q(W) = Π_k q(w_k), NCVMP messages (Infer.NET's default VMP softmax
    /// operator; <see cref="SoftmaxBounds.KnowlesMinka"/>).</summary>
    KnowlesMinka,

    /// <summary>No bound: the expectation E_q[lse(z)] itself by a Gaussian quadrature rule
    /// (<see cref="SoftmaxBounds.ExpectedLogSumExp"/>), with one joint Gaussian q(W) over all classes (the classes
    /// are strongly correlated a posteriori because lse is invariant to a common shift). Updated by the fixed point
    /// of the NCVMP / Gaussian-variational equations with a step halved until the bound increases. The tightest; the
    /// default.</summary>
    JointQuadrature,
}

/// <summary>
/// The softmax factor's operator mathematics as pure functions of the per-row logits z ∈ R^K: each returns an upper
/// bound on (or the value of) E[lse(z)], lse(z) = log Σ_k e^{z_k}, for z Gaussian, and its gradient with respect to
/// the moments. A VMP message to z follows from the gradient (non-conjugate VMP, Knowles and Minka 2011): for
/// S = E[log f], precision −2∂S/∂v and precision-times-mean ∂S/∂m − 2(∂S/∂v)·m.
/// </summary>
public static class SoftmaxBounds
{
    private static void CheckSizes(string method, ReadOnlySpan<double> mean, ReadOnlySpan<double> variance, Span<double> gradMean, Span<double> gradVariance)
    {
        int k = mean.Length;
        if (k < 1) throw new ArgumentException($"SoftmaxBounds.{method}: needs at least one logit.");
        if (variance.Length != k) throw new ArgumentException($"SoftmaxBounds.{method}: variance has {variance.Length} entries, mean has {k}.");
        if (!gradMean.IsEmpty && gradMean.Length != k || !gradVariance.IsEmpty && gradVariance.Length != k)
            throw new ArgumentException($"SoftmaxBounds.{method}: gradient spans must be empty or of length {k}.");
        foreach (var v in variance)
            if (!(v >= 0)) throw new ArgumentException($"SoftmaxBounds.{method}: variances must be >= 0, got {v}.");
    }

    /// <summary>
    /// Böhning's bound for independent z_k ~ N(m_k, v_k), expanded at ψ:
    /// E[lse(z)] ≤ lse(ψ) + (m − ψ)ᵀg + ½(m − ψ)ᵀA(m − ψ) + ½ Σ_k A_kk v_k, g = softmax(ψ), A = ½(I − 11ᵀ/K).
    /// Gradients (optional, empty to skip): ∂/∂m = g + A(m − ψ), ∂/∂v_k = ½A_kk.
    /// </summary>
    public static double Bohning(ReadOnlySpan<double> mean, ReadOnlySpan<double> variance, ReadOnlySpan<double> psi,
        Span<double> gradMean, Span<double> gradVariance)
    {
        CheckSizes(nameof(Bohning), mean, variance, gradMean, gradVariance);
        int k = mean.Length;
        if (psi.Length != k) throw new ArgumentException($"SoftmaxBounds.Bohning: psi has {psi.Length} entries, expected {k}.");
        Span<double> g = k <= 64 ? stackalloc double[k] : new double[k];
        double lse = LogSumExp.Softmax(psi, g);
        double dSum = 0, lin = 0, sq = 0, vSum = 0;
        for (int j = 0; j < k; j++)
        {
            double d = mean[j] - psi[j];
            dSum += d; lin += d * g[j]; sq += d * d; vSum += variance[j];
        }
        double akk = 0.5 * (1 - 1.0 / k);
        double value = lse + lin + 0.25 * (sq - dSum * dSum / k) + 0.5 * akk * vSum;
        if (!gradMean.IsEmpty)
            for (int j = 0; j < k; j++) gradMean[j] = g[j] + 0.5 * (mean[j] - psi[j] - dSum / k);
        if (!gradVariance.IsEmpty) gradVariance.Fill(0.5 * akk);
        return value;
    }

    /// <summary>
    /// Knowles and Minka's (2011) bound for independent z_k ~ N(m_k, v_k): for any a ∈ R^K (Jensen's inequality on
    /// lse(z) = aᵀz + log Σ_k e^{z_k − aᵀz}),
    /// E[lse(z)] ≤ ½ Σ_k a_k² v_k + log Σ_k exp(m_k + (1 − 2a_k) v_k / 2),
    /// minimised over a, whose optimum is the fixed point a = softmax(m + (1 − 2a)∘v/2) (the bound is convex in a;
    /// solved by Newton steps, O(K) each by Sherman–Morrison, with step halving). <paramref name="a"/> is the starting point (e.g. the previous solution; all zeros
    /// or 1/K if none) and returns the optimum. Gradients at that a (optional): ∂/∂m_k = s_k,
    /// ∂/∂v_k = ½a_k² + ½(1 − 2a_k)s_k with s = softmax(m + (1 − 2a)∘v/2); at the optimum s = a and ∂/∂v_k = ½a_k(1 − a_k).
    /// </summary>
    public static double KnowlesMinka(ReadOnlySpan<double> mean, ReadOnlySpan<double> variance, Span<double> a,
        Span<double> gradMean, Span<double> gradVariance)
    {
        CheckSizes(nameof(KnowlesMinka), mean, variance, gradMean, gradVariance);
        int k = mean.Length;
        if (a.Length != k) throw new ArgumentException($"SoftmaxBounds.KnowlesMinka: a has {a.Length} entries, expected {k}.");
        Span<double> t = k <= 64 ? stackalloc double[k] : new double[k];
        Span<double> s = k <= 64 ? stackalloc double[k] : new double[k];
        double value = KmEvaluate(mean, variance, a, t, s), step = 1, decrease = 0;
        Span<double> trial = k <= 64 ? stackalloc double[k] : new double[k];
        Span<double> sTrial = k <= 64 ? stackalloc double[k] : new double[k];
        Span<double> d = k <= 64 ? stackalloc double[k] : new double[k];
        for (int it = 0; it < 500; it++)
        {
            double change = 0;
            for (int j = 0; j < k; j++) change = Math.Max(change, Math.Abs(s[j] - a[j]));
            if (change < 1e-11) break;
            if (step == 1)
            {
                // Newton direction on the convex bound: gradient V(a − s), Hessian V + V(diag s − ssᵀ)V with V = diag(v),
                // so d = (I + (diag s − ssᵀ)V)⁻¹(s − a), solved in O(K) by Sherman–Morrison around P = I + diag(s)V.
                double num = 0, den = 1;
                for (int j = 0; j < k; j++)
                {
                    double p = 1 + s[j] * variance[j], r = (s[j] - a[j]) / p;
                    d[j] = r;
                    num += variance[j] * s[j] * r;
                    den -= variance[j] * s[j] * s[j] / p;
                }
                double c = num / den;
                decrease = 0;
                for (int j = 0; j < k; j++) { d[j] += c * s[j] / (1 + s[j] * variance[j]); decrease += variance[j] * (s[j] - a[j]) * d[j]; }
            }
            for (int j = 0; j < k; j++) trial[j] = a[j] + step * d[j];
            double vTrial = KmEvaluate(mean, variance, trial, t, sTrial);
            // Accept a descent, or a full Newton step whose predicted decrease is below the rounding of the value
            // (there the comparison is noise and the step is in the quadratic region).
            if (vTrial <= value || step == 1 && decrease <= 1e-14 * (1 + Math.Abs(value))) { trial.CopyTo(a); sTrial.CopyTo(s); value = vTrial; step = 1; }
            else { step *= 0.5; if (step < 1e-8) break; }
        }
        if (!gradMean.IsEmpty) s.CopyTo(gradMean);
        if (!gradVariance.IsEmpty)
            for (int j = 0; j < k; j++) gradVariance[j] = 0.5 * a[j] * a[j] + 0.5 * (1 - 2 * a[j]) * s[j];
        return value;
    }

    private static double KmEvaluate(ReadOnlySpan<double> mean, ReadOnlySpan<double> variance, ReadOnlySpan<double> a, Span<double> t, Span<double> s)
    {
        double quad = 0;
        for (int j = 0; j < mean.Length; j++) { t[j] = mean[j] + 0.5 * (1 - 2 * a[j]) * variance[j]; quad += a[j] * a[j] * variance[j]; }
        return 0.5 * quad + LogSumExp.Softmax(t, s);
    }

    /// <summary>
    /// E[lse(z)] for z ~ N(mean, covariance) (K×K row-major, positive semi-definite) by the cubature
    /// <paramref name="rule"/>: z = mean + Lε over its points ε, with L the Cholesky factor. Gradients (optional, empty to
    /// skip): ∂/∂mean = E[softmax(z)] and ∂/∂Σ = ½E[∇²lse(z)] = ½E[diag(s) − ssᵀ] (Price's theorem), K×K row-major.
    /// </summary>
    public static double ExpectedLogSumExp(ReadOnlySpan<double> mean, ReadOnlySpan<double> covariance, GaussianCubature rule,
        Span<double> gradMean, Span<double> gradCovariance)
    {
        int k = mean.Length;
        if (k < 1 || covariance.Length != k * k) throw new ArgumentException($"SoftmaxBounds.ExpectedLogSumExp: covariance has {covariance.Length} entries, expected {k}×{k}.");
        if (rule.Dimension != k) throw new ArgumentException($"SoftmaxBounds.ExpectedLogSumExp: the rule is for dimension {rule.Dimension}, the logits have {k}.");
        if (!gradMean.IsEmpty && gradMean.Length != k || !gradCovariance.IsEmpty && gradCovariance.Length != k * k)
            throw new ArgumentException($"SoftmaxBounds.ExpectedLogSumExp: gradient spans must be empty or of lengths {k} and {k * k}.");
        Span<double> l = k <= 16 ? stackalloc double[k * k] : new double[k * k];
        CholeskySemiDefinite(covariance, k, l);
        Span<double> z = k <= 64 ? stackalloc double[k] : new double[k];
        Span<double> s = k <= 64 ? stackalloc double[k] : new double[k];
        bool gm = !gradMean.IsEmpty, gc = !gradCovariance.IsEmpty;
        if (gm) gradMean.Clear();
        if (gc) gradCovariance.Clear();
        double value = 0;
        var points = rule.Points;
        for (int p = 0; p < rule.Count; p++)
        {
            var eps = points.Slice(p * k, k);
            for (int r = 0; r < k; r++)
            {
                double acc = mean[r];
                for (int c = 0; c <= r; c++) acc += l[r * k + c] * eps[c];
                z[r] = acc;
            }
            double w = rule.Weights[p];
            value += w * (gm || gc ? LogSumExp.Softmax(z, s) : LogSumExp.Of(z));
            if (gm) for (int r = 0; r < k; r++) gradMean[r] += w * s[r];
            if (gc)
                for (int r = 0; r < k; r++)
                {
                    double ws = 0.5 * w * s[r];
                    gradCovariance[r * k + r] += ws;
                    for (int c = 0; c < k; c++) gradCovariance[r * k + c] -= ws * s[c];
                }
        }
        return value;
    }

    /// <summary>Lower-triangular L with LLᵀ = S for a positive semi-definite S (a non-positive pivot gives a zero column).</summary>
    private static void CholeskySemiDefinite(ReadOnlySpan<double> s, int k, Span<double> l)
    {
        l.Clear();
        for (int j = 0; j < k; j++)
        {
            double d = s[j * k + j];
            for (int c = 0; c < j; c++) d -= l[j * k + c] * l[j * k + c];
            if (!(d > 1e-14 * Math.Max(1, s[j * k + j]))) continue;
            double ljj = Math.Sqrt(d);
            l[j * k + j] = ljj;
            for (int r = j + 1; r < k; r++)
            {
                double acc = s[r * k + j];
                for (int c = 0; c < j; c++) acc -= l[r * k + c] * l[j * k + c];
                l[r * k + j] = acc / ljj;
            }
        }
    }
}

/// <summary>
/// A cubature rule for expectations under the standard normal N(0, I_K): points ε_p (row-major Count×K) and weights
/// summing to 1. <see cref="For"/> gives the tensor product of probabilists' Gauss–Hermite rules when the order it
/// affords within the point budget is at least 5 (K ≤ 4 at the default budget of 1024), otherwise seeded Monte Carlo
/// points in antithetic pairs with equal weights.
/// </summary>
public sealed class GaussianCubature
{
    private readonly double[] _points, _weights;

    private GaussianCubature(int dimension, double[] points, double[] weights, bool isGaussHermite)
    {
        Dimension = dimension;
        _points = points;
        _weights = weights;
        IsGaussHermite = isGaussHermite;
    }

    /// <summary>The dimension K.</summary>
    public int Dimension { get; }

    /// <summary>The number of points.</summary>
    public int Count => _weights.Length;

    /// <summary>True for a tensor Gauss–Hermite rule, false for Monte Carlo points.</summary>
    public bool IsGaussHermite { get; }

    /// <summary>The points, row-major Count×K.</summary>
    public ReadOnlySpan<double> Points => _points;

    /// <summary>The weights (sum 1).</summary>
    public ReadOnlySpan<double> Weights => _weights;

    /// <summary>The tensor Gauss–Hermite rule of the given order per dimension.</summary>
    public static GaussianCubature GaussHermite(int dimension, int order)
    {
        if (dimension < 1 || order < 1 || Math.Pow(order, dimension) > 1 << 24)
            throw new ArgumentException($"GaussianCubature.GaussHermite: dimension {dimension} and order {order} are out of range (order^dimension <= 2^24).");
        var (x, w) = HermiteRule(order);
        int count = (int)Math.Pow(order, dimension);
        var pts = new double[count * dimension];
        var wts = new double[count];
        for (int p = 0; p < count; p++)
        {
            int rest = p;
            double wp = 1;
            for (int d = 0; d < dimension; d++)
            {
                int idx = rest % order;
                rest /= order;
                pts[p * dimension + d] = x[idx];
                wp *= w[idx];
            }
            wts[p] = wp;
        }
        return new GaussianCubature(dimension, pts, wts, true);
    }

    /// <summary>Seeded Monte Carlo points in antithetic pairs (±ε), equal weights; <paramref name="count"/> is rounded up to even.</summary>
    public static GaussianCubature MonteCarlo(int dimension, int count, ulong seed)
    {
        if (dimension < 1 || count < 2) throw new ArgumentException($"GaussianCubature.MonteCarlo: needs dimension >= 1 and count >= 2, got {dimension}, {count}.");
        int half = (count + 1) / 2;
        var rng = new Rng(seed);
        var pts = new double[2 * half * dimension];
        for (int p = 0; p < half; p++)
            for (int d = 0; d < dimension; d++)
            {
                double e = rng.Normal();
                pts[2 * p * dimension + d] = e;
                pts[(2 * p + 1) * dimension + d] = -e;
            }
        var wts = new double[2 * half];
        Array.Fill(wts, 1.0 / wts.Length);
        return new GaussianCubature(dimension, pts, wts, false);
    }

    /// <summary>The rule used by <see cref="SoftmaxOperator.JointQuadrature"/>: Gauss–Hermite of the highest order
    /// with order^K ≤ <paramref name="budget"/> (default 1024: order 10 for K = 3, 5 for K = 4) if that order is ≥ 5, else <paramref name="budget"/> Monte Carlo points.</summary>
    public static GaussianCubature For(int dimension, int budget = 1024, ulong seed = 12)
    {
        if (dimension < 1) throw new ArgumentException($"GaussianCubature.For: dimension must be >= 1, got {dimension}.");
        int order = (int)Math.Floor(Math.Pow(budget, 1.0 / dimension) + 1e-9);
        return order >= 5 ? GaussHermite(dimension, Math.Min(order, 64)) : MonteCarlo(dimension, budget, seed);
    }

    /// <summary>Probabilists' Gauss–Hermite nodes and weights (weights sum to 1) by the Golub–Welsch eigenproblem.</summary>
    private static (double[] X, double[] W) HermiteRule(int order)
    {
        var j = Matrix<double>.Build.Dense(order, order);
        for (int i = 1; i < order; i++) j[i, i - 1] = j[i - 1, i] = Math.Sqrt(i);
        var evd = j.Evd(Symmetricity.Symmetric);
        var x = new double[order];
        var w = new double[order];
        for (int i = 0; i < order; i++)
        {
            x[i] = evd.EigenValues[i].Real;
            double v0 = evd.EigenVectors[0, i];
            w[i] = v0 * v0;
        }
        double sum = w.Sum();
        for (int i = 0; i < order; i++) w[i] /= sum;
        return (x, w);
    }
}
