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
/// of 16 independent <c>Vector512</c> FMA chains (no loads), on 1 thread and on 2.
/// </summary>
internal static class ClockBench
{
    public static int Run(string[] args)
    {
        int csvAt = Array.IndexOf(args, "--csv");
        double ghz = MeasureGHz();
        double one = Avx512F.IsSupported ? FmaPeak(1) : double.NaN, two = Avx512F.IsSupported ? FmaPeak(2) : double.NaN;
        var lines = new[]
        {
            "quantity,value",
            $"clock_ghz,{ghz.ToString("F3", CultureInfo.InvariantCulture)}",
            $"fma_peak_gflops_1t,{one.ToString("F1", CultureInfo.InvariantCulture)}",
            $"fma_peak_gflops_2t,{two.ToString("F1", CultureInfo.InvariantCulture)}",
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

    /// <summary>GFLOP/s of <paramref name="threads"/> threads each running the FMA loop (best of 5 runs).</summary>
    private static double FmaPeak(int threads)
    {
        const int iterations = 20_000_000;
        FmaLoop(1000);
        double best = 0;
        for (int rep = 0; rep < 5; rep++)
        {
            long start = Stopwatch.GetTimestamp();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ => FmaLoop(iterations));
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            best = Math.Max(best, threads * iterations * 16.0 * 32 / seconds / 1e9);
        }
        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float FmaLoop(int iterations)
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
}
