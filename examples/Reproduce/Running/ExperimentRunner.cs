using Probabilistic.Reproduce.Experiments;
using Probabilistic.Reproduce.Results;
using Probabilistic.Sweep;

namespace Probabilistic.Reproduce.Running;

/// <summary>
/// Runs experiments: checks the options first (<see cref="RunPreflight"/>), then submits each experiment as a run
/// (<see cref="ExperimentRuns"/>) to the executor <see cref="RunExecution"/> chooses, <c>--jobs</c> at once, and, in
/// the experiments' order, prints each one's tables to standard output and writes its results files, keeping going
/// when one fails or its results cannot be written (what was written before stays). A result already in the run
/// store (same experiment, settings and code version) is reused, not run again. Exit codes: see <see cref="ExitCodes"/>.
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
        DateTimeOffset began = DateTimeOffset.UtcNow;
        using ProgressDisplay display = ProgressDisplay.Create(log, output);
        TextWriter tables = display.Output;
        TextWriter status = display.Log; // status lines, above a live table when there is one
        RunService? service = null;
        RunBodyRegistry bodies = RunBodies.All(experiments, data, status, () => service!);
        using RunExecution? execution = RunExecution.CreateOrReport(options.Execution, bodies, status);
        if (execution is null) return ExitCodes.RunFailed;
        service = new RunService(execution.Executor, execution.Commit, display);
        if (options.Cluster is not null) status.WriteLine($"runs go to {execution.Where}");

        // The experiments start in order, --jobs of them at a time; their results are reported in order.
        var submitted = new List<(IExperiment Experiment, int Seeds, RunRequest Request, IProgress<SweepProgress> Progress, TaskCompletionSource<RunResult> Done)>();
        foreach (IExperiment experiment in experiments)
        {
            int seedCount = options.SeedCount ?? experiment.DefaultSeedCount;
            IProgress<SweepProgress> progress = display.For("experiments");
            progress.Report(new SweepProgress(1, 0, 0, 0, 0, TimeSpan.Zero, null));
            submitted.Add((experiment, seedCount, ExperimentRuns.Request(service, experiment.Name, options.Quick, seedCount), progress,
                new TaskCompletionSource<RunResult>(TaskCreationOptions.RunContinuationsAsynchronously)));
        }
        int next = -1;
        async Task Worker()
        {
            for (int i = Interlocked.Increment(ref next); i < submitted.Count; i = Interlocked.Increment(ref next))
            {
                var (_, _, request, progress, done) = submitted[i];
                try { done.SetResult((await execution.Executor.ExecuteAsync([request], progress, cancellation).ConfigureAwait(false))[0]); }
                catch (OperationCanceledException e) { done.SetCanceled(e.CancellationToken); }
                catch (Exception e) { done.SetException(e); }
            }
        }
        Task workers = Task.WhenAll(Enumerable.Range(0, Math.Min(execution.Parallelism, Math.Max(1, submitted.Count))).Select(_ => Task.Run(Worker, CancellationToken.None)));

        var failed = new List<string>();
        foreach (var (experiment, seedCount, _, _, done) in submitted)
        {
            RunResult run;
            try { run = done.Task.GetAwaiter().GetResult(); }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested) { return ExitCodes.Cancelled; }
            var (outcome, written) = Report(status, tables, experiment, seedCount, run, options, data, environment, execution, began);
            if (outcome != "ok" || !written) failed.Add(experiment.Name);
        }
        workers.GetAwaiter().GetResult();
        display.Dispose(); // the last state of the table stays above the closing line
        if (failed.Count > 0) log.WriteLine($"reproduce: failed: {string.Join(", ", failed)}");
        return failed.Count == 0 ? ExitCodes.Ok : ExitCodes.RunFailed;
    }

    /// <summary>Prints an experiment run's tables and writes its results; Written is false when they could not be written.</summary>
    private (string Status, bool Written) Report(TextWriter log, TextWriter print, IExperiment experiment, int seedCount, RunResult run, RunOptions options, DataCatalog data,
        RunEnvironment environment, RunExecution execution, DateTimeOffset began)
    {
        ExperimentOutcome outcome = run.Status == RunStatus.Succeeded
            ? ExperimentPayload.Read(run.Payload!)
            : new ExperimentOutcome("failed", RunPreflight.OneLine((run.Error ?? "").Split('\n')[0]), run.StartedAt.UtcDateTime,
                run.Duration.TotalSeconds, [], new ExperimentResult());
        bool reused = run.EndedAt < began;
        if (reused) log.WriteLine($"[{experiment.Name}] reused the stored result of run {run.Key.Hex[..12]} (ran on {run.Worker}, ended {run.EndedAt:u}); --rerun runs it again");
        if (run.Status != RunStatus.Succeeded) log.WriteLine($"[{experiment.Name}] FAILED: {outcome.Error}");

        ExperimentResult result = outcome.Result;
        print.WriteLine($"== {experiment.Name}: {experiment.Description} ==");
        foreach (ResultTable table in result.Tables) TableFormatter.Print(table, print);
        foreach (string note in result.Notes) print.WriteLine($"note: {note}");
        foreach (string problem in result.Errors) print.WriteLine($"ERROR: {problem}");
        if (result.Notes.Count + result.Errors.Count > 0) print.WriteLine();

        var record = new RunRecord(
            experiment.Name, experiment.Description, outcome.Status, outcome.Error, outcome.StartedUtc, outcome.Seconds,
            options.Quick, [.. Enumerable.Range(0, seedCount).Select(s => (ulong)s)],
            new Dictionary<string, string> { ["fashion_mnist"] = data.FashionMnistDirectory, ["mnist"] = data.MnistDirectory },
            outcome.Timings, environment, result)
        {
            Provenance = new Dictionary<string, object?>
            {
                ["code_version"] = execution.Commit, ["run_key"] = run.Key.Hex, ["worker"] = run.Worker, ["attempts"] = run.Attempts,
                ["reused_from_store"] = reused, ["store"] = execution.Files.Folder,
            },
        };
        try
        {
            string folder = ResultsWriter.Write(options.OutDirectory, record);
            log.WriteLine($"[{experiment.Name}] {outcome.Status} in {outcome.Seconds:F2} s; results in {folder}");
            return (outcome.Status, true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The tables are on standard output already; the other experiments' files are untouched.
            log.WriteLine($"[{experiment.Name}] {outcome.Status} in {outcome.Seconds:F2} s; results NOT written: {RunPreflight.OneLine(e.Message)}");
            return (outcome.Status, false);
        }
    }
}
