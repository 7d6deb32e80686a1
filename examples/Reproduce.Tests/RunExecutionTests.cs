using Probabilistic.TestSupport;
using System.Diagnostics;
using System.Security.Cryptography;
using Probabilistic.Distill.Output;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Models;
using Probabilistic.Plots;
using Probabilistic.Reproduce.Experiments;
using Probabilistic.Reproduce.Results;
using Probabilistic.Reproduce.Running;
using Probabilistic.Sweep;

namespace Probabilistic.Reproduce.Tests;

/// <summary>
/// Experiments as runs: the T–λ sweep through runs gives the numbers of the sequential code; <c>--jobs 2</c> writes
/// the same files as <c>--jobs 1</c>; a restarted <c>run all</c> re-runs only what was not stored; an experiment
/// result survives the trip through its run's payload byte for byte; a dirty tree has its own code version.
/// </summary>
public class RunExecutionTests
{
    private static readonly double[] Temperatures = [1, 4];
    private static readonly double[] Lambdas = [0, 0.5];
    private const int Epochs = 2;

    private static async Task<(int Code, string Output, string[] Errors)> Cli(IReadOnlyList<IExperiment> experiments, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await ReproduceCli.RunAsync(experiments, args, output, error);
        return (code, output.ToString(), error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>An experiment made of the probabilistic experiment's T–λ sweep section on tiny settings.</summary>
    private sealed class TinySweep(string name) : IExperiment
    {
        public int Runs;
        public string Name => name;
        public string Description => "tiny T–λ sweep";
        public int DefaultSeedCount => 2;

        public ExperimentResult Run(ExperimentContext context)
        {
            Interlocked.Increment(ref Runs);
            var result = new ExperimentResult();
            result.Config["plan"] = new Dictionary<string, object?> { ["epochs"] = Epochs, ["T"] = Temperatures, ["nothing"] = null, ["x"] = 0.1f };
            ProbabilisticExperiment.TemperatureLambdaSweep(context, result, Temperatures, Lambdas, Epochs, context.Seeds);
            // A small figure of the table's accuracies in place of the section's large one (rendering time).
            result.Figures.Clear();
            var figure = new Figure("accuracy", 240, 160);
            figure.Axes().Line([.. result.Tables[0].Rows.Select(r => (double)r[7]!)], "accuracy");
            result.Figures["sweep_accuracy"] = figure;
            result.Notes.Add("a note");
            return result;
        }
    }

    [Fact]
    public void The_sweep_section_through_runs_gives_the_numbers_of_the_sequential_code()
    {
        var data = new DataCatalog(null, null);
        var bodies = RunBodies.Students(new RunBodyRegistry(), data);
        var context = new ExperimentContext("probabilistic", true, [0UL, 1UL], data, TextWriter.Null, CancellationToken.None, RunService.InProcess(bodies, jobs: 2));
        var result = new ExperimentResult();
        ProbabilisticExperiment.TemperatureLambdaSweep(context, result, Temperatures, Lambdas, Epochs, context.Seeds);
        var rows = result.Tables.Single(t => t.Name == "sweep").Rows;

        // The sequential code, as it was: per T, the soft labels; per λ, the students of every seed, one after another.
        var set = data.SyntheticClassification;
        int row = 0;
        foreach (double t in Temperatures)
        {
            float[] soft = set.SoftLabels(set.Train, t);
            foreach (double lambda in Lambdas)
            {
                var settings = new DistillationSettings(lambda, TeacherTemperature: t, StudentTemperature: 1) { IncludeNormalizer = false };
                var runs = new ulong[] { 0, 1 }.Select(seed => ProbabilisticExperiments.TrainStudent(set.Train, set.Test, rng => Zoo.Logistic(rng, 10, 3),
                    "probabilistic-paper", settings, soft, ProbabilisticExperiments.All(set.Train.Count), Epochs, seed)).ToList();
                foreach (int obj in new[] { 4, 8, 16 })
                {
                    object?[] cells = rows[row++];
                    Assert.Equal(t, cells[0]);
                    Assert.Equal(lambda, cells[1]);
                    Assert.Equal(obj, cells[2]);
                    for (int c = 0; c < 3; c++) Assert.Equal((double)runs.Average(r => r.TestProbabilities[obj * 3 + c]), cells[4 + c]);
                    Assert.Equal(runs.Average(r => r.Metrics.Accuracy), cells[7]);
                    Assert.Equal(runs.Average(r => r.Metrics.CrossEntropy), cells[8]);
                }
            }
        }
        Assert.Equal(rows.Count, row);
    }

    [Fact]
    [Trait(Category.Name, Category.Slow)] // two in-process runs of two experiments, 16 students: about 2 s here
    public async Task Run_all_with_two_jobs_writes_the_same_files_as_with_one()
    {
        using var one = new SweepCommandTests.TempFolder();
        using var two = new SweepCommandTests.TempFolder();
        var a = await Cli([new TinySweep("first"), new TinySweep("second")], "run", "all", "--jobs", "1", "--out", one.Path);
        var b = await Cli([new TinySweep("first"), new TinySweep("second")], "run", "all", "--jobs", "2", "--out", two.Path);
        Assert.Equal(ExitCodes.Ok, a.Code);
        Assert.Equal(ExitCodes.Ok, b.Code);
        Assert.Equal(a.Output, b.Output); // the printed tables, in the experiments' order
        foreach (string name in new[] { "first", "second" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(one.Path, name, "sweep.csv")), File.ReadAllBytes(Path.Combine(two.Path, name, "sweep.csv")));
            Assert.Equal(File.ReadAllBytes(Path.Combine(one.Path, name, "sweep_accuracy.png")), File.ReadAllBytes(Path.Combine(two.Path, name, "sweep_accuracy.png")));
        }
        Assert.Contains("[runs experiments] 2/2 done (0 stored), 0 running, 0 failed", string.Join('\n', b.Errors));
    }

    [Fact]
    public async Task A_restarted_run_all_reruns_only_the_experiments_not_stored_and_rerun_runs_them_again()
    {
        using var temp = new SweepCommandTests.TempFolder();
        var first = new TinySweep("first");
        var second = new TinySweep("second");
        // As if a "run all" had been killed after the first experiment: only that one is stored.
        Assert.Equal(ExitCodes.Ok, (await Cli([first, second], "run", "first", "--out", temp.Path)).Code);
        string csv = File.ReadAllText(Path.Combine(temp.Path, "first", "sweep.csv"));
        var restarted = await Cli([first, second], "run", "all", "--out", temp.Path);
        Assert.Equal(ExitCodes.Ok, restarted.Code);
        Assert.Equal((1, 1), (first.Runs, second.Runs));
        Assert.Contains(restarted.Errors, l => l.StartsWith("[first] reused the stored result of run", StringComparison.Ordinal));
        Assert.Equal(csv, File.ReadAllText(Path.Combine(temp.Path, "first", "sweep.csv")));
        Assert.Contains("\"reused_from_store\": true", File.ReadAllText(Path.Combine(temp.Path, "first", "result.json")));
        // Store: 2 experiment runs and the 2 × 2 × 2 students each (their keys do not depend on the experiment's name).
        Assert.Equal(2 + 8, Directory.GetFiles(RunExecution.StoreFolder(temp.Path), "*.json").Length);

        Assert.Equal(ExitCodes.Ok, (await Cli([first, second], "run", "all", "--rerun", "--out", temp.Path)).Code);
        Assert.Equal((2, 2), (first.Runs, second.Runs));
    }

    [Fact]
    public void An_experiment_result_survives_its_payload_byte_for_byte()
    {
        var result = new ExperimentResult();
        result.Config["nested"] = new Dictionary<string, object?> { ["a"] = 1, ["b"] = new[] { 0.1, 2.5e-300 }, ["c"] = null, ["d"] = double.NaN, ["f"] = 0.1f };
        result.Config["text"] = "λ ≥ 0, \"quoted\"";
        result.Notes.Add("note");
        result.Errors.Add("problem");
        result.AddTable("t", "title", "s", "i", "l", "u", "d", "f", "b", "n")
            .AddRow("x,y", 3, 4L, 5UL, 0.1 + 0.2, 0.1f, true, null);
        result.Tables[0].AddRow("", -1, long.MinValue, ulong.MaxValue, double.NaN, float.PositiveInfinity, false, null);
        var figure = new Figure("f", 200, 150);
        figure.Axes().Line([1.0, 2, 3], "y");
        result.Figures["plot"] = figure;
        var timings = new List<KeyValuePair<string, double>> { new("phase", 1.25) };
        var started = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var environment = new RunEnvironment("abc", false, ".NET", "Linux", null, 2, "X64");
        RunRecord Record(ExperimentResult r, IReadOnlyList<KeyValuePair<string, double>> t) =>
            new("e", "desc", "failed", "problem", started, 1.5, true, [0UL], new Dictionary<string, string>(), t, environment, r);

        ExperimentOutcome back = ExperimentPayload.Read(ExperimentPayload.Write(new ExperimentOutcome("failed", "problem", started, 1.5, timings, result)));
        Assert.Equal(("failed", "problem", started, 1.5), (back.Status, back.Error, back.StartedUtc, back.Seconds));
        Assert.Equal(ResultsWriter.Json(Record(result, timings)), ResultsWriter.Json(Record(back.Result, back.Timings)));
        Assert.Equal(ResultsWriter.Csv(result.Tables[0]), ResultsWriter.Csv(back.Result.Tables[0]));
        Assert.Equal(figure.ToPng(), back.Result.RenderedFigures["plot"].Png);
        Assert.Equal(figure.ToSvg(), back.Result.RenderedFigures["plot"].Svg);
        var printed = new StringWriter();
        var printedBack = new StringWriter();
        TableFormatter.Print(result.Tables[0], printed);
        TableFormatter.Print(back.Result.Tables[0], printedBack);
        Assert.Equal(printed.ToString(), printedBack.ToString());
    }

    [Fact]
    public void A_dirty_tree_has_its_own_code_version_and_so_its_own_run_keys()
    {
        using var temp = new SweepCommandTests.TempFolder();
        string Git(string arguments)
        {
            var start = new ProcessStartInfo("git", arguments) { WorkingDirectory = temp.Path, RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(start)!;
            var stdout = new MemoryStream();
            p.StandardOutput.BaseStream.CopyTo(stdout);
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"git {arguments} failed: {p.StandardError.ReadToEnd()}");
            return System.Text.Encoding.UTF8.GetString(stdout.ToArray());
        }
        Git("init -q");
        File.WriteAllText(Path.Combine(temp.Path, "code.txt"), "one\n");
        Git("add code.txt");
        Git("-c user.name=t -c user.email=t@t -c commit.gpgsign=false commit -q -m one");
        string head = Git("rev-parse HEAD").Trim();
        string clean = CodeVersion.Of(temp.Path);
        Assert.Equal(head, clean);

        File.WriteAllText(Path.Combine(temp.Path, "code.txt"), "two\n");
        string diff = Git("diff HEAD");
        string dirty = CodeVersion.Of(temp.Path);
        Assert.Equal($"{head}+dirty-{Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(diff)))}", dirty);
        File.WriteAllText(Path.Combine(temp.Path, "code.txt"), "three\n");
        Assert.NotEqual(dirty, CodeVersion.Of(temp.Path)); // another dirty state, another version

        RunRequest Request(string commit) => new("probabilistic/student", [new("T", "1")], 0, commit);
        Assert.NotEqual(Request(clean).Key, Request(dirty).Key);
    }
}

/// <summary>Which stored results a command reuses.</summary>
public class ReusePolicyStoreTests
{
    private static RunResult Result(string experiment, RunStatus status, string? payload) =>
        new(new RunRequest(experiment, [new("x", "1")], 0, "c"), status, payload, status == RunStatus.Failed ? "boom" : null, 1, "w",
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task Failed_runs_and_failed_experiments_are_run_again_and_rerun_ignores_what_was_stored_before()
    {
        using var temp = new SweepCommandTests.TempFolder();
        var files = new FileRunStore(temp.Path);
        var ok = Result("probabilistic/student", RunStatus.Succeeded, "{\"accuracy\":1}");
        var failedRun = Result("vid/student", RunStatus.Failed, null);
        var failedExperiment = Result("experiment/data", RunStatus.Succeeded, "{\"status\":\"failed\"}");
        var okExperiment = Result("experiment/vid", RunStatus.Succeeded, "{\"status\":\"ok\"}");
        foreach (var r in new[] { ok, failedRun, failedExperiment, okExperiment }) await files.SaveAsync(r);

        var normal = new ReusePolicyStore(files, rerun: false);
        Assert.Equal(ok.Payload, (await normal.TryGetAsync(ok.Key))?.Payload);
        Assert.Equal(okExperiment.Payload, (await normal.TryGetAsync(okExperiment.Key))?.Payload);
        Assert.Null(await normal.TryGetAsync(failedRun.Key));
        Assert.Null(await normal.TryGetAsync(failedExperiment.Key));

        var rerun = new ReusePolicyStore(files, rerun: true);
        Assert.Null(await rerun.TryGetAsync(ok.Key));
        await rerun.SaveAsync(ok); // stored by this process: reused from now on
        Assert.Equal(ok.Payload, (await rerun.TryGetAsync(ok.Key))?.Payload);
        Assert.Null(await rerun.TryGetAsync(okExperiment.Key));
    }
}
