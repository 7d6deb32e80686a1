using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// 2-D convolution (cross-correlation, as torch.nn.functional.conv2d): x[N, C, H, W], weight[OC, C, KH, KW],
    /// optional bias[OC] → [N, OC, OH, OW]. The batch is lowered with the batched im2col into one column matrix
    /// and multiplied by the weight matrix in one GEMM per pass; results do not depend on scheduling.
    /// </summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, int stride = 1, int padding = 0, int dilation = 1) =>
        Conv2d(x, weight, bias, new ConvGeometry(weight.Rank == 4 ? weight.Dim(2) : 0, weight.Rank == 4 ? weight.Dim(3) : 0,
            stride, stride, padding, padding, dilation, dilation));

    /// <summary>2-D convolution with a full geometry (the kernel size in it must match the weight's).</summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, ConvGeometry geometry)
    {
        RankIs("Conv2d", x, 4, "input [N, C, H, W]");
        RankIs("Conv2d", weight, 4, "weight [out_channels, in_channels, KH, KW]");
        var d = ConvDims.Of(x, weight, geometry);
        if (bias is not null && (bias.Rank != 1 || bias.Dim(0) != d.OutChannels))
            throw new ArgumentException($"Conv2d: bias {bias.Describe()} must have shape [{d.OutChannels}].");
        var y = Tensor.CreateTemporary([d.N, d.OutChannels, d.OH, d.OW], clear: false);
        if (!Node.ShouldRecord(x, weight, bias))
        {
            // Inference: nothing is kept, so lower at most InferenceChunk images at a time to bound the scratch
            // memory of large evaluation batches.
            for (int n0 = 0; n0 < d.N; n0 += InferenceChunk)
            {
                var chunk = d with { N = Math.Min(InferenceChunk, d.N - n0) };
                var scratch = BufferPool.Rent(chunk.Patch * chunk.BatchColumns, clear: false);
                ForwardImages(x.Data, n0 * d.InImage, weight, bias, chunk, geometry, scratch, y.Data, n0 * d.OutImage);
                BufferPool.Return(scratch);
            }
            return y;
        }
        // The whole batch is lowered into one column matrix [patch, N·plane] (image n in columns n·plane…),
        // so each pass is a single large GEMM; the columns are kept for the weight gradient.
        var cols = Tensor.CreateTemporary([d.Patch, d.BatchColumns], clear: false);
        ForwardImages(x.Data, 0, weight, bias, d, geometry, cols.Data, y.Data, 0);
        return new Conv2dNode(geometry, cols).Record(y, x, weight, bias);
    }

    /// <summary>Images processed together when no gradient is recorded.</summary>
    private const int InferenceChunk = 128;

    /// <summary>
    /// Lowers the d.N images at <paramref name="xOffset"/> into <paramref name="colData"/>, multiplies by the weights
    /// and writes the biased result at <paramref name="yOffset"/>.
    /// </summary>
    private static void ForwardImages(float[] xData, int xOffset, Tensor weight, Tensor? bias, ConvDims d, ConvGeometry geometry,
        float[] colData, float[] yData, int yOffset)
    {
        int colLength = d.Patch * d.BatchColumns;
        Im2Col.ImageToColumnsBatch(xData.AsSpan(xOffset, d.N * d.InImage), d.N, d.C, d.H, d.W, geometry, colData.AsSpan(0, colLength));
        var yT = BufferPool.Rent(d.OutChannels * d.BatchColumns, clear: false);
        Gemm.Sgemm(false, false, d.OutChannels, d.BatchColumns, d.Patch, 1f, weight.Span, d.Patch,
            colData.AsSpan(0, colLength), d.BatchColumns, 0f, yT.AsSpan(0, d.OutChannels * d.BatchColumns), d.BatchColumns);
        var bData = bias?.Data;
        Parallelism.For(d.N, Parallelism.PartitionsFor(d.N, 4), (_, start, end) =>
        {
            for (int n = start; n < end; n++)
            for (int oc = 0; oc < d.OutChannels; oc++)
            {
                var src = new ReadOnlySpan<float>(yT, oc * d.BatchColumns + n * d.OutPlane, d.OutPlane);
                var dst = new Span<float>(yData, yOffset + n * d.OutImage + oc * d.OutPlane, d.OutPlane);
                if (bData is null) src.CopyTo(dst);
                else TensorPrimitives.Add(src, bData[oc], dst);
            }
        });
        BufferPool.Return(yT);
    }

    private sealed class Conv2dNode(ConvGeometry geometry, Tensor cols) : Node
    {
        public override string OpName => "Conv2d";
        internal override void Backward(Tensor g)
        {
            Tensor x = A!, w = B!;
            var d = ConvDims.Of(x, w, geometry);
            var gData = g.Data;
            // Output gradient rearranged to [OC, N·plane] to match the column matrix.
            var gT = BufferPool.Rent(d.OutChannels * d.BatchColumns, clear: false);
            Parallelism.For(d.N, Parallelism.PartitionsFor(d.N, 4), (_, start, end) =>
            {
                for (int n = start; n < end; n++)
                for (int oc = 0; oc < d.OutChannels; oc++)
                    new ReadOnlySpan<float>(gData, n * d.OutImage + oc * d.OutPlane, d.OutPlane)
                        .CopyTo(new Span<float>(gT, oc * d.BatchColumns + n * d.OutPlane, d.OutPlane));
            });
            var gTs = gT.AsSpan(0, d.OutChannels * d.BatchColumns);
            if (w.RequiresGrad)
            {
                var gw = GradBuffer(w, out bool fresh); // G[OC, N·plane] · colsᵀ
                if (d.OutChannels * d.Patch <= SmallWeightGradient)
                    WeightGradientByDots(gT, cols.Data, d, w.Grad!.Data, fresh);
                else
                    Gemm.Sgemm(false, true, d.OutChannels, d.Patch, d.BatchColumns, 1f, gTs, d.BatchColumns,
                        cols.Span, d.BatchColumns, fresh ? 0f : 1f, gw, d.Patch);
            }
            if (C is { RequiresGrad: true } b)
            {
                var gb = GradBuffer(b, out bool fresh);
                for (int oc = 0; oc < d.OutChannels; oc++)
                    gb[oc] = (fresh ? 0f : gb[oc]) + (float)VectorKernels.SumDouble(gTs.Slice(oc * d.BatchColumns, d.BatchColumns));
            }
            if (x.RequiresGrad)
            {
                GradBuffer(x, out bool fresh);
                var dcols = BufferPool.Rent(d.Patch * d.BatchColumns, clear: false); // Wᵀ · G
                Gemm.Sgemm(true, false, d.Patch, d.BatchColumns, d.OutChannels, 1f, w.Span, d.Patch, gTs, d.BatchColumns,
                    0f, dcols.AsSpan(0, d.Patch * d.BatchColumns), d.BatchColumns);
                var gx = x.Grad!.Span;
                if (fresh) gx.Clear();
                Im2Col.ColumnsToImageBatch(dcols.AsSpan(0, d.Patch * d.BatchColumns), d.N, d.C, d.H, d.W, geometry, gx); // adjoint: accumulates
                BufferPool.Return(dcols);
            }
            BufferPool.Return(gT);
        }
    }

    /// <summary>Weight gradients with at most this many elements are computed as independent dot products.</summary>
    private const int SmallWeightGradient = 1024;

    /// <summary>
    /// dW[oc, r] = ⟨G[oc, ·], cols[r, ·]⟩ over the whole batch. For first layers (few channels, tiny kernels) the
    /// product is a handful of outputs over a reduction of N·plane (e.g. 3×25 over 36,864), a shape a blocked GEMM
    /// handles poorly (measured 5 ms vs 0.2 ms here); each element is one fixed-order dot, so results stay
    /// deterministic whatever the partitioning.
    /// </summary>
    private static void WeightGradientByDots(float[] gT, float[] cols, ConvDims d, float[] gw, bool fresh)
    {
        int count = d.OutChannels * d.Patch, len = d.BatchColumns;
        Parallelism.For(count, Parallelism.PartitionsFor(count, 8), (_, start, end) =>
        {
            for (int e = start; e < end; e++)
            {
                int oc = e / d.Patch, r = e % d.Patch;
                float dot = TensorPrimitives.Dot(new ReadOnlySpan<float>(gT, oc * len, len), new ReadOnlySpan<float>(cols, r * len, len));
                gw[e] = fresh ? dot : gw[e] + dot;
            }
        });
    }

    /// <summary>Sizes of one convolution, checked once.</summary>
    private readonly record struct ConvDims(int N, int C, int H, int W, int OutChannels, int OH, int OW)
    {
        public int Patch => C * KH * KW;
        public int KH { get; init; }
        public int KW { get; init; }
        public int OutPlane => OH * OW;
        public int OutImage => OutChannels * OH * OW;
        public int InImage => C * H * W;
        public int BatchColumns => N * OutPlane;

        public static ConvDims Of(Tensor x, Tensor w, ConvGeometry g)
        {
            int n = x.Dim(0), c = x.Dim(1), h = x.Dim(2), wd = x.Dim(3);
            if (w.Dim(1) != c)
                throw new ArgumentException($"Conv2d: input {x.Describe()} has {c} channels but weight {w.Describe()} expects {w.Dim(1)}.");
            if (w.Dim(2) != g.KernelH || w.Dim(3) != g.KernelW)
                throw new ArgumentException($"Conv2d: weight {w.Describe()} does not match kernel {g.KernelH}×{g.KernelW}.");
            if (g.StrideH < 1 || g.StrideW < 1 || g.DilationH < 1 || g.DilationW < 1 || g.PadH < 0 || g.PadW < 0)
                throw new ArgumentException($"Conv2d: invalid geometry {g}.");
            int oh = g.OutHeight(h), ow = g.OutWidth(wd);
            if (oh < 1 || ow < 1)
                throw new ArgumentException($"Conv2d: input {x.Describe()} is too small for kernel {g.KernelH}×{g.KernelW} with {g}.");
            return new ConvDims(n, c, h, wd, w.Dim(0), oh, ow) { KH = g.KernelH, KW = g.KernelW };
        }
    }
}
