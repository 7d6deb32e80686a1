using Orleans.Placement;

namespace Probabilistic.Sweep.Cluster;

/// <summary>
/// The run grain (see <see cref="IRunGrain"/>): looks the key up in the silo's store, else starts the body in the
/// background, where it waits for one of the silo's <see cref="RunPoolOptions.Jobs"/> slots and is tried up to
/// <see cref="RunPoolOptions.MaxAttempts"/> times off the Orleans scheduler; the result is stored when it ends, and the
/// grain deactivates once it has handed the result out (so the silo's count of activations, which placement reads,
/// counts the runs waiting or running there).
/// </summary>
/// <remarks>
/// <para><b>How work is spread.</b> The submitter (<see cref="ClusterRunExecutor"/>) keeps a bounded number of runs in
/// flight, one grain per run key. The first call activates the key's grain on a silo chosen by activation-count
/// placement (the less loaded of two silos drawn at random), and each silo runs at most Jobs runs at once, the others
/// waiting there for a slot. So silos take new runs in proportion to how fast they finish old ones, with no queue or
/// coordinator of our own to keep alive: Orleans' directory and the result store are the only shared state.</para>
/// <para><b>Faults.</b> When a silo dies, the calls to its grains fail or time out; the submitter calls again, and
/// once membership has declared the silo dead the key's grain is activated on a live silo, which finds no stored
/// result and runs it. A body that throws is retried on the same silo (a deterministic error would fail anywhere).
/// A run whose submitter went away still ends and is stored, so a restarted submitter finds it.</para>
/// </remarks>
[ActivationCountBasedPlacement]
public sealed class RunGrain : Grain, IRunGrain
{
    /// <summary>The longest wait a poll may ask for.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(5);

    private readonly RunWorker _worker;
    private Task<RunResult>? _run;

    /// <summary>A grain on a silo whose <see cref="RunWorker"/> is given by dependency injection.</summary>
    public RunGrain(RunWorker worker) => _worker = worker;

    /// <inheritdoc/>
    public async Task<RunResult?> Poll(RunRequest request, TimeSpan wait)
    {
        ArgumentNullException.ThrowIfNull(request);
        string key = this.GetPrimaryKeyString();
        if (request.Key.Hex != key)
            throw new ArgumentException($"RunGrain.Poll: {request} has key {request.Key}, but this grain's key is {key}.", nameof(request));
        if (wait < TimeSpan.Zero || wait > MaxWait)
            throw new ArgumentException($"RunGrain.Poll: the wait is {wait}, expected 0 to {MaxWait}.", nameof(wait));
        if (_run is null)
        {
            if (await _worker.Store.TryGetAsync(request.Key) is { } stored)
            {
                DeactivateOnIdle();
                return stored;
            }
            _run = Start(request);
        }
        if (!_run.IsCompleted && wait > TimeSpan.Zero)
            await Task.WhenAny(_run, Task.Delay(wait));
        if (!_run.IsCompleted) return null;
        if (!_run.IsCompletedSuccessfully)
        {
            Task<RunResult> failed = _run;
            _run = null; // the next call starts again (the store could not be written, say)
            return await failed;
        }
        DeactivateOnIdle();
        return _run.Result;
    }

    private Task<RunResult> Start(RunRequest request)
    {
        string worker = $"{_worker.Options.Worker}/{RuntimeIdentity}";
        if (_worker.Options.CodeVersion is { } version && request.Commit != version)
        {
            // Not stored: a worker at the request's code version may run it.
            DateTimeOffset now = DateTimeOffset.UtcNow;
            return Task.FromResult(new RunResult(request, RunStatus.Failed, null,
                $"RunGrain: worker {worker} runs code version {version}, but the run was made for {request.Commit}; start workers from the submitter's commit.",
                0, worker, now, now));
        }
        if (!_worker.Bodies.Contains(request.Experiment))
        {
            // Not stored: another worker may know the experiment.
            DateTimeOffset now = DateTimeOffset.UtcNow;
            return Task.FromResult(new RunResult(request, RunStatus.Failed, null,
                $"RunGrain: experiment '{request.Experiment}' is not registered on worker {worker} (registered: {string.Join(", ", _worker.Bodies.Experiments)}).",
                0, worker, now, now));
        }
        return _worker.RunInBackground(request, _worker.Bodies.Resolve(request.Experiment), worker);
    }
}
