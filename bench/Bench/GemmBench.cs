using System.Diagnostics;
using System.Globalization;
using Probabilistic.Core.Random;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Bench;

/// <summary>
/// fp32 GEMM throughput of <see cref="Gemm.Sgemm"/> on the shapes the layers use, with 1 and 2 threads.
/// Each case is warmed up, then timed in several repetitions of a batch of calls (≥ 0.1 s each);
/// the best repetition counts (the machine is shared, so the minimum is the least disturbed estimate).
/// </summary>
internal static class GemmBench
{
    /// <summary>One benchmark shape: C[m×n] = op(A)·op(B) with op(A) m×k.</summary>
    internal sealed record Shape(string Name, int M, int N, int K, bool TransA, bool TransB);

    /// <summary>The shapes, shared with bench/torch_gemm.py (same names, same order).</summary>
    internal static readonly Shape[] Shapes =
    [
        new("square 1024^3", 1024, 1024, 1024, false, false),
        new("fc fwd 128x784 * 784x800", 128, 800, 784, false, false),
        new("fc dW (128x784)^T * 128x800", 784, 800, 128, true, false),
        new("fc dX 128x800 * (784x800)^T", 128, 784, 800, false, true),
        new("logreg fwd 64x784 * 784x10", 64, 10, 784, false, false),
        new("logreg dW (64x784)^T * 64x10", 784, 10, 64, true, false),
        new("logreg dX 64x10 * (784x10)^T", 64, 784, 10, false, true),
        new("1 sample 1x784 * 784x800", 1, 800, 784, false, false),
    ];

    public static int Run(string[] args)
    {
        if (args.Contains("--crossover")) return Crossover();
        bool quick = args.Contains("--quick");
        int csvAt = Array.IndexOf(args, "--csv");
        string? csvPath = csvAt >= 0 && csvAt + 1 < args.Length ? args[csvAt + 1] : null;
        int repetitions = quick ? 3 : 7;
        int threadsAt = Array.IndexOf(args, "--threads");
        int[] threadCounts = threadsAt >= 0 && threadsAt + 1 < args.Length ? [int.Parse(args[threadsAt + 1])] : [1, 2];
        int savedThreads = Gemm.MaxThreads;
        var rows = new List<string> { "impl,shape,m,n,k,trans_a,trans_b,threads,gflops,us_per_call" };
        Console.WriteLine($"kernel: {Gemm.ActiveKernel}, processors: {Environment.ProcessorCount}");
        Console.WriteLine($"{"shape",-32} {"threads",7} {"GFLOP/s",9} {"us/call",10}");
        try
        {
            foreach (Shape s in Shapes)
            {
                foreach (int threads in threadCounts)
                {
                    Gemm.MaxThreads = threads;
                    double seconds = TimePerCall(s, repetitions, quick ? 0.05 : 0.15);
                    double gflops = 2.0 * s.M * s.N * s.K / seconds / 1e9;
                    Console.WriteLine($"{s.Name,-32} {threads,7} {gflops,9:F1} {seconds * 1e6,10:F1}");
                    rows.Add(string.Join(',', "ours", s.Name, s.M, s.N, s.K, s.TransA ? 1 : 0, s.TransB ? 1 : 0, threads,
                        gflops.ToString("F2", CultureInfo.InvariantCulture), (seconds * 1e6).ToString("F2", CultureInfo.InvariantCulture)));
                }
            }
        }
        finally
        {
            Gemm.MaxThreads = savedThreads;
        }
        if (csvPath is not null) File.WriteAllLines(csvPath, rows);
        return 0;
    }

    /// <summary>
    /// Where 2 threads start to pay: square products of growing size timed on 1 thread and on 2 with the
    /// parallel threshold switched off (to choose Gemm.DefaultParallelThresholdFlops).
    /// </summary>
    private static int Crossover()
    {
        Console.WriteLine($"{"m=n=k",6} {"MFLOP",8} {"1 thread us",12} {"2 threads us",13}");
        try
        {
            Gemm.ParallelThresholdFlops = 0;
            foreach (int size in new[] { 32, 48, 64, 80, 96, 128, 160, 192, 256 })
            {
                var shape = new Shape("crossover", size, size, size, false, false);
                Gemm.ForcedThreads = 1;
                double one = TimePerCall(shape, 7, 0.05);
                Gemm.ForcedThreads = 2;
                double two = TimePerCall(shape, 7, 0.05);
                Console.WriteLine($"{size,6} {2.0 * size * size * size / 1e6,8:F2} {one * 1e6,12:F1} {two * 1e6,13:F1}");
            }
        }
        finally
        {
            Gemm.ForcedThreads = 0;
            Gemm.ParallelThresholdFlops = Gemm.DefaultParallelThresholdFlops;
        }
        return 0;
    }

    /// <summary>Seconds per call: the best of the repetitions, each a batch lasting at least minSeconds.</summary>
    private static double TimePerCall(Shape s, int repetitions, double minSeconds)
    {
        var rng = new Rng(12345);
        float[] a = Random(rng, s.M * s.K), b = Random(rng, s.K * s.N), c = new float[s.M * s.N];
        int lda = s.TransA ? s.M : s.K, ldb = s.TransB ? s.K : s.N;
        void Call() => Gemm.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, a, lda, b, ldb, 0f, c, s.N);

        // Warm up (JIT, buffers, caches) and size the batch so that one repetition lasts about minSeconds.
        long start = Stopwatch.GetTimestamp();
        int calls = 0;
        while (calls < 3 || Stopwatch.GetElapsedTime(start).TotalSeconds < minSeconds) { Call(); calls++; }
        double best = double.MaxValue;
        for (int rep = 0; rep < repetitions; rep++)
        {
            start = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++) Call();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds / calls);
        }
        return best;
    }

    private static float[] Random(Rng rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextFloat() - 0.5f;
        return x;
    }
}
