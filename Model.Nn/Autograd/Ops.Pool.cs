using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Max pooling over [N, C, H, W] (as torch.nn.functional.max_pool2d, floor mode); stride defaults to the kernel.
    /// Padded positions never win. The gradient goes to the first maximum of each window.
    /// </summary>
    public static Tensor MaxPool2d(Tensor x, int kernel, int? stride = null, int padding = 0)
    {
        RankIs("MaxPool2d", x, 4, "input [N, C, H, W]");
        var g = PoolGeometry("MaxPool2d", x, kernel, stride ?? kernel, padding);
        int h = x.Dim(2), w = x.Dim(3), oh = g.OutHeight(h), ow = g.OutWidth(w), planes = x.Dim(0) * x.Dim(1);
        var y = Tensor.CreateTemporary([x.Dim(0), x.Dim(1), oh, ow], clear: false);
        // Winning positions within each input plane, stored as floats (exact below 2^24) so they pool like any tensor.
        var argmax = Tensor.CreateTemporary(y.ShapeArray, clear: false);
        var xData = x.Data;
        var yData = y.Data;
        var amData = argmax.Data;
        bool pairs = IsPairWindow(g);
        int parts = Parallelism.PartitionsFor(planes, 16);
        Parallelism.For(planes, parts, (_, start, end) =>
        {
            if (pairs)
            {
                unsafe
                {
                    fixed (float* px = xData, py = yData, pa = amData)
                        for (int pl = start; pl < end; pl++)
                            MaxPool2x2.Forward(px + pl * h * w, w, oh, ow, py + pl * oh * ow, pa + pl * oh * ow);
                }
                return;
            }
            for (int pl = start; pl < end; pl++)
                MaxPoolPlane(new ReadOnlySpan<float>(xData, pl * h * w, h * w), h, w, g, oh, ow,
                    new Span<float>(yData, pl * oh * ow, oh * ow), new Span<float>(amData, pl * oh * ow, oh * ow));
        });
        return Node.ShouldRecord(x) ? new MaxPoolNode(argmax, g).Record(y, x) : y;
    }

    /// <summary>General window: padded positions never win; the first maximum (or a NaN) wins.</summary>
    private static void MaxPoolPlane(ReadOnlySpan<float> plane, int h, int w, ConvGeometry g, int oh, int ow, Span<float> y, Span<float> am)
    {
        int o = 0;
        for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++, o++)
        {
            int y0 = oy * g.StrideH - g.PadH, x0 = ox * g.StrideW - g.PadW;
            float best = float.NegativeInfinity;
            int bestAt = -1;
            for (int ky = Math.Max(0, -y0); ky < g.KernelH && y0 + ky < h; ky++)
            {
                int row = (y0 + ky) * w;
                for (int kx = Math.Max(0, -x0); kx < g.KernelW && x0 + kx < w; kx++)
                {
                    float v = plane[row + x0 + kx];
                    if (v > best || bestAt < 0 || float.IsNaN(v)) { best = v; bestAt = row + x0 + kx; }
                }
            }
            y[o] = best;
            am[o] = bestAt;
        }
    }

    /// <summary>The 2×2, stride-2 window without padding, which has a vectorised kernel (when the CPU has AVX2).</summary>
    private static bool IsPairWindow(ConvGeometry g) =>
        MaxPool2x2.IsSupported && g is { KernelH: 2, KernelW: 2, StrideH: 2, StrideW: 2, PadH: 0, PadW: 0 };

    private sealed class MaxPoolNode(Tensor argmax, ConvGeometry geometry) : Node
    {
        public override string OpName => "MaxPool2d";
        internal override void Backward(Tensor g)
        {
            GradBuffer(A!, out bool fresh);
            var gxData = A!.Grad!.Data;
            int h = A.Dim(2), w = A.Dim(3), oh = Output.Dim(2), ow = Output.Dim(3), planes = A.Dim(0) * A.Dim(1);
            int inPlane = h * w, outPlane = oh * ow;
            var gData = g.Data;
            var amData = argmax.Data;
            bool pairs = fresh && IsPairWindow(geometry);
            // Each window's winner lies in its own plane, so partitions over planes never write the same element.
            Parallelism.For(planes, Parallelism.PartitionsFor(planes, 16), (_, start, end) =>
            {
                if (pairs)
                {
                    unsafe
                    {
                        fixed (float* pg = gData, pa = amData, pgx = gxData)
                            for (int pl = start; pl < end; pl++)
                                MaxPool2x2.Backward(pg + pl * outPlane, pa + pl * outPlane, h, w, oh, ow, pgx + pl * inPlane);
                    }
                    return;
                }
                for (int pl = start; pl < end; pl++)
                {
                    var gx = new Span<float>(gxData, pl * inPlane, inPlane);
                    if (fresh) gx.Clear();
                    for (int o = pl * outPlane; o < (pl + 1) * outPlane; o++) gx[(int)amData[o]] += gData[o];
                }
            });
        }
    }

    /// <summary>
    /// Average pooling over [N, C, H, W] (floor mode); stride defaults to the kernel. With padding, the divisor
    /// counts padded positions when <paramref name="countIncludePad"/> (PyTorch's default).
    /// </summary>
    public static Tensor AvgPool2d(Tensor x, int kernel, int? stride = null, int padding = 0, bool countIncludePad = true)
    {
        RankIs("AvgPool2d", x, 4, "input [N, C, H, W]");
        var g = PoolGeometry("AvgPool2d", x, kernel, stride ?? kernel, padding);
        int h = x.Dim(2), w = x.Dim(3);
        var windows = new WindowSet(g.OutHeight(h), g.OutWidth(w), g, countIncludePad);
        return AveragePool(x, windows);
    }

    /// <summary>
    /// Adaptive average pooling to [outH, outW]: output cell i averages input rows floor(i·H/outH) … ceil((i+1)·H/outH)−1
    /// (and likewise for columns), as PyTorch does.
    /// </summary>
    public static Tensor AdaptiveAvgPool2d(Tensor x, int outH, int outW)
    {
        RankIs("AdaptiveAvgPool2d", x, 4, "input [N, C, H, W]");
        if (outH < 1 || outW < 1) throw new ArgumentException($"AdaptiveAvgPool2d: output size {outH}×{outW} must be positive.");
        return AveragePool(x, new WindowSet(outH, outW, null, false));
    }

    /// <summary>The pooling windows of an average pool: fixed (kernel/stride/padding) or adaptive.</summary>
    private readonly record struct WindowSet(int OH, int OW, ConvGeometry? Fixed, bool CountIncludePad)
    {
        /// <summary>Rows [start, end) of window <paramref name="o"/> and its divisor contribution along that axis.</summary>
        public (int Start, int End, int Count) Range(int o, int size, int outSize, bool vertical)
        {
            if (Fixed is { } g)
            {
                int k = vertical ? g.KernelH : g.KernelW, s = vertical ? g.StrideH : g.StrideW, p = vertical ? g.PadH : g.PadW;
                int start = o * s - p, end = start + k;
                int padEnd = Math.Min(end, size + p);
                int cs = Math.Max(start, 0), ce = Math.Min(end, size);
                return (cs, ce, CountIncludePad ? padEnd - start : ce - cs);
            }
            int a = (int)((long)o * size / outSize), b = (int)(((long)(o + 1) * size + outSize - 1) / outSize);
            return (a, b, b - a);
        }
    }

    private static Tensor AveragePool(Tensor x, WindowSet win)
    {
        int planes = x.Dim(0) * x.Dim(1), h = x.Dim(2), w = x.Dim(3);
        var y = Tensor.CreateTemporary([x.Dim(0), x.Dim(1), win.OH, win.OW], clear: false);
        var xs = x.Span;
        var ys = y.Span;
        for (int pl = 0; pl < planes; pl++)
        {
            var plane = xs.Slice(pl * h * w, h * w);
            int o = pl * win.OH * win.OW;
            for (int oy = 0; oy < win.OH; oy++)
            {
                var (ya, yb, yc) = win.Range(oy, h, win.OH, true);
                for (int ox = 0; ox < win.OW; ox++, o++)
                {
                    var (xa, xb, xc) = win.Range(ox, w, win.OW, false);
                    float s = 0;
                    for (int r = ya; r < yb; r++)
                    for (int c = xa; c < xb; c++) s += plane[r * w + c];
                    ys[o] = s / (yc * xc);
                }
            }
        }
        return Node.ShouldRecord(x) ? new AvgPoolNode(win).Record(y, x) : y;
    }

    private sealed class AvgPoolNode(WindowSet win) : Node
    {
        public override string OpName => "AvgPool2d";
        internal override void Backward(Tensor g)
        {
            var gx = GradBuffer(A!, out bool fresh);
            if (fresh) gx.Clear();
            int planes = A!.Dim(0) * A.Dim(1), h = A.Dim(2), w = A.Dim(3);
            var gs = g.Span;
            for (int pl = 0; pl < planes; pl++)
            {
                var plane = gx.Slice(pl * h * w, h * w);
                int o = pl * win.OH * win.OW;
                for (int oy = 0; oy < win.OH; oy++)
                {
                    var (ya, yb, yc) = win.Range(oy, h, win.OH, true);
                    for (int ox = 0; ox < win.OW; ox++, o++)
                    {
                        var (xa, xb, xc) = win.Range(ox, w, win.OW, false);
                        float v = gs[o] / (yc * xc);
                        for (int r = ya; r < yb; r++)
                        for (int c = xa; c < xb; c++) plane[r * w + c] += v;
                    }
                }
            }
        }
    }

    private static ConvGeometry PoolGeometry(string op, Tensor x, int kernel, int stride, int padding)
    {
        if (kernel < 1 || stride < 1 || padding < 0 || padding * 2 > kernel)
            throw new ArgumentException($"{op}: invalid kernel {kernel}, stride {stride}, padding {padding} (padding must be at most half the kernel).");
        var g = new ConvGeometry(kernel, kernel, stride, stride, padding, padding);
        if (g.OutHeight(x.Dim(2)) < 1 || g.OutWidth(x.Dim(3)) < 1)
            throw new ArgumentException($"{op}: input {x.Describe()} is smaller than the {kernel}×{kernel} window.");
        return g;
    }
}
