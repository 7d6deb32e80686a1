namespace Probabilistic.Sweep;

/// <summary>
/// Where run results are kept, one per <see cref="RunKey"/>. A store makes runs idempotent: an executor asks it first
/// and does not run a key it already holds (whatever the stored status: to run a stored key again, remove it from the
/// store, or change the commit, which changes every key).
/// </summary>
public interface IRunStore
{
    /// <summary>The stored result of a key, or null when the store has none.</summary>
    Task<RunResult?> TryGetAsync(RunKey key, CancellationToken cancellation = default);

    /// <summary>Stores a result under its key, atomically: a reader sees the old result or the new, never a part. A
    /// result already stored under the key is replaced.</summary>
    Task SaveAsync(RunResult result, CancellationToken cancellation = default);

    /// <summary>The keys the store holds, in no set order.</summary>
    Task<IReadOnlyList<RunKey>> ListKeysAsync(CancellationToken cancellation = default);
}
