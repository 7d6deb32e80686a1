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
        string? csvPath = Option(args, "--csv");
        // --paired LABEL: time the system OpenBLAS in this process too, alternating batch by batch with ours.
        string? pairedLabel = Option(args, "--paired");
        string? threadsOption = Option(args, "--threads");
        int[] threadCounts = threadsOption is null ? [1, 2] : [int.Parse(threadsOption, CultureInfo.InvariantCulture)];
        int repetitions = quick ? 3 : 7;
        double minSeconds = quick ? 0.05 : 0.15;
        if (pairedLabel is not null)
        {
            string? blas = OpenBlasPeer.TryLoad();
            if (blas is null)
            {
                Console.Error.WriteLine("gemm --paired: no OpenBLAS with cblas_sgemm found (apt-get install libopenblas0-pthread).");
                return 1;
            }
            Console.WriteLine($"paired with {blas}");
            if (csvPath is not null) File.WriteAllText(csvPath + ".blas", $"paired-{pairedLabel} (in-process): {blas}\n");
        }
        string[] impls = pairedLabel is null ? ["ours"] : [$"paired-ours-{pairedLabel}", $"paired-openblas-{pairedLabel}"];
        int savedThreads = Gemm.MaxThreads;
        var rows = new List<string> { "impl,shape,m,n,k,trans_a,trans_b,threads,gflops,us_per_call" };
        Console.WriteLine($"kernel: {Gemm.ActiveKernel}, processors: {Environment.ProcessorCount}");
        Console.WriteLine($"{"impl",-28} {"shape",-32} {"threads",7} {"GFLOP/s",9} {"us/call",10}");
        try
        {
            foreach (Shape s in Shapes)
            {
                foreach (int threads in threadCounts)
                {
                    Gemm.MaxThreads = threads;
                    if (pairedLabel is not null) OpenBlasPeer.SetThreads(threads);
                    double[] seconds = TimePerCall(s, pairedLabel is not null, repetitions, minSeconds);
                    for (int i = 0; i < impls.Length; i++)
                    {
                        double gflops = 2.0 * s.M * s.N * s.K / seconds[i] / 1e9;
                        Console.WriteLine($"{impls[i],-28} {s.Name,-32} {threads,7} {gflops,9:F1} {seconds[i] * 1e6,10:F1}");
                        rows.Add(string.Join(',', impls[i], s.Name, s.M, s.N, s.K, s.TransA ? 1 : 0, s.TransB ? 1 : 0, threads,
                            gflops.ToString("F2", CultureInfo.InvariantCulture), (seconds[i] * 1e6).ToString("F2", CultureInfo.InvariantCulture)));
                    }
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

    private static string? Option(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
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
                double one = TimePerCall(shape, false, 7, 0.05)[0];
                Gemm.ForcedThreads = 2;
                double two = TimePerCall(shape, false, 7, 0.05)[0];
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

    /// <summary>
    /// Seconds per call of ours (and, when paired, of OpenBLAS): the best of the repetitions, each a batch lasting at
    /// least minSeconds. Paired implementations alternate batch by batch, so both see the same machine load.
    /// </summary>
    private static double[] TimePerCall(Shape s, bool paired, int repetitions, double minSeconds)
    {
        var rng = new Rng(12345);
        float[] a = Random(rng, s.M * s.K), b = Random(rng, s.K * s.N), c = new float[s.M * s.N];
        int lda = s.TransA ? s.M : s.K, ldb = s.TransB ? s.K : s.N;
        Action ours = () => Gemm.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, a, lda, b, ldb, 0f, c, s.N);
        Action peer = () => OpenBlasPeer.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, a, lda, b, ldb, 0f, c, s.N);
        Action[] calls = paired ? [ours, peer] : [ours];
        if (paired)
        {
            // Make sure both compute the same product (a wrong cblas call would time something else).
            ours();
            float[] mine = (float[])c.Clone();
            peer();
            double worst = 0, scale = 1e-30;
            for (int i = 0; i < c.Length; i++) { worst = Math.Max(worst, Math.Abs(mine[i] - c[i])); scale = Math.Max(scale, Math.Abs(c[i])); }
            if (worst > 1e-4 * scale * Math.Sqrt(s.K))
                throw new InvalidOperationException($"gemm --paired: OpenBLAS and ours differ by {worst} on {s.Name}.");
        }

        // Warm up (JIT, buffers, caches) and size each batch so that one repetition lasts about minSeconds.
        var batch = new int[calls.Length];
        for (int i = 0; i < calls.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            while (batch[i] < 3 || Stopwatch.GetElapsedTime(start).TotalSeconds < minSeconds) { calls[i](); batch[i]++; }
        }
        var best = Enumerable.Repeat(double.MaxValue, calls.Length).ToArray();
        for (int rep = 0; rep < repetitions; rep++)
            for (int i = 0; i < calls.Length; i++)
            {
                long start = Stopwatch.GetTimestamp();
                for (int j = 0; j < batch[i]; j++) calls[i]();
                best[i] = Math.Min(best[i], Stopwatch.GetElapsedTime(start).TotalSeconds / batch[i]);
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
