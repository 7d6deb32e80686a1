using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// 2-D convolution (cross-correlation, as torch.nn.functional.conv2d): x[N, C, H, W], weight[OC, C, KH, KW],
    /// optional bias[OC] → [N, OC, OH, OW]. The batch is lowered with im2col (images split over the cores in fixed
    /// partitions) and multiplied by the weight matrix in one GEMM per pass; results do not depend on scheduling.
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
        bool record = Node.ShouldRecord(x, weight, bias);
        // The whole batch is lowered into one column matrix [patch, N·plane] (image n in columns n·plane…),
        // so each pass is a single large GEMM; the columns are kept for the weight gradient.
        var cols = record ? Tensor.CreateTemporary([d.Patch, d.BatchColumns], clear: false) : null;
        var colData = cols?.Data ?? BufferPool.Rent(d.Patch * d.BatchColumns, clear: false);
        Lower(x.Data, d, geometry, colData);
        var yT = BufferPool.Rent(d.OutChannels * d.BatchColumns, clear: false);
        Gemm.Sgemm(false, false, d.OutChannels, d.BatchColumns, d.Patch, 1f, weight.Span, d.Patch,
            colData.AsSpan(0, d.Patch * d.BatchColumns), d.BatchColumns, 0f, yT.AsSpan(0, d.OutChannels * d.BatchColumns), d.BatchColumns);
        var yData = y.Data;
        var bData = bias?.Data;
        ForPartitions(d.N, Parallelism.PartitionsFor(d.N, 4), (_, start, end) =>
        {
            for (int n = start; n < end; n++)
            for (int oc = 0; oc < d.OutChannels; oc++)
            {
                var src = new ReadOnlySpan<float>(yT, oc * d.BatchColumns + n * d.OutPlane, d.OutPlane);
                var dst = new Span<float>(yData, n * d.OutImage + oc * d.OutPlane, d.OutPlane);
                if (bData is null) src.CopyTo(dst);
                else TensorPrimitives.Add(src, bData[oc], dst);
            }
        });
        BufferPool.Return(yT);
        if (!record)
        {
            BufferPool.Return(colData);
            return y;
        }
        return new Conv2dNode(geometry, cols!).Record(y, x, weight, bias);
    }

    /// <summary>im2col of every image into the batch column matrix [patch, N·plane].</summary>
    private static void Lower(float[] xData, ConvDims d, ConvGeometry geometry, float[] colData)
    {
        int parts = Parallelism.PartitionsFor(d.N, 2);
        var scratch = RentPerPartition(parts, d.ColumnLength);
        ForPartitions(d.N, parts, (p, start, end) =>
        {
            var col = scratch[p].AsSpan(0, d.ColumnLength);
            for (int n = start; n < end; n++)
            {
                Im2Col.ImageToColumns(xData.AsSpan(n * d.InImage, d.InImage), d.C, d.H, d.W, geometry, col);
                for (int r = 0; r < d.Patch; r++)
                    col.Slice(r * d.OutPlane, d.OutPlane).CopyTo(colData.AsSpan(r * d.BatchColumns + n * d.OutPlane, d.OutPlane));
            }
        });
        ReturnAll(scratch);
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
            ForPartitions(d.N, Parallelism.PartitionsFor(d.N, 4), (_, start, end) =>
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
                var gxData = x.Grad!.Data;
                var dcols = BufferPool.Rent(d.Patch * d.BatchColumns, clear: false); // Wᵀ · G
                Gemm.Sgemm(true, false, d.Patch, d.BatchColumns, d.OutChannels, 1f, w.Span, d.Patch, gTs, d.BatchColumns,
                    0f, dcols.AsSpan(0, d.Patch * d.BatchColumns), d.BatchColumns);
                int parts = Parallelism.PartitionsFor(d.N, 2);
                var scratch = RentPerPartition(parts, d.ColumnLength);
                ForPartitions(d.N, parts, (p, start, end) =>
                {
                    var col = scratch[p].AsSpan(0, d.ColumnLength);
                    for (int n = start; n < end; n++)
                    {
                        for (int r = 0; r < d.Patch; r++)
                            dcols.AsSpan(r * d.BatchColumns + n * d.OutPlane, d.OutPlane).CopyTo(col.Slice(r * d.OutPlane, d.OutPlane));
                        var gxn = gxData.AsSpan(n * d.InImage, d.InImage);
                        if (fresh) gxn.Clear();
                        Im2Col.ColumnsToImage(col, d.C, d.H, d.W, geometry, gxn); // adjoint of im2col: accumulates
                    }
                });
                ReturnAll(scratch);
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
        ForPartitions(count, Parallelism.PartitionsFor(count, 8), (_, start, end) =>
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
        public int ColumnLength => Patch * OutPlane;
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

    private static float[][] RentPerPartition(int parts, int length)
    {
        var buffers = new float[parts][];
        for (int p = 0; p < parts; p++) buffers[p] = BufferPool.Rent(length, clear: false);
        return buffers;
    }

    private static void ReturnAll(float[][] buffers)
    {
        foreach (var b in buffers) BufferPool.Return(b);
    }

    /// <summary>Runs body(partition, start, end) over <paramref name="count"/> items in fixed contiguous partitions.</summary>
    private static void ForPartitions(int count, int parts, Action<int, int, int> body)
    {
        if (parts == 1)
        {
            body(0, 0, count);
            return;
        }
        Parallel.For(0, parts, p => body(p, Parallelism.Start(count, parts, p), Parallelism.Start(count, parts, p + 1)));
    }
}
