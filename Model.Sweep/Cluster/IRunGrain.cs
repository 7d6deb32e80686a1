namespace Probabilistic.Sweep.Cluster;

/// <summary>
/// The grain of one run, keyed by its <see cref="RunKey"/> (the 64 hexadecimal digits). Orleans keeps at most one
/// activation of it in the cluster and hands it one call at a time, so a key is run at most once however many
/// submitters ask; later calls get the stored result.
/// </summary>
/// <remarks>
/// A run may take hours, longer than any sensible call timeout, so the protocol is a long poll: each call starts the
/// run if it is neither stored nor started, then waits at most <c>wait</c> for it to end. A call to a silo that died
/// fails or times out quickly, and the submitter's next call activates the key's grain on a live silo.
/// </remarks>
public interface IRunGrain : IGrainWithStringKey
{
    /// <summary>
    /// Returns the run's result if it is stored (in the silo's store) or ends within <paramref name="wait"/>, else
    /// null. The first call on an activation starts the request's body (looked up by experiment name in the silo's
    /// <see cref="RunBodyRegistry"/>) as soon as a slot of the silo is free; the result is stored when it ends. A body
    /// that throws gives a <see cref="RunStatus.Failed"/> result, not an exception; an exception means the call itself
    /// failed (e.g. the silo died, or its store could not be written) and the call may be repeated.
    /// </summary>
    /// <param name="request">The run; its key must be the grain's key.</param>
    /// <param name="wait">How long the call may wait for the run to end; zero answers at once. At most 5 minutes.</param>
    /// <exception cref="ArgumentException">The request's key is not the grain's key, or the wait is out of range.</exception>
    Task<RunResult?> Poll(RunRequest request, TimeSpan wait);
}
