using System.Runtime.InteropServices;

namespace Probabilistic.Nn.Tensors.Kernels;

/// <summary>
/// Packing buffers for one GEMM thread, 64-byte aligned native memory that grows on demand and is reused:
/// a small lock-free pool hands them out so that repeated calls allocate nothing.
/// </summary>
internal sealed unsafe class GemmWorkspace
{
    private const int PoolSize = 8;
    private static readonly GemmWorkspace?[] Pool = new GemmWorkspace?[PoolSize];

    private float* a, b;
    private long aLength, bLength;

    /// <summary>Takes a workspace from the pool, or makes a new one when all are in use.</summary>
    public static GemmWorkspace Rent()
    {
        for (int i = 0; i < PoolSize; i++)
        {
            GemmWorkspace? w = Interlocked.Exchange(ref Pool[i], null);
            if (w is not null) return w;
        }
        return new GemmWorkspace();
    }

    /// <summary>Gives a workspace back; when the pool is full it is dropped (its finalizer frees the memory).</summary>
    public static void Return(GemmWorkspace w)
    {
        for (int i = 0; i < PoolSize; i++)
            if (Interlocked.CompareExchange(ref Pool[i], w, null) is null) return;
    }

    /// <summary>The A packing buffer, at least <paramref name="length"/> floats.</summary>
    public float* A(long length) => Ensure(ref a, ref aLength, length);

    /// <summary>The B packing buffer, at least <paramref name="length"/> floats.</summary>
    public float* B(long length) => Ensure(ref b, ref bLength, length);

    private static float* Ensure(ref float* buffer, ref long capacity, long length)
    {
        if (length <= capacity) return buffer;
        // Grow geometrically so a sequence of slightly larger shapes does not reallocate every call.
        long size = Math.Max(length, capacity * 2);
        NativeMemory.AlignedFree(buffer);
        buffer = null;
        capacity = 0;
        buffer = (float*)NativeMemory.AlignedAlloc((nuint)(size * sizeof(float)), 64);
        capacity = size;
        return buffer;
    }

    ~GemmWorkspace()
    {
        NativeMemory.AlignedFree(a);
        NativeMemory.AlignedFree(b);
    }
}
