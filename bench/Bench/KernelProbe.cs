using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Probabilistic.Nn.Tensors.Kernels;

namespace Probabilistic.Bench;

internal static unsafe class KernelProbe
{
    public static int Run(string[] args)
    {
        int kc = 256;
        float* a = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(16 * kc * 4), 64);
        float* b = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(64 * kc * 4), 64);
        float* c = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(16 * 64 * 4, 64);
        for (int i = 0; i < 16 * kc; i++) a[i] = 0.001f * (i % 7);
        for (int i = 0; i < 64 * kc; i++) b[i] = 0.001f * (i % 5);
        for (int rep = 0; rep < 3; rep++)
        {
            long iters = 200_000_000 / kc;
            long t = Stopwatch.GetTimestamp();
            for (long i = 0; i < iters; i++) Avx512Kernel8x32.Run(kc, a, b, c, 32, 1f, 1f);
            double s = Stopwatch.GetElapsedTime(t).TotalSeconds;
            Console.WriteLine($"8x32: {2.0 * 8 * 32 * kc * iters / s / 1e9:F1} GFLOP/s");
            t = Stopwatch.GetTimestamp();
            for (long i = 0; i < iters; i++) RegOnly(kc, a, b, c);
            s = Stopwatch.GetElapsedTime(t).TotalSeconds;
            Console.WriteLine($"regonly 16acc: {2.0 * 16 * 16 * kc * iters / s / 1e9:F1} GFLOP/s");
            t = Stopwatch.GetTimestamp();
            for (long i = 0; i < iters; i++) K4x64(kc, a, b, c);
            s = Stopwatch.GetElapsedTime(t).TotalSeconds;
            Console.WriteLine($"4x64: {2.0 * 4 * 64 * kc * iters / s / 1e9:F1} GFLOP/s");
        }
        return 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    static void RegOnly(int kc, float* a, float* b, float* c)
    {
        Vector512<float> x0 = default, x1 = default, x2 = default, x3 = default, x4 = default, x5 = default, x6 = default, x7 = default;
        Vector512<float> y0 = default, y1 = default, y2 = default, y3 = default, y4 = default, y5 = default, y6 = default, y7 = default;
        Vector512<float> p = Vector512.Load(b), q = Vector512.Load(b + 16);
        for (int i = 0; i < kc; i++)
        {
            x0 = Vector512.FusedMultiplyAdd(p, q, x0); x1 = Vector512.FusedMultiplyAdd(p, q, x1);
            x2 = Vector512.FusedMultiplyAdd(p, q, x2); x3 = Vector512.FusedMultiplyAdd(p, q, x3);
            x4 = Vector512.FusedMultiplyAdd(p, q, x4); x5 = Vector512.FusedMultiplyAdd(p, q, x5);
            x6 = Vector512.FusedMultiplyAdd(p, q, x6); x7 = Vector512.FusedMultiplyAdd(p, q, x7);
            y0 = Vector512.FusedMultiplyAdd(p, q, y0); y1 = Vector512.FusedMultiplyAdd(p, q, y1);
            y2 = Vector512.FusedMultiplyAdd(p, q, y2); y3 = Vector512.FusedMultiplyAdd(p, q, y3);
            y4 = Vector512.FusedMultiplyAdd(p, q, y4); y5 = Vector512.FusedMultiplyAdd(p, q, y5);
            y6 = Vector512.FusedMultiplyAdd(p, q, y6); y7 = Vector512.FusedMultiplyAdd(p, q, y7);
        }
        Vector512.Store(x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + y0 + y1 + y2 + y3 + y4 + y5 + y6 + y7, c);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    static void K4x64(int kc, float* a, float* b, float* c)
    {
        Vector512<float> x0 = default, x1 = default, x2 = default, x3 = default, x4 = default, x5 = default, x6 = default, x7 = default;
        Vector512<float> y0 = default, y1 = default, y2 = default, y3 = default, y4 = default, y5 = default, y6 = default, y7 = default;
        for (int i = 0; i < kc; i++)
        {
            var b0 = Vector512.Load(b); var b1 = Vector512.Load(b + 16); var b2 = Vector512.Load(b + 32); var b3 = Vector512.Load(b + 48);
            var av = Vector512.Create(a[0]);
            x0 = Vector512.FusedMultiplyAdd(av, b0, x0); x1 = Vector512.FusedMultiplyAdd(av, b1, x1);
            x2 = Vector512.FusedMultiplyAdd(av, b2, x2); x3 = Vector512.FusedMultiplyAdd(av, b3, x3);
            av = Vector512.Create(a[1]);
            x4 = Vector512.FusedMultiplyAdd(av, b0, x4); x5 = Vector512.FusedMultiplyAdd(av, b1, x5);
            x6 = Vector512.FusedMultiplyAdd(av, b2, x6); x7 = Vector512.FusedMultiplyAdd(av, b3, x7);
            av = Vector512.Create(a[2]);
            y0 = Vector512.FusedMultiplyAdd(av, b0, y0); y1 = Vector512.FusedMultiplyAdd(av, b1, y1);
            y2 = Vector512.FusedMultiplyAdd(av, b2, y2); y3 = Vector512.FusedMultiplyAdd(av, b3, y3);
            av = Vector512.Create(a[3]);
            y4 = Vector512.FusedMultiplyAdd(av, b0, y4); y5 = Vector512.FusedMultiplyAdd(av, b1, y5);
            y6 = Vector512.FusedMultiplyAdd(av, b2, y6); y7 = Vector512.FusedMultiplyAdd(av, b3, y7);
            a += 4; b += 64;
        }
        Vector512.Store(x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + y0 + y1 + y2 + y3 + y4 + y5 + y6 + y7, c);
    }
}
