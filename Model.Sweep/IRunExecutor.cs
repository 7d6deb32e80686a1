namespace Probabilistic.Sweep;

/// <summary>
/// Runs a list of requests and gathers one result per request. A request whose key the executor's store already holds
/// is not run: its stored result is returned. Requests that share a key are run once and share the result.
/// </summary>
public interface IRunExecutor
{
    /// <summary>Runs the requests; the results come in the order of the requests.</summary>
    /// <param name="requests">The runs.</param>
    /// <param name="progress">Told of every change (a run started, finished or taken from the store); called from
    /// worker threads, one call at a time.</param>
    /// <param name="cancellation">Stops the sweep: no new run starts, running bodies see the token, and the call
    /// throws <see cref="OperationCanceledException"/>. Results stored before stay stored.</param>
    Task<IReadOnlyList<RunResult>> ExecuteAsync(IReadOnlyList<RunRequest> requests,
        IProgress<SweepProgress>? progress = null, CancellationToken cancellation = default);
}
