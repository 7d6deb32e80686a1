using Microsoft.Extensions.DependencyInjection;

namespace Probabilistic.Sweep.Cluster;

/// <summary>Makes a silo a worker that takes runs.</summary>
public static class RunWorkerSiloExtensions
{
    /// <summary>
    /// Registers a <see cref="RunWorker"/> on the silo: its <see cref="RunGrain"/>s run the experiments of
    /// <paramref name="bodies"/>, at most <see cref="RunPoolOptions.Jobs"/> at once, and keep results in
    /// <paramref name="store"/>. Every silo of a cluster should register the same experiment names.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="RunPoolOptions.Validate"/>).</exception>
    public static ISiloBuilder AddRunWorker(this ISiloBuilder silo, RunBodyRegistry bodies, IRunStore store, RunPoolOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddSingleton(new RunWorker(bodies, store, options ?? new RunPoolOptions()));
        return silo;
    }
}
