namespace Probabilistic.Sweep;

/// <summary>How a worker runs requests: how many at once, how many attempts each, and its name in results.</summary>
public sealed record RunPoolOptions
{
    /// <summary>Runs at once on this worker (the <c>--jobs</c> of a command line); at least 1. Default 1.</summary>
    public int Jobs { get; init; } = 1;

    /// <summary>Calls of a run's body before the run is recorded as failed; at least 1. Default 3.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The worker's name in results. Default: the machine's name.</summary>
    public string Worker { get; init; } = Environment.MachineName;

    /// <summary>The code version this worker runs (the commit of its requests). When set, a request made for another
    /// version is refused without running and without storing anything: its result would be labelled with code that did
    /// not make it. Null (the default) takes every request.</summary>
    public string? CodeVersion { get; init; }

    /// <summary>Runs of the experiments whose names start with this prefix take no slot (null: every run takes one).
    /// They coordinate: they mostly wait for the runs they split into, and a coordinator holding a slot while its own
    /// runs wait for one could stall a worker, or a whole cluster.</summary>
    public string? CoordinatorPrefix { get; init; }

    /// <summary>Whether a run takes one of the <see cref="Jobs"/> slots (see <see cref="CoordinatorPrefix"/>).</summary>
    public bool TakesSlot(RunRequest request) =>
        CoordinatorPrefix is not { } prefix || !request.Experiment.StartsWith(prefix, StringComparison.Ordinal);

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">Jobs or MaxAttempts below 1, or a blank worker name.</exception>
    public void Validate()
    {
        if (Jobs < 1) throw new ArgumentException($"RunPoolOptions: Jobs is {Jobs}, expected ≥ 1.");
        if (MaxAttempts < 1) throw new ArgumentException($"RunPoolOptions: MaxAttempts is {MaxAttempts}, expected ≥ 1.");
        if (string.IsNullOrWhiteSpace(Worker)) throw new ArgumentException("RunPoolOptions: the worker name is blank.");
    }
}
