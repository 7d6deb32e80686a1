// Costs of Model.Sweep, measured on this machine (see bench/README.md, "Sweeps"):
//   SweepBench overhead                 embedded executor vs a plain loop, runs of 10 ms, 100 ms and 1 s
//   SweepBench cluster --cluster URI    24 CPU-bound runs: embedded (--jobs 2) vs 2 and 3 worker processes via Redis
//   SweepBench fault --cluster URI      2 worker processes, one killed with -9 mid-sweep: the timeline
//   SweepBench worker --cluster URI     a worker process (started by the two modes above)
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Probabilistic.Sweep;
using Probabilistic.Sweep.Cluster;
using Probabilistic.Sweep.Redis;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string mode = args.Length > 0 ? args[0] : "";
string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
try
{
    return mode switch
    {
        "overhead" => await Bench.Overhead(),
        "cluster" => await Bench.Clusters(RedisClusterAddress.Parse(Option("--cluster") ?? throw new ArgumentException("cluster needs --cluster redis://HOST:PORT")),
            int.Parse(Option("--runs") ?? "24"), double.Parse(Option("--seconds") ?? "1")),
        "fault" => await Bench.Fault(RedisClusterAddress.Parse(Option("--cluster") ?? throw new ArgumentException("fault needs --cluster redis://HOST:PORT"))),
        "worker" => await Bench.Worker(RedisClusterAddress.Parse(Option("--cluster") ?? throw new ArgumentException("worker needs --cluster redis://HOST:PORT")),
            int.Parse(Option("--jobs") ?? "1"), Option("--name") ?? "worker", Option("--id") ?? "bench", Option("--log")),
        _ => throw new ArgumentException($"unknown mode '{mode}'; expected overhead, cluster, fault or worker"),
    };
}
catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
{
    Console.Error.WriteLine($"SweepBench: {e.Message}");
    return 2;
}

internal static class Bench
{
    private const string Commit = "sweep-bench";

    /// <summary>A CPU-bound body: a dependent floating-point chain of "iterations" steps (no allocation).</summary>
    public static double Spin(long iterations)
    {
        double x = 1;
        for (long i = 0; i < iterations; i++) x = x * 0.9999999 + 1e-7;
        return x;
    }

    /// <summary>A body that busy-waits exactly "ms" milliseconds (for the per-run overhead: the body's own time is exact).</summary>
    private static string Timed(RunRequest r, CancellationToken _)
    {
        double ms = double.Parse(r["ms"], CultureInfo.InvariantCulture);
        var clock = Stopwatch.StartNew();
        double x = 1;
        while (clock.Elapsed.TotalMilliseconds < ms) x = Spin(10_000) + x * 1e-9;
        return JsonSerializer.Serialize(new { x });
    }

    private static string Work(RunRequest r, CancellationToken _, string? log)
    {
        long n = long.Parse(r["iterations"], CultureInfo.InvariantCulture);
        if (log is not null) Append(log, $"start {r.Key.Hex[..12]} {Environment.ProcessId} {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");
        double x = Spin(n);
        if (log is not null) Append(log, $"end {r.Key.Hex[..12]} {Environment.ProcessId} {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");
        return JsonSerializer.Serialize(new { x });
    }

    private static readonly Lock LogGate = new();

    private static void Append(string path, string line)
    {
        lock (LogGate) File.AppendAllText(path, line + "\n");
    }

    private static RunBodyRegistry Bodies(string? log) => new RunBodyRegistry()
        .Register("timed", Timed)
        .Register("work", (r, c) => Work(r, c, log));

    private static string TempStore() => Path.Combine(Path.GetTempPath(), "sweepbench-" + Guid.NewGuid().ToString("N"));

    public static async Task<int> Overhead()
    {
        Console.WriteLine($"# Embedded executor overhead per run ({Machine()})");
        Console.WriteLine("| run length | runs | plain loop s | embedded (jobs 1, file store) s | overhead per run ms | overhead % |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach ((double ms, int runs) in new[] { (10.0, 200), (100.0, 50), (1000.0, 10) })
        {
            // One warm-up of both paths, then the median of 3 repetitions of each.
            var plain = new List<double>();
            var embedded = new List<double>();
            for (int rep = 0; rep < 4; rep++)
            {
                RunRequest[] requests = Enumerable.Range(0, runs).Select(i => new RunRequest("timed",
                    new Dictionary<string, string> { ["ms"] = ms.ToString(CultureInfo.InvariantCulture), ["rep"] = $"{rep}" }, (ulong)i, Commit)).ToArray();
                var clock = Stopwatch.StartNew();
                foreach (RunRequest r in requests) Timed(r, default);
                double p = clock.Elapsed.TotalSeconds;
                string folder = TempStore();
                var executor = new EmbeddedRunExecutor(Bodies(null), new FileRunStore(folder), new RunPoolOptions { Jobs = 1 });
                clock.Restart();
                IReadOnlyList<RunResult> results = await executor.ExecuteAsync(requests);
                double e = clock.Elapsed.TotalSeconds;
                Directory.Delete(folder, recursive: true);
                if (results.Any(x => x.Status != RunStatus.Succeeded)) throw new InvalidOperationException("a timed run failed");
                if (rep == 0) continue;
                plain.Add(p);
                embedded.Add(e);
            }
            double mp = Median(plain), me = Median(embedded);
            double perRun = (me - mp) / runs * 1000;
            Console.WriteLine($"| {ms:F0} ms | {runs} | {mp:F3} | {me:F3} | {perRun:F3} | {100 * perRun / ms:F2} |");
        }
        return 0;
    }

    public static async Task<int> Clusters(RedisClusterAddress redis, int runs, double seconds)
    {
        long iterations = Calibrate(seconds);
        Console.WriteLine($"# {runs} CPU-bound runs of about {seconds:F1} s each ({iterations:N0} steps; {Machine()})");
        Console.WriteLine("| mode | processes | wall s | runs/s | runs/s per core | sum of run times s | busy fraction of 2 cores | overhead vs embedded |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        RunRequest[] Requests(string tag) => Enumerable.Range(0, runs).Select(i => new RunRequest("work",
            new Dictionary<string, string> { ["iterations"] = iterations.ToString(CultureInfo.InvariantCulture), ["tag"] = tag }, (ulong)i, Commit)).ToArray();

        string folder = TempStore();
        var clock = Stopwatch.StartNew();
        IReadOnlyList<RunResult> embedded = await new EmbeddedRunExecutor(Bodies(null), new FileRunStore(folder), new RunPoolOptions { Jobs = 2 })
            .ExecuteAsync(Requests("embedded"));
        double baseWall = clock.Elapsed.TotalSeconds;
        Row("embedded, jobs 2", 1, baseWall, embedded, baseWall);
        foreach (int workers in new[] { 2, 3 })
        {
            string id = $"bench-{workers}-{Guid.NewGuid():N}"[..20];
            List<Process> processes = StartWorkers(redis, workers, jobs: 1, id, log: null);
            try
            {
                await using RedisRunClusterClient client = await ConnectWhenUp(redis, id, workers);
                clock.Restart();
                IReadOnlyList<RunResult> results = await client.CreateExecutor(new FileRunStore(TempStore()), new ClusterRunOptions { MaxInFlight = workers + 1 })
                    .ExecuteAsync(Requests($"cluster-{workers}"));
                double wall = clock.Elapsed.TotalSeconds;
                if (results.Any(x => x.Status != RunStatus.Succeeded)) throw new InvalidOperationException("a cluster run failed: " + results.First(x => x.Status != RunStatus.Succeeded).Error);
                Row($"{workers} workers × 1 job through Redis", workers + 1, wall, results, baseWall);
            }
            finally { Stop(processes); }
        }
        return 0;

        void Row(string label, int processes, double wall, IReadOnlyList<RunResult> results, double baseline)
        {
            double sum = results.Sum(r => (r.EndedAt - r.StartedAt).TotalSeconds);
            Console.WriteLine($"| {label} | {processes} | {wall:F2} | {runs / wall:F3} | {runs / wall / Environment.ProcessorCount:F3} | {sum:F2} | {sum / (wall * Environment.ProcessorCount):F2} | {100 * (wall / baseline - 1):F1}% |");
        }
    }

    public static async Task<int> Fault(RedisClusterAddress redis)
    {
        long iterations = Calibrate(2.0);
        string log = Path.Combine(Path.GetTempPath(), $"sweepbench-fault-{Guid.NewGuid():N}.log");
        string id = $"fault-{Guid.NewGuid():N}"[..20];
        List<Process> processes = StartWorkers(redis, 2, jobs: 1, id, log);
        try
        {
            await using RedisRunClusterClient client = await ConnectWhenUp(redis, id, 2);
            RunRequest[] requests = Enumerable.Range(0, 12).Select(i => new RunRequest("work",
                new Dictionary<string, string> { ["iterations"] = iterations.ToString(CultureInfo.InvariantCulture), ["tag"] = id }, (ulong)i, Commit)).ToArray();
            long t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var clock = Stopwatch.StartNew();
            Task<IReadOnlyList<RunResult>> sweeping = client.CreateExecutor(new FileRunStore(TempStore()),
                new ClusterRunOptions { MaxInFlight = 3, RetryDelay = TimeSpan.FromMilliseconds(500) }).ExecuteAsync(requests);
            await Task.Delay(TimeSpan.FromSeconds(5));
            Process victim = processes[0];
            victim.Kill();
            double killedAt = clock.Elapsed.TotalSeconds;
            // When the cluster's membership stops counting the victim (Orleans declares it dead).
            Task<double> declared = Task.Run(async () =>
            {
                while (await client.CountWorkersAsync() > 1) await Task.Delay(250);
                return clock.Elapsed.TotalSeconds;
            });
            IReadOnlyList<RunResult> results = await sweeping;
            double doneAt = clock.Elapsed.TotalSeconds;
            double deadAt = await declared.WaitAsync(TimeSpan.FromMinutes(2));
            var lines = File.ReadAllLines(log).Select(l => l.Split(' ')).Select(p => (What: p[0], Key: p[1], Pid: int.Parse(p[2]), T: (long.Parse(p[3]) - t0) / 1000.0)).ToList();
            Console.WriteLine($"# Fault timeline: 2 worker processes × 1 job, 12 runs of about 2 s ({Machine()})");
            Console.WriteLine($"worker pid {victim.Id} killed (SIGKILL) at {killedAt:F2} s; membership counted it dead by {deadAt:F2} s; sweep done at {doneAt:F2} s; {results.Count(r => r.Status == RunStatus.Succeeded)}/12 succeeded; body starts {lines.Count(l => l.What == "start")} for 12 runs");
            Console.WriteLine("| run | worker | started s | ended s |");
            Console.WriteLine("|---|---|---|---|");
            foreach (var start in lines.Where(l => l.What == "start").OrderBy(l => l.T))
            {
                var end = lines.FirstOrDefault(l => l.What == "end" && l.Key == start.Key && l.Pid == start.Pid);
                Console.WriteLine($"| {start.Key} | {(start.Pid == victim.Id ? "victim" : "survivor")} | {start.T:F2} | {(end.What is null ? "killed" : end.T.ToString("F2"))} |");
            }
            Console.WriteLine();
            Console.WriteLine("| cut-off run | started on victim s | cut off at s | restarted on survivor s | ended s |");
            Console.WriteLine("|---|---|---|---|---|");
            foreach (var cut in lines.Where(l => l.What == "start" && l.Pid == victim.Id && !lines.Any(e => e.What == "end" && e.Key == l.Key && e.Pid == victim.Id)))
            {
                var again = lines.First(l => l.What == "start" && l.Key == cut.Key && l.Pid != victim.Id);
                var end = lines.First(l => l.What == "end" && l.Key == cut.Key && l.Pid != victim.Id);
                Console.WriteLine($"| {cut.Key} | {cut.T:F2} | {killedAt:F2} | {again.T:F2} | {end.T:F2} |");
            }
            return results.All(r => r.Status == RunStatus.Succeeded) ? 0 : 1;
        }
        finally { Stop(processes); }
    }

    public static async Task<int> Worker(RedisClusterAddress redis, int jobs, string name, string id, string? log)
    {
        using IHost host = await RedisRunCluster.StartWorkerAsync(redis, Bodies(log), new RunPoolOptions { Jobs = jobs, Worker = name },
            new RedisClusterOptions { ClusterId = id });
        Console.WriteLine("ready");
        await host.WaitForShutdownAsync();
        return 0;
    }

    private static List<Process> StartWorkers(RedisClusterAddress redis, int count, int jobs, string id, string? log)
    {
        string self = Environment.ProcessPath!;
        string dll = typeof(Bench).Assembly.Location;
        var list = new List<Process>();
        for (int w = 0; w < count; w++)
        {
            var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(dll);
            foreach (string a in new[] { "worker", "--cluster", redis.ToString(), "--jobs", $"{jobs}", "--name", $"w{w + 1}", "--id", id })
                start.ArgumentList.Add(a);
            if (log is not null) { start.ArgumentList.Add("--log"); start.ArgumentList.Add(log); }
            Process p = Process.Start(start)!;
            if (p.StandardOutput.ReadLine() != "ready") throw new InvalidOperationException($"worker {w + 1} did not start");
            list.Add(p);
        }
        return list;
    }

    private static async Task<RedisRunClusterClient> ConnectWhenUp(RedisClusterAddress redis, string id, int workers)
    {
        RedisRunClusterClient client = await RedisRunCluster.ConnectAsync(redis, new RedisClusterOptions { ClusterId = id });
        var clock = Stopwatch.StartNew();
        while (await client.CountWorkersAsync() < workers && clock.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(200);
        return client;
    }

    private static void Stop(List<Process> processes)
    {
        foreach (Process p in processes)
        {
            if (!p.HasExited) p.Kill();
            p.WaitForExit(5000);
        }
    }

    private static long Calibrate(double seconds)
    {
        Spin(20_000_000);
        var clock = Stopwatch.StartNew();
        Spin(100_000_000);
        return (long)(100_000_000 * seconds / clock.Elapsed.TotalSeconds);
    }

    private static double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);

    private static string Machine()
    {
        string isa = System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? "AVX-512" : System.Runtime.Intrinsics.X86.Avx2.IsSupported ? "AVX2" : "scalar";
        string? name = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':')[1].Trim() : null;
        string? family = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("cpu family"))?.Split(':')[1].Trim() : null;
        string? model = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model\t"))?.Split(':')[1].Trim() : null;
        return $"{name} family {family} model {model}, {isa}, {Environment.ProcessorCount} cores";
    }
}
