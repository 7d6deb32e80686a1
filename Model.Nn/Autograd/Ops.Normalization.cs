using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Batch normalisation over dimension 1 of [N, C] or [N, C, …] (torch.nn.functional.batch_norm).
    /// In training it normalises with the batch mean and biased variance and updates the running statistics in
    /// place: running = (1 − momentum)·running + momentum·batch, using the unbiased variance (as PyTorch).
    /// In evaluation it normalises with the running statistics. gamma/beta (affine) may be null.
    /// </summary>
    public static Tensor BatchNorm(Tensor x, Tensor? gamma, Tensor? beta, Tensor runningMean, Tensor runningVar,
        bool training, float momentum = 0.1f, float eps = 1e-5f)
    {
        if (x.Rank < 2) throw new ArgumentException($"BatchNorm: expected [N, C] or [N, C, …], got {x.Describe()}.");
        int n = x.Dim(0), c = x.Dim(1), s = x.Length / Math.Max(1, n * c), count = n * s;
        foreach (var (t, what) in new[] { (gamma, "weight"), (beta, "bias"), (runningMean, "running_mean"), (runningVar, "running_var") })
            if (t is not null && t.Length != c)
                throw new ArgumentException($"BatchNorm: {what} {t.Describe()} must have {c} elements for input {x.Describe()}.");
        if (training && count < 2)
            throw new ArgumentException($"BatchNorm: training needs more than one value per channel, got input {x.Describe()}.");

        // Per-channel mean and 1/sqrt(var + eps) used for this pass, kept for the backward rule.
        var stats = Tensor.CreateTemporary([2, c], clear: false);
        var mean = stats.Span[..c];
        var invStd = stats.Span[c..];
        var xs = x.Span;
        for (int ch = 0; ch < c; ch++)
        {
            if (training)
            {
                double sum = 0;
                for (int i = 0; i < n; i++) sum += TensorPrimitives.Sum(xs.Slice((i * c + ch) * s, s));
                double mu = sum / count, sq = 0;
                for (int i = 0; i < n; i++)
                {
                    var seg = xs.Slice((i * c + ch) * s, s);
                    for (int k = 0; k < seg.Length; k++) { double dlt = seg[k] - mu; sq += dlt * dlt; }
                }
                double var = sq / count;
                mean[ch] = (float)mu;
                invStd[ch] = (float)(1.0 / Math.Sqrt(var + eps));
                runningMean.Span[ch] = (1 - momentum) * runningMean.Span[ch] + momentum * (float)mu;
                runningVar.Span[ch] = (1 - momentum) * runningVar.Span[ch] + momentum * (float)(sq / (count - 1));
            }
            else
            {
                mean[ch] = runningMean.Span[ch];
                invStd[ch] = 1f / MathF.Sqrt(runningVar.Span[ch] + eps);
            }
        }

        var y = NewLike(x);
        var ys = y.Span;
        for (int i = 0; i < n; i++)
        for (int ch = 0; ch < c; ch++)
        {
            float scale = invStd[ch] * (gamma is null ? 1f : gamma.Span[ch]);
            float shift = (beta is null ? 0f : beta.Span[ch]) - mean[ch] * scale;
            int off = (i * c + ch) * s;
            TensorPrimitives.Multiply(xs.Slice(off, s), scale, ys.Slice(off, s));
            TensorPrimitives.Add(ys.Slice(off, s), shift, ys.Slice(off, s));
        }
        return Node.ShouldRecord(x, gamma, beta) ? new BatchNormNode(stats, training).Record(y, x, gamma, beta) : y;
    }

    private sealed class BatchNormNode(Tensor stats, bool training) : Node
    {
        public override string OpName => "BatchNorm";
        internal override bool MixesSamples => training;
        internal override void Backward(Tensor g)
        {
            Tensor x = A!;
            int n = x.Dim(0), c = x.Dim(1), s = x.Length / (n * c), count = n * s;
            var mean = stats.Span[..c];
            var invStd = stats.Span[c..];
            var xs = x.Span;
            var gs = g.Span;
            bool gxFresh = false, gammaFresh = false, betaFresh = false;
            Span<float> gx = x.RequiresGrad ? GradBuffer(x, out gxFresh) : default;
            Span<float> gGamma = B is { RequiresGrad: true } ? GradBuffer(B, out gammaFresh) : default;
            Span<float> gBeta = C is { RequiresGrad: true } ? GradBuffer(C, out betaFresh) : default;
            for (int ch = 0; ch < c; ch++)
            {
                // Σg and Σ g·x̂ over the channel, in double.
                double sumG = 0, sumGX = 0;
                float mu = mean[ch], inv = invStd[ch];
                for (int i = 0; i < n; i++)
                {
                    int off = (i * c + ch) * s;
                    for (int k = 0; k < s; k++)
                    {
                        sumG += gs[off + k];
                        sumGX += gs[off + k] * ((xs[off + k] - mu) * inv);
                    }
                }
                if (!gGamma.IsEmpty) gGamma[ch] = (gammaFresh ? 0f : gGamma[ch]) + (float)sumGX;
                if (!gBeta.IsEmpty) gBeta[ch] = (betaFresh ? 0f : gBeta[ch]) + (float)sumG;
                if (gx.IsEmpty) continue;
                float gam = B is null ? 1f : B.Span[ch];
                // Training: dx = γ·inv·(g − mean(g) − x̂·mean(g·x̂)); evaluation: dx = γ·inv·g (statistics are constants).
                float meanG = training ? (float)(sumG / count) : 0f, meanGX = training ? (float)(sumGX / count) : 0f;
                float k1 = gam * inv;
                for (int i = 0; i < n; i++)
                {
                    int off = (i * c + ch) * s;
                    for (int k = 0; k < s; k++)
                    {
                        float xhat = (xs[off + k] - mu) * inv;
                        float v = k1 * (gs[off + k] - meanG - xhat * meanGX);
                        gx[off + k] = gxFresh ? v : gx[off + k] + v;
                    }
                }
            }
        }
    }
}
