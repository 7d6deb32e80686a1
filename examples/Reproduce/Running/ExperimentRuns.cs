using System.Diagnostics;
using System.Globalization;
using Probabilistic.Nn.Data;
using Probabilistic.Reproduce.Experiments;
using Probabilistic.Reproduce.Results;
using Probabilistic.Sweep;

namespace Probabilistic.Reproduce.Running;

/// <summary>
/// An experiment as a run: the request <c>experiment/&lt;name&gt;</c> (settings <c>quick</c> and <c>seeds</c>, the
/// seed count; never a machine's data folders, which each worker takes from its own options) and the body that runs
/// the experiment where the run executes and returns its <see cref="ExperimentOutcome"/> as JSON
/// (<see cref="ExperimentPayload"/>). A failing experiment is not retried: its failure is the run's result.
/// </summary>
public static class ExperimentRuns
{
    /// <summary>The prefix of the experiment runs' body names.</summary>
    public const string Prefix = "experiment/";

    /// <summary>The request that runs <paramref name="experiment"/>.</summary>
    public static RunRequest Request(RunService runs, string experiment, bool quick, int seedCount) =>
        runs.Request(Prefix + experiment, [new("quick", quick ? "true" : "false"), new("seeds", seedCount.ToString(CultureInfo.InvariantCulture))], 0);

    /// <summary>Whether a request runs a whole experiment.</summary>
    public static bool IsExperiment(RunRequest request) => request.Experiment.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Whether an experiment run's result holds an experiment that succeeded.</summary>
    public static bool Succeeded(RunResult result) =>
        result.Status == RunStatus.Succeeded && ExperimentPayload.StatusOf(result.Payload) == "ok";

    /// <summary>Registers the body of every experiment under <c>experiment/&lt;name&gt;</c>.</summary>
    /// <param name="registry">Where to register.</param>
    /// <param name="experiments">The experiments.</param>
    /// <param name="data">This worker's data sets.</param>
    /// <param name="log">This worker's status log.</param>
    /// <param name="runs">The run service the experiments' own runs go through (asked for when a body starts).</param>
    public static RunBodyRegistry Register(RunBodyRegistry registry, IReadOnlyList<IExperiment> experiments, DataCatalog data,
        TextWriter log, Func<RunService> runs)
    {
        foreach (IExperiment experiment in experiments)
            registry.Register(Prefix + experiment.Name, (request, cancellation) => Body(experiment, request, data, log, runs(), cancellation));
        return registry;
    }

    private static string Body(IExperiment experiment, RunRequest request, DataCatalog data, TextWriter log, RunService runs, CancellationToken cancellation)
    {
        bool quick = request["quick"] == "true";
        int seedCount = int.Parse(request["seeds"], CultureInfo.InvariantCulture);
        ulong[] seeds = [.. Enumerable.Range(0, seedCount).Select(s => (ulong)s)];
        var context = new ExperimentContext(experiment.Name, quick, seeds, data, log, cancellation, runs);
        DateTime started = DateTime.UtcNow;
        var watch = Stopwatch.StartNew();
        context.Status($"running: {experiment.Description}{(quick ? " (quick)" : "")}");
        ExperimentResult result;
        string status = "ok";
        string? error = null;
        try
        {
            result = experiment.Run(context);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // Recorded, not retried; the results file records the failure.
            result = new ExperimentResult();
            status = "failed";
            error = $"{e.GetType().Name}: {e.Message}";
            log.WriteLine($"[{experiment.Name}] FAILED: {RunPreflight.OneLine(error)}");
            // A bug deserves its stack trace; a bad file or folder is said in one line.
            if (e is not (DataNotFoundException or DataFormatException or IOException or UnauthorizedAccessException))
                log.WriteLine(e.StackTrace);
        }
        watch.Stop();
        if (status == "ok" && result.Errors.Count > 0)
        {
            status = "failed";
            error = string.Join(" | ", result.Errors);
        }
        return ExperimentPayload.Write(new ExperimentOutcome(status, error, started, watch.Elapsed.TotalSeconds, context.Timings, result));
    }
}

/// <summary>Every run body this program registers: the experiments and the runs they split off.</summary>
public static class RunBodies
{
    /// <summary>A registry with every experiment of <paramref name="experiments"/> and the student bodies.</summary>
    public static RunBodyRegistry All(IReadOnlyList<IExperiment> experiments, DataCatalog data, TextWriter log, Func<RunService> runs) =>
        Students(ExperimentRuns.Register(new RunBodyRegistry(), experiments, data, log, runs), data);

    /// <summary>Registers the bodies that experiments and sweeps split off (<c>probabilistic/student</c>, <c>vid/student</c>).</summary>
    public static RunBodyRegistry Students(RunBodyRegistry registry, DataCatalog data)
    {
        registry.Register(Experiments.ProbabilisticStudentRun.Body, (request, _) => Experiments.ProbabilisticStudentRun.Run(request, data));
        registry.Register(Experiments.FashionStudentRun.Body, (request, _) => Experiments.FashionStudentRun.Run(request, data));
        registry.Register(Experiments.Vid.VidStudentRun.Body, (request, cancellation) => Experiments.Vid.VidStudentRun.Run(request, data, cancellation));
        registry.Register(Experiments.Bayesian.BayesianSeedRuns.SyntheticBody, (request, _) => Experiments.Bayesian.BayesianSeedRuns.RunSynthetic(request));
        registry.Register(Experiments.Bayesian.BayesianSeedRuns.FashionBody, (request, _) => Experiments.Bayesian.BayesianSeedRuns.RunFashion(request, data));
        registry.Register(Experiments.DarkKnowledge.DarkKnowledgeClassification.Body, (request, _) => Experiments.DarkKnowledge.DarkKnowledgeClassification.RunSeed(request, data));
        return registry;
    }
}
