using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Probabilistic.Nn.Tensors.Kernels;

/// <summary>
/// AVX-512 path for narrow products (n ≤ 16, e.g. a 784→10 classifier): op(B) is packed once into a k×16
/// zero-padded panel, and A is read in place (no packing), 8 rows at a time with one zmm accumulator per row over
/// the whole depth k. This does half the padded work of the 8×32 kernel and skips the A copy, which dominate
/// such small calls. The k order is fixed, so results are deterministic.
/// </summary>
internal static unsafe class GemmNarrow
{
    /// <summary>Columns of the packed B panel (one zmm).</summary>
    public const int Width = 16;

    /// <summary>Rows computed together.</summary>
    public const int Rows = 8;

    /// <summary>Computes rows [row0, row1) of C (all n ≤ 16 columns).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in GemmProblem p, int row0, int row1)
    {
        GemmWorkspace ws = GemmWorkspace.Rent();
        try
        {
            float* packB = ws.B((long)p.K * Width);
            GemmPacking.PackB(p.TransB, p.B, p.Ldb, 0, p.K, 0, p.N, Width, packB, simd: true);
            // Element (r, q) of op(A) is at a[r·rowStride + q·depthStride].
            long rowStride = p.TransA ? 1 : p.Lda, depthStride = p.TransA ? p.Lda : 1;
            // Lanes j < n are stored with masked stores (no scratch tile, nothing past column n touched).
            Vector512<float> mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(p.N)).AsSingle();
            int i = row0;
            for (; i + Rows <= row1; i += Rows)
                Kernel8(p.K, p.A + i * rowStride, rowStride, depthStride, packB, p.C + (long)i * p.Ldc, p.Ldc, p.Alpha, p.Beta, mask);
            for (; i < row1; i++)
                Kernel1(p.K, p.A + i * rowStride, depthStride, packB, p.C + (long)i * p.Ldc, p.Alpha, p.Beta, mask);
        }
        finally
        {
            GemmWorkspace.Return(ws);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel8(int k, float* a, long rs, long ds, float* b, float* c, int ldc, float alpha, float beta, Vector512<float> mask)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        Vector512<float> c4 = default, c5 = default, c6 = default, c7 = default;
        long r2 = 2 * rs, r3 = 3 * rs, r4 = 4 * rs, r5 = 5 * rs, r6 = 6 * rs, r7 = 7 * rs;
        for (int q = 0; q < k; q++, a += ds, b += Width)
        {
            Vector512<float> bv = Vector512.Load(b);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), bv, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(a[rs]), bv, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(a[r2]), bv, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(a[r3]), bv, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(a[r4]), bv, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(a[r5]), bv, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(a[r6]), bv, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(a[r7]), bv, c7);
        }
        Merge(c, c0, alpha, beta, mask); c += ldc;
        Merge(c, c1, alpha, beta, mask); c += ldc;
        Merge(c, c2, alpha, beta, mask); c += ldc;
        Merge(c, c3, alpha, beta, mask); c += ldc;
        Merge(c, c4, alpha, beta, mask); c += ldc;
        Merge(c, c5, alpha, beta, mask); c += ldc;
        Merge(c, c6, alpha, beta, mask); c += ldc;
        Merge(c, c7, alpha, beta, mask);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel1(int k, float* a, long ds, float* b, float* c, float alpha, float beta, Vector512<float> mask)
    {
        // One accumulator in the same k order as Kernel8, so a row's result does not depend on which kernel ran it.
        Vector512<float> acc = default;
        for (int q = 0; q < k; q++, a += ds, b += Width)
            acc = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), Vector512.Load(b), acc);
        Merge(c, acc, alpha, beta, mask);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Merge(float* c, Vector512<float> acc, float alpha, float beta, Vector512<float> mask)
    {
        Vector512<float> result = acc * Vector512.Create(alpha);
        if (beta != 0f)
            result = Vector512.FusedMultiplyAdd(Avx512F.MaskLoad(c, mask, Vector512<float>.Zero), Vector512.Create(beta), result);
        Avx512F.MaskStore(c, mask, result);
    }
}
