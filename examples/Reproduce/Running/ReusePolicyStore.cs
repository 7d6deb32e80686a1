using Probabilistic.Sweep;

namespace Probabilistic.Reproduce.Running;

/// <summary>
/// A view of a store that decides which stored results may be reused: never a failed run (it is run again), never an
/// experiment run whose result says it failed, and with <c>--rerun</c> nothing stored before this process started
/// (what this process stores is reused, so a run asked for twice still runs once). Saves go to the inner store.
/// </summary>
public sealed class ReusePolicyStore(IRunStore inner, bool rerun) : IRunStore
{
    private readonly HashSet<RunKey> _savedHere = [];

    /// <summary>How many results were saved through this view.</summary>
    public int Saved { get { lock (_savedHere) return _savedHere.Count; } }

    /// <inheritdoc/>
    public async Task<RunResult?> TryGetAsync(RunKey key, CancellationToken cancellation = default)
    {
        if (rerun) lock (_savedHere) if (!_savedHere.Contains(key)) return null;
        RunResult? stored = await inner.TryGetAsync(key, cancellation).ConfigureAwait(false);
        if (stored is null || stored.Status == RunStatus.Failed) return null;
        if (ExperimentRuns.IsExperiment(stored.Request) && !ExperimentRuns.Succeeded(stored)) return null;
        return stored;
    }

    /// <inheritdoc/>
    public async Task SaveAsync(RunResult result, CancellationToken cancellation = default)
    {
        await inner.SaveAsync(result, cancellation).ConfigureAwait(false);
        lock (_savedHere) _savedHere.Add(result.Key);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<RunKey>> ListKeysAsync(CancellationToken cancellation = default) => inner.ListKeysAsync(cancellation);
}

/// <summary>A store in memory (for an experiment context made without a command line, e.g. in tests).</summary>
public sealed class MemoryRunStore : IRunStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<RunKey, RunResult> _results = new();

    /// <inheritdoc/>
    public Task<RunResult?> TryGetAsync(RunKey key, CancellationToken cancellation = default) =>
        Task.FromResult(_results.TryGetValue(key, out RunResult? r) ? r : null);

    /// <inheritdoc/>
    public Task SaveAsync(RunResult result, CancellationToken cancellation = default)
    {
        _results[result.Key] = result;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<RunKey>> ListKeysAsync(CancellationToken cancellation = default) =>
        Task.FromResult<IReadOnlyList<RunKey>>(_results.Keys.ToArray());
}
