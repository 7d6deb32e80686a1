using System.Reflection;
using Probabilistic.Core.Random;
using Probabilistic.Nn.Tensors;
using Probabilistic.Nn.Tensors.Kernels;
using Xunit.Sdk;

namespace Probabilistic.Nn.Tests.Tensors;

/// <summary>
/// Gemm.Sgemm against a double-precision reference. The tolerance is the classical worst-case bound for a
/// length-k float dot product with FMAs plus the alpha/beta merge: |error| ≤ (k + 3)·u·(|alpha|·Σ|a||b| + |beta·c|),
/// u = 2⁻²⁴, so a correct kernel can never exceed it and any indexing or packing bug (an O(1) error) fails.
/// Each kernel is its own row (<see cref="KernelDataAttribute"/>): a kernel the CPU cannot run is reported as skipped,
/// not quietly replaced by the next one down.
/// </summary>
public sealed class GemmTests
{
    /// <summary>
    /// Rows for one kernel family: (kernel name), or (kernel name, m, n, k) for each of <see cref="Shapes"/>. Skipped,
    /// with the reason, when <see cref="Gemm.ActiveKernel"/> would not run that kernel on this CPU.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
    private sealed class KernelDataAttribute : DataAttribute
    {
        private readonly GemmKernel _kernel;
        private readonly bool _withShapes;

        public KernelDataAttribute(GemmKernel kernel, bool withShapes = false)
        {
            _kernel = kernel;
            _withShapes = withShapes;
            GemmKernel saved = Gemm.ForcedKernel;
            try
            {
                Gemm.ForcedKernel = kernel;
                if (Gemm.ActiveKernel != kernel)
                    Skip = $"this CPU cannot run the {kernel} GEMM kernel (it would fall back to {Gemm.ActiveKernel})";
            }
            finally
            {
                Gemm.ForcedKernel = saved;
            }
        }

        public override IEnumerable<object[]> GetData(MethodInfo testMethod) => _withShapes
            ? Shapes.Select(row => row.Prepend(_kernel.ToString()).ToArray())
            : [[_kernel.ToString()]];
    }

    private static GemmKernel Kernel(string name) => Enum.Parse<GemmKernel>(name);

    /// <summary>(m, n, k): tiny, tile edges (±1 around 8/16/32/6), k slices, m = 1, n = 1, narrow n ≤ 16, few rows m ≤ 4, a large one.</summary>
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 2, 3, 4 }, { 7, 7, 7 }, { 1, 100, 50 }, { 100, 1, 50 }, { 1, 1, 300 },
        { 31, 33, 17 }, { 33, 31, 64 }, { 64, 64, 64 }, { 9, 65, 129 }, { 129, 65, 257 }, { 257, 33, 129 },
        { 13, 16, 40 }, { 64, 10, 784 }, { 30, 17, 20 }, { 6, 48, 800 }, { 300, 130, 1000 },
        { 4, 100, 70 }, { 3, 129, 33 }, { 2, 65, 17 }, { 5, 64, 31 },
    };

    [Theory]
    [KernelData(GemmKernel.Avx512, withShapes: true)]
    [KernelData(GemmKernel.Avx2, withShapes: true)]
    [KernelData(GemmKernel.Scalar, withShapes: true)]
    public void EveryKernelAndTransposeMatchesTheReference(string kernelName, int m, int n, int k)
    {
        GemmKernel kernel = Kernel(kernelName);
        var rng = new Rng((ulong)(m * 1_000_003 + n * 1009 + k));
        foreach (bool transA in new[] { false, true })
        foreach (bool transB in new[] { false, true })
        {
            // Leading dimensions larger than the stored width on odd shapes, exact on the others.
            int pad = (m + n + k) % 2 == 1 ? 3 : 0;
            var op = Operands.Make(rng, m, n, k, transA, transB, pad);
            (float alpha, float beta) = ((m + k) % 3) switch { 0 => (1f, 0f), 1 => (-0.5f, 1f), _ => (2f, 0.25f) };
            float[] c = op.Run(kernel, alpha, beta, threads: 1);
            op.AssertClose(c, alpha, beta, $"{kernel} transA={transA} transB={transB}");
        }
    }

    [Theory]
    [KernelData(GemmKernel.Avx512)]
    [KernelData(GemmKernel.Avx2)]
    [KernelData(GemmKernel.Scalar)]
    public void ParallelPathMatchesTheReferenceAndIsBitwiseEqualToOneThread(string kernelName)
    {
        GemmKernel kernel = Kernel(kernelName);
        var rng = new Rng(7);
        foreach ((int m, int n, int k) in new[] { (130, 95, 300), (17, 300, 64), (200, 9, 100), (64, 800, 33), (3, 300, 70) })
        foreach (bool transB in new[] { false, true })
        {
            var op = Operands.Make(rng, m, n, k, transA: m % 2 == 0, transB, pad: 1);
            float[] one = op.Run(kernel, 1f, 0.5f, threads: 1, threshold: 0);
            float[] two = op.Run(kernel, 1f, 0.5f, threads: 2, threshold: 0);
            float[] twoAgain = op.Run(kernel, 1f, 0.5f, threads: 2, threshold: 0);
            op.AssertClose(two, 1f, 0.5f, $"{kernel} {m}x{n}x{k} 2 threads");
            Assert.Equal(one, two);
            Assert.Equal(two, twoAgain);
        }
    }

    [Theory]
    [KernelData(GemmKernel.Avx512)]
    [KernelData(GemmKernel.Avx2)]
    [KernelData(GemmKernel.Scalar)]
    public void BetaZeroIgnoresNaNInC(string kernelName)
    {
        GemmKernel kernel = Kernel(kernelName);
        foreach ((int m, int n, int k) in new[] { (9, 40, 13), (9, 5, 13), (4, 4, 0) })
        {
            var op = Operands.Make(new Rng(3), m, n, k, false, false, pad: 0);
            Array.Fill(op.C, float.NaN);
            float[] c = op.Run(kernel, 1.5f, 0f, threads: 1);
            Assert.DoesNotContain(c, float.IsNaN);
            op.AssertClose(c, 1.5f, 0f, $"{kernel} NaN in C");
        }
    }

    [Fact]
    public void ZeroAlphaOrZeroDepthScalesCByBeta()
    {
        var op = Operands.Make(new Rng(5), 5, 6, 7, false, true, pad: 2);
        float[] scaled = op.Run(GemmKernel.Auto, 0f, -2f, threads: 1);
        op.AssertClose(scaled, 0f, -2f, "alpha = 0");
        var empty = Operands.Make(new Rng(6), 5, 6, 0, false, false, pad: 0);
        empty.AssertClose(empty.Run(GemmKernel.Auto, 1f, 3f, threads: 1), 1f, 3f, "k = 0");
    }

    [Theory]
    [KernelData(GemmKernel.Avx512)]
    [KernelData(GemmKernel.Avx2)]
    [KernelData(GemmKernel.Scalar)]
    public void ElementsOutsideTheLogicalWidthOfCAreNotTouched(string kernelName)
    {
        GemmKernel kernel = Kernel(kernelName);
        foreach ((int m, int n, bool transB) in new[] { (19, 37, false), (19, 10, false), (3, 70, false), (3, 70, true) })
        {
            // Packed, narrow and few-rows paths.
            var op = Operands.Make(new Rng(11), m, n, 23, true, transB, pad: 5);
            float[] c = op.Run(kernel, 1f, 1f, threads: 1);
            for (int i = 0; i < m; i++)
                for (int j = n; j < op.Ldc; j++)
                    Assert.Equal(op.C[i * op.Ldc + j], c[i * op.Ldc + j]);
        }
    }

    [Theory]
    [KernelData(GemmKernel.Avx512)]
    [KernelData(GemmKernel.Avx2)]
    [KernelData(GemmKernel.Scalar)]
    public void PackedAGivesBitwiseTheUnpackedResult(string kernelName)
    {
        // m not a tile multiple, several k slices, both layouts of A.
        GemmKernel kernel = Kernel(kernelName);
        var rng = new Rng(21);
        foreach ((int m, int n, int k) in new[] { (64, 121, 288), (13, 40, 700), (288, 30, 64), (3, 50, 9) })
        foreach (bool transA in new[] { false, true })
        {
            var op = Operands.Make(rng, m, n, k, transA, transB: false, pad: 1);
            float[] unpacked = op.Run(kernel, 1f, 0.5f, threads: 1);
            float[] packed = (float[])op.C.Clone();
            try
            {
                Gemm.ForcedKernel = kernel;
                using var packedA = Gemm.PackA(transA, m, k, op.A, op.Lda);
                Gemm.SgemmOnCallingThread(transA, false, m, n, k, 1f, op.A, op.Lda, op.B, op.Ldb, 0.5f, packed, op.Ldc, packedA);
            }
            finally
            {
                Gemm.ForcedKernel = GemmKernel.Auto;
            }
            op.AssertClose(packed, 1f, 0.5f, $"{kernel} packed A {m}x{n}x{k} transA={transA}");
            Assert.Equal(unpacked, packed);
        }
        using var other = Gemm.PackA(false, 4, 5, new float[20], 5);
        Assert.Throws<ArgumentException>(() =>
            Gemm.SgemmOnCallingThread(false, false, 5, 2, 4, 1f, new float[20], 4, new float[8], 2, 0f, new float[10], 2, other));
    }

    [Fact]
    public void SmallSingleThreadedCallsAllocateNothing()
    {
        // The shapes of a 784→10 logistic-regression step (forward, weight gradient, input gradient) and a tiny one.
        float[] x = new float[64 * 784], w = new float[784 * 10], y = new float[64 * 10], dw = new float[784 * 10], dx = new float[64 * 784];
        void Step()
        {
            Gemm.Sgemm(false, false, 64, 10, 784, 1f, x, 784, w, 10, 0f, y, 10);
            Gemm.Sgemm(true, false, 784, 10, 64, 1f, x, 784, y, 10, 0f, dw, 10);
            Gemm.Sgemm(false, true, 64, 784, 10, 1f, y, 10, w, 10, 0f, dx, 784);
            Gemm.Sgemm(false, false, 3, 5, 7, 1f, x, 7, w, 5, 1f, y, 5);
            Gemm.Sgemm(true, true, 1, 784, 10, 1f, y, 1, w, 10, 0f, dx, 784);
        }
        Step(); // first calls create the pooled packing buffers
        // Tests of other classes may hold pooled buffers at the same moment, forcing a one-off new one; a per-call
        // allocation would show in every window, so one clean window out of five proves there is none.
        long allocated = long.MaxValue;
        for (int attempt = 0; attempt < 5 && allocated != 0; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) Step();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ForcedKernelsAreTheOnesThatRun()
    {
        try
        {
            Gemm.ForcedKernel = GemmKernel.Scalar;
            Assert.Equal(GemmKernel.Scalar, Gemm.ActiveKernel);
            Gemm.ForcedKernel = GemmKernel.Auto;
            GemmKernel expected = System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? GemmKernel.Avx512
                : System.Runtime.Intrinsics.X86.Fma.IsSupported ? GemmKernel.Avx2 : GemmKernel.Scalar;
            Assert.Equal(expected, Gemm.ActiveKernel);
        }
        finally
        {
            Gemm.ForcedKernel = GemmKernel.Auto;
        }
    }

    [Fact]
    public void BadArgumentsAreRejectedWithTheNumbers()
    {
        float[] a = new float[12], b = new float[12], c = new float[12];
        var e = Assert.ThrowsAny<ArgumentException>(() => Gemm.Sgemm(false, false, -1, 2, 2, 1f, a, 2, b, 2, 0f, c, 2));
        Assert.Contains("Sgemm", e.Message);
        Assert.Contains("m = -1", e.Message);

        e = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 3, 4, 4, 1f, a, 3, b, 4, 0f, c, 4));
        Assert.Equal("lda", e.ParamName);
        Assert.Contains("lda = 3", e.Message);
        Assert.Contains("row width 4", e.Message);

        e = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, true, 3, 4, 4, 1f, a, 4, b, 4, 0f, c, 4));
        Assert.Equal("b", e.ParamName);
        Assert.Contains("12 elements", e.Message);
        Assert.Contains("16", e.Message);

        e = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 3, 4, 2, 1f, a, 2, b, 4, 0f, c, 3));
        Assert.Equal("ldc", e.ParamName);

        e = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(true, false, 2, 2, 2, 1f, a, 2, b, 2, 0f, a.AsSpan(2), 2));
        Assert.Contains("overlap", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MaxThreads = 0);
    }

    /// <summary>Random stored operands with optional leading-dimension padding, and the double reference.</summary>
    private sealed record Operands(int M, int N, int K, bool TransA, bool TransB, float[] A, int Lda, float[] B, int Ldb, float[] C, int Ldc)
    {
        public static Operands Make(Rng rng, int m, int n, int k, bool transA, bool transB, int pad)
        {
            int lda = (transA ? m : k) + pad, ldb = (transB ? k : n) + pad, ldc = n + pad;
            float[] a = Random(rng, Math.Max(1, (transA ? k : m) * lda));
            float[] b = Random(rng, Math.Max(1, (transB ? n : k) * ldb));
            float[] c = Random(rng, m * ldc);
            return new Operands(m, n, k, transA, transB, a, Math.Max(1, lda), b, Math.Max(1, ldb), c, ldc);
        }

        public float[] Run(GemmKernel kernel, float alpha, float beta, int threads, long? threshold = null)
        {
            float[] c = (float[])C.Clone();
            try
            {
                Gemm.ForcedKernel = kernel;
                Gemm.ForcedThreads = threads;
                Gemm.ParallelThresholdFlops = threshold ?? Gemm.DefaultParallelThresholdFlops;
                Gemm.Sgemm(TransA, TransB, M, N, K, alpha, A, Lda, B, Ldb, beta, c, Ldc);
            }
            finally
            {
                Gemm.ForcedKernel = GemmKernel.Auto;
                Gemm.ForcedThreads = 0;
                Gemm.ParallelThresholdFlops = Gemm.DefaultParallelThresholdFlops;
            }
            return c;
        }

        public void AssertClose(float[] actual, float alpha, float beta, string what)
        {
            double u = Math.Pow(2, -24);
            for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++)
            {
                double sum = 0, abs = 0;
                for (int p = 0; p < K; p++)
                {
                    double x = TransA ? A[p * Lda + i] : A[i * Lda + p];
                    double y = TransB ? B[j * Ldb + p] : B[p * Ldb + j];
                    sum += x * y;
                    abs += Math.Abs(x * y);
                }
                double c0 = C[i * Ldc + j];
                double expected = alpha * sum + (beta == 0 ? 0 : beta * c0);
                double tolerance = (K + 3) * u * (Math.Abs(alpha) * abs + (beta == 0 ? 0 : Math.Abs(beta * c0))) + 1e-30;
                double got = actual[i * Ldc + j];
                if (!(Math.Abs(got - expected) <= tolerance))
                    Assert.Fail($"{what}, {M}x{N}x{K}: C[{i},{j}] = {got}, expected {expected} ± {tolerance}");
            }
        }

        private static float[] Random(Rng rng, int length)
        {
            var x = new float[length];
            for (int i = 0; i < length; i++) x[i] = 2f * rng.NextFloat() - 1f;
            return x;
        }
    }
}
