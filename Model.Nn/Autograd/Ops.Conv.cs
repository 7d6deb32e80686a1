using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// 2-D convolution (cross-correlation, as torch.nn.functional.conv2d): x[N, C, H, W], weight[OC, C, KH, KW],
    /// optional bias[OC] → [N, OC, OH, OW]. Each image is lowered with im2col and multiplied by the weight matrix
    /// with one GEMM; images are split over the cores in fixed contiguous partitions.
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
        var xData = x.Data;
        var wData = weight.Data;
        var yData = y.Data;
        var bData = bias?.Data;
        int parts = Parallelism.PartitionsFor(d.N);
        var cols = RentPerPartition(parts, d.ColumnLength);
        ForPartitions(d.N, parts, (p, start, end) =>
        {
            var col = cols[p].AsSpan(0, d.ColumnLength);
            for (int n = start; n < end; n++)
            {
                var yn = yData.AsSpan(n * d.OutImage, d.OutImage);
                if (bData is not null)
                    for (int oc = 0; oc < d.OutChannels; oc++) yn.Slice(oc * d.OutPlane, d.OutPlane).Fill(bData[oc]);
                Im2Col.ImageToColumns(xData.AsSpan(n * d.InImage, d.InImage), d.C, d.H, d.W, geometry, col);
                Gemm.Sgemm(false, false, d.OutChannels, d.OutPlane, d.Patch, 1f, wData, d.Patch, col, d.OutPlane,
                    bData is null ? 0f : 1f, yn, d.OutPlane);
            }
        });
        ReturnAll(cols);
        return Node.ShouldRecord(x, weight, bias) ? new Conv2dNode(geometry).Record(y, x, weight, bias) : y;
    }

    private sealed class Conv2dNode(ConvGeometry geometry) : Node
    {
        public override string OpName => "Conv2d";
        internal override void Backward(Tensor g)
        {
            Tensor x = A!, w = B!;
            var d = ConvDims.Of(x, w, geometry);
            var gData = g.Data;
            var xData = x.Data;
            var wData = w.Data;
            int parts = Parallelism.PartitionsFor(d.N);
            if (x.RequiresGrad)
            {
                var gx = GradBuffer(x, out bool fresh);
                var gxData = x.Grad!.Data;
                var gcols = RentPerPartition(parts, d.ColumnLength);
                ForPartitions(d.N, parts, (p, start, end) =>
                {
                    var gcol = gcols[p].AsSpan(0, d.ColumnLength);
                    for (int n = start; n < end; n++)
                    {
                        // columns gradient = Wᵀ[patch, OC] · g_n[OC, plane], then scattered back (adjoint of im2col).
                        Gemm.Sgemm(true, false, d.Patch, d.OutPlane, d.OutChannels, 1f, wData, d.Patch,
                            gData.AsSpan(n * d.OutImage, d.OutImage), d.OutPlane, 0f, gcol, d.OutPlane);
                        var gxn = gxData.AsSpan(n * d.InImage, d.InImage);
                        if (fresh) gxn.Clear();
                        Im2Col.ColumnsToImage(gcol, d.C, d.H, d.W, geometry, gxn);
                    }
                });
                ReturnAll(gcols);
            }
            if (w.RequiresGrad)
            {
                int wLen = d.OutChannels * d.Patch;
                var cols = RentPerPartition(parts, d.ColumnLength);
                var partial = RentPerPartition(parts, wLen);
                ForPartitions(d.N, parts, (p, start, end) =>
                {
                    var col = cols[p].AsSpan(0, d.ColumnLength);
                    var acc = partial[p].AsSpan(0, wLen);
                    acc.Clear();
                    for (int n = start; n < end; n++)
                    {
                        Im2Col.ImageToColumns(xData.AsSpan(n * d.InImage, d.InImage), d.C, d.H, d.W, geometry, col);
                        Gemm.Sgemm(false, true, d.OutChannels, d.Patch, d.OutPlane, 1f,
                            gData.AsSpan(n * d.OutImage, d.OutImage), d.OutPlane, col, d.OutPlane, 1f, acc, d.Patch);
                    }
                });
                var gw = GradBuffer(w, out bool fresh);
                for (int p = 0; p < parts; p++) // fixed order: deterministic whatever the scheduling
                {
                    if (p == 0 && fresh) partial[0].AsSpan(0, wLen).CopyTo(gw);
                    else TensorPrimitives.Add(gw, partial[p].AsSpan(0, wLen), gw);
                }
                ReturnAll(cols);
                ReturnAll(partial);
            }
            if (C is { RequiresGrad: true } b)
            {
                var gb = GradBuffer(b, out bool fresh);
                for (int oc = 0; oc < d.OutChannels; oc++)
                {
                    double s = 0;
                    for (int n = 0; n < d.N; n++)
                        s += TensorPrimitives.Sum(gData.AsSpan(n * d.OutImage + oc * d.OutPlane, d.OutPlane));
                    gb[oc] = (fresh ? 0f : gb[oc]) + (float)s;
                }
            }
        }
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
