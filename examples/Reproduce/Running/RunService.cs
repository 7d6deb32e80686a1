using Probabilistic.Sweep;

namespace Probabilistic.Reproduce.Running;

/// <summary>
/// What an experiment uses to split its work into runs without knowing where they happen: it makes requests (with the
/// code version of this process) and carries them out through the executor that <see cref="RunExecution"/> chose,
/// with their progress on the display.
/// </summary>
public sealed class RunService(IRunExecutor executor, string commit, ProgressDisplay? display = null)
{
    /// <summary>The code version in every request made here.</summary>
    public string Commit => commit;

    /// <summary>The executor the runs go through.</summary>
    public IRunExecutor Executor => executor;

    /// <summary>A request for the registered body <paramref name="body"/>.</summary>
    public RunRequest Request(string body, IEnumerable<KeyValuePair<string, string>> settings, ulong seed) =>
        new(body, settings, seed, commit);

    /// <summary>Runs the requests (in parallel as the executor allows) and returns their results in order.</summary>
    public IReadOnlyList<RunResult> Execute(IReadOnlyList<RunRequest> requests, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count == 0) return [];
        IProgress<SweepProgress>? progress = display?.For(requests[0].Experiment);
        return executor.ExecuteAsync(requests, progress, cancellation).GetAwaiter().GetResult();
    }

    /// <summary>The JSON payloads of the requests, in order.</summary>
    /// <exception cref="InvalidOperationException">A run failed every attempt; the message names it and its error's first line.</exception>
    public IReadOnlyList<string> Payloads(IReadOnlyList<RunRequest> requests, CancellationToken cancellation)
    {
        var results = Execute(requests, cancellation);
        foreach (RunResult r in results)
            if (r.Status != RunStatus.Succeeded)
                throw new InvalidOperationException($"RunService: run {r.Request} failed after {r.Attempts} attempt(s): {FirstLine(r.Error)}");
        return results.Select(r => r.Payload!).ToArray();
    }

    /// <summary>A service that runs requests in this process one at a time, keeping results in memory only.</summary>
    public static RunService InProcess(RunBodyRegistry bodies, int jobs = 1, ProgressDisplay? display = null) =>
        new(new EmbeddedRunExecutor(bodies, new MemoryRunStore(), new RunPoolOptions { Jobs = jobs }), "in-process", display);

    private static string FirstLine(string? text) => (text ?? "").Split('\n')[0].Trim();
}
