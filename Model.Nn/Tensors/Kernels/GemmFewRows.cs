using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Probabilistic.Nn.Tensors.Kernels;

/// <summary>
/// AVX-512 path for products with few rows (m ≤ 4, e.g. one sample through a layer): nothing is packed, since
/// packing B would cost as much as the whole product.
/// B not transposed: rows of C are built 64 columns at a time as Σ_p A(i,p)·B(p, j..j+63), B read in place (the
/// k×64 strip stays in L2 across the ≤ 4 rows).
/// B transposed: each C(i,j) is a dot product of two contiguous rows, 4 rows × 4 columns at a time, 16 lanes of
/// p per step, then a fixed-order horizontal sum. Every element sees the same arithmetic whatever block it is in.
/// </summary>
internal static unsafe class GemmFewRows
{
    /// <summary>Most rows this path takes.</summary>
    public const int MaxRows = 4;

    /// <summary>Columns per block (the unit of the column split between threads).</summary>
    public const int Columns = 64;

    /// <summary>Computes columns [col0, col1) of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in GemmProblem p, int col0, int col1)
    {
        if (p.TransB) Dots(p, col0, col1);
        else Axpys(p, col0, col1);
    }

    /// <summary>C(i, j..j+63) = Σ_p A(i,p)·B(p, j..j+63), one row of A at a time, B rows read in place.</summary>
    private static void Axpys(in GemmProblem p, int col0, int col1)
    {
        long aRow = p.TransA ? 1 : p.Lda, aDepth = p.TransA ? p.Lda : 1;
        for (int j = col0; j < col1; j += Columns)
        {
            int w = Math.Min(Columns, col1 - j);
            for (int i = 0; i < p.M; i++)
                AxpyRow(p.K, p.A + i * aRow, aDepth, p.B + j, p.Ldb, p.C + (long)i * p.Ldc + j, w, p.Alpha, p.Beta);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AxpyRow(int k, float* a, long aDepth, float* b, int ldb, float* c, int w, float alpha, float beta)
    {
        // Four accumulators of 16 columns; masked loads past column w read nothing (no fault, no stray values).
        Vector512<float> m0 = Mask(w), m1 = Mask(w - 16), m2 = Mask(w - 32), m3 = Mask(w - 48);
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, zero = default;
        if (w == Columns)
        {
            for (int q = 0; q < k; q++, a += aDepth, b += ldb)
            {
                Vector512<float> av = Vector512.Create(a[0]);
                c0 = Vector512.FusedMultiplyAdd(av, Vector512.Load(b), c0);
                c1 = Vector512.FusedMultiplyAdd(av, Vector512.Load(b + 16), c1);
                c2 = Vector512.FusedMultiplyAdd(av, Vector512.Load(b + 32), c2);
                c3 = Vector512.FusedMultiplyAdd(av, Vector512.Load(b + 48), c3);
            }
        }
        else
        {
            for (int q = 0; q < k; q++, a += aDepth, b += ldb)
            {
                Vector512<float> av = Vector512.Create(a[0]);
                c0 = Vector512.FusedMultiplyAdd(av, Avx512F.MaskLoad(b, m0, zero), c0);
                c1 = Vector512.FusedMultiplyAdd(av, Avx512F.MaskLoad(b + 16, m1, zero), c1);
                c2 = Vector512.FusedMultiplyAdd(av, Avx512F.MaskLoad(b + 32, m2, zero), c2);
                c3 = Vector512.FusedMultiplyAdd(av, Avx512F.MaskLoad(b + 48, m3, zero), c3);
            }
        }
        Merge(c, c0, alpha, beta, m0);
        Merge(c + 16, c1, alpha, beta, m1);
        Merge(c + 32, c2, alpha, beta, m2);
        Merge(c + 48, c3, alpha, beta, m3);
    }

    /// <summary>C(i, j) = A row i · B row j (B stored n×k), all rows of A against 4 rows of B at a time.</summary>
    private static void Dots(in GemmProblem p, int col0, int col1)
    {
        long aRow = p.TransA ? 1 : p.Lda, aDepth = p.TransA ? p.Lda : 1;
        float* sums = stackalloc float[MaxRows * 4];
        // Dots need A rows contiguous in k; a transposed A (k×m) is gathered into a small row buffer first.
        GemmWorkspace? ws = null;
        float* a = p.A;
        int lda = p.Lda;
        try
        {
            if (p.TransA)
            {
                ws = GemmWorkspace.Rent();
                a = ws.A((long)p.M * p.K);
                for (int i = 0; i < p.M; i++)
                    for (int q = 0; q < p.K; q++) a[(long)i * p.K + q] = p.A[i * aRow + q * aDepth];
                lda = p.K;
            }
            for (int j = col0; j < col1; j += 4)
            {
                int w = Math.Min(4, col1 - j);
                DotBlock(p.K, a, lda, p.M, p.B + (long)j * p.Ldb, p.Ldb, w, sums);
                for (int i = 0; i < p.M; i++)
                    for (int t = 0; t < w; t++)
                    {
                        ref float c = ref p.C[(long)i * p.Ldc + j + t];
                        float r = p.Alpha * sums[i * 4 + t];
                        c = p.Beta == 0f ? r : MathF.FusedMultiplyAdd(p.Beta, c, r);
                    }
            }
        }
        finally
        {
            if (ws is not null) GemmWorkspace.Return(ws);
        }
    }

    /// <summary>sums[i·4 + t] = Σ_q A(i, q)·B(t, q) for i &lt; rows ≤ 4, t &lt; cols ≤ 4; missing rows/columns read row 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotBlock(int k, float* a, int lda, int rows, float* b, int ldb, int cols, float* sums)
    {
        // Rows or columns beyond the block alias the first one; their sums are computed and ignored.
        float* a0 = a, a1 = rows > 1 ? a + lda : a, a2 = rows > 2 ? a + 2L * lda : a, a3 = rows > 3 ? a + 3L * lda : a;
        float* b0 = b, b1 = cols > 1 ? b + ldb : b, b2 = cols > 2 ? b + 2L * ldb : b, b3 = cols > 3 ? b + 3L * ldb : b;
        Vector512<float> s00 = default, s01 = default, s02 = default, s03 = default, s10 = default, s11 = default, s12 = default, s13 = default;
        Vector512<float> s20 = default, s21 = default, s22 = default, s23 = default, s30 = default, s31 = default, s32 = default, s33 = default;
        for (int q = 0; q < k; q += 16)
        {
            Vector512<float> mask = Mask(k - q), zero = default;
            Vector512<float> x0 = Avx512F.MaskLoad(a0 + q, mask, zero), x1 = Avx512F.MaskLoad(a1 + q, mask, zero);
            Vector512<float> x2 = Avx512F.MaskLoad(a2 + q, mask, zero), x3 = Avx512F.MaskLoad(a3 + q, mask, zero);
            Vector512<float> y = Avx512F.MaskLoad(b0 + q, mask, zero);
            s00 = Vector512.FusedMultiplyAdd(x0, y, s00); s10 = Vector512.FusedMultiplyAdd(x1, y, s10);
            s20 = Vector512.FusedMultiplyAdd(x2, y, s20); s30 = Vector512.FusedMultiplyAdd(x3, y, s30);
            y = Avx512F.MaskLoad(b1 + q, mask, zero);
            s01 = Vector512.FusedMultiplyAdd(x0, y, s01); s11 = Vector512.FusedMultiplyAdd(x1, y, s11);
            s21 = Vector512.FusedMultiplyAdd(x2, y, s21); s31 = Vector512.FusedMultiplyAdd(x3, y, s31);
            y = Avx512F.MaskLoad(b2 + q, mask, zero);
            s02 = Vector512.FusedMultiplyAdd(x0, y, s02); s12 = Vector512.FusedMultiplyAdd(x1, y, s12);
            s22 = Vector512.FusedMultiplyAdd(x2, y, s22); s32 = Vector512.FusedMultiplyAdd(x3, y, s32);
            y = Avx512F.MaskLoad(b3 + q, mask, zero);
            s03 = Vector512.FusedMultiplyAdd(x0, y, s03); s13 = Vector512.FusedMultiplyAdd(x1, y, s13);
            s23 = Vector512.FusedMultiplyAdd(x2, y, s23); s33 = Vector512.FusedMultiplyAdd(x3, y, s33);
        }
        sums[0] = Vector512.Sum(s00); sums[1] = Vector512.Sum(s01); sums[2] = Vector512.Sum(s02); sums[3] = Vector512.Sum(s03);
        sums[4] = Vector512.Sum(s10); sums[5] = Vector512.Sum(s11); sums[6] = Vector512.Sum(s12); sums[7] = Vector512.Sum(s13);
        sums[8] = Vector512.Sum(s20); sums[9] = Vector512.Sum(s21); sums[10] = Vector512.Sum(s22); sums[11] = Vector512.Sum(s23);
        sums[12] = Vector512.Sum(s30); sums[13] = Vector512.Sum(s31); sums[14] = Vector512.Sum(s32); sums[15] = Vector512.Sum(s33);
    }

    /// <summary>All-ones lanes for the first <paramref name="count"/> lanes (clamped to 0..16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Mask(int count) =>
        Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(Math.Clamp(count, 0, 16))).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Merge(float* c, Vector512<float> acc, float alpha, float beta, Vector512<float> mask)
    {
        Vector512<float> result = acc * Vector512.Create(alpha);
        if (beta != 0f)
            result = Vector512.FusedMultiplyAdd(Avx512F.MaskLoad(c, mask, Vector512<float>.Zero), Vector512.Create(beta), result);
        Avx512F.MaskStore(c, mask, result);
    }
}
