using System.Runtime.InteropServices;

namespace Probabilistic.Bench;

/// <summary>
/// The system OpenBLAS called in-process through its C interface (cblas_sgemm), so that our GEMM and the BLAS
/// PyTorch uses here can be timed alternately, call batch by call batch, under the same machine load.
/// Only the benchmark uses it; the library has no native dependency.
/// </summary>
internal static unsafe class OpenBlasPeer
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;
    private static delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> sgemm;
    private static delegate* unmanaged<int, void> setThreads;

    /// <summary>Loads libopenblas (as PyTorch/numpy resolve it here); returns its configuration and core, or null.</summary>
    public static string? TryLoad()
    {
        foreach (string name in new[] { "libopenblas.so.0", "libopenblas.so", "/usr/lib/x86_64-linux-gnu/libblas.so.3" })
        {
            if (!NativeLibrary.TryLoad(name, out IntPtr lib)) continue;
            if (!NativeLibrary.TryGetExport(lib, "cblas_sgemm", out IntPtr gemm)
                || !NativeLibrary.TryGetExport(lib, "openblas_set_num_threads", out IntPtr threads)) continue;
            sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)gemm;
            setThreads = (delegate* unmanaged<int, void>)threads;
            string config = Describe(lib, "openblas_get_config"), core = Describe(lib, "openblas_get_corename");
            return $"{config}, core {core} ({name})";
        }
        return null;
    }

    private static string Describe(IntPtr lib, string export) =>
        NativeLibrary.TryGetExport(lib, export, out IntPtr f)
            ? Marshal.PtrToStringUTF8((IntPtr)((delegate* unmanaged<sbyte*>)f)()) ?? "?"
            : "?";

    /// <summary>Sets OpenBLAS's own thread count.</summary>
    public static void SetThreads(int threads) => setThreads(threads);

    /// <summary>Row-major C = alpha·op(A)·op(B) + beta·C, the same contract as Gemm.Sgemm.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc)
    {
        fixed (float* pa = a, pb = b, pc = c)
            sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }
}
