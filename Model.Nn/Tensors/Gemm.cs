using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Probabilistic.Nn.Tensors.Kernels;

[assembly: InternalsVisibleTo("Model.Nn.Tests")]
[assembly: InternalsVisibleTo("Bench")]

namespace Probabilistic.Nn.Tensors;

/// <summary>
/// Single-precision general matrix multiply on row-major storage:
/// C[m×n] = alpha · op(A) · op(B) + beta · C, where op(A) is m×k and op(B) is k×n.
/// lda, ldb, ldc are the row strides of A, B, C as stored (A is m×k, or k×m when transposed).
/// </summary>
/// <remarks>
/// Packed A/B panels and a register-tiled micro-kernel (<c>Vector512</c> 8×32, else <c>Vector256</c> 6×16, else
/// scalar 4×4), cache-blocked, on up to <see cref="MaxThreads"/> threads when 2·m·n·k ≥ 2²⁰ flops;
/// narrow products (n ≤ 16) read A in place with one accumulator per row. No allocation per call: packing buffers
/// come from a small pool. Each element of C is
/// computed by one thread in a fixed k order, so results are bitwise reproducible and do not depend on the number
/// of threads. As in BLAS, beta = 0 overwrites C without reading it (NaN in C is ignored).
/// </remarks>
public static class Gemm
{
    private static int maxThreads = Environment.ProcessorCount;

    /// <summary>Most threads one call may use (default: the processor count). Set 1 to stay on the caller.</summary>
    public static int MaxThreads
    {
        get => maxThreads;
        set => maxThreads = value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "Gemm.MaxThreads must be at least 1.");
    }

    [ThreadStatic] private static GemmKernel forcedKernel;
    [ThreadStatic] private static int forcedThreads;
    [ThreadStatic] private static long? forcedParallelThreshold;

    /// <summary>
    /// Forces a kernel family for calls made from the current thread (tests, benchmarks);
    /// <see cref="GemmKernel.Auto"/> picks the best one the CPU supports. Thread-local so that tests running in
    /// parallel do not change each other's kernels.
    /// </summary>
    internal static GemmKernel ForcedKernel { get => forcedKernel; set => forcedKernel = value; }

    /// <summary>Thread count for calls from the current thread; 0 = use <see cref="MaxThreads"/>.</summary>
    internal static int ForcedThreads { get => forcedThreads; set => forcedThreads = value; }

    /// <summary>
    /// Products below this many floating-point operations (2·m·n·k) run on the calling thread only. Measured on the
    /// 2-core Zen 4 (`Bench gemm --crossover`): 2 threads win from about 0.5 MFLOP (m = n = k = 64: 5.4 → 4.6 µs;
    /// 80: 12.9 → 9.1 µs), so 1 MFLOP leaves margin for the worker's wake-up on a busy machine.
    /// </summary>
    internal const long DefaultParallelThresholdFlops = 1L << 20;

    /// <summary>The parallel threshold for calls from the current thread (tests set 0 to force the parallel path).</summary>
    internal static long ParallelThresholdFlops
    {
        get => forcedParallelThreshold ?? DefaultParallelThresholdFlops;
        set => forcedParallelThreshold = value;
    }

    /// <summary>The kernel family a call would use now (honours <see cref="ForcedKernel"/> if the CPU supports it).</summary>
    internal static GemmKernel ActiveKernel
    {
        get
        {
            bool avx512 = Avx512F.IsSupported, avx2 = Vector256.IsHardwareAccelerated && Fma.IsSupported;
            return ForcedKernel switch
            {
                GemmKernel.Scalar => GemmKernel.Scalar,
                GemmKernel.Avx2 => avx2 ? GemmKernel.Avx2 : GemmKernel.Scalar,
                _ => avx512 ? GemmKernel.Avx512 : avx2 ? GemmKernel.Avx2 : GemmKernel.Scalar,
            };
        }
    }

    /// <summary>C = alpha · op(A) · op(B) + beta · C on row-major spans (see the class summary).</summary>
    /// <exception cref="ArgumentException">A size is negative, a leading dimension is smaller than its row width,
    /// a span is too short for its matrix, or C overlaps A or B.</exception>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc) =>
        Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, onCallingThread: false);

    /// <summary>
    /// <see cref="Sgemm(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>
    /// on the calling thread only, for callers that already split their work over the cores (e.g. one product per
    /// image). The result is bitwise the same as with threads. <c>packedA</c>: A packed by <see cref="PackA"/> (same
    /// transA, m, k and values as <c>a</c>), so that many products with one A pack it once; null packs it here.
    /// </summary>
    internal static void SgemmOnCallingThread(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc, GemmPackedA? packedA = null)
    {
        if (packedA is not null && (packedA.TransA != transA || packedA.M != m || packedA.K != k))
            throw new ArgumentException($"Gemm.Sgemm: the packed A is {(packedA.TransA ? "transposed " : "")}{packedA.M}×{packedA.K}, " +
                $"the call needs {(transA ? "transposed " : "")}{m}×{k}.", nameof(packedA));
        Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, onCallingThread: true, packedA);
    }

    /// <summary>Packs op(A) (m×k) once for the current kernel, for repeated <see cref="SgemmOnCallingThread"/> calls.</summary>
    internal static unsafe GemmPackedA PackA(bool transA, int m, int k, ReadOnlySpan<float> a, int lda)
    {
        if (m < 1 || k < 1) throw new ArgumentOutOfRangeException(m < 1 ? nameof(m) : nameof(k), "Gemm.PackA: sizes must be positive.");
        CheckOperand("A", nameof(a), a.Length, nameof(lda), lda, transA ? k : m, transA ? m : k, transA);
        fixed (float* pa = a) return new GemmPackedA(transA, m, k, pa, lda, ActiveKernel);
    }

    private static unsafe void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc, bool onCallingThread,
        GemmPackedA? packedA = null)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentOutOfRangeException(m < 0 ? nameof(m) : n < 0 ? nameof(n) : nameof(k),
                $"Gemm.Sgemm: sizes must be non-negative, got m = {m}, n = {n}, k = {k}.");
        int cLength = CheckOperand("C", nameof(c), c.Length, nameof(ldc), ldc, m, n, false);
        if (m == 0 || n == 0) return;
        bool product = k > 0 && alpha != 0f;
        if (product)
        {
            int aLength = CheckOperand("A", nameof(a), a.Length, nameof(lda), lda, transA ? k : m, transA ? m : k, transA);
            int bLength = CheckOperand("B", nameof(b), b.Length, nameof(ldb), ldb, transB ? n : k, transB ? k : n, transB);
            // Only the elements the matrices really use count: spans may be longer views of one buffer.
            ReadOnlySpan<float> cUsed = c[..cLength];
            if (cUsed.Overlaps(a[..aLength]) || cUsed.Overlaps(b[..bLength]))
                throw new ArgumentException("Gemm.Sgemm: C must not overlap A or B.", nameof(c));
        }

        fixed (float* pa = a, pb = b, pc = c)
        {
            if (!product)
            {
                ScaleC(pc, m, n, ldc, beta);
                return;
            }
            GemmKernel kernel = ActiveKernel;
            float* packed = packedA is not null && packedA.Kernel == kernel ? packedA.Data : null;
            var problem = new GemmProblem(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, packed);
            int threads = onCallingThread || 2.0 * m * n * k < ParallelThresholdFlops ? 1
                : forcedThreads > 0 ? forcedThreads : maxThreads;
            GemmParallel.Run(problem, kernel, threads);
        }
    }

    /// <summary>Validates one operand stored as rows×cols with row stride ld; returns the elements it spans.</summary>
    private static int CheckOperand(string matrix, string spanName, int spanLength, string ldName, int ld, int rows, int cols, bool transposed)
    {
        // The description is built only when throwing: this runs on every call.
        string Stored() => $"{matrix} is stored as {rows}×{cols}{(transposed ? " (transposed)" : "")}";
        if (ld < Math.Max(1, cols))
            throw new ArgumentException($"Gemm.Sgemm: {ldName} = {ld} is smaller than the row width {cols}; {Stored()}.", ldName);
        if (rows == 0 || cols == 0) return 0;
        long needed = (long)(rows - 1) * ld + cols;
        if (spanLength < needed)
            throw new ArgumentException(
                $"Gemm.Sgemm: {spanName} has {spanLength} elements but needs at least {needed}; {Stored()} with {ldName} = {ld}.", spanName);
        return (int)needed;
    }

    /// <summary>C = beta · C (beta = 0 writes zeros, ignoring NaN), used when there is no product to add.</summary>
    private static unsafe void ScaleC(float* c, int m, int n, int ldc, float beta)
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * ldc, n);
            if (beta == 0f) row.Clear();
            else if (beta != 1f) System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }
}
