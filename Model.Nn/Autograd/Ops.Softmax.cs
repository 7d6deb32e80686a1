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
        LogSoftmaxRows(logits.Span, y.Span, k, 1f);
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

    /// <summary>
    /// Rows narrower than this are processed with plain loops rather than one <c>TensorPrimitives</c> call per row,
    /// whose fixed cost exceeds the work on a classifier's ~10 logits.
    /// </summary>
    private const int PlainLoopWidth = 32;

    /// <summary>
    /// dst = log softmax(src / temperature) for each row of k elements of [rows, k] matrices, computed as
    /// z − max − log Σ exp(z − max) with the sum in double. All rows go through one vectorised exponential.
    /// </summary>
    internal static void LogSoftmaxRows(ReadOnlySpan<float> src, Span<float> dst, int k, float temperature)
    {
        if (dst.IsEmpty) return;
        if (temperature == 1f) src.CopyTo(dst);
        else TensorPrimitives.Multiply(src, 1f / temperature, dst);
        int rows = dst.Length / k;
        for (int r = 0; r < rows; r++)
        {
            var row = dst.Slice(r * k, k);
            SubtractFromRow(row, MaxOfRow(row));
        }
        float[] exps = System.Buffers.ArrayPool<float>.Shared.Rent(dst.Length);
        TensorPrimitives.Exp(dst, exps.AsSpan(0, dst.Length));
        for (int r = 0; r < rows; r++)
        {
            double sum = 0;
            foreach (float v in exps.AsSpan(r * k, k)) sum += v;
            SubtractFromRow(dst.Slice(r * k, k), (float)Math.Log(sum));
        }
        System.Buffers.ArrayPool<float>.Shared.Return(exps);
    }

    /// <summary>The largest element of a non-empty row (plain loop below <see cref="PlainLoopWidth"/>).</summary>
    private static float MaxOfRow(ReadOnlySpan<float> row)
    {
        if (row.Length >= PlainLoopWidth) return TensorPrimitives.Max(row);
        float max = row[0];
        for (int j = 1; j < row.Length; j++) max = MathF.Max(max, row[j]);
        return max;
    }

    /// <summary>row −= value (plain loop below <see cref="PlainLoopWidth"/>).</summary>
    private static void SubtractFromRow(Span<float> row, float value)
    {
        if (row.Length >= PlainLoopWidth) TensorPrimitives.Subtract(row, value, row);
        else for (int j = 0; j < row.Length; j++) row[j] -= value;
    }

    /// <summary>sum += row, element-wise (plain loop below <see cref="PlainLoopWidth"/>).</summary>
    internal static void AddRowInto(Span<float> sum, ReadOnlySpan<float> row)
    {
        if (row.Length >= PlainLoopWidth) TensorPrimitives.Add(sum, row, sum);
        else for (int j = 0; j < row.Length; j++) sum[j] += row[j];
    }
}
