using System.Diagnostics;
using Orleans.TestingHost;
using Probabilistic.Sweep;
using Probabilistic.Sweep.Cluster;
using Microsoft.Extensions.DependencyInjection;
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
    /// <summary>When set, the first body called on a silo other than this one blocks for ever (as a run cut off by
    /// its silo's death), and that silo's address goes to <see cref="Blocked"/>.</summary>
    public static SiloAddress? BlockOffThis;
    public static TaskCompletionSource<(SiloAddress Silo, RunKey Key)> Blocked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public static ManualResetEventSlim Release = new(false);
    public static readonly System.Collections.Concurrent.ConcurrentQueue<(RunKey Key, SiloAddress Silo)> Calls = new();
}

/// <summary>Makes each test silo a run worker over the shared test experiment and store; its bodies know their silo.</summary>
public sealed class WorkerSiloConfigurator : ISiloConfigurator
{
    /// <summary>Adds the run worker.</summary>
    public void Configure(ISiloBuilder silo)
    {
        TestRuns runs = SiloState.Runs;
        silo.Services.AddSingleton(services =>
        {
            SiloAddress here = services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
            string Body(RunRequest request, CancellationToken cancellation)
            {
                SiloState.Calls.Enqueue((request.Key, here));
                if (SiloState.BlockOffThis is { } spared && !here.Equals(spared) && SiloState.Blocked.TrySetResult((here, request.Key)))
                    SiloState.Release.Wait(CancellationToken.None);
                return runs.Body(request, cancellation);
            }
            return new RunWorker(new RunBodyRegistry().Register(TestRuns.Experiment, Body), new FileRunStore(SiloState.Store),
                new RunPoolOptions { Jobs = SiloState.Jobs, Worker = "test" });
        });
    }
}

/// <summary>Silos whose "split" runs coordinate: each splits into leaf "sum" runs that it sends back to the cluster
/// through the silo's own grain factory, as a Reproduce worker does with an experiment's students.</summary>
public sealed class CoordinatorSiloConfigurator : ISiloConfigurator
{
    /// <summary>Adds the run worker, one slot per silo, "split" runs taking none.</summary>
    public void Configure(ISiloBuilder silo)
    {
        TestRuns runs = SiloState.Runs;
        silo.Services.AddSingleton(services =>
        {
            string Split(RunRequest request, CancellationToken cancellation)
            {
                var leaves = Enumerable.Range(1, 4).Select(k => new RunRequest(TestRuns.Experiment,
                    new Dictionary<string, string> { ["n"] = (k * 100 + (int)request.Seed).ToString(System.Globalization.CultureInfo.InvariantCulture) },
                    request.Seed, request.Commit)).ToArray();
                var executor = new ClusterRunExecutor(services.GetRequiredService<IGrainFactory>(), new FileRunStore(TestRuns.TemporaryFolder()));
                IReadOnlyList<RunResult> results = executor.ExecuteAsync(leaves, cancellation: cancellation).GetAwaiter().GetResult();
                return System.Text.Json.JsonSerializer.Serialize(new { sum = results.Sum(TestRuns.Sum) });
            }
            return new RunWorker(runs.Registry().Register("split", Split), new FileRunStore(SiloState.Store),
                new RunPoolOptions { Jobs = 1, Worker = "test", CoordinatorPrefix = "split" });
        });
    }
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
        SiloState.BlockOffThis = null;
        SiloState.Blocked = new(TaskCreationOptions.RunContinuationsAsynchronously);
        SiloState.Release = new(false);
        SiloState.Calls.Clear();
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

    [Fact, Trait(Category.Name, Category.Slow)]
    public async Task A_silo_killed_with_a_run_in_flight_has_that_run_finished_on_another_and_every_result_once()
    {
        RunRequest[] sweep = TestRuns.Sweep(24);
        var runs = new TestRuns();
        await using TestCluster cluster = await StartCluster(runs, jobs: 1);
        // The first run to start on a secondary silo never ends there: that silo is then killed with the run in flight.
        SiloState.BlockOffThis = cluster.Primary!.SiloAddress;
        var store = new FileRunStore(TestRuns.TemporaryFolder());
        var clock = Stopwatch.StartNew();
        try
        {
            Task<IReadOnlyList<RunResult>> sweeping = new ClusterRunExecutor(cluster.Client, store,
                new ClusterRunOptions { MaxInFlight = 6, RetryDelay = TimeSpan.FromMilliseconds(200), PollWait = TimeSpan.FromSeconds(1), CallTimeout = TimeSpan.FromSeconds(5) })
                .ExecuteAsync(sweep);
            (SiloAddress victimAddress, RunKey cutOff) = await SiloState.Blocked.Task.WaitAsync(TimeSpan.FromSeconds(30));
            TimeSpan blocked = clock.Elapsed;
            SiloHandle victim = cluster.Silos.Single(s => victimAddress.Equals(s.SiloAddress));
            await cluster.KillSiloAsync(victim);
            TimeSpan killed = clock.Elapsed;
            IReadOnlyList<RunResult> results = await sweeping.WaitAsync(TimeSpan.FromMinutes(3));
            TimeSpan done = clock.Elapsed;

            RunResult rerun = results.Single(r => r.Key == cutOff);
            var calls = SiloState.Calls.ToArray();
            output.WriteLine($"run {rerun.Request} started on {victimAddress} and hung at {blocked.TotalSeconds:F2} s; silo killed at {killed.TotalSeconds:F2} s; " +
                             $"the run ended on {rerun.Worker} at {(rerun.EndedAt - (DateTimeOffset.UtcNow - clock.Elapsed)).TotalSeconds:F2} s; sweep done at {done.TotalSeconds:F2} s; " +
                             $"body calls {calls.Length} for 24 runs; runs ended on the victim before the kill {results.Count(r => r.Worker.EndsWith(victimAddress.ToString(), StringComparison.Ordinal))}");

            Assert.Equal(sweep.Select(r => r.Key), results.Select(r => r.Key));
            Assert.All(results, r => Assert.Equal(RunStatus.Succeeded, r.Status));
            Assert.Equal(sweep.Select(TestRuns.Expected), results.Select(TestRuns.Sum));
            Assert.Equal(24, (await store.ListKeysAsync()).Count);
            Assert.Equal(24, calls.Select(c => c.Key).Distinct().Count());
            // The cut-off run was called twice, first on the victim, then on a live silo, which gave its result.
            Assert.Equal(2, calls.Count(c => c.Key == cutOff));
            Assert.Equal(victimAddress, calls.First(c => c.Key == cutOff).Silo);
            Assert.NotEqual(victimAddress, calls.Last(c => c.Key == cutOff).Silo);
            Assert.DoesNotContain(victimAddress.ToString(), rerun.Worker, StringComparison.Ordinal);
            // Every other run was called once: nothing but the cut-off run ran twice.
            Assert.Equal(25, calls.Length);
        }
        finally
        {
            SiloState.BlockOffThis = null;
            SiloState.Release.Set();
        }
    }

    [Fact, Trait(Category.Name, Category.Slow)]
    public async Task Coordinating_runs_take_no_slot_so_runs_that_split_into_runs_on_the_cluster_finish()
    {
        // Three silos with one slot each and three coordinators in flight: were the coordinators to hold the slots
        // while waiting for their leaves, no leaf could ever start.
        var runs = new TestRuns();
        SiloState.Runs = runs;
        SiloState.Store = TestRuns.TemporaryFolder();
        var builder = new TestClusterBuilder(3);
        builder.AddSiloBuilderConfigurator<CoordinatorSiloConfigurator>();
        await using TestCluster cluster = builder.Build();
        await cluster.DeployAsync();
        RunRequest[] coordinators = Enumerable.Range(1, 3).Select(seed => new RunRequest("split", new Dictionary<string, string>(), (ulong)seed, TestRuns.Commit)).ToArray();
        IReadOnlyList<RunResult> results = await new ClusterRunExecutor(cluster.Client, new FileRunStore(TestRuns.TemporaryFolder()), new ClusterRunOptions { MaxInFlight = 3 })
            .ExecuteAsync(coordinators).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.All(results, r => Assert.Equal(RunStatus.Succeeded, r.Status));
        // Each coordinator's sum, by the closed form n(n+1)/2 · seed over its four leaves n = 100k + seed.
        for (int i = 0; i < 3; i++)
        {
            long seed = i + 1;
            long expected = Enumerable.Range(1, 4).Sum(k => { long n = k * 100 + seed; return n * (n + 1) / 2 * seed; });
            Assert.Equal(expected, TestRuns.Sum(results[i]));
        }
        Assert.Equal(12, runs.Calls.Count);
        Assert.True(results.Select(r => r.Worker).Distinct().Count() >= 1);
    }
}
