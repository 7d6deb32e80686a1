using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Probabilistic.Sweep;

namespace Probabilistic.Sweep.Tests;

/// <summary>A cheap deterministic experiment for the executor tests: it sums i·seed for i = 1..n by a loop, sleeps
/// 20–50 ms (chosen by the settings), counts its calls per key, and tracks how many calls overlap.</summary>
internal sealed class TestRuns
{
    public const string Experiment = "sum";
    public const string Commit = "0123456789abcdef0123456789abcdef01234567";

    public readonly ConcurrentDictionary<RunKey, int> Calls = new();
    private int _inside;
    public int MaxOverlap;

    public RunBodyRegistry Registry() => new RunBodyRegistry().Register(Experiment, Body);

    public string Body(RunRequest request, CancellationToken cancellation)
    {
        Calls.AddOrUpdate(request.Key, 1, (_, c) => c + 1);
        int now = Interlocked.Increment(ref _inside);
        int seen;
        while ((seen = Volatile.Read(ref MaxOverlap)) < now && Interlocked.CompareExchange(ref MaxOverlap, now, seen) != seen) { }
        try
        {
            int n = int.Parse(request["n"], CultureInfo.InvariantCulture);
            Thread.Sleep(20 + n % 31);
            long sum = 0;
            for (int i = 1; i <= n; i++) sum += i * (long)request.Seed;
            return JsonSerializer.Serialize(new { sum });
        }
        finally { Interlocked.Decrement(ref _inside); }
    }

    /// <summary>The closed form n(n+1)/2 · seed, independent of the loop in <see cref="Body"/>.</summary>
    public static long Expected(RunRequest r)
    {
        long n = long.Parse(r["n"], CultureInfo.InvariantCulture);
        return n * (n + 1) / 2 * (long)r.Seed;
    }

    public static long Sum(RunResult r) => JsonDocument.Parse(r.Payload!).RootElement.GetProperty("sum").GetInt64();

    /// <summary>24 runs: n ∈ {10, 200, 3000, 40000, 5, 77} × seed ∈ {1, 2, 3, 4}.</summary>
    public static RunRequest[] Sweep(int count = 24) =>
        (from n in new[] { 10, 200, 3000, 40000, 5, 77 }
         from seed in new ulong[] { 1, 2, 3, 4 }
         select new RunRequest(Experiment, new Dictionary<string, string> { ["n"] = n.ToString(CultureInfo.InvariantCulture) }, seed, Commit))
        .Take(count).ToArray();

    public static string TemporaryFolder()
    {
        string path = Path.Combine(Path.GetTempPath(), "sweep-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
