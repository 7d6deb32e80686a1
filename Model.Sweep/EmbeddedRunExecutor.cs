namespace Probabilistic.Sweep;

/// <summary>
/// Runs requests in this process on a pool of <see cref="RunPoolOptions.Jobs"/> workers, no server needed. Each run is
/// looked up in the store first; each run done is stored as soon as it ends, so a killed sweep restarted with the same
/// store runs only what is missing. A run whose body throws is tried again, up to
/// <see cref="RunPoolOptions.MaxAttempts"/> calls, then stored as failed with its last error.
/// </summary>
public sealed class EmbeddedRunExecutor : IRunExecutor
{
    private readonly RunBodyRegistry _bodies;
    private readonly IRunStore _store;
    private readonly RunPoolOptions _options;

    /// <summary>An executor that runs the bodies of a registry and keeps results in a store.</summary>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="RunPoolOptions.Validate"/>).</exception>
    public EmbeddedRunExecutor(RunBodyRegistry bodies, IRunStore store, RunPoolOptions? options = null)
    {
        _bodies = bodies ?? throw new ArgumentNullException(nameof(bodies));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _options = options ?? new RunPoolOptions();
        _options.Validate();
    }

    /// <inheritdoc/>
    /// <exception cref="KeyNotFoundException">A request names an experiment the registry lacks (checked before any run starts).</exception>
    public async Task<IReadOnlyList<RunResult>> ExecuteAsync(IReadOnlyList<RunRequest> requests,
        IProgress<SweepProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        RunRequest[] distinct = requests.DistinctBy(r => r.Key).ToArray();
        var bodies = distinct.Select(r => r.Experiment).Distinct().ToDictionary(e => e, _bodies.Resolve);
        var tracker = new ProgressTracker(distinct.Length, progress);
        var (results, pending) = await StoredRuns.SplitAsync(distinct, _store, tracker, cancellation).ConfigureAwait(false);
        var queue = new Queue<RunRequest>(pending);

        async Task Work()
        {
            while (true)
            {
                RunRequest request;
                lock (queue)
                {
                    if (cancellation.IsCancellationRequested || !queue.TryDequeue(out request!)) return;
                }
                tracker.Started();
                RunResult result = RunAttempts.Execute(request, bodies[request.Experiment], _options.MaxAttempts, _options.Worker, cancellation);
                await _store.SaveAsync(result, CancellationToken.None).ConfigureAwait(false);
                lock (results) results[request.Key] = result;
                tracker.Finished(result);
            }
        }

        int workers = Math.Min(_options.Jobs, queue.Count);
        await Task.WhenAll(Enumerable.Range(0, workers)
            .Select(_ => Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()))
            .ConfigureAwait(false);
        cancellation.ThrowIfCancellationRequested();
        return requests.Select(r => results[r.Key]).ToArray();
    }
}
