namespace Probabilistic.Sweep;

/// <summary>The first step of every executor: the distinct requests whose keys the store already holds are answered
/// from it (and counted as reused); the others are left to run.</summary>
internal static class StoredRuns
{
    public static async Task<(Dictionary<RunKey, RunResult> Results, List<RunRequest> Pending)> SplitAsync(
        IReadOnlyList<RunRequest> distinct, IRunStore store, ProgressTracker tracker, CancellationToken cancellation)
    {
        var results = new Dictionary<RunKey, RunResult>();
        var pending = new List<RunRequest>();
        foreach (RunRequest r in distinct)
        {
            if (await store.TryGetAsync(r.Key, cancellation).ConfigureAwait(false) is { } stored)
            {
                results[r.Key] = stored;
                tracker.Reused(stored);
            }
            else pending.Add(r);
        }
        return (results, pending);
    }
}
