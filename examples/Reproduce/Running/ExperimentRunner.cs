using System.Diagnostics;
using Probabilistic.Nn.Data;
using Probabilistic.Reproduce.Experiments;
using Probabilistic.Reproduce.Results;

namespace Probabilistic.Reproduce.Running;

/// <summary>
/// Runs experiments one after another: checks the options first (<see cref="RunPreflight"/>), then gives each
/// experiment a context, times it, prints its tables to standard output, writes its results files, and keeps going
/// when one fails or its results cannot be written (what was written before stays). Exit codes: see <see cref="ExitCodes"/>.
/// </summary>
public sealed class ExperimentRunner(TextWriter output, TextWriter log)
{
    /// <summary>Runs <paramref name="experiments"/> with <paramref name="options"/>; returns the process exit code.</summary>
    public int Run(IReadOnlyList<IExperiment> experiments, RunOptions options, CancellationToken cancellation)
    {
        var data = new DataCatalog(options.FashionMnistDirectory, options.MnistDirectory);
        IReadOnlyList<string> problems = RunPreflight.Check(options, experiments.Select(e => e.Name), data);
        if (problems.Count > 0)
        {
            foreach (string problem in problems) log.WriteLine($"reproduce: {problem}");
            return ExitCodes.Usage;
        }
        RunEnvironment environment = RunEnvironment.Capture();
        var failed = new List<string>();
        foreach (IExperiment experiment in experiments)
        {
            if (cancellation.IsCancellationRequested) return ExitCodes.Cancelled;
            var (record, written) = RunOne(experiment, options, data, environment, cancellation);
            if (record.Status == "cancelled") return ExitCodes.Cancelled;
            if (record.Status != "ok" || !written) failed.Add(experiment.Name);
        }
        if (failed.Count > 0) log.WriteLine($"reproduce: failed: {string.Join(", ", failed)}");
        return failed.Count == 0 ? ExitCodes.Ok : ExitCodes.RunFailed;
    }

    /// <summary>Runs one experiment and writes its results; Written is false when they could not be written.</summary>
    private (RunRecord Record, bool Written) RunOne(IExperiment experiment, RunOptions options, DataCatalog data, RunEnvironment environment, CancellationToken cancellation)
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
        try
        {
            string folder = ResultsWriter.Write(options.OutDirectory, record);
            context.Status($"{status} in {watch.Elapsed.TotalSeconds:F2} s; results in {folder}");
            return (record, true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The tables are on standard output already; the other experiments' files are untouched.
            context.Status($"{status} in {watch.Elapsed.TotalSeconds:F2} s; results NOT written: {RunPreflight.OneLine(e.Message)}");
            return (record, false);
        }
    }
}
