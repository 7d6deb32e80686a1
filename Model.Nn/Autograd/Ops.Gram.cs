using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// The unnormalised Gram matrix of each sample's features, G_b = F_b · F_bᵀ, as [B, C, C]: for a feature map
    /// [B, C, …] (e.g. a convolution's [B, C, H, W]) F_b is C × (product of the trailing dimensions), the channels by
    /// the positions; for a feature vector [B, D] F_b is D × 1, so G_b = f_b f_bᵀ. Backward: dL/dF_b = (g_b + g_bᵀ) · F_b.
    /// </summary>
    public static Tensor Gram(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Rank < 2)
            throw new ArgumentException($"Gram: expected features [batch, channels, …] of rank ≥ 2, got {features.Describe()}.");
        int batch = features.Dim(0), channels = features.Dim(1), positions = features.Length / Math.Max(1, batch * channels);
        var y = Tensor.CreateTemporary([batch, channels, channels], clear: batch * channels * positions == 0);
        if (positions > 0)
        {
            var f = features.Span;
            var ys = y.Span;
            int fStride = channels * positions, gStride = channels * channels;
            for (int b = 0; b < batch; b++)
                Gemm.Sgemm(false, true, channels, channels, positions, 1f, f.Slice(b * fStride, fStride), positions,
                    f.Slice(b * fStride, fStride), positions, 0f, ys.Slice(b * gStride, gStride), channels);
        }
        return Node.ShouldRecord(features) ? new GramNode().Record(y, features) : y;
    }

    private sealed class GramNode : Node
    {
        public override string OpName => "Gram";
        internal override void Backward(Tensor g)
        {
            var x = A!;
            int batch = x.Dim(0), channels = x.Dim(1), positions = x.Length / Math.Max(1, batch * channels);
            var gx = GradBuffer(x, out bool fresh);
            if (positions == 0 || channels == 0) return;
            var f = x.Span;
            var gs = g.Span;
            int fStride = channels * positions, gStride = channels * channels;
            for (int b = 0; b < batch; b++)
            {
                var fb = f.Slice(b * fStride, fStride);
                var gb = gs.Slice(b * gStride, gStride);
                var dst = gx.Slice(b * fStride, fStride);
                // g_b · F_b, then + g_bᵀ · F_b (g_b is C × C with row stride C; F_b is C × P).
                Gemm.Sgemm(false, false, channels, positions, channels, 1f, gb, channels, fb, positions, fresh ? 0f : 1f, dst, positions);
                Gemm.Sgemm(true, false, channels, positions, channels, 1f, gb, channels, fb, positions, 1f, dst, positions);
            }
        }
    }
}
