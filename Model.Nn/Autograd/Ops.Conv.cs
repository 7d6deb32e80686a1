using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// 2-D convolution (cross-correlation, as torch.nn.functional.conv2d): x[N, C, H, W], weight[OC, C, KH, KW],
    /// optional bias[OC] → [N, OC, OH, OW]. Large output planes are lowered one image at a time (im2col, then one
    /// GEMM straight into the output, images split over the cores); small planes are lowered for the whole batch
    /// into one column matrix and one GEMM. Results do not depend on scheduling.
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
        // When recording a batch-lowered convolution, its column matrix [patch, N·plane] (image n in columns
        // n·plane…) is kept for the weight gradient; the per-image path unfolds each image again when it needs it
        // (from the input, KH·KW times smaller than the columns, instead of keeping the columns in memory).
        var cols = record && !d.PerImage ? Tensor.CreateTemporary([d.Patch, d.BatchColumns], clear: false) : null;
        if (d.PerImage)
            ForwardPerImage(x.Data, weight, bias, d, geometry, y.Data);
        else if (cols is not null)
            ForwardBatch(x.Data, 0, weight, bias, d, geometry, cols.Data, y.Data, 0);
        else
        {
            // Inference: nothing is kept, so lower at most InferenceChunk images at a time to bound the scratch
            // memory of large evaluation batches.
            for (int n0 = 0; n0 < d.N; n0 += InferenceChunk)
            {
                var chunk = d with { N = Math.Min(InferenceChunk, d.N - n0) };
                var scratch = BufferPool.Rent(chunk.Patch * chunk.BatchColumns, clear: false);
                ForwardBatch(x.Data, n0 * d.InImage, weight, bias, chunk, geometry, scratch, y.Data, n0 * d.OutImage);
                BufferPool.Return(scratch);
            }
        }
        return record ? new Conv2dNode(geometry, cols).Record(y, x, weight, bias) : y;
    }

    /// <summary>Images processed together when no gradient is recorded.</summary>
    private const int InferenceChunk = 128;

    /// <summary>
    /// Output planes at least this large are computed one image at a time: the image's columns (patch × plane) then
    /// stay in L2 between im2col and the GEMM, and the GEMM writes the output layout directly. Smaller planes would
    /// give products too narrow for the 16-wide register tiles, so they use one GEMM for the whole batch.
    /// </summary>
    private const int PerImagePlane = 100;

    /// <summary>y[n] = W · columns(x[n]) + bias for each image, images split over the cores, columns in per-thread scratch.</summary>
    private static void ForwardPerImage(float[] xData, Tensor weight, Tensor? bias, ConvDims d, ConvGeometry geometry, float[] yData)
    {
        var wData = weight.Data;
        var bData = bias?.Data;
        // The weights are the left operand of every image's product: pack them once for all.
        using var packedW = Gemm.PackA(false, d.OutChannels, d.Patch, wData.AsSpan(0, d.OutChannels * d.Patch), d.Patch);
        Parallelism.For(d.N, Parallelism.PartitionsFor(d.N, Im2Col.MinImagesPerPartition), (_, start, end) =>
        {
            float[] columns = BufferPool.Rent(d.Patch * d.OutPlane, clear: false);
            for (int n = start; n < end; n++)
            {
                Im2Col.ImageToColumns(xData.AsSpan(n * d.InImage, d.InImage), d.C, d.H, d.W, geometry, columns.AsSpan(0, d.Patch * d.OutPlane));
                var yImage = new Span<float>(yData, n * d.OutImage, d.OutImage);
                Gemm.SgemmOnCallingThread(false, false, d.OutChannels, d.OutPlane, d.Patch, 1f, wData.AsSpan(0, d.OutChannels * d.Patch), d.Patch,
                    columns.AsSpan(0, d.Patch * d.OutPlane), d.OutPlane, 0f, yImage, d.OutPlane, packedW);
                if (bData is not null)
                    for (int oc = 0; oc < d.OutChannels; oc++)
                    {
                        var plane = yImage.Slice(oc * d.OutPlane, d.OutPlane);
                        TensorPrimitives.Add(plane, bData[oc], plane);
                    }
            }
            BufferPool.Return(columns);
        });
    }

    /// <summary>
    /// Lowers the d.N images at <paramref name="xOffset"/> into <paramref name="colData"/>, multiplies by the weights
    /// in one GEMM and writes the biased result at <paramref name="yOffset"/>.
    /// </summary>
    private static void ForwardBatch(float[] xData, int xOffset, Tensor weight, Tensor? bias, ConvDims d, ConvGeometry geometry,
        float[] colData, float[] yData, int yOffset)
    {
        int colLength = d.Patch * d.BatchColumns;
        Im2Col.ImageToColumnsBatch(xData.AsSpan(xOffset, d.N * d.InImage), d.N, d.C, d.H, d.W, geometry, colData.AsSpan(0, colLength));
        var yT = BufferPool.Rent(d.OutChannels * d.BatchColumns, clear: false);
        Gemm.Sgemm(false, false, d.OutChannels, d.BatchColumns, d.Patch, 1f, weight.Span, d.Patch,
            colData.AsSpan(0, colLength), d.BatchColumns, 0f, yT.AsSpan(0, d.OutChannels * d.BatchColumns), d.BatchColumns);
        var bData = bias?.Data;
        Parallelism.For(d.N, Parallelism.PartitionsFor(d.N, Im2Col.MinImagesPerPartition), (_, start, end) =>
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

    private sealed class Conv2dNode(ConvGeometry geometry, Tensor? cols) : Node
    {
        public override string OpName => "Conv2d";
        internal override bool HasPerSampleRule => true;
        internal override void Backward(Tensor g)
        {
            Tensor x = A!, w = B!;
            var d = ConvDims.Of(x, w, geometry);
            var gData = g.Data;
            bool weightGrad = w.RequiresGrad, biasGrad = C is { RequiresGrad: true }, inputGrad = x.RequiresGrad;
            if (PerSampleCapture.Current is { } capture)
            {
                // Per-sample mode: the view's parameters get per-sample gradients instead of the batch sum.
                bool weightCaptured = capture.Captures(w), biasCaptured = capture.Captures(C);
                if (weightCaptured || biasCaptured) capture.Conv2d(x, g, weightCaptured ? w : null, biasCaptured ? C : null, geometry);
                weightGrad &= !weightCaptured;
                biasGrad &= !biasCaptured;
                if (!weightGrad && !biasGrad && !inputGrad) return;
            }
            if (d.PerImage)
            {
                // Every product reads g[n] in place: no rearranged copy of the output gradient.
                if (weightGrad || biasGrad)
                {
                    bool weightFresh = false, biasFresh = false;
                    if (weightGrad) GradBuffer(w, out weightFresh);
                    if (biasGrad) GradBuffer(C!, out biasFresh);
                    ParameterGradientsPerImage(gData, x.Data, d, geometry, weightGrad ? w.Grad!.Data : null, weightFresh,
                        biasGrad ? C!.Grad!.Data : null, biasFresh);
                }
                if (inputGrad)
                {
                    GradBuffer(x, out bool fresh);
                    InputGradientPerImage(gData, w.Data, d, geometry, x.Grad!.Data, fresh);
                }
                return;
            }
            // Output gradient rearranged to [OC, N·plane] to match the column matrix.
            var gT = BufferPool.Rent(d.OutChannels * d.BatchColumns, clear: false);
            Parallelism.For(d.N, Parallelism.PartitionsFor(d.N, Im2Col.MinImagesPerPartition), (_, start, end) =>
            {
                for (int n = start; n < end; n++)
                for (int oc = 0; oc < d.OutChannels; oc++)
                    new ReadOnlySpan<float>(gData, n * d.OutImage + oc * d.OutPlane, d.OutPlane)
                        .CopyTo(new Span<float>(gT, oc * d.BatchColumns + n * d.OutPlane, d.OutPlane));
            });
            var gTs = gT.AsSpan(0, d.OutChannels * d.BatchColumns);
            if (weightGrad)
            {
                var gw = GradBuffer(w, out bool fresh); // G[OC, N·plane] · colsᵀ
                if (d.OutChannels * d.Patch <= SmallWeightGradient)
                    WeightGradientByDots(gT, cols!.Data, d, w.Grad!.Data, fresh);
                else
                    Gemm.Sgemm(false, true, d.OutChannels, d.Patch, d.BatchColumns, 1f, gTs, d.BatchColumns,
                        cols!.Span, d.BatchColumns, fresh ? 0f : 1f, gw, d.Patch);
            }
            if (biasGrad)
            {
                var gb = GradBuffer(C!, out bool fresh);
                for (int oc = 0; oc < d.OutChannels; oc++)
                    gb[oc] = (fresh ? 0f : gb[oc]) + (float)VectorKernels.SumDouble(gTs.Slice(oc * d.BatchColumns, d.BatchColumns));
            }
            if (inputGrad)
            {
                var gx = GradBuffer(x, out bool fresh);
                var dcols = BufferPool.Rent(d.Patch * d.BatchColumns, clear: false); // Wᵀ · G
                Gemm.Sgemm(true, false, d.Patch, d.BatchColumns, d.OutChannels, 1f, w.Span, d.Patch, gTs, d.BatchColumns,
                    0f, dcols.AsSpan(0, d.Patch * d.BatchColumns), d.BatchColumns);
                if (fresh) gx.Clear();
                Im2Col.ColumnsToImageBatch(dcols.AsSpan(0, d.Patch * d.BatchColumns), d.N, d.C, d.H, d.W, geometry, gx); // adjoint: accumulates
                BufferPool.Return(dcols);
            }
            BufferPool.Return(gT);
        }
    }

    /// <summary>
    /// Partial sums the per-image weight and bias gradients are split into (claimed by the cores as they come free):
    /// a constant, so that the reduction order, hence every bit of the result, does not depend on the number of cores.
    /// </summary>
    private const int GradientPartials = 8;

    /// <summary>
    /// dW (+)= Σₙ g[n] · columns(x[n])ᵀ and db (+)= Σₙ Σ_plane g[n], as <see cref="GradientPartials"/> fixed ranges
    /// of images, each accumulated image by image (the image unfolded again into L2-sized scratch, then one small GEMM
    /// reading g[n] in place), then added in range order.
    /// </summary>
    private static void ParameterGradientsPerImage(float[] gData, float[] xData, ConvDims d, ConvGeometry geometry,
        float[]? gw, bool weightFresh, float[]? gb, bool biasFresh)
    {
        int weights = d.OutChannels * d.Patch;
        var partialW = new float[GradientPartials][];
        var partialB = new double[GradientPartials][];
        for (int p = 0; p < GradientPartials; p++)
        {
            partialW[p] = BufferPool.Rent(weights, clear: true);
            partialB[p] = new double[d.OutChannels];
        }
        Parallelism.For(d.N, GradientPartials, (p, start, end) =>
        {
            float[]? columns = gw is null ? null : BufferPool.Rent(d.Patch * d.OutPlane, clear: false);
            for (int n = start; n < end; n++)
            {
                var gImage = new ReadOnlySpan<float>(gData, n * d.OutImage, d.OutImage);
                if (columns is not null)
                {
                    Im2Col.ImageToColumns(xData.AsSpan(n * d.InImage, d.InImage), d.C, d.H, d.W, geometry, columns.AsSpan(0, d.Patch * d.OutPlane));
                    Gemm.SgemmOnCallingThread(false, true, d.OutChannels, d.Patch, d.OutPlane, 1f, gImage, d.OutPlane,
                        columns.AsSpan(0, d.Patch * d.OutPlane), d.OutPlane, 1f, partialW[p].AsSpan(0, weights), d.Patch);
                }
                if (gb is not null)
                    for (int oc = 0; oc < d.OutChannels; oc++)
                        partialB[p][oc] += VectorKernels.SumDouble(gImage.Slice(oc * d.OutPlane, d.OutPlane));
            }
            if (columns is not null) BufferPool.Return(columns);
        });
        if (gw is not null)
            for (int e = 0; e < weights; e++)
            {
                float sum = weightFresh ? 0f : gw[e];
                for (int p = 0; p < GradientPartials; p++) sum += partialW[p][e];
                gw[e] = sum;
            }
        if (gb is not null)
            for (int oc = 0; oc < d.OutChannels; oc++)
            {
                double sum = 0;
                for (int p = 0; p < GradientPartials; p++) sum += partialB[p][oc];
                gb[oc] = (biasFresh ? 0f : gb[oc]) + (float)sum;
            }
        foreach (var buffer in partialW) BufferPool.Return(buffer);
    }

    /// <summary>
    /// gx[n] (+)= col2im(Wᵀ · g[n]) one image at a time, images split over the cores: each image's column gradient
    /// (patch × plane) is folded back while it is still in L2, and g[n] is read in place.
    /// </summary>
    private static void InputGradientPerImage(float[] gData, float[] wData, ConvDims d, ConvGeometry geometry, float[] gxData, bool fresh)
    {
        using var packedWT = Gemm.PackA(true, d.Patch, d.OutChannels, wData.AsSpan(0, d.OutChannels * d.Patch), d.Patch);
        Parallelism.For(d.N, Parallelism.PartitionsFor(d.N, Im2Col.MinImagesPerPartition), (_, start, end) =>
        {
            var dcols = BufferPool.Rent(d.Patch * d.OutPlane, clear: false);
            for (int n = start; n < end; n++)
            {
                Gemm.SgemmOnCallingThread(true, false, d.Patch, d.OutPlane, d.OutChannels, 1f, wData.AsSpan(0, d.OutChannels * d.Patch), d.Patch,
                    gData.AsSpan(n * d.OutImage, d.OutImage), d.OutPlane, 0f, dcols.AsSpan(0, d.Patch * d.OutPlane), d.OutPlane, packedWT);
                if (fresh) gxData.AsSpan(n * d.InImage, d.InImage).Clear();
                Im2Col.ColumnsToImage(dcols.AsSpan(0, d.Patch * d.OutPlane), d.C, d.H, d.W, geometry, gxData.AsSpan(n * d.InImage, d.InImage));
            }
            BufferPool.Return(dcols);
        });
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
        public bool PerImage => OutPlane >= PerImagePlane;

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
