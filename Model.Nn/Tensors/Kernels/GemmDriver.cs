using System.Runtime.CompilerServices;

namespace Probabilistic.Nn.Tensors.Kernels;

/// <summary>
/// The operands of one validated Sgemm call, as raw pointers into pinned storage; <see cref="PackedA"/> is A already
/// packed for the driver's kernel (see <see cref="GemmPackedA"/>), or null.
/// </summary>
internal readonly unsafe struct GemmProblem(
    bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc,
    float* packedA = null)
{
    public readonly bool TransA = transA, TransB = transB;
    public readonly int M = m, N = n, K = k;
    public readonly float Alpha = alpha, Beta = beta;
    public readonly float* A = a, B = b, C = c;
    public readonly int Lda = lda, Ldb = ldb, Ldc = ldc;
    public readonly float* PackedA = packedA;
}

/// <summary>
/// The cache-blocked GEMM loop nest (GotoBLAS/BLIS order) for one rectangle of C, on one thread:
/// for each NC-wide column block and KC-deep slice and each MC-high row block, pack A; then sweep MR×NR tiles
/// with the micro-kernel, column panel by column panel (the first row block packs each B panel on the way). Partial tiles run the same kernel on a zero-padded
/// scratch tile, so every element of C sees exactly the same arithmetic wherever it lies.
/// </summary>
internal static unsafe class GemmDriver<TKernel> where TKernel : struct, IGemmMicroKernel
{
    /// <summary>Computes rows [row0, row1) × columns [col0, col1) of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in GemmProblem p, int row0, int row1, int col0, int col1, bool simdPacking)
    {
        int mr = TKernel.MR, nr = TKernel.NR, mcMax = TKernel.MC, ncMax = TKernel.NC;
        int depthMax = SliceDepth(p.K);
        long packedSlice = (long)RoundUp(p.M, mr) * depthMax; // one k slice of a pre-packed A
        int rowsMax = RoundUp(Math.Min(mcMax, row1 - row0), mr);
        int colsMax = RoundUp(Math.Min(ncMax, col1 - col0), nr);
        GemmWorkspace ws = GemmWorkspace.Rent();
        try
        {
            float* packA = ws.A((long)rowsMax * depthMax);
            float* packB = ws.B((long)colsMax * depthMax);
            float* tile = stackalloc float[mr * nr];
            for (int jc = col0; jc < col1; jc += ncMax)
            {
                int nc = Math.Min(ncMax, col1 - jc);
                for (int pc = 0; pc < p.K; pc += depthMax)
                {
                    int kc = Math.Min(depthMax, p.K - pc);
                    // The first k slice applies beta to C; later slices accumulate onto it.
                    float cScale = pc == 0 ? p.Beta : 1f;
                    for (int ic = row0; ic < row1; ic += mcMax)
                    {
                        // The first row block packs each B micro-panel just before using it, so it is still in L1
                        // (a whole packed k×nc slice of B would pass through L3 between packing and first use).
                        bool packBPanels = ic == row0;
                        int mc = Math.Min(mcMax, row1 - ic);
                        float* aBlock = packA;
                        if (p.PackedA is null) GemmPacking.PackA(p.TransA, p.A, p.Lda, ic, mc, pc, kc, mr, packA, simdPacking);
                        else aBlock = p.PackedA + pc / depthMax * packedSlice + (long)ic * kc;
                        for (int jr = 0; jr < nc; jr += nr)
                        {
                            int w = Math.Min(nr, nc - jr);
                            float* bPanel = packB + (long)jr * kc;
                            if (packBPanels) GemmPacking.PackB(p.TransB, p.B, p.Ldb, pc, kc, jc + jr, w, nr, bPanel, simdPacking);
                            for (int ir = 0; ir < mc; ir += mr)
                            {
                                int h = Math.Min(mr, mc - ir);
                                float* aPanel = aBlock + (long)ir * kc;
                                float* cTile = p.C + (long)(ic + ir) * p.Ldc + jc + jr;
                                if (h == mr && w == nr)
                                    TKernel.Run(kc, aPanel, bPanel, cTile, p.Ldc, p.Alpha, cScale);
                                else
                                    EdgeTile(kc, aPanel, bPanel, cTile, p.Ldc, h, w, p.Alpha, cScale, tile);
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            GemmWorkspace.Return(ws);
        }
    }

    /// <summary>Depth of every k slice but the last: equal slices (e.g. 784 = 3 × 262 rather than 384 + 384 + 16), no thin, inefficient last one.</summary>
    private static int SliceDepth(int k)
    {
        int slices = Math.Max(1, (k + TKernel.KC - 1) / TKernel.KC);
        return Math.Max(1, (k + slices - 1) / slices);
    }

    /// <summary>Floats <see cref="PackWholeA"/> writes for an m×k op(A).</summary>
    public static long WholeALength(int m, int k) => (long)RoundUp(m, TKernel.MR) * SliceDepth(k) * Math.Max(1, (k + SliceDepth(k) - 1) / SliceDepth(k));

    /// <summary>
    /// Packs all m rows of op(A) for every k slice, slice after slice (each slice as <see cref="Run"/> would pack
    /// rows 0…m), so that rows starting at a tile boundary ic of slice pc lie at slice·RoundUp(m, MR)·depth + ic·kc.
    /// </summary>
    public static void PackWholeA(bool transA, int m, int k, float* a, int lda, float* dst, bool simdPacking)
    {
        int depthMax = SliceDepth(k);
        long slice = (long)RoundUp(m, TKernel.MR) * depthMax;
        for (int pc = 0; pc < k; pc += depthMax)
            GemmPacking.PackA(transA, a, lda, 0, m, pc, Math.Min(depthMax, k - pc), TKernel.MR, dst + pc / depthMax * slice, simdPacking);
    }

    /// <summary>A partial h×w tile: copy C into a full scratch tile, run the full kernel, copy the valid part back.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void EdgeTile(int kc, float* aPanel, float* bPanel, float* c, int ldc, int h, int w, float alpha, float cScale, float* tile)
    {
        int nr = TKernel.NR;
        new Span<float>(tile, TKernel.MR * nr).Clear();
        if (cScale != 0f)
            for (int r = 0; r < h; r++)
                new ReadOnlySpan<float>(c + (long)r * ldc, w).CopyTo(new Span<float>(tile + r * nr, w));
        TKernel.Run(kc, aPanel, bPanel, tile, nr, alpha, cScale);
        for (int r = 0; r < h; r++)
            new ReadOnlySpan<float>(tile + r * nr, w).CopyTo(new Span<float>(c + (long)r * ldc, w));
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;
}
