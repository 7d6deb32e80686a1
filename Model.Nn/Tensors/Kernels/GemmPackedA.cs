using System.Runtime.InteropServices;

namespace Probabilistic.Nn.Tensors.Kernels;

/// <summary>
/// A left operand op(A) packed once, in exactly the panels the packed driver would build for every k slice, so
/// that many products with the same A (a convolution's weights against each image's columns) skip re-packing it.
/// Using it changes no arithmetic: results are bitwise those of the unpacked call. Frees its native memory on
/// <see cref="Dispose"/>.
/// </summary>
internal sealed unsafe class GemmPackedA : IDisposable
{
    private float* data;

    /// <summary>The shape and layout it was packed from.</summary>
    public bool TransA { get; }
    public int M { get; }
    public int K { get; }

    /// <summary>The kernel family whose panel layout it holds (it is used only with that kernel).</summary>
    public GemmKernel Kernel { get; }

    /// <summary>The panels, or null when the kernel family has no packed layout for this shape.</summary>
    public float* Data => data;

    public GemmPackedA(bool transA, int m, int k, float* a, int lda, GemmKernel kernel)
    {
        (TransA, M, K, Kernel) = (transA, m, k, kernel);
        long length = kernel switch
        {
            GemmKernel.Avx512 => GemmDriver<Avx512Kernel8x32>.WholeALength(m, k),
            GemmKernel.Avx2 => GemmDriver<Avx2Kernel6x16>.WholeALength(m, k),
            _ => GemmDriver<ScalarKernel4x4>.WholeALength(m, k),
        };
        data = (float*)NativeMemory.AlignedAlloc((nuint)(Math.Max(1, length) * sizeof(float)), 64);
        switch (kernel)
        {
            case GemmKernel.Avx512: GemmDriver<Avx512Kernel8x32>.PackWholeA(transA, m, k, a, lda, data, simdPacking: true); break;
            case GemmKernel.Avx2: GemmDriver<Avx2Kernel6x16>.PackWholeA(transA, m, k, a, lda, data, simdPacking: true); break;
            default: GemmDriver<ScalarKernel4x4>.PackWholeA(transA, m, k, a, lda, data, simdPacking: false); break;
        }
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(data);
        data = null;
        GC.SuppressFinalize(this);
    }

    ~GemmPackedA() => NativeMemory.AlignedFree(data);
}
