using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Probabilistic.Nn.Tensors.Kernels;

/// <summary>
/// Copies blocks of A and B into the panel layouts the micro-kernels read (see <see cref="IGemmMicroKernel"/>),
/// padding partial panels with zeros so that every tile runs the same full-size kernel.
/// With AVX (when allowed), rows are copied a vector at a time and a strided source (A not transposed, B
/// transposed) is transposed 8×8 at a time with shuffles; partial and narrow panels use masked loads and stores.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>How many rows ahead a strided copy prefetches its source.</summary>
    private const int RowsAhead = 24;

    /// <summary>
    /// Packs op(A)[rows, depth] starting at (row0, p0) into panels of <paramref name="mr"/> rows:
    /// dst[panel·depth·mr + p·mr + r] = op(A)(row0 + panel·mr + r, p0 + p).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(bool transA, float* a, int lda, int row0, int rows, int p0, int depth, int mr, float* dst, bool simd)
    {
        for (int i = 0; i < rows; i += mr)
        {
            int h = Math.Min(mr, rows - i);
            float* panel = dst + (long)i * depth;
            if (transA)
            {
                // op(A)(r, p) = a[p·lda + r]: each k step is a contiguous run of h values.
                float* src = a + (long)p0 * lda + row0 + i;
                CopyRows(src, lda, panel, mr, depth, h, simd);
            }
            else
            {
                // op(A)(r, p) = a[r·lda + p]: transpose the h×depth block.
                float* src = a + (long)(row0 + i) * lda + p0;
                Transpose(src, lda, h, depth, panel, mr, simd);
            }
        }
    }

    /// <summary>
    /// Packs op(B)[depth, cols] starting at (p0, col0) into panels of <paramref name="nr"/> columns:
    /// dst[panel·depth·nr + p·nr + c] = op(B)(p0 + p, col0 + panel·nr + c).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(bool transB, float* b, int ldb, int p0, int depth, int col0, int cols, int nr, float* dst, bool simd)
    {
        for (int j = 0; j < cols; j += nr)
        {
            int w = Math.Min(nr, cols - j);
            float* panel = dst + (long)j * depth;
            if (transB)
            {
                // op(B)(p, c) = b[c·ldb + p]: transpose the w×depth block.
                float* src = b + (long)(col0 + j) * ldb + p0;
                Transpose(src, ldb, w, depth, panel, nr, simd);
            }
            else
            {
                float* src = b + (long)p0 * ldb + col0 + j;
                CopyRows(src, ldb, panel, nr, depth, w, simd);
            }
        }
    }

    /// <summary>dst[p·width + c] = src[p·ld + c] for c &lt; valid, zero for valid ≤ c &lt; width; p &lt; depth.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyRows(float* src, int ld, float* dst, int width, int depth, int valid, bool simd)
    {
        if (simd && (width % 8 == 0 || width < 8) && Avx.IsSupported)
        {
            // Whole vectors; a partial panel's last group loads only its valid lanes (masked, so nothing past the
            // matrix is read), and panels narrower than a vector store only `width` lanes.
            int fullGroups = valid / 8, groups = (width + 7) / 8;
            Vector256<float> loadMask = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(valid % 8)).AsSingle();
            Vector256<float> storeMask = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(Math.Min(8, width))).AsSingle();
            bool narrow = width < 8;
            // Rows far apart lie on different pages, where the hardware prefetchers stop: ask for rows ahead.
            long ahead = (long)RowsAhead * ld;
            for (int p = 0; p < depth; p++, src += ld, dst += width)
            {
                if (p + RowsAhead < depth)
                {
                    Sse.Prefetch0(src + ahead);
                    Sse.Prefetch0(src + ahead + valid - 1);
                }
                int g = 0;
                for (; g < fullGroups; g++) Avx.Store(dst + 8 * g, Avx.LoadVector256(src + 8 * g));
                if (valid % 8 != 0)
                {
                    Vector256<float> last = Avx.MaskLoad(src + 8 * g, loadMask);
                    if (narrow) Avx.MaskStore(dst + 8 * g, storeMask, last);
                    else Avx.Store(dst + 8 * g, last);
                    g++;
                }
                for (; g < groups; g++)
                    if (narrow) Avx.MaskStore(dst + 8 * g, storeMask, Vector256<float>.Zero);
                    else Avx.Store(dst + 8 * g, Vector256<float>.Zero);
            }
            return;
        }
        for (int p = 0; p < depth; p++, src += ld, dst += width)
        {
            int c = 0;
            for (; c < valid; c++) dst[c] = src[c];
            for (; c < width; c++) dst[c] = 0f;
        }
    }

    /// <summary>
    /// dst[p·width + r] = src[r·ld + p] for r &lt; valid (zero for valid ≤ r &lt; width), p &lt; depth:
    /// a block of <paramref name="valid"/> source rows becomes <paramref name="depth"/> rows of the panel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose(float* src, int ld, int valid, int depth, float* dst, int width, bool simd)
    {
        int p = 0;
        if (simd && (width % 8 == 0 || width < 8) && Avx.IsSupported)
        {
            // 8×8 blocks; rows past `valid` read as zero (the panel padding), and panels narrower than a vector
            // (the 6-row A panels of the AVX2 kernel) store only `width` lanes per k step.
            int lanes = Math.Min(8, width);
            Vector256<float> mask = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(lanes)).AsSingle();
            for (; p + 8 <= depth; p += 8)
                for (int r = 0; r < width; r += 8)
                    TransposeBlock(src + (long)r * ld + p, ld, Math.Clamp(valid - r, 0, 8), dst + (long)p * width + r, width, lanes, mask);
        }
        for (; p < depth; p++)
        {
            float* d = dst + (long)p * width;
            int r = 0;
            for (; r < valid; r++) d[r] = src[(long)r * ld + p];
            for (; r < width; r++) d[r] = 0f;
        }
    }

    /// <summary>
    /// d[c·ds + r] = s[r·ss + c] for r &lt; 8, c &lt; 8, where source rows from <paramref name="rows"/> on read as
    /// zero and only the first <paramref name="lanes"/> lanes of each output row are stored (masked when fewer than 8).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeBlock(float* s, int ss, int rows, float* d, int ds, int lanes, Vector256<float> mask)
    {
        Vector256<float> zero = Vector256<float>.Zero;
        var (c0, c1, c2, c3, c4, c5, c6, c7) = Transpose(
            rows > 0 ? Avx.LoadVector256(s) : zero, rows > 1 ? Avx.LoadVector256(s + ss) : zero,
            rows > 2 ? Avx.LoadVector256(s + 2L * ss) : zero, rows > 3 ? Avx.LoadVector256(s + 3L * ss) : zero,
            rows > 4 ? Avx.LoadVector256(s + 4L * ss) : zero, rows > 5 ? Avx.LoadVector256(s + 5L * ss) : zero,
            rows > 6 ? Avx.LoadVector256(s + 6L * ss) : zero, rows > 7 ? Avx.LoadVector256(s + 7L * ss) : zero);
        if (lanes == 8)
        {
            Avx.Store(d, c0); Avx.Store(d + ds, c1); Avx.Store(d + 2L * ds, c2); Avx.Store(d + 3L * ds, c3);
            Avx.Store(d + 4L * ds, c4); Avx.Store(d + 5L * ds, c5); Avx.Store(d + 6L * ds, c6); Avx.Store(d + 7L * ds, c7);
            return;
        }
        Avx.MaskStore(d, mask, c0); Avx.MaskStore(d + ds, mask, c1); Avx.MaskStore(d + 2L * ds, mask, c2);
        Avx.MaskStore(d + 3L * ds, mask, c3); Avx.MaskStore(d + 4L * ds, mask, c4); Avx.MaskStore(d + 5L * ds, mask, c5);
        Avx.MaskStore(d + 6L * ds, mask, c6); Avx.MaskStore(d + 7L * ds, mask, c7);
    }

    /// <summary>Transposes the 8×8 block held in rows r0…r7 (unpack, shuffle, then swap 128-bit halves).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float>, Vector256<float>, Vector256<float>, Vector256<float>,
        Vector256<float>, Vector256<float>, Vector256<float>, Vector256<float>) Transpose(
        Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7)
    {
        // Interleave pairs of rows: t0 = a0 b0 a1 b1 | a4 b4 a5 b5, t1 = a2 b2 a3 b3 | a6 b6 a7 b7, …
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        // Gather four rows: u0 = a0 b0 c0 d0 | a4 b4 c4 d4, u1 = a1 b1 c1 d1 | a5 b5 c5 d5, …
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        return (Avx.Permute2x128(u0, u4, 0x20), Avx.Permute2x128(u1, u5, 0x20), Avx.Permute2x128(u2, u6, 0x20),
            Avx.Permute2x128(u3, u7, 0x20), Avx.Permute2x128(u0, u4, 0x31), Avx.Permute2x128(u1, u5, 0x31),
            Avx.Permute2x128(u2, u6, 0x31), Avx.Permute2x128(u3, u7, 0x31));
    }
}
