using Probabilistic.Nn.Data;
using Probabilistic.Sweep;

namespace Probabilistic.Reproduce.Running;

/// <summary>How runs are carried out, as the command line asks: where results are stored, how many at once, whether
/// stored results are ignored.</summary>
/// <param name="OutDirectory">The results root; the run store is its <c>.runs/</c> folder.</param>
/// <param name="Jobs">Runs at once (<c>--jobs</c>), at least 1.</param>
/// <param name="Rerun">Ignore results stored before this process (<c>--rerun</c>).</param>
public sealed record ExecutionOptions(string OutDirectory, int Jobs = 1, bool Rerun = false);

/// <summary>
/// The one place that decides where runs happen: it makes the run store and the executor for a command line's options.
/// Today the executor is always <see cref="EmbeddedRunExecutor"/> (this process, <c>--jobs</c> at once); a cluster
/// executor is to be chosen here too, from the same options.
/// </summary>
public sealed class RunExecution
{
    private RunExecution(IRunExecutor executor, IRunStore store, FileRunStore files, string commit)
    {
        Executor = executor;
        Store = store;
        Files = files;
        Commit = commit;
    }

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
    public static RunExecution Create(ExecutionOptions options, RunBodyRegistry bodies, string? commit = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var files = new FileRunStore(StoreFolder(options.OutDirectory));
        var store = new ReusePolicyStore(files, options.Rerun);
        var executor = new EmbeddedRunExecutor(bodies, store, new RunPoolOptions { Jobs = options.Jobs });
        return new RunExecution(executor, store, files, commit ?? CodeVersion.Of(DataLocations.FindRepositoryRoot()));
    }
}
