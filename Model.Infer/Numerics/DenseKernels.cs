using System.Buffers;
using System.Numerics;
using System.Runtime.Intrinsics;

namespace Probabilistic.Infer.Numerics;

/// <summary>
/// Double-precision kernels for the plate-level factors: the weighted Gram matrix XᵀΛX (a blocked SYRK),
/// the quadratic forms xᵢᵀ S xᵢ of every row, and row-wise matrix–vector products. X is row-major m×n.
/// Work is split into a fixed number of parts that are reduced in a fixed order, so results do not depend
/// on thread scheduling or on the number of cores.
/// </summary>
internal static unsafe class DenseKernels
{
    private const int RowTile = 4;      // rows of C per micro-kernel call
    private const int ColTile = 16;     // columns of C per micro-kernel call (2×Vector512 or 4×Vector256)
    private const int ChunkRows = 256;  // rows of X packed at once (two 256×112 panels fit in L2)
    private const int MaxParts = 8;     // fixed reduction tree, independent of the core count

    private static int PadTo(int n, int multiple) => (n + multiple - 1) / multiple * multiple;

    /// <summary>C (n×n, full symmetric, overwritten) = Σᵢ wᵢ xᵢ xᵢᵀ = Xᵀ diag(w) X.</summary>
    public static void WeightedGram(double[] x, int m, int n, double[] weights, double[] c)
    {
        if (x.Length < (long)m * n || weights.Length < m || c.Length < n * n)
            throw new ArgumentException($"WeightedGram: buffers too small for m={m}, n={n}.");
        int np = PadTo(n, ColTile);
        int chunks = (m + ChunkRows - 1) / ChunkRows;
        int parts = Math.Max(1, Math.Min(MaxParts, chunks));
        var partial = new double[parts][];
        ForParts(parts, (long)m * n * n / 2, part =>
        {
            // Scratch from the shared pool: at n ≥ 41 the panels are large-object-heap arrays, and allocating them on
            // every call (a softmax factor calls this K times per iteration) costs a gen-2 collection each time.
            var acc = ArrayPool<double>.Shared.Rent(np * np);
            Array.Clear(acc, 0, np * np);
            var a = ArrayPool<double>.Shared.Rent(ChunkRows * np);
            var b = ArrayPool<double>.Shared.Rent(ChunkRows * np);
            int c0 = (int)((long)chunks * part / parts), c1 = (int)((long)chunks * (part + 1) / parts);
            for (int chunk = c0; chunk < c1; chunk++)
            {
                int r0 = chunk * ChunkRows, kc = Math.Min(ChunkRows, m - r0);
                for (int k = 0; k < kc; k++)
                {
                    var src = new ReadOnlySpan<double>(x, (r0 + k) * n, n);
                    double w = weights[r0 + k];
                    var bRow = new Span<double>(b, k * np, np);
                    var aRow = new Span<double>(a, k * np, np);
                    src.CopyTo(bRow);
                    bRow[n..].Clear();
                    for (int j = 0; j < n; j++) aRow[j] = w * src[j];
                    aRow[n..].Clear();
                }
                fixed (double* pa = a, pb = b, pc = acc)
                {
                    for (int i0 = 0; i0 < n; i0 += RowTile)
                        for (int j0 = i0 / ColTile * ColTile; j0 < np; j0 += ColTile)
                            MicroKernel(pa + i0, 1, np, pb + j0, np, kc, pc + i0 * np + j0, np);
                }
            }
            ArrayPool<double>.Shared.Return(a);
            ArrayPool<double>.Shared.Return(b);
            partial[part] = acc;
        });
        for (int i = 0; i < n; i++)
            for (int j = i / ColTile * ColTile; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < parts; p++) s += partial[p][i * np + j];
                if (j >= i) c[i * n + j] = s;
            }
        foreach (var acc in partial) ArrayPool<double>.Shared.Return(acc);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++) c[i * n + j] = c[j * n + i];
    }

    /// <summary>result[i] = xᵢᵀ S xᵢ for every row of X, with S an n×n row-major matrix.</summary>
    public static void QuadraticForms(double[] x, int m, int n, double[] s, double[] result)
    {
        if (x.Length < (long)m * n || s.Length < n * n || result.Length < m)
            throw new ArgumentException($"QuadraticForms: buffers too small for m={m}, n={n}.");
        int np = PadTo(n, ColTile);
        var sp = new double[n * np];
        for (int k = 0; k < n; k++) Array.Copy(s, k * n, sp, k * np, n);
        int chunks = (m + ChunkRows - 1) / ChunkRows;
        int parts = Math.Max(1, Math.Min(MaxParts, chunks));
        ForParts(parts, (long)m * n * n, part =>
        {
            int rowsPadded = PadTo(ChunkRows, RowTile);
            var a = new double[rowsPadded * np];
            var prod = new double[rowsPadded * np];
            int c0 = (int)((long)chunks * part / parts), c1 = (int)((long)chunks * (part + 1) / parts);
            for (int chunk = c0; chunk < c1; chunk++)
            {
                int r0 = chunk * ChunkRows, kc = Math.Min(ChunkRows, m - r0), kcPad = PadTo(kc, RowTile);
                Array.Clear(a);
                for (int r = 0; r < kc; r++) Array.Copy(x, (r0 + r) * n, a, r * np, n);
                Array.Clear(prod, 0, kcPad * np);
                fixed (double* pa = a, ps = sp, pc = prod)
                {
                    for (int i0 = 0; i0 < kcPad; i0 += RowTile)
                        for (int j0 = 0; j0 < np; j0 += ColTile)
                            MicroKernel(pa + i0 * np, np, 1, ps + j0, np, n, pc + i0 * np + j0, np);
                }
                for (int r = 0; r < kc; r++)
                    result[r0 + r] = Dot(new ReadOnlySpan<double>(prod, r * np, n), new ReadOnlySpan<double>(x, (r0 + r) * n, n));
            }
        });
    }

    /// <summary>
    /// result[i] (overwritten) = ‖L⁻¹xᵢ‖² = xᵢᵀ(LLᵀ)⁻¹xᵢ for every row of X (m×n, row-major), with L lower triangular
    /// (n×n, row-major, non-zero diagonal; e.g. the Cholesky factor of a precision matrix): the quadratic forms with
    /// the covariance by forward substitution, without forming the inverse. Rows in parallel when the work is large
    /// (each row is independent, so the result does not depend on the split).
    /// </summary>
    public static void InverseQuadraticForms(double[] x, int m, int n, double[] lower, double[] result)
    {
        if (x.Length < (long)m * n || lower.Length < n * n || result.Length < m)
            throw new ArgumentException($"InverseQuadraticForms: buffers too small for m={m}, n={n}.");
        int blocks = (m + BlockRows - 1) / BlockRows;
        ForParts(blocks, (long)m * n * n / 2, block =>
        {
            Span<double> y = n <= 256 ? stackalloc double[n] : new double[n];
            int r1 = Math.Min(m, (block + 1) * BlockRows);
            for (int i = block * BlockRows; i < r1; i++)
            {
                var xi = new ReadOnlySpan<double>(x, i * n, n);
                double norm = 0;
                for (int r = 0; r < n; r++)
                {
                    double yr = (xi[r] - Dot(new ReadOnlySpan<double>(lower, r * n, r), y[..r])) / lower[r * n + r];
                    y[r] = yr;
                    norm += yr * yr;
                }
                result[i] = norm;
            }
        });
    }

    /// <summary>y[i] = xᵢᵀ v for every row of X.</summary>
    public static void RowDots(double[] x, int m, int n, ReadOnlySpan<double> v, Span<double> y)
    {
        for (int i = 0; i < m; i++) y[i] = Dot(new ReadOnlySpan<double>(x, i * n, n), v);
    }

    /// <summary>result (length n, overwritten) = Xᵀu = Σᵢ uᵢ xᵢ.</summary>
    public static void TransposeTimes(double[] x, int m, int n, ReadOnlySpan<double> u, Span<double> result)
    {
        result[..n].Clear();
        for (int i = 0; i < m; i++)
        {
            double ui = u[i];
            if (ui != 0) Axpy(ui, new ReadOnlySpan<double>(x, i * n, n), result);
        }
    }

    private const int BlockRows = 512;       // rows per block of the many-vector products
    private const long ParallelWork = 1 << 18; // multiply-adds below which a kernel runs on the calling thread

    /// <summary>Runs body(0..parts) in parallel when <paramref name="work"/> is large, else in order on this thread. The
    /// split into parts is fixed by the caller, so the result is the same either way.</summary>
    private static void ForParts(int parts, long work, Action<int> body)
    {
        if (parts == 1 || work < ParallelWork) { for (int p = 0; p < parts; p++) body(p); }
        else Parallel.For(0, parts, body);
    }

    /// <summary>Z (m×k, row-major, overwritten) = X·Bᵀ: Z[i, c] = xᵢᵀb_c for the k rows b_c of B (k×n, row-major).</summary>
    public static void TimesTransposed(double[] x, int m, int n, double[] b, int k, double[] z)
    {
        if (x.Length < (long)m * n || b.Length < k * n || z.Length < (long)m * k)
            throw new ArgumentException($"TimesTransposed: buffers too small for m={m}, n={n}, k={k}.");
        int blocks = (m + BlockRows - 1) / BlockRows;
        ForParts(blocks, (long)m * n * k, block =>
        {
            int r1 = Math.Min(m, (block + 1) * BlockRows);
            for (int i = block * BlockRows; i < r1; i++)
            {
                var xi = new ReadOnlySpan<double>(x, i * n, n);
                for (int c = 0; c < k; c++) z[i * k + c] = Dot(xi, new ReadOnlySpan<double>(b, c * n, n));
            }
        });
    }

    /// <summary>R (k×n, row-major, overwritten) = UᵀX: row c is Σᵢ U[i, c]·xᵢ, for U m×k row-major. Rows are summed in
    /// fixed blocks whose partial sums are added in block order, so the result does not depend on the core count.</summary>
    public static void TransposeTimesMany(double[] x, int m, int n, double[] u, int k, double[] r)
    {
        if (x.Length < (long)m * n || u.Length < (long)m * k || r.Length < k * n)
            throw new ArgumentException($"TransposeTimesMany: buffers too small for m={m}, n={n}, k={k}.");
        int blocks = (m + BlockRows - 1) / BlockRows;
        int parts = Math.Max(1, Math.Min(MaxParts, blocks));
        var partial = new double[parts][];
        ForParts(parts, (long)m * n * k, part =>
        {
            var acc = new double[k * n];
            int i0 = (int)((long)m * part / parts), i1 = (int)((long)m * (part + 1) / parts);
            for (int i = i0; i < i1; i++)
            {
                var xi = new ReadOnlySpan<double>(x, i * n, n);
                for (int c = 0; c < k; c++)
                {
                    double w = u[i * k + c];
                    if (w != 0) Axpy(w, xi, new Span<double>(acc, c * n, n));
                }
            }
            partial[part] = acc;
        });
        Array.Copy(partial[0], r, k * n);
        for (int p = 1; p < parts; p++)
            Axpy(1.0, partial[p], new Span<double>(r, 0, k * n));
    }

    /// <summary>Σ a[i]·b[i] with SIMD lanes.</summary>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int i = 0, w = Vector<double>.Count;
        var acc = Vector<double>.Zero;
        for (; i <= a.Length - w; i += w) acc += new Vector<double>(a[i..]) * new Vector<double>(b[i..]);
        double s = Vector.Sum(acc);
        for (; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>y += alpha·x.</summary>
    public static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        int i = 0, w = Vector<double>.Count;
        var va = new Vector<double>(alpha);
        for (; i <= x.Length - w; i += w) (new Vector<double>(y[i..]) + va * new Vector<double>(x[i..])).CopyTo(y[i..]);
        for (; i < x.Length; i++) y[i] += alpha * x[i];
    }

    /// <summary>
    /// C[r, 0..16) += Σ_k A(r, k)·B[k, 0..16) for r &lt; 4, where A(r, k) = a[r·aRow + k·aK] is broadcast and
    /// B rows are contiguous: a 4×16 register tile (8 Vector512 or 16 Vector256 accumulators).
    /// </summary>
    private static void MicroKernel(double* a, int aRow, int aK, double* b, int ldb, int kc, double* c, int ldc)
    {
        if (Vector512.IsHardwareAccelerated) MicroKernel512(a, aRow, aK, b, ldb, kc, c, ldc);
        else MicroKernel256(a, aRow, aK, b, ldb, kc, c, ldc);
    }

    private static void MicroKernel512(double* a, int aRow, int aK, double* b, int ldb, int kc, double* c, int ldc)
    {
        Vector512<double> c00 = default, c01 = default, c10 = default, c11 = default,
                          c20 = default, c21 = default, c30 = default, c31 = default;
        double* a0 = a, a1 = a + aRow, a2 = a + 2 * aRow, a3 = a + 3 * aRow;
        for (int k = 0; k < kc; k++)
        {
            double* bk = b + (long)k * ldb;
            var b0 = Vector512.Load(bk);
            var b1 = Vector512.Load(bk + 8);
            long o = (long)k * aK;
            var x0 = Vector512.Create(a0[o]);
            c00 = Vector512.FusedMultiplyAdd(x0, b0, c00); c01 = Vector512.FusedMultiplyAdd(x0, b1, c01);
            var x1 = Vector512.Create(a1[o]);
            c10 = Vector512.FusedMultiplyAdd(x1, b0, c10); c11 = Vector512.FusedMultiplyAdd(x1, b1, c11);
            var x2 = Vector512.Create(a2[o]);
            c20 = Vector512.FusedMultiplyAdd(x2, b0, c20); c21 = Vector512.FusedMultiplyAdd(x2, b1, c21);
            var x3 = Vector512.Create(a3[o]);
            c30 = Vector512.FusedMultiplyAdd(x3, b0, c30); c31 = Vector512.FusedMultiplyAdd(x3, b1, c31);
        }
        Store512(c, c00, c01);
        Store512(c + ldc, c10, c11);
        Store512(c + 2 * ldc, c20, c21);
        Store512(c + 3 * ldc, c30, c31);
    }

    private static void Store512(double* c, Vector512<double> lo, Vector512<double> hi)
    {
        (Vector512.Load(c) + lo).Store(c);
        (Vector512.Load(c + 8) + hi).Store(c + 8);
    }

    private static void MicroKernel256(double* a, int aRow, int aK, double* b, int ldb, int kc, double* c, int ldc)
    {
        for (int r = 0; r < RowTile; r++)
        {
            double* ar = a + r * aRow;
            Vector256<double> s0 = default, s1 = default, s2 = default, s3 = default;
            for (int k = 0; k < kc; k++)
            {
                double* bk = b + (long)k * ldb;
                var x = Vector256.Create(ar[(long)k * aK]);
                s0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(bk), s0);
                s1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(bk + 4), s1);
                s2 = Vector256.FusedMultiplyAdd(x, Vector256.Load(bk + 8), s2);
                s3 = Vector256.FusedMultiplyAdd(x, Vector256.Load(bk + 12), s3);
            }
            double* cr = c + r * ldc;
            (Vector256.Load(cr) + s0).Store(cr);
            (Vector256.Load(cr + 4) + s1).Store(cr + 4);
            (Vector256.Load(cr + 8) + s2).Store(cr + 8);
            (Vector256.Load(cr + 12) + s3).Store(cr + 12);
        }
    }
}
