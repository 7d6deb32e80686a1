using System.Diagnostics;
using Probabilistic.Reproduce.Experiments;
using Probabilistic.Reproduce.Results;

namespace Probabilistic.Reproduce.Running;

/// <summary>
/// Runs experiments one after another: gives each a context, times it, prints its tables to standard output,
/// writes its results files, and keeps going when one fails. Exit code 0 when none failed, 1 otherwise,
/// 130 when cancelled.
/// </summary>
public sealed class ExperimentRunner(TextWriter output, TextWriter log)
{
    /// <summary>Runs <paramref name="experiments"/> with <paramref name="options"/>; returns the process exit code.</summary>
    public int Run(IReadOnlyList<IExperiment> experiments, RunOptions options, CancellationToken cancellation)
    {
        var data = new DataCatalog(options.FashionMnistDirectory, options.MnistDirectory);
        RunEnvironment environment = RunEnvironment.Capture();
        var failed = new List<string>();
        foreach (IExperiment experiment in experiments)
        {
            if (cancellation.IsCancellationRequested) return 130;
            RunRecord record = RunOne(experiment, options, data, environment, cancellation);
            if (record.Status == "cancelled") return 130;
            if (record.Status != "ok") failed.Add(experiment.Name);
        }
        if (failed.Count > 0) log.WriteLine($"failed: {string.Join(", ", failed)}");
        return failed.Count == 0 ? 0 : 1;
    }

    private RunRecord RunOne(IExperiment experiment, RunOptions options, DataCatalog data, RunEnvironment environment, CancellationToken cancellation)
    {
        int seedCount = options.SeedCount ?? experiment.DefaultSeedCount;
        ulong[] seeds = Enumerable.Range(0, seedCount).Select(s => (ulong)s).ToArray();
        var context = new ExperimentContext(experiment.Name, options.Quick, seeds, data, log, cancellation);
        DateTime started = DateTime.UtcNow;
        var watch = Stopwatch.StartNew();
        context.Status($"running: {experiment.Description}{(options.Quick ? " (quick)" : "")}");

        ExperimentResult result;
        string status = "ok";
        string? error = null;
        try
        {
            result = experiment.Run(context);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            result = new ExperimentResult();
            status = "cancelled";
            error = "cancelled by the user";
        }
        catch (Exception e)
        {
            // Report and go on with the next experiment; the results file records the failure.
            result = new ExperimentResult();
            status = "failed";
            error = $"{e.GetType().Name}: {e.Message}";
            log.WriteLine($"[{experiment.Name}] FAILED: {error}");
            log.WriteLine(e.StackTrace);
        }
        watch.Stop();
        if (status == "ok" && result.Errors.Count > 0)
        {
            status = "failed";
            error = string.Join(" | ", result.Errors);
        }

        output.WriteLine($"== {experiment.Name}: {experiment.Description} ==");
        foreach (ResultTable table in result.Tables) TableFormatter.Print(table, output);
        foreach (string note in result.Notes) output.WriteLine($"note: {note}");
        foreach (string problem in result.Errors) output.WriteLine($"ERROR: {problem}");
        if (result.Notes.Count + result.Errors.Count > 0) output.WriteLine();

        var record = new RunRecord(
            experiment.Name, experiment.Description, status, error, started, watch.Elapsed.TotalSeconds,
            options.Quick, seeds,
            new Dictionary<string, string> { ["fashion_mnist"] = data.FashionMnistDirectory, ["mnist"] = data.MnistDirectory },
            context.Timings, environment, result);
        string folder = ResultsWriter.Write(options.OutDirectory, record);
        context.Status($"{status} in {watch.Elapsed.TotalSeconds:F2} s; results in {folder}");
        return record;
    }
}
