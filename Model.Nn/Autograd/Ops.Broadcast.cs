using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Repeats a per-channel vector v[C] to the shape of <paramref name="like"/> ([N, C] or [N, C, …]): out[n, c, …] = v[c].
    /// The one broadcast the toolkit needs explicitly (per-channel variances, scales and shifts); its gradient sums
    /// over the batch and spatial positions. Combine with <see cref="Add"/> or <see cref="Mul"/>.
    /// </summary>
    public static Tensor ExpandChannels(Tensor perChannel, Tensor like)
    {
        if (like.Rank < 2 || perChannel.Rank != 1 || perChannel.Dim(0) != like.Dim(1))
            throw new ArgumentException($"ExpandChannels: expected a vector of {(like.Rank >= 2 ? like.Dim(1) : 0)} channels for {like.Describe()}, got {perChannel.Describe()}.");
        int n = like.Dim(0), c = like.Dim(1), s = like.Length / Math.Max(1, n * c);
        var y = Tensor.CreateTemporary(like.ShapeArray, clear: false);
        var v = perChannel.Span;
        var ys = y.Span;
        for (int i = 0; i < n; i++)
            for (int ch = 0; ch < c; ch++) ys.Slice((i * c + ch) * s, s).Fill(v[ch]);
        return Node.ShouldRecord(perChannel) ? new ExpandChannelsNode(n, c, s).Record(y, perChannel) : y;
    }

    private sealed class ExpandChannelsNode(int n, int c, int s) : Node
    {
        public override string OpName => "ExpandChannels";
        internal override void Backward(Tensor g)
        {
            var gv = GradBuffer(A!, out bool fresh);
            var gs = g.Span;
            for (int ch = 0; ch < c; ch++)
            {
                double total = 0;
                for (int i = 0; i < n; i++) total += VectorKernels.SumDouble(gs.Slice((i * c + ch) * s, s));
                gv[ch] = (fresh ? 0f : gv[ch]) + (float)total;
            }
        }
    }
}
