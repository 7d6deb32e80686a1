using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Runtime.InteropServices;

namespace Probabilistic.Nn.Tensors;

/// <summary>Small vectorised kernels that TensorPrimitives does not provide directly.</summary>
public static class VectorKernels
{
    /// <summary>Sum in a fixed order: float sums of 1024-element blocks, added up in double.</summary>
    public static double SumDouble(ReadOnlySpan<float> x)
    {
        double total = 0;
        for (int i = 0; i < x.Length; i += 1024)
            total += TensorPrimitives.Sum(x.Slice(i, Math.Min(1024, x.Length - i)));
        return total;
    }

    /// <summary>dst = (accumulate ? dst : 0) + (y &gt; 0 ? g : 0): the ReLU backward rule given its output y.</summary>
    public static void MaskPositive(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dst, bool accumulate)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var yv = MemoryMarshal.Cast<float, Vector<float>>(y);
            var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
            var dv = MemoryMarshal.Cast<float, Vector<float>>(dst);
            int n = Math.Min(yv.Length, Math.Min(gv.Length, dv.Length));
            for (int k = 0; k < n; k++)
            {
                var masked = Vector.ConditionalSelect(Vector.GreaterThan(yv[k], Vector<float>.Zero), gv[k], Vector<float>.Zero);
                dv[k] = accumulate ? dv[k] + masked : masked;
            }
            i = n * Vector<float>.Count;
        }
        for (; i < dst.Length; i++)
        {
            float masked = y[i] > 0 ? g[i] : 0f;
            dst[i] = accumulate ? dst[i] + masked : masked;
        }
    }
}
