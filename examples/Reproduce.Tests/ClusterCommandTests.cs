using Microsoft.Extensions.Hosting;
using Probabilistic.Nn.Data;
using Probabilistic.Reproduce.Experiments;
using Probabilistic.Reproduce.Running;
using Probabilistic.Sweep;
using Probabilistic.Sweep.Redis;
using Probabilistic.TestSupport;

namespace Probabilistic.Reproduce.Tests;

/// <summary>
/// <c>--cluster</c> and <c>worker</c>: a malformed address is a usage error, an unreachable Redis one line with exit 1;
/// with Redis installed, a sweep sent to a worker through Redis writes the same table as the embedded sweep.
/// </summary>
public class ClusterCommandTests
{
    private static async Task<(int Code, string Output, string[] Errors)> Cli(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await ReproduceCli.RunAsync(ExperimentRegistry.All, args, output, error);
        return (code, output.ToString(), error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>Whether redis-server is on the PATH (scripts/setup.sh installs it where it can).</summary>
    public static bool RedisInstalled => RedisServer.Installed;

    [Theory]
    [InlineData("run", "data", "--cluster", "http://127.0.0.1:6379")]
    [InlineData("sweep", "probabilistic", "--grid", "T=1,2", "--cluster", "redis://host:notaport")]
    [InlineData("worker", "--cluster", "redis://")]
    public async Task A_malformed_cluster_address_is_a_usage_error(params string[] args)
    {
        using var temp = new SweepCommandTests.TempFolder();
        string[] full = args[0] == "worker" ? args : [.. args, "--out", temp.Path];
        var (code, output, errors) = await Cli(full);
        Assert.Equal(ExitCodes.Usage, code);
        string line = Assert.Single(errors);
        Assert.StartsWith("reproduce: --cluster: RedisClusterAddress:", line);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task A_worker_needs_a_cluster()
    {
        var (code, _, errors) = await Cli("worker");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--cluster", Assert.Single(errors));
    }

    [Fact]
    public async Task An_unreachable_redis_is_one_line_and_exit_1_with_nothing_run()
    {
        using var temp = new SweepCommandTests.TempFolder();
        int closed;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            closed = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        var (code, _, errors) = await Cli("sweep", "probabilistic", "--grid", "T=1,2", "--quick", "--cluster", $"redis://127.0.0.1:{closed}", "--out", temp.Path);
        Assert.Equal(ExitCodes.RunFailed, code);
        string line = Assert.Single(errors, e => e.StartsWith("reproduce: ", StringComparison.Ordinal));
        Assert.Contains("cannot reach Redis", line);
        Assert.Empty(Directory.GetFiles(RunExecution.StoreFolder(temp.Path), "*.json"));
    }

    [FactWhen(typeof(ClusterCommandTests), nameof(RedisInstalled), "redis-server on the PATH (apt-get install redis-server)"), Trait(Category.Name, Category.Slow)]
    public async Task A_sweep_through_a_redis_worker_writes_the_embedded_table_and_a_second_submitter_reuses_redis()
    {
        using var redis = new RedisServer();
        using var clustered = new SweepCommandTests.TempFolder();
        using var embedded = new SweepCommandTests.TempFolder();
        string[] sweep = ["sweep", "probabilistic", "--grid", "T=1,4", "--grid", "lambda=0.25,0.75", "--grid", "epochs=3", "--seeds", "2"];

        // A worker as 'reproduce worker' makes it, in this process: the program's run bodies at this code version.
        var data = new DataCatalog(null, null);
        RunService? inner = null;
        RunBodyRegistry bodies = RunBodies.All(ExperimentRegistry.All, data, TextWriter.Null, () => inner!);
        inner = RunService.InProcess(bodies);
        string version = CodeVersion.Of(DataLocations.FindRepositoryRoot());
        using IHost worker = await RedisRunCluster.StartWorkerAsync(RedisClusterAddress.Parse(redis.Uri), bodies,
            new RunPoolOptions { Jobs = 2, Worker = "test-worker", CodeVersion = version });
        try
        {
            var (code, _, errors) = await Cli([.. sweep, "--cluster", redis.Uri, "--out", clustered.Path]);
            Assert.True(code == ExitCodes.Ok, string.Join("\n", errors));
            var (embeddedCode, _, _) = await Cli([.. sweep, "--out", embedded.Path]);
            Assert.Equal(ExitCodes.Ok, embeddedCode);
            Assert.Equal(File.ReadAllText(Path.Combine(embedded.Path, "sweep-probabilistic", "sweep.csv")),
                File.ReadAllText(Path.Combine(clustered.Path, "sweep-probabilistic", "sweep.csv")));
            // Every run was done by the worker, and is in Redis.
            var stored = await new FileRunStore(RunExecution.StoreFolder(clustered.Path)).ListKeysAsync();
            Assert.Equal(8, stored.Count);
            foreach (RunKey key in stored)
                Assert.StartsWith("test-worker/", (await new FileRunStore(RunExecution.StoreFolder(clustered.Path)).TryGetAsync(key))!.Worker);

            // A second submitter with an empty results folder: every run comes from Redis, none runs again.
            using var again = new SweepCommandTests.TempFolder();
            var (againCode, _, againErrors) = await Cli([.. sweep, "--cluster", redis.Uri, "--out", again.Path]);
            Assert.Equal(ExitCodes.Ok, againCode);
            Assert.Equal(File.ReadAllText(Path.Combine(clustered.Path, "sweep-probabilistic", "sweep.csv")),
                File.ReadAllText(Path.Combine(again.Path, "sweep-probabilistic", "sweep.csv")));
            var first = await new FileRunStore(RunExecution.StoreFolder(clustered.Path)).TryGetAsync(stored[0]);
            var second = await new FileRunStore(RunExecution.StoreFolder(again.Path)).TryGetAsync(stored[0]);
            Assert.Equal(first!.StartedAt, second!.StartedAt);
        }
        finally
        {
            await worker.StopAsync();
        }
    }
}
