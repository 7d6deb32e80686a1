namespace Probabilistic.Reproduce.Results;

/// <summary>Everything written about one experiment run: what ran, how, where, how long, and what came out.</summary>
public sealed record RunRecord(
    string Experiment,
    string Description,
    string Status,
    string? Error,
    DateTime StartedUtc,
    double Seconds,
    bool Quick,
    IReadOnlyList<ulong> Seeds,
    IReadOnlyDictionary<string, string> DataDirectories,
    IReadOnlyList<KeyValuePair<string, double>> Timings,
    RunEnvironment Environment,
    ExperimentResult Result)
{
    /// <summary>Where the results came from when they went through the run store (run key, code version, worker,
    /// whether reused); written as <c>provenance</c> in result.json, left out when null.</summary>
    public IReadOnlyDictionary<string, object?>? Provenance { get; init; }
}
