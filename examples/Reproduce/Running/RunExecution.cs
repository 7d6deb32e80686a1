using Probabilistic.Nn.Data;
using Probabilistic.Sweep;
using Probabilistic.Sweep.Cluster;
using Probabilistic.Sweep.Redis;

namespace Probabilistic.Reproduce.Running;

/// <summary>How runs are carried out, as the command line asks: where results are stored, how many at once, whether
/// stored results are ignored.</summary>
/// <param name="OutDirectory">The results root; the run store is its <c>.runs/</c> folder.</param>
/// <param name="Jobs">Runs at once (<c>--jobs</c>), at least 1.</param>
/// <param name="Rerun">Ignore results stored before this process (<c>--rerun</c>).</param>
/// <param name="Cluster">The cluster's Redis address (<c>--cluster redis://HOST:PORT</c>), or null to run in this process.
/// With a cluster, <paramref name="Jobs"/> is the number of runs kept in flight on it.</param>
/// <param name="JobsGiven">Whether <c>--jobs</c> was given; with a cluster and without it, one run more than the
/// cluster has workers is kept in flight.</param>
public sealed record ExecutionOptions(string OutDirectory, int Jobs = 1, bool Rerun = false, string? Cluster = null, bool JobsGiven = false);

/// <summary>
/// The one place that decides where runs happen: it makes the run store and the executor for a command line's options.
/// Without <c>--cluster</c> the executor is <see cref="EmbeddedRunExecutor"/> (this process, <c>--jobs</c> at once);
/// with it, a <see cref="ClusterRunExecutor"/> that sends the runs to the workers registered in the cluster's Redis
/// (started with <c>reproduce worker --cluster …</c>). Either way every result is also kept in <c>&lt;out&gt;/.runs/</c>,
/// so a restarted command asks for nothing it already has.
/// </summary>
public sealed class RunExecution : IDisposable
{
    private readonly RedisRunClusterClient? _cluster;

    private RunExecution(IRunExecutor executor, IRunStore store, FileRunStore files, string commit, int parallelism, RedisRunClusterClient? cluster)
    {
        Executor = executor;
        Store = store;
        Files = files;
        Commit = commit;
        Parallelism = parallelism;
        _cluster = cluster;
    }

    /// <summary>How many runs to keep in flight: <c>--jobs</c> in this process, or on the cluster.</summary>
    public int Parallelism { get; }

    /// <summary>Where the runs go, for status lines: "this process" or the cluster's address and workers.</summary>
    public string Where { get; private init; } = "this process";

    /// <summary>The executor every run of this process goes through (experiment runs and the runs inside them).</summary>
    public IRunExecutor Executor { get; }

    /// <summary>The store the executor reads and writes, with the reuse policy applied (<see cref="ReusePolicyStore"/>).</summary>
    public IRunStore Store { get; }

    /// <summary>The store's files, <c>&lt;out&gt;/.runs/</c>.</summary>
    public FileRunStore Files { get; }

    /// <summary>The code version in every key (<see cref="CodeVersion"/>).</summary>
    public string Commit { get; }

    /// <summary>The store folder under a results root.</summary>
    public static string StoreFolder(string outDirectory) => Path.Combine(outDirectory, ".runs");

    /// <summary>Makes the store and the executor for <paramref name="options"/>, running the bodies of <paramref name="bodies"/>.</summary>
    /// <exception cref="InvalidOperationException">With a cluster: Redis cannot be reached or no worker answers (one line).</exception>
    public static RunExecution Create(ExecutionOptions options, RunBodyRegistry bodies, string? commit = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var files = new FileRunStore(StoreFolder(options.OutDirectory));
        var store = new ReusePolicyStore(files, options.Rerun);
        string version = commit ?? CodeVersion.Of(DataLocations.FindRepositoryRoot());
        if (options.Cluster is not { } cluster)
        {
            var executor = new EmbeddedRunExecutor(bodies, store, new RunPoolOptions { Jobs = options.Jobs });
            return new RunExecution(executor, store, files, version, options.Jobs, null);
        }
        RedisClusterAddress address = RedisClusterAddress.Parse(cluster);
        RedisRunClusterClient client = RedisRunCluster.ConnectAsync(address).GetAwaiter().GetResult();
        try
        {
            int workers = client.CountWorkersAsync().GetAwaiter().GetResult();
            int inFlight = options.JobsGiven ? options.Jobs : workers + 1;
            var executor = client.CreateExecutor(store, new ClusterRunOptions { MaxInFlight = inFlight });
            return new RunExecution(executor, store, files, version, inFlight, client)
            {
                Where = $"cluster {address} ({workers} worker{(workers == 1 ? "" : "s")}, {inFlight} run{(inFlight == 1 ? "" : "s")} in flight)",
            };
        }
        catch
        {
            client.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>As <see cref="Create"/>, but a cluster that cannot be joined is reported as one <c>reproduce: …</c> line
    /// on <paramref name="log"/> and gives null (the caller exits with <see cref="ExitCodes.RunFailed"/>, nothing run).</summary>
    public static RunExecution? CreateOrReport(ExecutionOptions options, RunBodyRegistry bodies, TextWriter log)
    {
        try
        {
            return Create(options, bodies);
        }
        catch (InvalidOperationException e)
        {
            log.WriteLine($"reproduce: {RunPreflight.OneLine(e.Message)}");
            return null;
        }
    }

    /// <summary>Disconnects from the cluster, if any.</summary>
    public void Dispose() => _cluster?.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
