namespace Probabilistic.Sweep.Cluster;

/// <summary>How a submitter drives a cluster.</summary>
public sealed record ClusterRunOptions
{
    /// <summary>Runs asked of the cluster at once; about the cluster's total <see cref="RunPoolOptions.Jobs"/> (or a
    /// little more) lets placement follow each silo's load. At least 1. Default 64.</summary>
    public int MaxInFlight { get; init; } = 64;

    /// <summary>Failed calls in a row, for one run, before the run is given up as unreached (a call fails when its
    /// silo dies or does not answer within <see cref="CallTimeout"/>, not when the run's body throws: that is counted
    /// by the silo). Together with <see cref="RetryDelay"/> it must outlast the time membership takes to declare a dead
    /// silo dead. At least 1. Default 60.</summary>
    public int MaxCallAttempts { get; init; } = 60;

    /// <summary>Wait after a failed call before the next. Default 1 s.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long each call may wait on the silo for its run to end (the long poll). Between 0 and
    /// <see cref="RunGrain.MaxWait"/>; default 2 s.</summary>
    public TimeSpan PollWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A call not answered within this time counts as failed (the silo is taken for dead or cut off); more
    /// than <see cref="PollWait"/>. A call to a silo killed mid-call is neither answered nor failed by Orleans 10.4, even
    /// after membership has declared the silo dead, so this timeout is what frees the run to go elsewhere: keep it short.
    /// Default 8 s.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">A count below 1, a negative delay, a poll wait out of range, or a call
    /// timeout not above the poll wait.</exception>
    public void Validate()
    {
        if (MaxInFlight < 1) throw new ArgumentException($"ClusterRunOptions: MaxInFlight is {MaxInFlight}, expected ≥ 1.");
        if (MaxCallAttempts < 1) throw new ArgumentException($"ClusterRunOptions: MaxCallAttempts is {MaxCallAttempts}, expected ≥ 1.");
        if (RetryDelay < TimeSpan.Zero) throw new ArgumentException($"ClusterRunOptions: RetryDelay is {RetryDelay}, expected ≥ 0.");
        if (PollWait < TimeSpan.Zero || PollWait > RunGrain.MaxWait)
            throw new ArgumentException($"ClusterRunOptions: PollWait is {PollWait}, expected 0 to {RunGrain.MaxWait}.");
        if (CallTimeout <= PollWait)
            throw new ArgumentException($"ClusterRunOptions: CallTimeout ({CallTimeout}) must exceed PollWait ({PollWait}).");
    }
}

/// <summary>
/// Runs requests on an Orleans cluster of silos set up with <see cref="RunWorkerSiloExtensions.AddRunWorker"/>: one
/// <see cref="IRunGrain"/> per run key, polled until the run ends (see <see cref="RunGrain"/> for how silos share the
/// work). A call that fails or is not answered within <see cref="ClusterRunOptions.CallTimeout"/> is repeated, so a
/// run on a silo that died is started again on a live one. The
/// submitter's own store is asked first and receives every result, so a restarted submitter asks the cluster only for
/// what it lacks. A run whose calls all fail (its silos died, the cluster is gone) comes back as
/// <see cref="RunStatus.Failed"/> with 0 attempts and is not stored, so that a later sweep tries it again.
/// </summary>
public sealed class ClusterRunExecutor : IRunExecutor
{
    /// <summary>The worker named in the results of runs the cluster could not be asked for.</summary>
    public const string Unreached = "(cluster unreached)";

    private readonly IGrainFactory _grains;
    private readonly IRunStore _store;
    private readonly ClusterRunOptions _options;

    /// <summary>A submitter that calls grains through a cluster client and keeps results in its own store.</summary>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="ClusterRunOptions.Validate"/>).</exception>
    public ClusterRunExecutor(IGrainFactory grains, IRunStore store, ClusterRunOptions? options = null)
    {
        _grains = grains ?? throw new ArgumentNullException(nameof(grains));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _options = options ?? new ClusterRunOptions();
        _options.Validate();
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<RunResult>> ExecuteAsync(IReadOnlyList<RunRequest> requests,
        IProgress<SweepProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        RunRequest[] distinct = requests.DistinctBy(r => r.Key).ToArray();
        var tracker = new ProgressTracker(distinct.Length, progress);
        var (results, pending) = await StoredRuns.SplitAsync(distinct, _store, tracker, cancellation).ConfigureAwait(false);

        using var gate = new SemaphoreSlim(_options.MaxInFlight, _options.MaxInFlight);
        async Task Run(RunRequest request)
        {
            await gate.WaitAsync(cancellation).ConfigureAwait(false);
            try
            {
                tracker.Started();
                RunResult result = await Call(request, cancellation).ConfigureAwait(false);
                if (result.Worker != Unreached)
                    await _store.SaveAsync(result, CancellationToken.None).ConfigureAwait(false);
                lock (results) results[request.Key] = result;
                tracker.Finished(result);
            }
            finally
            {
                gate.Release();
            }
        }

        await Task.WhenAll(pending.Select(Run)).ConfigureAwait(false);
        return requests.Select(r => results[r.Key]).ToArray();
    }

    private async Task<RunResult> Call(RunRequest request, CancellationToken cancellation)
    {
        DateTimeOffset started = DateTimeOffset.UtcNow;
        IRunGrain grain = _grains.GetGrain<IRunGrain>(request.Key.Hex);
        int failures = 0;
        while (true)
        {
            try
            {
                RunResult? result = await grain.Poll(request, _options.PollWait)
                    .WaitAsync(_options.CallTimeout, cancellation).ConfigureAwait(false);
                failures = 0;
                if (result is not null) return result;
            }
            catch (Exception e) when (!cancellation.IsCancellationRequested && e is not ArgumentException)
            {
                if (++failures >= _options.MaxCallAttempts)
                    return new RunResult(request, RunStatus.Failed, null,
                        $"ClusterRunExecutor: {failures} calls in a row of the run's grain failed; the last: {e}", 0, Unreached,
                        started, DateTimeOffset.UtcNow);
                await Task.Delay(_options.RetryDelay, cancellation).ConfigureAwait(false);
            }
        }
    }
}
