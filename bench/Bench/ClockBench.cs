using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Probabilistic.Bench;

/// <summary>
/// Estimates the core clock: a loop whose body is a chain of 16 dependent 64-bit adds runs at one add per cycle
/// (1-cycle latency; the loop counter runs in parallel), so cycles ≈ 16·iterations and clock = cycles / time.
/// </summary>
internal static class ClockBench
{
    public static int Run(string[] args)
    {
        double ghz = MeasureGHz();
        Console.WriteLine($"clock_ghz,{ghz:F3}");
        return 0;
    }

    /// <summary>Best of several timed runs (the highest clock seen), after a warm-up that lets the core boost.</summary>
    public static double MeasureGHz()
    {
        const long iterations = 20_000_000;
        Chain(1, 3, iterations / 10);
        double best = 0;
        for (int rep = 0; rep < 7; rep++)
        {
            long start = Stopwatch.GetTimestamp();
            long sink = Chain(rep, 3, iterations);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (sink == 42) Console.Write("");
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
}
