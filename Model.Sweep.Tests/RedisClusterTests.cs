using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Probabilistic.Sweep;
using Probabilistic.Sweep.Cluster;
using Probabilistic.Sweep.Redis;
using Probabilistic.TestSupport;
using Xunit.Abstractions;

namespace Probabilistic.Sweep.Tests;

public class RedisClusterAddressTests
{
    [Theory]
    [InlineData("redis://127.0.0.1:6380", "127.0.0.1", 6380)]
    [InlineData("redis://example.org", "example.org", 6379)]
    [InlineData("REDIS://host:1/", "host", 1)]
    [InlineData("redis://[::1]:7000", "::1", 7000)]
    public void Parses_host_and_port(string text, string host, int port)
    {
        RedisClusterAddress a = RedisClusterAddress.Parse(text);
        Assert.Equal((host, port), (a.Host, a.Port));
        Assert.Equal(a, RedisClusterAddress.Parse(a.ToString()));
    }

    [Theory]
    [InlineData("http://h:1", "does not start with redis://")]
    [InlineData("redis://", "is not a host and port")]
    [InlineData("redis://h:0", "port '0'")]
    [InlineData("redis://h:70000", "port '70000'")]
    [InlineData("redis://h:x", "port 'x'")]
    [InlineData("redis://u@h:1", "is not a host and port")]
    [InlineData("redis://:5", "has no host")]
    public void Bad_addresses_are_refused_in_one_line(string text, string says)
    {
        var e = Assert.Throws<FormatException>(() => RedisClusterAddress.Parse(text));
        Assert.Contains(says, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}

[Collection("orleans-cluster")]
public class RedisClusterTests(ITestOutputHelper output)
{
    /// <summary>Whether redis-server is on the PATH (scripts/setup.sh installs it where it can).</summary>
    public static bool RedisInstalled => RedisServer.Installed;

    [FactWhen(typeof(RedisClusterTests), nameof(RedisInstalled), "redis-server on the PATH (apt-get install redis-server)"), Trait(Category.Name, Category.Slow)]
    public async Task Two_workers_through_redis_run_every_run_once_and_a_new_submitter_gets_all_from_redis()
    {
        using var redis = new RedisServer();
        var cluster = new RedisClusterOptions { ClusterId = "test-" + Guid.NewGuid().ToString("N")[..8] };
        var runs = new TestRuns();
        RunRequest[] sweep = TestRuns.Sweep(24);
        var clock = Stopwatch.StartNew();
        using IHost first = await RedisRunCluster.StartWorkerAsync(RedisClusterAddress.Parse(redis.Uri), runs.Registry(), new RunPoolOptions { Jobs = 2, Worker = "w1" }, cluster);
        using IHost second = await RedisRunCluster.StartWorkerAsync(RedisClusterAddress.Parse(redis.Uri), runs.Registry(), new RunPoolOptions { Jobs = 2, Worker = "w2" }, cluster);
        output.WriteLine($"2 workers up through {RedisClusterAddress.Parse(redis.Uri)}: {clock.Elapsed.TotalSeconds:F2} s");
        try
        {
            await using (RedisRunClusterClient submitter = await RedisRunCluster.ConnectAsync(RedisClusterAddress.Parse(redis.Uri), cluster))
            {
                Assert.Equal(2, await submitter.CountWorkersAsync());
                var local = new FileRunStore(TestRuns.TemporaryFolder());
                clock.Restart();
                IReadOnlyList<RunResult> results = await submitter.CreateExecutor(local, new ClusterRunOptions { MaxInFlight = 6 }).ExecuteAsync(sweep);
                output.WriteLine($"24 runs: {clock.Elapsed.TotalSeconds:F2} s; per worker: " +
                                 string.Join(", ", results.GroupBy(r => r.Worker.Split('/')[0]).Select(g => $"{g.Key} {g.Count()}")));
                Assert.Equal(sweep.Select(TestRuns.Expected), results.Select(TestRuns.Sum));
                Assert.All(results, r => Assert.Equal(RunStatus.Succeeded, r.Status));
                Assert.Equal(24, runs.Calls.Count);
                Assert.All(runs.Calls.Values, c => Assert.Equal(1, c));
                Assert.Equal(new[] { "w1", "w2" }, results.Select(r => r.Worker.Split('/')[0]).Distinct().Order());
                Assert.Equal(sweep.Select(r => r.Key.Hex).Order(), (await submitter.Store.ListKeysAsync()).Select(k => k.Hex).Order());
                Assert.Equal(24, (await local.ListKeysAsync()).Count);
            }
            // A second submitter with an empty store of its own: every result comes from Redis, nothing runs again.
            await using (RedisRunClusterClient again = await RedisRunCluster.ConnectAsync(RedisClusterAddress.Parse(redis.Uri), cluster))
            {
                IReadOnlyList<RunResult> stored = await again.CreateExecutor(new FileRunStore(TestRuns.TemporaryFolder())).ExecuteAsync(sweep);
                Assert.Equal(sweep.Select(TestRuns.Expected), stored.Select(TestRuns.Sum));
                Assert.All(runs.Calls.Values, c => Assert.Equal(1, c));
            }
        }
        finally
        {
            await second.StopAsync();
            await first.StopAsync();
        }
    }

    [FactWhen(typeof(RedisClusterTests), nameof(RedisInstalled), "redis-server on the PATH (apt-get install redis-server)")]
    public async Task A_submitter_without_workers_or_redis_fails_in_one_line()
    {
        using var redis = new RedisServer();
        var cluster = new RedisClusterOptions { ClusterId = "empty-" + Guid.NewGuid().ToString("N")[..8], ConnectTimeout = TimeSpan.FromSeconds(1) };
        var none = await Assert.ThrowsAsync<InvalidOperationException>(() => RedisRunCluster.ConnectAsync(RedisClusterAddress.Parse(redis.Uri), cluster));
        Assert.Contains("reproduce worker --cluster", none.Message);
        Assert.DoesNotContain('\n', none.Message);
        int closed = redis.Port;
        redis.Dispose();
        var absent = await Assert.ThrowsAsync<InvalidOperationException>(() => RedisRunCluster.ConnectAsync(new RedisClusterAddress("127.0.0.1", closed), cluster));
        Assert.Contains("cannot reach Redis", absent.Message);
    }
}
