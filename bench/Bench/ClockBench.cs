using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Probabilistic.Bench;

/// <summary>
/// What the CPU can do, to put GEMM numbers in proportion:
/// the core clock, from a loop whose body is a chain of 16 dependent 64-bit adds (1-cycle latency each, the loop
/// counter runs alongside, so cycles ≈ 16·iterations); and the measured fp32 FMA throughput of a register-only loop
/// of independent FMA chains (no loads) in the widest vectors the CPU has (<c>Vector512</c> with AVX-512,
/// <c>Vector256</c> with AVX2 + FMA), on 1 thread and on 2.
/// </summary>
internal static class ClockBench
{
    public static int Run(string[] args)
    {
        int csvAt = Array.IndexOf(args, "--csv");
        double ghz = MeasureGHz();
        int lanes = Avx512F.IsSupported ? 16 : Fma.IsSupported ? 8 : 0;
        double one = lanes > 0 ? FmaPeak(1, lanes) : double.NaN, two = lanes > 0 ? FmaPeak(2, lanes) : double.NaN;
        var lines = new[]
        {
            "quantity,value",
            $"clock_ghz,{ghz.ToString("F3", CultureInfo.InvariantCulture)}",
            $"fma_peak_gflops_1t,{one.ToString("F1", CultureInfo.InvariantCulture)}",
            $"fma_peak_gflops_2t,{two.ToString("F1", CultureInfo.InvariantCulture)}",
            $"fma_vector_lanes,{lanes}",
        };
        foreach (string line in lines.Skip(1)) Console.WriteLine(line);
        if (csvAt >= 0 && csvAt + 1 < args.Length) File.WriteAllLines(args[csvAt + 1], lines);
        return 0;
    }

    /// <summary>Best of several timed runs (the highest clock seen), after a warm-up that lets the core boost.</summary>
    private static double MeasureGHz()
    {
        const long iterations = 20_000_000;
        Chain(1, 3, iterations / 10);
        double best = 0;
        for (int rep = 0; rep < 7; rep++)
        {
            long start = Stopwatch.GetTimestamp();
            long sink = Chain(rep, 3, iterations);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            GC.KeepAlive(sink);
            best = Math.Max(best, 16.0 * iterations / seconds / 1e9);
        }
        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static long Chain(long x, long y, long iterations)
    {
        for (long i = 0; i < iterations; i++)
        {
            // y is unknown to the JIT, so it cannot fold the chain into one multiply.
            x += y; x += y; x += y; x += y; x += y; x += y; x += y; x += y;
            x += y; x += y; x += y; x += y; x += y; x += y; x += y; x += y;
        }
        return x;
    }

    /// <summary>GFLOP/s of <paramref name="threads"/> threads each running the FMA loop of the given width (best of 5 runs).</summary>
    private static double FmaPeak(int threads, int lanes)
    {
        const int iterations = 20_000_000;
        Func<int, float> loop = lanes == 16 ? FmaLoop<Vector512<float>> : FmaLoop<Vector256<float>>;
        int chains = lanes == 16 ? 16 : 12;
        loop(1000);
        double best = 0;
        for (int rep = 0; rep < 5; rep++)
        {
            long start = Stopwatch.GetTimestamp();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ => loop(iterations));
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            best = Math.Max(best, threads * iterations * (double)chains * lanes * 2 / seconds / 1e9);
        }
        return best;
    }

    /// <summary>
    /// Independent FMA chains in vectors of type <typeparamref name="TV"/>, kept in registers: 16 of 32 zmm registers
    /// with AVX-512; 12 with AVX2, which has only 16 ymm registers (16 chains spill and measure memory, not FMAs).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float FmaLoop<TV>(int iterations) where TV : struct
    {
        if (typeof(TV) == typeof(Vector512<float>))
        {
            Vector512<float> m = Vector512.Create(0.999f), d = Vector512.Create(1e-3f);
            Vector512<float> x0 = d, x1 = d, x2 = d, x3 = d, x4 = d, x5 = d, x6 = d, x7 = d;
            Vector512<float> y0 = d, y1 = d, y2 = d, y3 = d, y4 = d, y5 = d, y6 = d, y7 = d;
            for (int i = 0; i < iterations; i++)
            {
                x0 = Vector512.FusedMultiplyAdd(x0, m, d); x1 = Vector512.FusedMultiplyAdd(x1, m, d);
                x2 = Vector512.FusedMultiplyAdd(x2, m, d); x3 = Vector512.FusedMultiplyAdd(x3, m, d);
                x4 = Vector512.FusedMultiplyAdd(x4, m, d); x5 = Vector512.FusedMultiplyAdd(x5, m, d);
                x6 = Vector512.FusedMultiplyAdd(x6, m, d); x7 = Vector512.FusedMultiplyAdd(x7, m, d);
                y0 = Vector512.FusedMultiplyAdd(y0, m, d); y1 = Vector512.FusedMultiplyAdd(y1, m, d);
                y2 = Vector512.FusedMultiplyAdd(y2, m, d); y3 = Vector512.FusedMultiplyAdd(y3, m, d);
                y4 = Vector512.FusedMultiplyAdd(y4, m, d); y5 = Vector512.FusedMultiplyAdd(y5, m, d);
                y6 = Vector512.FusedMultiplyAdd(y6, m, d); y7 = Vector512.FusedMultiplyAdd(y7, m, d);
            }
            return (x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + y0 + y1 + y2 + y3 + y4 + y5 + y6 + y7).ToScalar();
        }
        else
        {
            Vector256<float> m = Vector256.Create(0.999f), d = Vector256.Create(1e-3f);
            Vector256<float> x0 = d, x1 = d, x2 = d, x3 = d, x4 = d, x5 = d, x6 = d, x7 = d;
            Vector256<float> y0 = d, y1 = d, y2 = d, y3 = d;
            for (int i = 0; i < iterations; i++)
            {
                x0 = Fma.MultiplyAdd(x0, m, d); x1 = Fma.MultiplyAdd(x1, m, d);
                x2 = Fma.MultiplyAdd(x2, m, d); x3 = Fma.MultiplyAdd(x3, m, d);
                x4 = Fma.MultiplyAdd(x4, m, d); x5 = Fma.MultiplyAdd(x5, m, d);
                x6 = Fma.MultiplyAdd(x6, m, d); x7 = Fma.MultiplyAdd(x7, m, d);
                y0 = Fma.MultiplyAdd(y0, m, d); y1 = Fma.MultiplyAdd(y1, m, d);
                y2 = Fma.MultiplyAdd(y2, m, d); y3 = Fma.MultiplyAdd(y3, m, d);
            }
            return (x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + y0 + y1 + y2 + y3).ToScalar();
        }
    }
}
