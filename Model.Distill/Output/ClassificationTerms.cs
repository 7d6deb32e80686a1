using Probabilistic.Core.Simplex;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.Output;

/// <summary>
/// Per-object weights of the kinds of term a classification distillation loss is made of, for one batch:
/// the hard-label cross-entropy (at T = 1), the soft-label term −Σ_k s_k log g_k (at the student temperature), the
/// normaliser term and the reverse KL(g ‖ s) (at the student temperature). A method (Hinton, probabilistic, …) only
/// chooses these weights; <see cref="ClassificationTerms"/> evaluates the weighted sum and its gradient.
/// </summary>
internal readonly ref struct TermWeights
{
    /// <summary>Weight of each object's hard-label cross-entropy.</summary>
    public required ReadOnlySpan<double> HardLabel { get; init; }

    /// <summary>Weight of each object's soft-label term.</summary>
    public required ReadOnlySpan<double> SoftLabel { get; init; }

    /// <summary>Weight of each object's normaliser term (read only when a normaliser is chosen).</summary>
    public required ReadOnlySpan<double> Normalizer { get; init; }

    /// <summary>Weight of each object's reverse KL(g ‖ s); empty means zero for every object.</summary>
    public ReadOnlySpan<double> ReverseKl { get; init; }
}

/// <summary>
/// The fused classification distillation op: Σ_b [a_b·CE_b + d_b·D_b + e_b·N_b + r_b·R_b] for logits z [B, K], with
/// CE_b = −log softmax(z_b)[y_b], D_b = −Σ_k s_bk ℓ_bk (+ Σ_k s_bk log s_bk when the KL form is asked for, a constant),
/// ℓ = log softmax(z/T), N_b the chosen normaliser term and R_b = KL(g_b ‖ s_b) = Σ_k g_bk (ℓ_bk − log s_bk), g = e^ℓ.
/// The gradient with respect to z is computed in double in the same pass (closed forms; the corrected term's comes
/// from the continuous-categorical normaliser) and applied in backward, so one node replaces a chain of generic ops.
/// </summary>
internal static class ClassificationTerms
{
    /// <summary>The batch size B and class count K of <paramref name="logits"/> [B, K], after checking that the index-set mask has B flags.</summary>
    public static (int N, int K) Batch(string op, Tensor logits, ReadOnlySpan<bool> inIndexSet)
    {
        if (logits.Rank != 2) throw new ArgumentException($"{op}: expected logits [B, K], got {logits.ShapeString}.");
        int n = logits.Dim(0);
        if (inIndexSet.Length != n)
            throw new ArgumentException($"{op}: the index-set mask has {inIndexSet.Length} flags for logits {logits.ShapeString}.");
        return (n, logits.Dim(1));
    }

    public static Tensor Evaluate(string op, Tensor logits, ReadOnlySpan<int> labels, ReadOnlySpan<float> teacher,
        TermWeights weights, double temperature, NormalizerTerm normalizer, bool klForm, double clampEpsilon)
    {
        if (logits.Rank != 2) throw new ArgumentException($"{op}: expected logits [B, K], got {logits.ShapeString}.");
        int n = logits.Dim(0), k = logits.Dim(1);
        if (labels.Length != n) throw new ArgumentException($"{op}: {labels.Length} labels for logits {logits.ShapeString}.");
        if (teacher.Length != n * k)
            throw new ArgumentException($"{op}: teacher probabilities have {teacher.Length} values; logits {logits.ShapeString} need B·K = {n * k}.");
        if (weights.HardLabel.Length != n || weights.SoftLabel.Length != n || weights.Normalizer.Length != n)
            throw new ArgumentException($"{op}: per-object weights must have B = {n} entries.");
        if (normalizer == NormalizerTerm.Corrected && k > ContinuousCategorical.MaxClasses)
            throw new ArgumentException($"{op}: the corrected normaliser supports at most {ContinuousCategorical.MaxClasses} classes, got K = {k}.");

        if (!weights.ReverseKl.IsEmpty && weights.ReverseKl.Length != n)
            throw new ArgumentException($"{op}: per-object reverse-KL weights must have B = {n} entries.");

        for (int b = 0; b < n; b++)
            if ((uint)labels[b] >= (uint)k) throw new ArgumentException($"{op}: label {labels[b]} of row {b} is outside [0, {k}).");

        var gradient = Ops.PrecomputedGradientBuffer(logits);
        var rowLoss = new double[n];
        var job = new RowJob(logits.Span.ToArray(), labels.ToArray(), teacher.ToArray(), weights.HardLabel.ToArray(), weights.SoftLabel.ToArray(),
            weights.Normalizer.ToArray(), weights.ReverseKl.IsEmpty ? null : weights.ReverseKl.ToArray(), k, temperature, normalizer, klForm,
            Math.Log(clampEpsilon), Math.Log(1 - clampEpsilon), gradient?.Data, rowLoss);
        // The corrected normaliser costs tens of microseconds a row: split the rows over the cores. Each row writes only
        // its own slots and the sum runs in row order afterwards, so the result does not depend on scheduling.
        if (normalizer == NormalizerTerm.Corrected && n >= 32 && Environment.ProcessorCount > 1)
        {
            int chunks = Math.Min(Environment.ProcessorCount, n / 16);
            Parallel.For(0, chunks, c => job.Rows(c * n / chunks, (c + 1) * n / chunks));
        }
        else job.Rows(0, n);
        double total = 0;
        foreach (double v in rowLoss) total += v;
        return Ops.ScalarWithGradient(op, logits, total, gradient);
    }

    /// <summary>The per-row work of <see cref="Evaluate"/>: row b's weighted terms into rowLoss[b], its gradient into row b of gradient.</summary>
    private sealed record RowJob(float[] Logits, int[] Labels, float[] Teacher, double[] Hard, double[] Soft, double[] Norm, double[]? Reverse,
        int K, double Temperature, NormalizerTerm Normalizer, bool KlForm, double LogLow, double LogHigh, float[]? Gradient, double[] RowLoss)
    {
        public void Rows(int from, int to)
        {
            int k = K;
            Span<double> z = stackalloc double[k];
            Span<double> logp = stackalloc double[k];
            Span<double> u = stackalloc double[k];
            Span<double> ell = stackalloc double[k];
            Span<double> g = stackalloc double[k];
            Span<double> dz = stackalloc double[k];
            Span<double> term = stackalloc double[k];
            Span<double> diff = stackalloc double[k];
            for (int b = from; b < to; b++)
            {
                int y = Labels[b];
                for (int j = 0; j < k; j++) z[j] = Logits[b * k + j];
                dz.Clear();
                double total = 0;

                double a = Hard[b];
                if (a != 0)
                {
                    Probabilistic.Core.Numerics.LogSumExp.LogSoftmax(z, logp);
                    total -= a * logp[y];
                    for (int j = 0; j < k; j++) dz[j] += a * (Math.Exp(logp[j]) - (j == y ? 1 : 0));
                }

                double d = Soft[b], e = Normalizer == NormalizerTerm.None ? 0 : Norm[b], r = Reverse is null ? 0 : Reverse[b];
                if (d != 0 || e != 0 || r != 0)
                {
                    for (int j = 0; j < k; j++) u[j] = z[j] / Temperature;
                    Probabilistic.Core.Numerics.LogSumExp.LogSoftmax(u, ell);
                    for (int j = 0; j < k; j++) g[j] = Math.Exp(ell[j]);
                }

                if (d != 0)
                {
                    // −Σ s ℓ; d/du_j = g_j Σ s − s_j.
                    double sSum = 0, value = 0;
                    for (int j = 0; j < k; j++)
                    {
                        double s = Teacher[b * k + j];
                        sSum += s;
                        value -= s * ell[j];
                        if (KlForm && s > 0) value += s * Math.Log(s);
                    }
                    total += d * value;
                    for (int j = 0; j < k; j++) dz[j] += d * (g[j] * sSum - Teacher[b * k + j]) / Temperature;
                }

                if (e != 0 && Normalizer == NormalizerTerm.Paper)
                {
                    // −Σ_k f(ℓ_k), f(ℓ) = ℓ + log(−ℓ), ℓ clamped to [log ε, log(1−ε)] (zero slope where clamped, as torch.clamp);
                    // d/du_j Σ_k f(ℓ_k) = f'(ℓ_j) − g_j Σ_k f'(ℓ_k) with f'(ℓ) = 1 + 1/ℓ.
                    double value = 0, slopeSum = 0;
                    for (int j = 0; j < k; j++)
                    {
                        double l = Math.Clamp(ell[j], LogLow, LogHigh);
                        value += l + Math.Log(-l);
                        term[j] = ell[j] > LogLow && ell[j] < LogHigh ? 1 + 1 / l : 0;
                        slopeSum += term[j];
                    }
                    total -= e * value;
                    for (int j = 0; j < k; j++) dz[j] -= e * (term[j] - g[j] * slopeSum) / Temperature;
                }
                else if (e != 0 && Normalizer == NormalizerTerm.Corrected)
                {
                    // +log Z(softmax(u)); its u-gradient is E_CC[s] − softmax(u) (one implementation: Model.Core).
                    total += e * ContinuousCategorical.LogNormalizerOfSoftmax(u, term);
                    for (int j = 0; j < k; j++) dz[j] += e * term[j] / Temperature;
                }

                if (r != 0)
                {
                    // KL(g ‖ s) = Σ g_j (ℓ_j − log s_j); d/du_j = g_j (ℓ_j − log s_j − KL). A teacher probability that
                    // underflowed to 0 in float is read as the smallest positive float, so the term stays finite.
                    double kl = 0;
                    for (int j = 0; j < k; j++)
                    {
                        diff[j] = ell[j] - Math.Log(Math.Max(Teacher[b * k + j], float.Epsilon));
                        kl += g[j] * diff[j];
                    }
                    total += r * kl;
                    for (int j = 0; j < k; j++) dz[j] += r * g[j] * (diff[j] - kl) / Temperature;
                }

                RowLoss[b] = total;
                if (Gradient is not null)
                    for (int j = 0; j < k; j++) Gradient[b * k + j] = (float)dz[j];
            }
        }
    }
}
