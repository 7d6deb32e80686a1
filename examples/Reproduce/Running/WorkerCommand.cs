using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Probabilistic.Nn.Data;
using Probabilistic.Reproduce.Experiments;
using Probabilistic.Sweep;
using Probabilistic.Sweep.Cluster;
using Probabilistic.Sweep.Redis;

namespace Probabilistic.Reproduce.Running;

/// <summary>
/// <c>worker --cluster redis://HOST:PORT [--jobs N] [--name NAME] [--fashion-mnist DIR] [--mnist DIR]</c>: makes this
/// process a worker of a cluster (an Orleans silo whose membership and results live in the Redis server) that takes
/// the runs submitted with <c>run … --cluster</c> or <c>sweep … --cluster</c>: whole experiments, and the students that
/// sweeps and searches split off. It runs until Ctrl+C; a worker stopped or killed mid-run has its runs retried on
/// the others. It takes only runs made at its own code version (commit, plus a hash of uncommitted changes). The runs an
/// experiment splits into (its students, one seed × one configuration each) go back to the cluster, so they spread
/// over every worker.
/// </summary>
public static class WorkerCommand
{
    /// <summary>The <c>worker</c> command over <paramref name="experiments"/>, with the given <c>--cluster</c> option.</summary>
    public static Command Create(IReadOnlyList<IExperiment> experiments, Option<string?> cluster)
    {
        var jobs = new Option<int>("--jobs")
        {
            Description = "Runs at once on this worker (and the pool for the runs an experiment splits into) [default: 1].",
            HelpName = "N",
            DefaultValueFactory = _ => 1,
        };
        jobs.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && (!int.TryParse(result.Tokens[0].Value, out int n) || n < 1))
                result.AddError($"--jobs must be a whole number from 1 to {int.MaxValue} (got '{result.Tokens[0].Value}').");
        });
        var name = new Option<string>("--name")
        {
            Description = "This worker's name in the results [default: the machine's name].",
            HelpName = "NAME",
            DefaultValueFactory = _ => Environment.MachineName,
        };
        var fashionMnist = new Option<string?>("--fashion-mnist") { Description = "This worker's FashionMNIST folder (as for 'run').", HelpName = "DIR" };
        var mnist = new Option<string?>("--mnist") { Description = "This worker's MNIST digits folder (as for 'run').", HelpName = "DIR" };
        var command = new Command("worker", "Take runs from a cluster until Ctrl+C: start one per machine (or several on one), then submit with " +
            "'run NAME --cluster ...' or 'sweep ... --cluster ...'. Exit codes: 0 stopped, 1 could not join the cluster, 2 a usage error.")
        {
            cluster, jobs, name, fashionMnist, mnist,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            TextWriter log = parse.InvocationConfiguration.Error;
            var address = RedisClusterAddress.Parse(parse.GetValue(cluster)!);
            var data = new DataCatalog(parse.GetValue(fashionMnist), parse.GetValue(mnist));
            string version = CodeVersion.Of(DataLocations.FindRepositoryRoot());
            int slots = parse.GetValue(jobs);
            // The runs an experiment splits off go to the whole cluster (this worker's silo asks the grains, as a
            // submitter does), so one experiment's students spread over every worker. The experiment's own run
            // takes no slot ("experiment/" runs coordinate), so waiting for its students never holds one.
            RunService? inner = null;
            RunBodyRegistry bodies = RunBodies.All(experiments, data, log, () => inner!);
            IHost host;
            try
            {
                host = await RedisRunCluster.StartWorkerAsync(address, bodies,
                    new RunPoolOptions { Jobs = slots, Worker = parse.GetValue(name)!, CodeVersion = version, CoordinatorPrefix = ExperimentRuns.Prefix },
                    cancellation: cancellation);
                inner = new RunService(new ClusterRunExecutor(host.Services.GetRequiredService<IGrainFactory>(), new MemoryRunStore()), version);
            }
            catch (InvalidOperationException e)
            {
                log.WriteLine($"reproduce: {RunPreflight.OneLine(e.Message)}");
                return ExitCodes.RunFailed;
            }
            catch (OperationCanceledException)
            {
                log.WriteLine("reproduce: worker cancelled before it joined the cluster");
                return ExitCodes.Cancelled;
            }
            using (host)
            {
                log.WriteLine($"[worker] {parse.GetValue(name)} joined {address} with {slots} job(s) at code version {version}; Ctrl+C stops it");
                // Ctrl+C or SIGTERM: the host's lifetime hears both (it keeps the process alive until stopped), the
                // command line's token Ctrl+C; either ends the wait.
                var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation, lifetime.ApplicationStopping);
                try { await Task.Delay(Timeout.Infinite, stop.Token); }
                catch (OperationCanceledException) { }
                log.WriteLine("[worker] stopping; runs in flight here will be retried by the other workers");
                await host.StopAsync(CancellationToken.None);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
