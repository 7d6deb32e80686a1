namespace Probabilistic.Sweep.Cluster;

/// <summary>
/// What a silo needs to take runs: its experiments, its result store, and its pool options (how many runs at once,
/// how many attempts). One per silo, registered by <see cref="RunWorkerSiloExtensions.AddRunWorker"/>; every
/// <see cref="RunGrain"/> activated on the silo shares its slots.
/// </summary>
public sealed class RunWorker
{
    /// <summary>A worker with the given experiments, store and options.</summary>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="RunPoolOptions.Validate"/>).</exception>
    public RunWorker(RunBodyRegistry bodies, IRunStore store, RunPoolOptions options)
    {
        Bodies = bodies ?? throw new ArgumentNullException(nameof(bodies));
        Store = store ?? throw new ArgumentNullException(nameof(store));
        Options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
        Slots = new SemaphoreSlim(options.Jobs, options.Jobs);
    }

    /// <summary>The experiments this silo can run.</summary>
    public RunBodyRegistry Bodies { get; }

    /// <summary>Where this silo looks results up and stores them.</summary>
    public IRunStore Store { get; }

    /// <summary>Runs at once, attempts per run, and the worker's name.</summary>
    public RunPoolOptions Options { get; }

    /// <summary>One slot per run that may execute at once on this silo.</summary>
    internal SemaphoreSlim Slots { get; }

    /// <summary>Runs a request on the thread pool once a slot is free, then stores its result (off the Orleans
    /// scheduler: a grain only awaits the task).</summary>
    internal Task<RunResult> RunInBackground(RunRequest request, RunBody body, string worker) => Task.Run(async () =>
    {
        bool slot = Options.TakesSlot(request);
        if (slot) await Slots.WaitAsync().ConfigureAwait(false);
        RunResult result;
        try
        {
            result = RunAttempts.Execute(request, body, Options.MaxAttempts, worker, CancellationToken.None);
        }
        finally
        {
            if (slot) Slots.Release();
        }
        await Store.SaveAsync(result).ConfigureAwait(false);
        return result;
    });
}
