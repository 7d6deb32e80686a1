using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Autograd;

public static partial class Ops
{
    /// <summary>Row-wise log-softmax of [N, K] logits, via a max-shifted log-sum-exp.</summary>
    public static Tensor LogSoftmax(Tensor logits)
    {
        RankIs("LogSoftmax", logits, 2, "of logits [N, K]");
        var y = NewLike(logits);
        int n = logits.Dim(0), k = logits.Dim(1);
        for (int r = 0; r < n; r++) LogSoftmaxRow(logits.Span.Slice(r * k, k), y.Span.Slice(r * k, k), 1f);
        return Node.ShouldRecord(logits) ? new LogSoftmaxNode().Record(y, logits) : y;
    }

    private sealed class LogSoftmaxNode : Node
    {
        public override string OpName => "LogSoftmax";
        internal override void Backward(Tensor g)
        {
            // dx = g − softmax · Σg, with softmax = exp(log-softmax).
            var gx = GradBuffer(A!, out bool fresh);
            int n = A!.Dim(0), k = A.Dim(1);
            var ls = Output.Span;
            var gs = g.Span;
            for (int r = 0; r < n; r++)
            {
                var gRow = gs.Slice(r * k, k);
                float total = TensorPrimitives.Sum(gRow);
                for (int j = 0; j < k; j++)
                {
                    float v = gRow[j] - MathF.Exp(ls[r * k + j]) * total;
                    gx[r * k + j] = fresh ? v : gx[r * k + j] + v;
                }
            }
        }
    }

    /// <summary>Row-wise softmax of [N, K] logits.</summary>
    public static Tensor Softmax(Tensor logits) => Exp(LogSoftmax(logits));

    /// <summary>dst = log softmax(src / temperature), computed as z − max − log Σ exp(z − max).</summary>
    internal static void LogSoftmaxRow(ReadOnlySpan<float> src, Span<float> dst, float temperature)
    {
        if (temperature == 1f) src.CopyTo(dst);
        else TensorPrimitives.Multiply(src, 1f / temperature, dst);
        float max = TensorPrimitives.Max(dst);
        TensorPrimitives.Subtract(dst, max, dst);
        // Vectorised exponentials of stack chunks, summed in double in index order.
        const int chunk = 256;
        Span<float> exps = stackalloc float[Math.Min(chunk, dst.Length)];
        double sum = 0;
        for (int at = 0; at < dst.Length; at += chunk)
        {
            var part = exps[..Math.Min(chunk, dst.Length - at)];
            TensorPrimitives.Exp(dst.Slice(at, part.Length), part);
            foreach (float v in part) sum += v;
        }
        TensorPrimitives.Subtract(dst, (float)Math.Log(sum), dst);
    }
}
