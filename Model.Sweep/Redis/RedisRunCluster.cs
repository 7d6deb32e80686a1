using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Probabilistic.Sweep.Cluster;
using StackExchange.Redis;

namespace Probabilistic.Sweep.Redis;

/// <summary>How a worker or submitter process joins a Redis-backed cluster.</summary>
public sealed record RedisClusterOptions
{
    /// <summary>The cluster's name in Redis: workers and submitters with the same name form one cluster. Default
    /// "probabilistic-sweep".</summary>
    public string ClusterId { get; init; } = "probabilistic-sweep";

    /// <summary>The address other silos and submitters reach this worker at. Default: the loopback address when the
    /// Redis host is this machine (a local cluster), else this machine's first IPv4 address that is up and not loopback.</summary>
    public IPAddress? AdvertisedAddress { get; init; }

    /// <summary>The port silos talk on; 0 picks a free one. Default 0.</summary>
    public int SiloPort { get; init; }

    /// <summary>The port submitters connect to; 0 picks a free one. Default 0.</summary>
    public int GatewayPort { get; init; }

    /// <summary>Where Orleans' own log goes; by default nowhere (the caller reports progress and errors).</summary>
    public Action<ILoggingBuilder>? Logging { get; init; }

    /// <summary>How long a submitter keeps trying to reach a worker before it gives up. Default 15 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The Redis key prefix of the run results (see <see cref="RedisRunStore"/>). Default "probabilistic:sweep:".</summary>
    public string StorePrefix { get; init; } = "probabilistic:sweep:";
}

/// <summary>
/// Runs on several machines through one Redis server: <see cref="StartWorkerAsync"/> makes this process a silo that
/// takes runs (a <c>reproduce worker</c>), <see cref="ConnectAsync"/> a submitter that sends them. Redis holds the
/// membership (Orleans' <c>Clustering.Redis</c>) and the results (<see cref="RedisRunStore"/>), so a run done by any
/// worker is found by every other and by a restarted submitter.
/// </summary>
public static class RedisRunCluster
{
    /// <summary>
    /// Starts a silo that joins the cluster at <paramref name="redis"/> and runs the experiments of
    /// <paramref name="bodies"/>, <see cref="RunPoolOptions.Jobs"/> at once, keeping results in the cluster's Redis store.
    /// Stop it by stopping (and disposing) the returned host; a stopped or killed worker's runs go to the others.
    /// </summary>
    /// <exception cref="InvalidOperationException">Redis cannot be reached, or the silo does not start; one line saying which.</exception>
    public static async Task<IHost> StartWorkerAsync(RedisClusterAddress redis, RunBodyRegistry bodies, RunPoolOptions pool,
        RedisClusterOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(bodies);
        ArgumentNullException.ThrowIfNull(pool);
        options ??= new RedisClusterOptions();
        pool.Validate();
        IConnectionMultiplexer connection = await Connect(redis).ConfigureAwait(false);
        IPAddress advertised = options.AdvertisedAddress ?? DefaultAddress(redis);
        int siloPort = options.SiloPort != 0 ? options.SiloPort : FreePort();
        int gatewayPort = options.GatewayPort != 0 ? options.GatewayPort : FreePort();

        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        options.Logging?.Invoke(builder.Logging);
        builder.Services.AddSingleton(connection);
        builder.UseOrleans(silo =>
        {
            silo.UseRedisClustering(redis.ConnectionString);
            silo.Configure<ClusterOptions>(c => { c.ClusterId = options.ClusterId; c.ServiceId = options.ClusterId; });
            silo.ConfigureEndpoints(advertised, siloPort, gatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
            silo.AddRunWorker(bodies, new RedisRunStore(connection, options.StorePrefix), pool);
        });
        IHost host = builder.Build();
        try
        {
            await host.StartAsync(cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            host.Dispose();
            throw new InvalidOperationException($"RedisRunCluster: the worker did not start at {advertised}:{siloPort} (gateway {gatewayPort}) in cluster {redis}: {OneLine(e)}", e);
        }
        return host;
    }

    /// <summary>
    /// Connects a submitter to the cluster at <paramref name="redis"/>. At least one worker must be up: the
    /// submitter finds the workers through Redis.
    /// </summary>
    /// <exception cref="InvalidOperationException">Redis cannot be reached, or no worker is up; one line saying which
    /// and how to start a worker.</exception>
    public static async Task<RedisRunClusterClient> ConnectAsync(RedisClusterAddress redis, RedisClusterOptions? options = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(redis);
        options ??= new RedisClusterOptions();
        IConnectionMultiplexer connection = await Connect(redis).ConfigureAwait(false);
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        options.Logging?.Invoke(builder.Logging);
        builder.UseOrleansClient(client =>
        {
            client.UseRedisClustering(redis.ConnectionString);
            client.Configure<ClusterOptions>(c => { c.ClusterId = options.ClusterId; c.ServiceId = options.ClusterId; });
            var trying = System.Diagnostics.Stopwatch.StartNew();
            client.UseConnectionRetryFilter(async (_, token) =>
            {
                if (trying.Elapsed >= options.ConnectTimeout) return false;
                await Task.Delay(500, token).ConfigureAwait(false);
                return true;
            });
        });
        IHost host = builder.Build();
        try
        {
            await host.StartAsync(cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            host.Dispose();
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"RedisRunCluster: no worker of cluster '{options.ClusterId}' answers through {redis} " +
                $"(start one with: reproduce worker --cluster {redis}): {OneLine(e)}", e);
        }
        return new RedisRunClusterClient(host, connection, new RedisRunStore(connection, options.StorePrefix));
    }

    private static async Task<IConnectionMultiplexer> Connect(RedisClusterAddress redis)
    {
        try
        {
            return await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString).ConfigureAwait(false);
        }
        catch (RedisConnectionException e)
        {
            throw new InvalidOperationException($"RedisRunCluster: cannot reach Redis at {redis} (is redis-server running? apt-get install redis-server): {OneLine(e)}", e);
        }
    }

    private static IPAddress DefaultAddress(RedisClusterAddress redis)
    {
        bool local = redis.Host is "localhost" || (IPAddress.TryParse(redis.Host, out IPAddress? ip) && IPAddress.IsLoopback(ip));
        if (local) return IPAddress.Loopback;
        foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.OperationalStatus != OperationalStatus.Up || nic.NetworkInterfaceType == NetworkInterfaceType.Loopback) continue;
            foreach (UnicastIPAddressInformation a in nic.GetIPProperties().UnicastAddresses)
                if (a.Address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a.Address))
                    return a.Address;
        }
        return IPAddress.Loopback;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string OneLine(Exception e) => e.GetBaseException().Message.ReplaceLineEndings(" ");
}

/// <summary>A submitter's connection to a Redis-backed cluster (see <see cref="RedisRunCluster.ConnectAsync"/>).</summary>
public sealed class RedisRunClusterClient : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly IConnectionMultiplexer _connection;

    internal RedisRunClusterClient(IHost host, IConnectionMultiplexer connection, RedisRunStore store)
    {
        _host = host;
        _connection = connection;
        Store = store;
        Client = host.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>The Orleans client.</summary>
    public IClusterClient Client { get; }

    /// <summary>The cluster's shared result store (where the workers keep results).</summary>
    public RedisRunStore Store { get; }

    /// <summary>An executor that sends runs to the cluster and keeps every result also in <paramref name="submitterStore"/>
    /// (a local store, so a restarted submitter asks the cluster only for what it lacks).</summary>
    public ClusterRunExecutor CreateExecutor(IRunStore submitterStore, ClusterRunOptions? options = null) =>
        new(Client, submitterStore, options);

    /// <summary>The workers (silos) the cluster counts as active now.</summary>
    public async Task<int> CountWorkersAsync()
    {
        Dictionary<SiloAddress, SiloStatus> hosts = await Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).ConfigureAwait(false);
        return hosts.Count;
    }

    /// <summary>Stops the client and closes the Redis connection.</summary>
    public async ValueTask DisposeAsync()
    {
        try { await _host.StopAsync().ConfigureAwait(false); }
        finally
        {
            _host.Dispose();
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
