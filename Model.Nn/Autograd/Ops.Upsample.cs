using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Bilinear resizing of [N, C, H, W] to [N, C, <paramref name="outHeight"/>, <paramref name="outWidth"/>], as
    /// torch.nn.functional.interpolate(mode='bilinear', align_corners=False) with an explicit size: along each axis
    /// the output index d reads the source coordinate (d + ½)·(in/out) − ½, clamped below at 0, and interpolates
    /// linearly between its floor and the next index (clamped at the last one). Equal sizes give the input back.
    /// </summary>
    public static Tensor UpsampleBilinear(Tensor x, int outHeight, int outWidth)
    {
        RankIs("UpsampleBilinear", x, 4, "input [N, C, H, W]");
        if (outHeight < 1 || outWidth < 1)
            throw new ArgumentException($"UpsampleBilinear: output size {outHeight}×{outWidth} must be positive.");
        int h = x.Dim(2), w = x.Dim(3), planes = x.Dim(0) * x.Dim(1);
        var rows = BilinearAxis.Create(h, outHeight);
        var cols = BilinearAxis.Create(w, outWidth);
        var y = Tensor.CreateTemporary([x.Dim(0), x.Dim(1), outHeight, outWidth], clear: false);
        var xs = x.Span;
        var ys = y.Span;
        for (int pl = 0; pl < planes; pl++)
        {
            var plane = xs.Slice(pl * h * w, h * w);
            var outPlane = ys.Slice(pl * outHeight * outWidth, outHeight * outWidth);
            for (int oy = 0; oy < outHeight; oy++)
            {
                var top = plane.Slice(rows.Low[oy] * w, w);
                var bottom = plane.Slice(rows.High[oy] * w, w);
                float wt = rows.LowWeight[oy], wb = rows.HighWeight[oy];
                var outRow = outPlane.Slice(oy * outWidth, outWidth);
                for (int ox = 0; ox < outWidth; ox++)
                {
                    int l = cols.Low[ox], r = cols.High[ox];
                    outRow[ox] = wt * (cols.LowWeight[ox] * top[l] + cols.HighWeight[ox] * top[r])
                                 + wb * (cols.LowWeight[ox] * bottom[l] + cols.HighWeight[ox] * bottom[r]);
                }
            }
        }
        return Node.ShouldRecord(x) ? new UpsampleBilinearNode(rows, cols).Record(y, x) : y;
    }

    /// <summary>One axis of a bilinear resize: for each output index, the two source indices and their weights.</summary>
    private sealed class BilinearAxis
    {
        public required int[] Low { get; init; }
        public required int[] High { get; init; }
        public required float[] LowWeight { get; init; }
        public required float[] HighWeight { get; init; }

        public static BilinearAxis Create(int inSize, int outSize)
        {
            var axis = new BilinearAxis { Low = new int[outSize], High = new int[outSize], LowWeight = new float[outSize], HighWeight = new float[outSize] };
            double scale = (double)inSize / outSize;
            for (int d = 0; d < outSize; d++)
            {
                double src = Math.Max((d + 0.5) * scale - 0.5, 0.0);
                int i0 = Math.Min((int)src, inSize - 1);
                double frac = src - i0;
                axis.Low[d] = i0;
                axis.High[d] = i0 < inSize - 1 ? i0 + 1 : i0;
                axis.HighWeight[d] = (float)frac;
                axis.LowWeight[d] = (float)(1 - frac);
            }
            return axis;
        }
    }

    private sealed class UpsampleBilinearNode(BilinearAxis rows, BilinearAxis cols) : Node
    {
        public override string OpName => "UpsampleBilinear";
        internal override void Backward(Tensor g)
        {
            var gx = GradBuffer(A!, out bool fresh);
            if (fresh) gx.Clear();
            int h = A!.Dim(2), w = A.Dim(3), planes = A.Dim(0) * A.Dim(1);
            int oh = rows.Low.Length, ow = cols.Low.Length;
            var gs = g.Span;
            for (int pl = 0; pl < planes; pl++)
            {
                var plane = gx.Slice(pl * h * w, h * w);
                var gPlane = gs.Slice(pl * oh * ow, oh * ow);
                for (int oy = 0; oy < oh; oy++)
                {
                    var top = plane.Slice(rows.Low[oy] * w, w);
                    var bottom = plane.Slice(rows.High[oy] * w, w);
                    float wt = rows.LowWeight[oy], wb = rows.HighWeight[oy];
                    var gRow = gPlane.Slice(oy * ow, ow);
                    for (int ox = 0; ox < ow; ox++)
                    {
                        int l = cols.Low[ox], r = cols.High[ox];
                        float gl = gRow[ox] * cols.LowWeight[ox], gr = gRow[ox] * cols.HighWeight[ox];
                        top[l] += wt * gl;
                        top[r] += wt * gr;
                        bottom[l] += wb * gl;
                        bottom[r] += wb * gr;
                    }
                }
            }
        }
    }
}
