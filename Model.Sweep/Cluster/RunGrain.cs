using Orleans.Placement;

namespace Probabilistic.Sweep.Cluster;

/// <summary>
/// The run grain (see <see cref="IRunGrain"/>): looks the key up in the silo's store, else waits for one of the silo's
/// <see cref="RunPoolOptions.Jobs"/> slots and runs the body off the Orleans scheduler, trying it up to
/// <see cref="RunPoolOptions.MaxAttempts"/> times, then stores the result and deactivates (so that the silo's count
/// of activations, which placement reads, counts runs waiting or running there).
/// </summary>
/// <remarks>
/// <para><b>How work is spread.</b> The submitter (<see cref="ClusterRunExecutor"/>) keeps a bounded number of
/// <c>Execute</c> calls in flight, one per run key. Each call activates the key's grain on a silo chosen by
/// activation-count placement (the less loaded of two silos drawn at random), and each silo runs at most Jobs runs
/// at once, the others waiting there for a slot. So silos take new runs in proportion to how fast they finish old
/// ones, with no queue or coordinator of our own to keep alive: Orleans' directory is the only shared state.</para>
/// <para><b>Faults.</b> When a silo dies, Orleans' membership declares it dead and fails the calls pending on it; the
/// submitter calls again, and the key's grain is activated on a live silo, which finds no stored result and runs it.
/// A body that throws is retried on the same silo (a deterministic error would fail anywhere).</para>
/// </remarks>
[ActivationCountBasedPlacement]
public sealed class RunGrain : Grain, IRunGrain
{
    private readonly RunWorker _worker;

    /// <summary>A grain on a silo whose <see cref="RunWorker"/> is given by dependency injection.</summary>
    public RunGrain(RunWorker worker) => _worker = worker;

    /// <inheritdoc/>
    public async Task<RunResult> Execute(RunRequest request, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        string key = this.GetPrimaryKeyString();
        if (request.Key.Hex != key)
            throw new ArgumentException($"RunGrain.Execute: {request} has key {request.Key}, but this grain's key is {key}.", nameof(request));
        try
        {
            if (await _worker.Store.TryGetAsync(request.Key, cancellation) is { } stored)
                return stored;
            RunBody body = _worker.Bodies.Resolve(request.Experiment);
            string worker = $"{_worker.Options.Worker}/{RuntimeIdentity}";
            await _worker.Slots.WaitAsync(cancellation);
            RunResult result;
            try
            {
                result = await Task.Run(() => RunAttempts.Execute(request, body, _worker.Options.MaxAttempts, worker, cancellation), CancellationToken.None);
            }
            finally
            {
                _worker.Slots.Release();
            }
            await _worker.Store.SaveAsync(result, CancellationToken.None);
            return result;
        }
        finally
        {
            DeactivateOnIdle();
        }
    }
}
