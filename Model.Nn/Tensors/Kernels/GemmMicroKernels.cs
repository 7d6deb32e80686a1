using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Probabilistic.Nn.Tensors.Kernels;

/// <summary>
/// A register-tiled GEMM micro-kernel: multiplies a packed MR×kc panel of A by a packed kc×NR panel of B and
/// merges the MR×NR product into C as C = alpha·AB + cScale·C (cScale = 0 overwrites C, ignoring NaN there).
/// Packed A stores, for each p, the MR values A(0..MR-1, p) contiguously; packed B stores B(p, 0..NR-1).
/// The k loop runs in increasing p with one FMA per product, so the result of every C element does not depend
/// on which tile, thread or partition computed it.
/// </summary>
internal interface IGemmMicroKernel
{
    /// <summary>Rows of the register tile.</summary>
    static abstract int MR { get; }

    /// <summary>Columns of the register tile.</summary>
    static abstract int NR { get; }

    /// <summary>Depth of one packed block (A and B panels of this depth stay in L1/L2).</summary>
    static abstract int KC { get; }

    /// <summary>Rows of A packed at once (the packed A block stays in L2).</summary>
    static abstract int MC { get; }

    /// <summary>Columns of B packed at once.</summary>
    static abstract int NC { get; }

    /// <summary>Computes one full MR×NR tile of C (row stride ldc).</summary>
    static abstract unsafe void Run(int kc, float* a, float* b, float* c, int ldc, float alpha, float cScale);
}

/// <summary>AVX-512: an 8×32 tile held in 16 zmm accumulators; per k step 2 loads of B and 8 broadcasts of A.</summary>
internal readonly struct Avx512Kernel8x32 : IGemmMicroKernel
{
    public static int MR => 8;
    public static int NR => 32;
    public static int KC => 384;
    public static int MC => 144;
    public static int NC => 4096;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, float* b, float* c, int ldc, float alpha, float cScale)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16);
            Vector512<float> av = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(av, b0, c00); c01 = Vector512.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(av, b0, c10); c11 = Vector512.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(av, b0, c20); c21 = Vector512.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(av, b0, c30); c31 = Vector512.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(av, b0, c40); c41 = Vector512.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(av, b0, c50); c51 = Vector512.FusedMultiplyAdd(av, b1, c51);
            av = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(av, b0, c60); c61 = Vector512.FusedMultiplyAdd(av, b1, c61);
            av = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(av, b0, c70); c71 = Vector512.FusedMultiplyAdd(av, b1, c71);
            a += 8;
            b += 32;
        }
        Merge(c, c00, c01, alpha, cScale); c += ldc;
        Merge(c, c10, c11, alpha, cScale); c += ldc;
        Merge(c, c20, c21, alpha, cScale); c += ldc;
        Merge(c, c30, c31, alpha, cScale); c += ldc;
        Merge(c, c40, c41, alpha, cScale); c += ldc;
        Merge(c, c50, c51, alpha, cScale); c += ldc;
        Merge(c, c60, c61, alpha, cScale); c += ldc;
        Merge(c, c70, c71, alpha, cScale);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Merge(float* c, Vector512<float> lo, Vector512<float> hi, float alpha, float cScale)
    {
        Vector512<float> va = Vector512.Create(alpha);
        if (cScale == 0f)
        {
            Vector512.Store(lo * va, c);
            Vector512.Store(hi * va, c + 16);
        }
        else
        {
            Vector512<float> vs = Vector512.Create(cScale);
            Vector512.Store(Vector512.FusedMultiplyAdd(lo, va, Vector512.Load(c) * vs), c);
            Vector512.Store(Vector512.FusedMultiplyAdd(hi, va, Vector512.Load(c + 16) * vs), c + 16);
        }
    }
}

/// <summary>AVX2 fallback: a 6×16 tile in 12 ymm accumulators (fits the 16 ymm registers of AVX2).</summary>
internal readonly struct Avx2Kernel6x16 : IGemmMicroKernel
{
    public static int MR => 6;
    public static int NR => 16;
    // 288: the B micro-panel (18 KiB) and an A micro-panel (7 KiB) share a 32 KiB L1 (Zen 3), and a 3×3 convolution
    // over 32 channels (k = 288) or 64 (576) is one or two whole slices instead of 2 × 144 or 3 × 192.
    public static int KC => 288;
    public static int MC => 144;
    public static int NC => 4096;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, float* b, float* c, int ldc, float alpha, float cScale)
    {
        PrefetchTile(c, ldc);
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        // Two k steps per iteration: the JIT does not unroll, and the loop overhead is felt at 12 FMAs per step.
        int p = 0;
        for (; p + 2 <= kc; p += 2)
        {
            Step(a, b, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            Step(a + 6, b + 16, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            a += 12;
            b += 32;
        }
        if (p < kc)
            Step(a, b, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
        Merge(c, c00, c01, alpha, cScale); c += ldc;
        Merge(c, c10, c11, alpha, cScale); c += ldc;
        Merge(c, c20, c21, alpha, cScale); c += ldc;
        Merge(c, c30, c31, alpha, cScale); c += ldc;
        Merge(c, c40, c41, alpha, cScale); c += ldc;
        Merge(c, c50, c51, alpha, cScale);
    }

    /// <summary>
    /// Asks for the 6 rows of the C tile (first and last float of each row: 64 bytes may span two lines) while the
    /// k loop runs, so that the merge at the end does not wait for C from L3 (large C does not stay in L2).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchTile(float* c, int ldc)
    {
        if (!Sse.IsSupported) return;
        for (int r = 0; r < 6; r++, c += ldc)
        {
            Sse.Prefetch0(c);
            Sse.Prefetch0(c + 15);
        }
    }

    /// <summary>One k step: C(6×16) += A(:, p) · B(p, :).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Step(float* a, float* b,
        ref Vector256<float> c00, ref Vector256<float> c01, ref Vector256<float> c10, ref Vector256<float> c11,
        ref Vector256<float> c20, ref Vector256<float> c21, ref Vector256<float> c30, ref Vector256<float> c31,
        ref Vector256<float> c40, ref Vector256<float> c41, ref Vector256<float> c50, ref Vector256<float> c51)
    {
        Vector256<float> b0 = Vector256.Load(b), b1 = Vector256.Load(b + 8);
        Vector256<float> av = Vector256.Create(a[0]);
        c00 = Vector256.FusedMultiplyAdd(av, b0, c00); c01 = Vector256.FusedMultiplyAdd(av, b1, c01);
        av = Vector256.Create(a[1]);
        c10 = Vector256.FusedMultiplyAdd(av, b0, c10); c11 = Vector256.FusedMultiplyAdd(av, b1, c11);
        av = Vector256.Create(a[2]);
        c20 = Vector256.FusedMultiplyAdd(av, b0, c20); c21 = Vector256.FusedMultiplyAdd(av, b1, c21);
        av = Vector256.Create(a[3]);
        c30 = Vector256.FusedMultiplyAdd(av, b0, c30); c31 = Vector256.FusedMultiplyAdd(av, b1, c31);
        av = Vector256.Create(a[4]);
        c40 = Vector256.FusedMultiplyAdd(av, b0, c40); c41 = Vector256.FusedMultiplyAdd(av, b1, c41);
        av = Vector256.Create(a[5]);
        c50 = Vector256.FusedMultiplyAdd(av, b0, c50); c51 = Vector256.FusedMultiplyAdd(av, b1, c51);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Merge(float* c, Vector256<float> lo, Vector256<float> hi, float alpha, float cScale)
    {
        Vector256<float> va = Vector256.Create(alpha);
        if (cScale == 0f)
        {
            Vector256.Store(lo * va, c);
            Vector256.Store(hi * va, c + 8);
        }
        else
        {
            Vector256<float> vs = Vector256.Create(cScale);
            Vector256.Store(Vector256.FusedMultiplyAdd(lo, va, Vector256.Load(c) * vs), c);
            Vector256.Store(Vector256.FusedMultiplyAdd(hi, va, Vector256.Load(c + 8) * vs), c + 8);
        }
    }
}

/// <summary>Portable fallback without SIMD: a 4×4 tile in scalar registers.</summary>
internal readonly struct ScalarKernel4x4 : IGemmMicroKernel
{
    public static int MR => 4;
    public static int NR => 4;
    public static int KC => 256;
    public static int MC => 64;
    public static int NC => 1024;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, float* b, float* c, int ldc, float alpha, float cScale)
    {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0; p < kc; p++)
        {
            float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            float a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            a += 4;
            b += 4;
        }
        Merge(c, c00, c01, c02, c03, alpha, cScale); c += ldc;
        Merge(c, c10, c11, c12, c13, alpha, cScale); c += ldc;
        Merge(c, c20, c21, c22, c23, alpha, cScale); c += ldc;
        Merge(c, c30, c31, c32, c33, alpha, cScale);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Merge(float* c, float v0, float v1, float v2, float v3, float alpha, float cScale)
    {
        if (cScale == 0f)
        {
            c[0] = alpha * v0; c[1] = alpha * v1; c[2] = alpha * v2; c[3] = alpha * v3;
        }
        else
        {
            c[0] = alpha * v0 + cScale * c[0]; c[1] = alpha * v1 + cScale * c[1];
            c[2] = alpha * v2 + cScale * c[2]; c[3] = alpha * v3 + cScale * c[3];
        }
    }
}
