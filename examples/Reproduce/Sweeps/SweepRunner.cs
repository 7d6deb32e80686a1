using System.Diagnostics;
using System.Globalization;
using Probabilistic.Plots;
using Probabilistic.Reproduce.Experiments;
using Probabilistic.Reproduce.Results;
using Probabilistic.Reproduce.Running;
using Probabilistic.Sweep;

namespace Probabilistic.Reproduce.Sweeps;

/// <summary>
/// Runs a checked sweep through the executor that <see cref="RunExecution"/> chooses (one run per setting and seed,
/// stored under <c>&lt;out&gt;/.runs/</c>, so a repeated sweep re-runs nothing) and writes
/// <c>&lt;out&gt;/sweep-&lt;experiment&gt;/</c>: <c>result.json</c> (with the provenance of the runs), <c>sweep.csv</c>
/// (one row per setting: each parameter, the runs, the metric's mean and sd, the other metrics' means),
/// <c>heatmap.png</c> of the metric's mean when exactly two parameters vary over a full grid, and the best setting
/// (printed, and in result.json's config).
/// </summary>
public sealed class SweepRunner(TextWriter output, TextWriter log)
{
    /// <summary>Runs <paramref name="plan"/>; returns the exit code (1 when a run failed: it is listed and the rest written).</summary>
    /// <param name="plan">The checked sweep.</param>
    /// <param name="options">Where the runs happen and are stored.</param>
    /// <param name="fashionMnistDirectory">The FashionMNIST folder (<c>--fashion-mnist</c>), or null for the default.</param>
    /// <param name="cancellation">Ctrl+C.</param>
    public int Run(SweepPlan plan, ExecutionOptions options, string? fashionMnistDirectory, CancellationToken cancellation)
    {
        string name = "sweep-" + plan.Sweepable.Name;
        var data = new DataCatalog(fashionMnistDirectory, null);
        var problems = RunPreflight.Check(new RunOptions(plan.Quick, null, options.OutDirectory, fashionMnistDirectory, null), [name], data);
        if (problems.Count > 0)
        {
            foreach (string problem in problems) log.WriteLine($"reproduce: {problem}");
            return ExitCodes.Usage;
        }
        RunEnvironment environment = RunEnvironment.Capture();
        using ProgressDisplay display = ProgressDisplay.Create(log, output);
        TextWriter status = display.Log; // status lines, above a live table when there is one
        RunService? service = null;
        var bodies = RunBodies.All(ExperimentRegistry.All, data, status, () => service!);
        using RunExecution? execution = RunExecution.CreateOrReport(options, bodies, status);
        if (execution is null) return ExitCodes.RunFailed;
        service = new RunService(execution.Executor, execution.Commit, display);

        var requests = new List<RunRequest>();
        foreach (var setting in plan.Settings)
            foreach (ulong seed in plan.Seeds)
                requests.Add(plan.Sweepable.Request(service, setting, plan.Quick, seed));
        status.WriteLine($"[{name}] {plan.Settings.Count} settings × {plan.Seeds.Count} seeds = {requests.Count} runs of {requests[0].Experiment}, {execution.Parallelism} at once in {execution.Where}; store {execution.Files.Folder}");
        DateTime started = DateTime.UtcNow;
        var watch = Stopwatch.StartNew();
        SweepProgress? last = null;
        var progress = new Tee(display.For(requests[0].Experiment), p => last = p);
        IReadOnlyList<RunResult> results;
        try
        {
            results = execution.Executor.ExecuteAsync(requests, progress, cancellation).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return ExitCodes.Cancelled;
        }
        watch.Stop();
        display.Dispose(); // the table's last state stays; what follows is printed below it

        var result = new ExperimentResult();
        SweepMetric metric = plan.Metric;
        var parameters = plan.Sweepable.Parameters;
        var others = plan.Sweepable.Metrics.Where(m => m != metric).ToList();
        var table = result.AddTable("sweep", $"Sweep of {plan.Sweepable.Name}: {metric.Name} mean ± sd over {plan.Seeds.Count} seed(s) per setting ({(metric.HigherIsBetter ? "higher" : "lower")} is better)",
            [.. parameters.Select(p => p.Name), "runs", "failed", $"{metric.Name} mean", $"{metric.Name} sd", .. others.Select(m => $"{m.Name} mean")]);
        var means = new double[plan.Settings.Count];
        var sds = new double[plan.Settings.Count];
        var counts = new int[plan.Settings.Count];
        int failed = 0;
        for (int s = 0; s < plan.Settings.Count; s++)
        {
            var runs = results.Skip(s * plan.Seeds.Count).Take(plan.Seeds.Count).ToList();
            var metrics = new List<IReadOnlyDictionary<string, double>>();
            foreach (RunResult run in runs)
            {
                if (run.Status == RunStatus.Succeeded) metrics.Add(plan.Sweepable.ReadMetrics(run.Payload!));
                else
                {
                    failed++;
                    result.Errors.Add($"run {run.Request} failed after {run.Attempts} attempt(s): {RunPreflight.OneLine((run.Error ?? "").Split('\n')[0])}");
                }
            }
            var values = metrics.Select(m => m[metric.Name]).ToList();
            counts[s] = metrics.Count;
            means[s] = values.Count > 0 ? values.Average() : double.NaN;
            sds[s] = values.Count > 0 ? SeedStatistics.StandardDeviation(values) : double.NaN;
            table.AddRow([.. parameters.Select(p => (object?)Cell(p, plan.Settings[s][p.Name])), metrics.Count, runs.Count - metrics.Count,
                Finite(means[s]), Finite(sds[s]), .. others.Select(m => (object?)Finite(metrics.Count > 0 ? metrics.Average(x => x[m.Name]) : double.NaN))]);
        }

        int best = -1;
        for (int s = 0; s < means.Length; s++)
            if (double.IsFinite(means[s]) && (best < 0 || (metric.HigherIsBetter ? means[s] > means[best] : means[s] < means[best]))) best = s;
        string bestLine = best < 0
            ? "best: none (no setting has a finite metric)"
            : $"best: {string.Join(", ", plan.Varied.Select(v => $"{v}={plan.Settings[best][v]}"))}: {metric.Name} {means[best].ToString("G5", CultureInfo.InvariantCulture)} ± {sds[best].ToString("G3", CultureInfo.InvariantCulture)} over {counts[best]} run(s)";
        result.Notes.Add(bestLine);

        result.Config["experiment"] = plan.Sweepable.Name;
        result.Config["body"] = requests[0].Experiment;
        result.Config["metric"] = metric.Name;
        result.Config["higher_is_better"] = metric.HigherIsBetter;
        result.Config["varied"] = plan.Varied.ToList();
        result.Config["random_seed"] = SweepPlan.RandomSeed;
        result.Config["defaults"] = parameters.ToDictionary(p => p.Name, p => (object?)(plan.Quick ? p.QuickDefault : p.Default));
        result.Config["settings"] = plan.Settings.Count;
        result.Config["best"] = best < 0 ? null : new Dictionary<string, object?>
        {
            ["setting"] = parameters.ToDictionary(p => p.Name, p => (object?)plan.Settings[best][p.Name]),
            ["mean"] = means[best], ["sd"] = sds[best], ["runs"] = counts[best],
        };
        if (HeatMap(plan, means) is { } figure) result.Figures["heatmap"] = figure;
        else result.Notes.Add($"no heat map: it needs exactly two varied parameters over a full grid (varied: {(plan.Varied.Count == 0 ? "none" : string.Join(", ", plan.Varied))}).");

        string outcome = failed == 0 ? "ok" : "failed";
        output.WriteLine($"== {name}: {plan.Sweepable.Description} ==");
        TableFormatter.Print(table, output);
        output.WriteLine(bestLine);
        foreach (string e in result.Errors) output.WriteLine($"ERROR: {e}");
        var record = new RunRecord(name, plan.Sweepable.Description, outcome, failed == 0 ? null : $"{failed} run(s) failed", started,
            watch.Elapsed.TotalSeconds, plan.Quick, plan.Seeds, new Dictionary<string, string> { ["fashion_mnist"] = data.FashionMnistDirectory },
            [new("runs", watch.Elapsed.TotalSeconds)], environment, result)
        {
            Provenance = new Dictionary<string, object?>
            {
                ["code_version"] = execution.Commit, ["store"] = execution.Files.Folder, ["runs"] = requests.Count,
                ["reused"] = last?.Reused ?? 0, ["ran"] = (last?.Done ?? 0) - (last?.Reused ?? 0), ["failed"] = failed,
                ["keys"] = requests.Select(r => r.Key.Hex).ToList(),
            },
        };
        try
        {
            string folder = ResultsWriter.Write(options.OutDirectory, record);
            log.WriteLine($"[{name}] {outcome} in {watch.Elapsed.TotalSeconds:F2} s; results in {folder}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.WriteLine($"[{name}] results NOT written: {RunPreflight.OneLine(e.Message)}");
            return ExitCodes.RunFailed;
        }
        return failed == 0 ? ExitCodes.Ok : ExitCodes.RunFailed;
    }

    /// <summary>The heat map of the metric's mean over the two varied parameters (rows: the first, columns: the
    /// second), or null unless exactly two vary and every pair of their values is a setting.</summary>
    public static Figure? HeatMap(SweepPlan plan, IReadOnlyList<double> means)
    {
        if (plan.Varied.Count != 2) return null;
        string rowName = plan.Varied[0], columnName = plan.Varied[1];
        var rows = plan.Settings.Select(s => s[rowName]).Distinct().ToList();
        var columns = plan.Settings.Select(s => s[columnName]).Distinct().ToList();
        if (rows.Count * columns.Count != plan.Settings.Count) return null;
        var z = new double[rows.Count, columns.Count];
        var filled = new bool[rows.Count, columns.Count];
        for (int s = 0; s < plan.Settings.Count; s++)
        {
            int r = rows.IndexOf(plan.Settings[s][rowName]), c = columns.IndexOf(plan.Settings[s][columnName]);
            if (filled[r, c]) return null;
            filled[r, c] = true;
            z[r, c] = means[s];
        }
        var finite = means.Where(double.IsFinite).ToList();
        if (finite.Count == 0) return null;
        var figure = new Figure($"{plan.Sweepable.Name}: mean {plan.Metric.Name}, {plan.Seeds.Count} seed(s)", Math.Max(760, 200 + 90 * columns.Count), Math.Max(440, 200 + 70 * rows.Count));
        figure.Axes(xLabel: columnName, yLabel: rowName).HeatMap(z, [.. columns], [.. rows], min: finite.Min(), max: finite.Max(),
            annotate: "G4", colorbarLabel: plan.Metric.Name);
        return figure;
    }

    private static object Cell(SweepParameter parameter, string value) => parameter.Kind switch
    {
        SweepValueKind.Real => double.Parse(value, CultureInfo.InvariantCulture),
        SweepValueKind.Integer => int.Parse(value, CultureInfo.InvariantCulture),
        _ => value,
    };

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    private sealed class Tee(IProgress<SweepProgress> first, Action<SweepProgress> second) : IProgress<SweepProgress>
    {
        public void Report(SweepProgress value)
        {
            first.Report(value);
            second(value);
        }
    }
}
