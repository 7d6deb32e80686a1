using System.Buffers;

namespace Probabilistic.Core.Simplex;

/// <summary>
/// The continuous categorical distribution CC(g) on the simplex S_K (Gordon-Rodriguez et al., 2020):
/// p(s | g) = Π_k g_k^{s_k} / Z(g), with the Lebesgue measure ds = ds_1…ds_{K−1}, s_K = 1 − Σ_{k&lt;K} s_k.
/// This is the corrected Theorem A1 of seed 000 (methods.md §1.2):
/// Z(g) = Σ_k g_k / Π_{j≠k} ln(g_k / g_j), the divided difference of exp at the natural parameters a_k = ln g_k.
/// Z is computed stably (no cancellation when components nearly coincide) through
/// <see cref="ExpDividedDifferences"/>; ∂ ln Z / ∂a_k = E_{CC}[s_k].
/// Functions taking <c>g</c> require a point of the open simplex (components in (0, 1), sum 1 within
/// <see cref="SimplexTolerance"/>); functions taking natural parameters <c>a</c> accept any finite vector
/// (Z(a) = ∫ exp(Σ_k s_k a_k) ds, so shifting every a_k by c multiplies Z by e^c).
/// </summary>
public static class ContinuousCategorical
{
    /// <summary>Allowed |Σ_k g_k − 1| for a simplex point (loose enough for single-precision softmax outputs).</summary>
    public const double SimplexTolerance = 1e-6;

    /// <summary>Largest number of classes supported (the gradient uses 2K divided-difference nodes).</summary>
    public const int MaxClasses = ExpDividedDifferences.MaxNodes / 2;

    /// <summary>ln Z(g) for g in the open simplex.</summary>
    public static double LogNormalizer(ReadOnlySpan<double> g)
    {
        ValidateSimplexPoint(g, nameof(LogNormalizer));
        Span<double> a = g.Length <= 64 ? stackalloc double[g.Length] : new double[g.Length];
        for (int k = 0; k < g.Length; k++) a[k] = Math.Log(g[k]);
        return LogNormalizerOfNatural(a);
    }

    /// <summary>Z(g) = ∫_{S_K} Π_k g_k^{s_k} ds for g in the open simplex.</summary>
    public static double Normalizer(ReadOnlySpan<double> g) => Math.Exp(LogNormalizer(g));

    /// <summary>ln Z at natural parameters a (a_k = ln g_k up to a common shift), i.e. ln exp[a_1, …, a_K].</summary>
    public static double LogNormalizerOfNatural(ReadOnlySpan<double> a)
    {
        ValidateNatural(a, nameof(LogNormalizerOfNatural));
        int n = a.Length;
        double[] rented = ArrayPool<double>.Shared.Rent(n + n * n);
        try
        {
            Span<double> nodes = rented.AsSpan(0, n);
            a.CopyTo(nodes);
            nodes.Sort(); // a fixed node order makes the result independent of the class order
            Span<double> table = rented.AsSpan(n, n * n);
            var scaled = ExpDividedDifferences.Table(nodes, table);
            return scaled.Log(table, 0, n - 1);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// ln Z at natural parameters a, and its gradient ∂ ln Z/∂a_k = E_{CC}[s_k] written to <paramref name="mean"/>.
    /// Uses ∂/∂a_k exp[a] = exp[a, a_k]: with the nodes doubled (a, a) every window of K+1 consecutive nodes
    /// holds all of a plus one repeated node, so one table gives Z and all K derivatives.
    /// </summary>
    public static double LogNormalizerAndMean(ReadOnlySpan<double> a, Span<double> mean)
    {
        ValidateNatural(a, nameof(LogNormalizerAndMean));
        int k = a.Length;
        if (mean.Length != k)
            throw new ArgumentException($"{nameof(LogNormalizerAndMean)}: mean has length {mean.Length}, expected {k}.", nameof(mean));
        if (k == 1)
        {
            mean[0] = 1.0;
            return a[0];
        }
        int n = 2 * k;
        int[] order = ArrayPool<int>.Shared.Rent(k);
        double[] keys = ArrayPool<double>.Shared.Rent(k);
        double[] rented = ArrayPool<double>.Shared.Rent(n + n * n);
        try
        {
            for (int i = 0; i < k; i++) order[i] = i;
            Span<int> perm = order.AsSpan(0, k);
            // Sort the class indices by parameter (stable tie order via the index) so results do not depend
            // on the class order up to rounding in the sums.
            a.CopyTo(keys);
            Array.Sort(keys, order, 0, k);
            Span<double> nodes = rented.AsSpan(0, n);
            for (int i = 0; i < k; i++) nodes[i] = nodes[i + k] = a[perm[i]];
            Span<double> table = rented.AsSpan(n, n * n);
            var scaled = ExpDividedDifferences.Table(nodes, table);
            double logZ = scaled.Log(table, 0, k - 1);
            double sum = 0;
            for (int i = 0; i < k; i++)
            {
                double m = Math.Exp(scaled.Log(table, i, i + k) - logZ);
                mean[perm[i]] = m;
                sum += m;
            }
            // Σ_k E[s_k] = 1 exactly; renormalise away the rounding.
            for (int i = 0; i < k; i++) mean[i] /= sum;
            return logZ;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(order);
            ArrayPool<double>.Shared.Return(keys);
            ArrayPool<double>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// ln Z(softmax(z)) for logits z, and optionally its gradient with respect to z. Because shifting every natural
    /// parameter by c multiplies Z by e^c, ln Z(softmax(z)) = ln exp[z] − logsumexp(z), and the gradient is
    /// E_CC[s] − softmax(z). This is the corrected fourth term of the distillation objective (use z/T for temperature T).
    /// </summary>
    public static double LogNormalizerOfSoftmax(ReadOnlySpan<double> logits, Span<double> gradient)
    {
        ValidateNatural(logits, nameof(LogNormalizerOfSoftmax));
        if (gradient.Length != logits.Length)
            throw new ArgumentException($"{nameof(LogNormalizerOfSoftmax)}: gradient has length {gradient.Length}, expected {logits.Length}.", nameof(gradient));
        double logSumExp = Numerics.LogSumExp.Of(logits);
        double logZ = LogNormalizerAndMean(logits, gradient);
        for (int k = 0; k < logits.Length; k++) gradient[k] -= Math.Exp(logits[k] - logSumExp);
        return logZ - logSumExp;
    }

    /// <summary>ln p(s | g) = Σ_k s_k ln g_k − ln Z(g), for s in the closed simplex and g in the open simplex.</summary>
    public static double LogDensity(ReadOnlySpan<double> s, ReadOnlySpan<double> g)
    {
        ValidateSimplexPoint(g, nameof(LogDensity));
        if (s.Length != g.Length)
            throw new ArgumentException($"{nameof(LogDensity)}: s has {s.Length} components, g has {g.Length}.", nameof(s));
        double sum = 0, dot = 0;
        foreach (double v in s)
        {
            if (!double.IsFinite(v) || v < 0)
                throw new ArgumentException($"{nameof(LogDensity)}: s must have finite components ≥ 0, got {v}.", nameof(s));
            sum += v;
        }
        if (Math.Abs(sum - 1.0) > SimplexTolerance)
            throw new ArgumentException($"{nameof(LogDensity)}: s sums to {sum}, expected 1 (±{SimplexTolerance}).", nameof(s));
        for (int k = 0; k < g.Length; k++) dot += s[k] * Math.Log(g[k]);
        return dot - LogNormalizer(g);
    }

    /// <summary>
    /// The textbook closed form Σ_k g_k / Π_{j≠k} ln(g_k/g_j). Exact in exact arithmetic for distinct g_k, but it
    /// cancels catastrophically as components approach each other; kept as an independent reference for
    /// well-separated points. Throws if two components are equal.
    /// </summary>
    public static double ClosedFormNormalizer(ReadOnlySpan<double> g)
    {
        ValidateSimplexPoint(g, nameof(ClosedFormNormalizer));
        double z = 0;
        for (int k = 0; k < g.Length; k++)
        {
            double denominator = 1.0;
            for (int j = 0; j < g.Length; j++)
            {
                if (j == k) continue;
                if (g[j] == g[k])
                    throw new ArgumentException($"{nameof(ClosedFormNormalizer)}: components {j} and {k} are equal ({g[k]}); the closed form needs distinct components.", nameof(g));
                denominator *= Math.Log(g[k] / g[j]);
            }
            z += g[k] / denominator;
        }
        return z;
    }

    /// <summary>
    /// The seed's (false) normalising constant of Theorem A1:
    /// C_paper = (−1)^K K^{K/2} / 2^{K(K−1)/2} · Π_k g_k ln g_k. C_paper·Z(g) should be 1 if the seed were right.
    /// </summary>
    public static double PaperConstant(ReadOnlySpan<double> g)
    {
        ValidateSimplexPoint(g, nameof(PaperConstant));
        int k = g.Length;
        double c = (k % 2 == 0 ? 1.0 : -1.0) * Math.Pow(k, k / 2.0) / Math.Pow(2.0, k * (k - 1) / 2.0);
        foreach (double v in g) c *= v * Math.Log(v);
        return c;
    }

    private static void ValidateSimplexPoint(ReadOnlySpan<double> g, string operation)
    {
        if (g.Length < 1 || g.Length > MaxClasses)
            throw new ArgumentException($"{operation}: g has {g.Length} components, expected 1..{MaxClasses}.", nameof(g));
        double sum = 0;
        for (int k = 0; k < g.Length; k++)
        {
            double v = g[k];
            if (!double.IsFinite(v) || v <= 0 || v >= 1 && g.Length > 1)
                throw new ArgumentException($"{operation}: g[{k}] = {v} is outside (0, 1); g must lie in the open simplex.", nameof(g));
            sum += v;
        }
        if (Math.Abs(sum - 1.0) > SimplexTolerance)
            throw new ArgumentException($"{operation}: g sums to {sum}, expected 1 (±{SimplexTolerance}); g must lie in the open simplex.", nameof(g));
    }

    private static void ValidateNatural(ReadOnlySpan<double> a, string operation)
    {
        if (a.Length < 1 || a.Length > MaxClasses)
            throw new ArgumentException($"{operation}: {a.Length} natural parameters, expected 1..{MaxClasses}.", nameof(a));
        for (int k = 0; k < a.Length; k++)
            if (!double.IsFinite(a[k]))
                throw new ArgumentException($"{operation}: natural parameter a[{k}] = {a[k]} is not finite.", nameof(a));
    }
}
