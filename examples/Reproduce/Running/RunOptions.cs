namespace Probabilistic.Reproduce.Running;

/// <summary>The options of <c>run</c>, as parsed from the command line.</summary>
/// <param name="Quick">Smaller settings for a smoke run.</param>
/// <param name="SeedCount">Repeated runs (seeds 0..N-1); null = each experiment's default.</param>
/// <param name="OutDirectory">Results root; each experiment writes to OutDirectory/name/, the run store is OutDirectory/.runs/.</param>
/// <param name="FashionMnistDirectory">FashionMNIST folder override, or null.</param>
/// <param name="MnistDirectory">Override of the folder holding MNIST's digits/, or null.</param>
/// <param name="Jobs">Runs at once (<c>--jobs</c>), at least 1.</param>
/// <param name="Rerun">Ignore the results stored by earlier invocations (<c>--rerun</c>).</param>
/// <param name="Cluster">The cluster's Redis address (<c>--cluster</c>), or null to run in this process.</param>
/// <param name="JobsGiven">Whether <c>--jobs</c> was given (see <see cref="ExecutionOptions"/>).</param>
public sealed record RunOptions(bool Quick, int? SeedCount, string OutDirectory, string? FashionMnistDirectory, string? MnistDirectory,
    int Jobs = 1, bool Rerun = false, string? Cluster = null, bool JobsGiven = false)
{
    /// <summary>The options that say where and how runs happen.</summary>
    public ExecutionOptions Execution => new(OutDirectory, Jobs, Rerun, Cluster, JobsGiven);
}
