using System.Diagnostics;
using Orleans.TestingHost;
using Probabilistic.Sweep;
using Probabilistic.Sweep.Cluster;
using Probabilistic.TestSupport;
using Xunit.Abstractions;

namespace Probabilistic.Sweep.Tests;

/// <summary>What the in-process silos share with the test that started them (silos are built by a parameterless
/// configurator, so they read it here; the tests of this collection run one at a time).</summary>
internal static class SiloState
{
    public static TestRuns Runs = new();
    public static string Store = "";
    public static int Jobs = 2;
}

/// <summary>Makes each test silo a run worker over the shared test experiment and store.</summary>
public sealed class WorkerSiloConfigurator : ISiloConfigurator
{
    /// <summary>Adds the run worker.</summary>
    public void Configure(ISiloBuilder silo) =>
        silo.AddRunWorker(SiloState.Runs.Registry(), new FileRunStore(SiloState.Store), new RunPoolOptions { Jobs = SiloState.Jobs, Worker = "test" });
}

[CollectionDefinition("orleans-cluster", DisableParallelization = true)]
public sealed class OrleansClusterCollection;

[Collection("orleans-cluster")]
public class ClusterRunExecutorTests(ITestOutputHelper output)
{
    private static async Task<TestCluster> StartCluster(TestRuns runs, int jobs)
    {
        SiloState.Runs = runs;
        SiloState.Store = TestRuns.TemporaryFolder();
        SiloState.Jobs = jobs;
        var builder = new TestClusterBuilder(3);
        builder.AddSiloBuilderConfigurator<WorkerSiloConfigurator>();
        TestCluster cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    [Fact, Trait(Category.Name, Category.Slow)]
    public async Task Three_silos_run_every_run_once_with_the_embedded_numbers_and_a_restarted_submitter_reruns_nothing()
    {
        RunRequest[] sweep = TestRuns.Sweep(24);
        IReadOnlyList<RunResult> embedded = await new EmbeddedRunExecutor(new TestRuns().Registry(),
            new FileRunStore(TestRuns.TemporaryFolder()), new RunPoolOptions { Jobs = 2 }).ExecuteAsync(sweep);

        var runs = new TestRuns();
        var clock = Stopwatch.StartNew();
        await using TestCluster cluster = await StartCluster(runs, jobs: 2);
        output.WriteLine($"3 silos started: {clock.Elapsed.TotalSeconds:F2} s");
        var submitterStore = new FileRunStore(TestRuns.TemporaryFolder());
        clock.Restart();
        IReadOnlyList<RunResult> results = await new ClusterRunExecutor(cluster.Client, submitterStore,
            new ClusterRunOptions { MaxInFlight = 6 }).ExecuteAsync(sweep);
        output.WriteLine($"24 runs on 3 silos × 2 jobs: {clock.Elapsed.TotalSeconds:F2} s");

        Assert.Equal(sweep.Select(r => r.Key), results.Select(r => r.Key));
        Assert.All(results, r => Assert.Equal((RunStatus.Succeeded, 1), (r.Status, r.Attempts)));
        Assert.Equal(sweep.Select(TestRuns.Expected), results.Select(TestRuns.Sum));
        Assert.Equal(embedded.Select(TestRuns.Sum), results.Select(TestRuns.Sum));
        Assert.Equal(24, runs.Calls.Count);
        Assert.All(runs.Calls.Values, c => Assert.Equal(1, c));
        var silos = results.Select(r => r.Worker).Distinct().ToArray();
        output.WriteLine("runs per silo: " + string.Join(", ", results.GroupBy(r => r.Worker).Select(g => $"{g.Key}: {g.Count()}")));
        Assert.True(silos.Length >= 2, $"all runs went to one silo: {silos[0]}");
        Assert.All(silos, w => Assert.StartsWith("test/", w));
        Assert.Equal(24, (await submitterStore.ListKeysAsync()).Count);
        Assert.Equal(24, (await new FileRunStore(SiloState.Store).ListKeysAsync()).Count);

        // The submitter restarts: a new client, the same store. Nothing is asked of the cluster, nothing runs.
        await cluster.KillClientAsync();
        await cluster.InitializeClientAsync();
        var reports = new List<SweepProgress>();
        IReadOnlyList<RunResult> again = await new ClusterRunExecutor(cluster.Client, new FileRunStore(submitterStore.Folder))
            .ExecuteAsync(sweep, new SyncProgress(reports));
        Assert.Equal(results.Select(TestRuns.Sum), again.Select(TestRuns.Sum));
        Assert.Equal(24, reports[^1].Reused);

        // A submitter with an empty store of its own: the grains answer from the silos' store, still nothing runs.
        IReadOnlyList<RunResult> fromSilos = await new ClusterRunExecutor(cluster.Client, new FileRunStore(TestRuns.TemporaryFolder()))
            .ExecuteAsync(sweep);
        Assert.Equal(results.Select(r => (r.Worker, r.StartedAt)), fromSilos.Select(r => (r.Worker, r.StartedAt)));
        Assert.All(runs.Calls.Values, c => Assert.Equal(1, c));
    }
}
