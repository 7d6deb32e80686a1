using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Autograd;

/// <summary>
/// Unpacked AVX2 products for linear layers with few outputs (a 784→10 classifier head): the packed GEMM spends
/// most of such a call transposing and copying its operands, while these loops read them in place.
/// <see cref="Dots"/> computes y[r, o] = Σ_q x[r, q]·w[o, q] (the forward pass), <see cref="CombineRows"/>
/// c[i, :] = Σ_q a(i, q)·b[q, :] (the weight and input gradients). Every output element is one 8-lane FMA chain
/// over q in increasing order, reduced in a fixed order, whatever block it falls in: results are bitwise
/// reproducible and do not depend on the batch size, the position of a row or the thread count.
/// </summary>
internal static unsafe class NarrowLinearKernels
{
    /// <summary>Most outputs for which a linear layer uses these kernels instead of the packed GEMM.</summary>
    public const int MaxOutputs = 16;

    /// <summary>Products of at least this many flops are split over the cores (by disjoint output ranges).</summary>
    private const long ParallelFlops = 8L << 20;

    /// <summary>Whether the processor runs these kernels (256-bit vectors with FMA).</summary>
    public static bool IsSupported => Vector256.IsHardwareAccelerated && Fma.IsSupported;

    /// <summary>
    /// y[r, o] = Σ_q x[r, q]·w[o, q] (+ bias[o] when given) for x [rows, depth], w [outs, depth], y [rows, outs],
    /// all row-major and contiguous.
    /// </summary>
    public static void Dots(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, int rows, int outs, int depth)
    {
        if (x.Length < rows * depth || w.Length < outs * depth || y.Length < rows * outs || (!bias.IsEmpty && bias.Length < outs))
            throw new ArgumentException("NarrowLinearKernels.Dots: a span is shorter than its matrix.");
        fixed (float* px = x, pw = w, pb = bias, py = y)
        {
            var job = new DotsJob(px, pw, bias.IsEmpty ? null : pb, py, outs, depth);
            int parts = Parts(rows, 2L * rows * outs * depth);
            if (parts == 1) job.Run(0, rows);
            else Parallel.For(0, parts, p => job.Run(Parallelism.Start(rows, parts, p), Parallelism.Start(rows, parts, p + 1)));
        }
    }

    /// <summary>
    /// c[i, j] (+)= Σ_q a[i·aRowStride + q·aDepthStride]·b[q·width + j] for i &lt; rows, j &lt; width, q &lt; depth;
    /// c is [rows, width] row-major. With <paramref name="accumulate"/> the sum is added to c, else it replaces c.
    /// </summary>
    public static void CombineRows(ReadOnlySpan<float> a, int aRowStride, int aDepthStride, ReadOnlySpan<float> b,
        Span<float> c, int rows, int width, int depth, bool accumulate)
    {
        long aNeeded = rows == 0 || depth == 0 ? 0 : (long)(rows - 1) * aRowStride + (long)(depth - 1) * aDepthStride + 1;
        if (a.Length < aNeeded || b.Length < depth * width || c.Length < rows * width)
            throw new ArgumentException("NarrowLinearKernels.CombineRows: a span is shorter than its matrix.");
        fixed (float* pa = a, pb = b, pc = c)
        {
            var job = new CombineJob(pa, aRowStride, aDepthStride, pb, pc, rows, width, depth, accumulate);
            // Split by column strips: the weight gradient has few rows but wide ones.
            int strips = (width + CombineJob.Strip - 1) / CombineJob.Strip;
            int parts = Parts(strips, 2L * rows * width * depth);
            if (parts == 1) job.Run(0, width);
            else Parallel.For(0, parts, p => job.Run(
                Parallelism.Start(strips, parts, p) * CombineJob.Strip, Math.Min(width, Parallelism.Start(strips, parts, p + 1) * CombineJob.Strip)));
        }
    }

    private static int Parts(int items, long flops) =>
        flops < ParallelFlops ? 1 : Math.Min(Parallelism.Partitions, items);

    /// <summary>The forward product over pinned operands, for a range of rows.</summary>
    private readonly struct DotsJob(float* x, float* w, float* bias, float* y, int outs, int depth)
    {
        private readonly float* _x = x, _w = w, _bias = bias, _y = y;
        private readonly int _outs = outs, _depth = depth;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int row0, int row1)
        {
            int outs = _outs, depth = _depth;
            int r = row0;
            for (; r + 4 <= row1; r += 4)
            {
                int o = 0;
                for (; o + 2 <= outs; o += 2) Block4x2(r, o);
                for (; o < outs; o++)
                    for (int i = 0; i < 4; i++) Store(r + i, o, Dot(_x + (long)(r + i) * depth, _w + (long)o * depth, depth));
            }
            for (; r < row1; r++)
                for (int o = 0; o < outs; o++) Store(r, o, Dot(_x + (long)r * depth, _w + (long)o * depth, depth));
        }

        private void Store(int r, int o, float dot) => _y[(long)r * _outs + o] = _bias is null ? dot : _bias[o] + dot;

        /// <summary>Rows r..r+3 against outputs o, o+1: eight independent FMA chains.</summary>
        private void Block4x2(int r, int o)
        {
            int depth = _depth;
            float* x0 = _x + (long)r * depth, x1 = x0 + depth, x2 = x1 + depth, x3 = x2 + depth;
            float* w0 = _w + (long)o * depth, w1 = w0 + depth;
            Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default;
            Vector256<float> s20 = default, s21 = default, s30 = default, s31 = default;
            int q = 0;
            for (; q + 8 <= depth; q += 8)
            {
                var a0 = Vector256.Load(w0 + q);
                var a1 = Vector256.Load(w1 + q);
                var v = Vector256.Load(x0 + q);
                s00 = Fma.MultiplyAdd(v, a0, s00); s01 = Fma.MultiplyAdd(v, a1, s01);
                v = Vector256.Load(x1 + q);
                s10 = Fma.MultiplyAdd(v, a0, s10); s11 = Fma.MultiplyAdd(v, a1, s11);
                v = Vector256.Load(x2 + q);
                s20 = Fma.MultiplyAdd(v, a0, s20); s21 = Fma.MultiplyAdd(v, a1, s21);
                v = Vector256.Load(x3 + q);
                s30 = Fma.MultiplyAdd(v, a0, s30); s31 = Fma.MultiplyAdd(v, a1, s31);
            }
            Store(r, o, Finish(s00, x0, w0, q, depth)); Store(r, o + 1, Finish(s01, x0, w1, q, depth));
            Store(r + 1, o, Finish(s10, x1, w0, q, depth)); Store(r + 1, o + 1, Finish(s11, x1, w1, q, depth));
            Store(r + 2, o, Finish(s20, x2, w0, q, depth)); Store(r + 2, o + 1, Finish(s21, x2, w1, q, depth));
            Store(r + 3, o, Finish(s30, x3, w0, q, depth)); Store(r + 3, o + 1, Finish(s31, x3, w1, q, depth));
        }

        /// <summary>One dot product with the same arithmetic as a lane of <see cref="Block4x2"/>.</summary>
        private static float Dot(float* x, float* w, int depth)
        {
            Vector256<float> s = default;
            int q = 0;
            for (; q + 8 <= depth; q += 8) s = Fma.MultiplyAdd(Vector256.Load(x + q), Vector256.Load(w + q), s);
            return Finish(s, x, w, q, depth);
        }

        /// <summary>Reduces the lanes in a fixed order, then adds the tail q..depth-1 in order.</summary>
        private static float Finish(Vector256<float> s, float* x, float* w, int q, int depth)
        {
            var half = s.GetLower() + s.GetUpper();
            float total = (half.GetElement(0) + half.GetElement(2)) + (half.GetElement(1) + half.GetElement(3));
            for (; q < depth; q++) total = MathF.FusedMultiplyAdd(x[q], w[q], total);
            return total;
        }
    }

    /// <summary>The row-combination product over pinned operands, for a range of columns.</summary>
    private readonly struct CombineJob(float* a, int aRowStride, int aDepthStride, float* b, float* c, int rows, int width, int depth, bool accumulate)
    {
        /// <summary>Columns per register block (two vectors).</summary>
        public const int Strip = 16;

        private readonly float* _a = a, _b = b, _c = c;
        private readonly int _rs = aRowStride, _ds = aDepthStride, _rows = rows, _width = width, _depth = depth;
        private readonly bool _accumulate = accumulate;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int col0, int col1)
        {
            // Strips outermost: a strip of b (depth × 16) is loaded into L1 once and serves every row block.
            int j = col0;
            for (; j + Strip <= col1; j += Strip)
            {
                int i = 0;
                for (; i + 4 <= _rows; i += 4) Block4x16(i, j);
                if (i + 2 <= _rows) { Block2x16(i, j); i += 2; }
                if (i < _rows) Block1x16(i, j);
            }
            for (int i = 0; i < _rows; i++) Tail(i, j, col1);
        }

        private void Store(int i, int j, Vector256<float> sum)
        {
            float* dst = _c + (long)i * _width + j;
            Vector256.Store(_accumulate ? Vector256.Load(dst) + sum : sum, dst);
        }

        /// <summary>Rows i..i+3, columns j..j+15: eight FMA chains, one broadcast of a per row and step.</summary>
        private void Block4x16(int i, int j)
        {
            float* a0 = _a + (long)i * _rs, a1 = a0 + _rs, a2 = a1 + _rs, a3 = a2 + _rs;
            float* b = _b + j;
            Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default;
            Vector256<float> s20 = default, s21 = default, s30 = default, s31 = default;
            for (long q = 0, at = 0; q < _depth; q++, at += _ds, b += _width)
            {
                var b0 = Vector256.Load(b);
                var b1 = Vector256.Load(b + 8);
                var v = Vector256.Create(a0[at]);
                s00 = Fma.MultiplyAdd(v, b0, s00); s01 = Fma.MultiplyAdd(v, b1, s01);
                v = Vector256.Create(a1[at]);
                s10 = Fma.MultiplyAdd(v, b0, s10); s11 = Fma.MultiplyAdd(v, b1, s11);
                v = Vector256.Create(a2[at]);
                s20 = Fma.MultiplyAdd(v, b0, s20); s21 = Fma.MultiplyAdd(v, b1, s21);
                v = Vector256.Create(a3[at]);
                s30 = Fma.MultiplyAdd(v, b0, s30); s31 = Fma.MultiplyAdd(v, b1, s31);
            }
            Store(i, j, s00); Store(i, j + 8, s01);
            Store(i + 1, j, s10); Store(i + 1, j + 8, s11);
            Store(i + 2, j, s20); Store(i + 2, j + 8, s21);
            Store(i + 3, j, s30); Store(i + 3, j + 8, s31);
        }

        /// <summary>Rows i, i+1 (a remainder of the 4-row blocks): four FMA chains.</summary>
        private void Block2x16(int i, int j)
        {
            float* a0 = _a + (long)i * _rs, a1 = a0 + _rs;
            float* b = _b + j;
            Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default;
            for (long q = 0, at = 0; q < _depth; q++, at += _ds, b += _width)
            {
                var b0 = Vector256.Load(b);
                var b1 = Vector256.Load(b + 8);
                var v = Vector256.Create(a0[at]);
                s00 = Fma.MultiplyAdd(v, b0, s00); s01 = Fma.MultiplyAdd(v, b1, s01);
                v = Vector256.Create(a1[at]);
                s10 = Fma.MultiplyAdd(v, b0, s10); s11 = Fma.MultiplyAdd(v, b1, s11);
            }
            Store(i, j, s00); Store(i, j + 8, s01);
            Store(i + 1, j, s10); Store(i + 1, j + 8, s11);
        }

        private void Block1x16(int i, int j)
        {
            float* ai = _a + (long)i * _rs;
            float* b = _b + j;
            Vector256<float> s0 = default, s1 = default;
            for (long q = 0, at = 0; q < _depth; q++, at += _ds, b += _width)
            {
                var v = Vector256.Create(ai[at]);
                s0 = Fma.MultiplyAdd(v, Vector256.Load(b), s0);
                s1 = Fma.MultiplyAdd(v, Vector256.Load(b + 8), s1);
            }
            Store(i, j, s0); Store(i, j + 8, s1);
        }

        /// <summary>Columns j..col1-1 (fewer than a strip) of row i, one scalar FMA chain each.</summary>
        private void Tail(int i, int j, int col1)
        {
            float* ai = _a + (long)i * _rs;
            for (; j < col1; j++)
            {
                float s = 0f;
                float* b = _b + j;
                for (long q = 0, at = 0; q < _depth; q++, at += _ds, b += _width) s = MathF.FusedMultiplyAdd(ai[at], *b, s);
                float* dst = _c + (long)i * _width + j;
                *dst = _accumulate ? *dst + s : s;
            }
        }
    }
}
