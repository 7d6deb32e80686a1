namespace Probabilistic.Sweep.Cluster;

/// <summary>
/// The grain of one run, keyed by its <see cref="RunKey"/> (the 64 hexadecimal digits). Orleans keeps at most one
/// activation of it in the cluster and hands it one call at a time, so a key is run at most once however many
/// submitters ask; later calls get the stored result.
/// </summary>
public interface IRunGrain : IGrainWithStringKey
{
    /// <summary>
    /// Returns the run's result: the one in the silo's store if there is one, else runs the request's body (looked up
    /// by experiment name in the silo's <see cref="RunBodyRegistry"/>) when a slot of the silo is free, stores the
    /// result and returns it. A body that throws gives a <see cref="RunStatus.Failed"/> result, not an exception; an
    /// exception means the call itself failed (e.g. the silo died) and may be retried.
    /// </summary>
    /// <param name="request">The run; its key must be the grain's key.</param>
    /// <param name="cancellation">Cancels the wait for a slot and is passed to the body.</param>
    /// <exception cref="ArgumentException">The request's key is not the grain's key.</exception>
    // Long enough for any run: a dead silo fails its pending calls through membership, not through this timeout.
    // Checked with Orleans 10.4.2: 7 days works, while 30 days made every call wait forever without an error.
    [ResponseTimeout("7.00:00:00")]
    Task<RunResult> Execute(RunRequest request, CancellationToken cancellation = default);
}
