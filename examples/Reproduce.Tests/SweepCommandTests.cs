using Probabilistic.TestSupport;
using System.Globalization;
using System.Text.Json;
using Probabilistic.Distill.Output;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Models;
using Probabilistic.Plots;
using Probabilistic.Reproduce.Experiments;
using Probabilistic.Reproduce.Running;
using Probabilistic.Reproduce.Sweeps;

namespace Probabilistic.Reproduce.Tests;

/// <summary>
/// <c>reproduce sweep</c> in-process: usage errors in one line with exit 2; a tiny grid of synthetic students whose
/// table, heat map and best setting match students trained directly; a repeated sweep that reuses every stored run,
/// and <c>--rerun</c> that runs them all again.
/// </summary>
public class SweepCommandTests
{
    private static async Task<(int Code, string Output, string[] Errors)> Cli(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await ReproduceCli.RunAsync(ExperimentRegistry.All, args, output, error);
        return (code, output.ToString(), error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Theory]
    [InlineData("unknown sweepable experiment 'probabilistc'; did you mean 'probabilistic'?", "sweep", "probabilistc", "--grid", "T=1,2")]
    [InlineData("unknown parameter 'lamda' of sweep probabilistic; did you mean 'lambda'?", "sweep", "probabilistic", "--grid", "lamda=0,1")]
    [InlineData("unknown parameter 'zzzzzz' of sweep vid. The parameters are preset", "sweep", "vid", "--grid", "zzzzzz=1")]
    [InlineData("--grid 'T' must be NAME=v1,v2,...", "sweep", "probabilistic", "--grid", "T")]
    [InlineData("--grid T= has no values", "sweep", "probabilistic", "--grid", "T=")]
    [InlineData("--grid 'T=1,,2' has an empty value", "sweep", "probabilistic", "--grid", "T=1,,2")]
    [InlineData("--grid T: T takes numbers; 'abc' is not one", "sweep", "probabilistic", "--grid", "T=1,abc")]
    [InlineData("--grid epochs: epochs takes whole numbers; '1.5' is not one", "sweep", "probabilistic", "--grid", "epochs=1.5")]
    [InlineData("--grid epochs: epochs must be at least 1; got 0", "sweep", "probabilistic", "--grid", "epochs=0")]
    [InlineData("method is one of ml, hinton, probabilistic-paper, probabilistic-corrected; got 'hintn'; did you mean 'hinton'?", "sweep", "probabilistic", "--grid", "method=hintn")]
    [InlineData("--grid 'lambda=0.5,0.50' repeats a value", "sweep", "probabilistic", "--grid", "lambda=0.5,0.50")]
    [InlineData("parameter 'T' is swept twice", "sweep", "probabilistic", "--grid", "T=1", "--grid", "T=2")]
    [InlineData("nothing to sweep", "sweep", "probabilistic", "--seeds", "2")]
    [InlineData("unknown metric 'acuracy' of sweep probabilistic; did you mean 'accuracy'?", "sweep", "probabilistic", "--grid", "T=1,2", "--metric", "acuracy")]
    [InlineData("--random needs --trials N", "sweep", "probabilistic", "--random", "lambda=0:1")]
    [InlineData("--trials needs at least one --random", "sweep", "probabilistic", "--grid", "T=1,2", "--trials", "3")]
    [InlineData("the low end 1 is above the high end 0", "sweep", "probabilistic", "--random", "lambda=1:0", "--trials", "2")]
    [InlineData("--random 'lambda=0-1' must be NAME=lo:hi", "sweep", "probabilistic", "--random", "lambda=0-1", "--trials", "2")]
    [InlineData("a choice parameter cannot be drawn from a range", "sweep", "probabilistic", "--random", "method=0:1", "--trials", "2")]
    [InlineData("--jobs must be at least 1 (got 0)", "sweep", "probabilistic", "--grid", "T=1,2", "--jobs", "0")]
    [InlineData("--jobs must be a whole number from 1 to 2147483647 (got 'two')", "sweep", "probabilistic", "--grid", "T=1,2", "--jobs", "two")]
    [InlineData("--seeds must be at least 1 (got -1)", "sweep", "probabilistic", "--grid", "T=1,2", "--seeds", "-1")]
    [InlineData("--jobs must be at least 1 (got 0)", "run", "data", "--jobs", "0")]
    [InlineData("--jobs must be a whole number from 1 to 2147483647 (got 'x')", "run", "data", "--jobs", "x")]
    public async Task Sweep_usage_errors_are_one_line_and_exit_2(string named, params string[] args)
    {
        using var temp = new TempFolder();
        var (code, output, errors) = await Cli([.. args, "--out", temp.Path]);
        Assert.Equal(ExitCodes.Usage, code);
        string line = Assert.Single(errors);
        Assert.StartsWith("reproduce: ", line);
        Assert.Contains(named, line);
        Assert.Equal("", output);
        Assert.False(Directory.Exists(RunExecution.StoreFolder(temp.Path)), "a usage error must run nothing");
    }

    /// <summary>The synthetic student trained directly, as the experiment's sequential code did before runs existed.</summary>
    private static StudentOutcome Direct(double t, double lambda, int epochs, ulong seed)
    {
        var set = SyntheticClassification.Generate();
        var settings = new DistillationSettings(lambda, TeacherTemperature: t, StudentTemperature: 1) { IncludeNormalizer = false };
        return ProbabilisticExperiments.TrainStudent(set.Train, set.Test, rng => Zoo.Logistic(rng, 10, 3), "probabilistic-paper", settings,
            set.SoftLabels(set.Train, t), ProbabilisticExperiments.All(set.Train.Count), epochs, seed);
    }

    [Fact]
    [Trait(Category.Name, Category.Slow)] // a sweep of 8 students and the same 8 trained directly: about 2 s here
    public async Task A_grid_sweep_writes_the_table_heat_map_and_best_of_directly_trained_students()
    {
        using var temp = new TempFolder();
        string[] sweep = ["sweep", "probabilistic", "--grid", "T=1,4", "--grid", "lambda=0.25,0.75", "--grid", "epochs=3", "--seeds", "2",
            "--metric", "ce", "--out", temp.Path];
        var (code, output, errors) = await Cli([.. sweep, "--jobs", "2"]);
        Assert.Equal(ExitCodes.Ok, code);
        string folder = Path.Combine(temp.Path, "sweep-probabilistic");

        // The table: one row per setting, mean and sd of CE over seeds 0 and 1 of students trained directly.
        string[] lines = File.ReadAllLines(Path.Combine(folder, "sweep.csv"));
        Assert.Equal("T,lambda,method,epochs,runs,failed,ce mean,ce sd,accuracy mean,real_ce mean", lines[0]);
        Assert.Equal(5, lines.Length);
        var expected = new Dictionary<(double, double), double>();
        int row = 1;
        foreach (double t in new[] { 1.0, 4.0 })
            foreach (double lambda in new[] { 0.25, 0.75 })
            {
                var a = Direct(t, lambda, 3, 0).Metrics;
                var b = Direct(t, lambda, 3, 1).Metrics;
                string[] cells = lines[row++].Split(',');
                Assert.Equal(t, double.Parse(cells[0], CultureInfo.InvariantCulture));
                Assert.Equal(lambda, double.Parse(cells[1], CultureInfo.InvariantCulture));
                Assert.Equal(["probabilistic-paper", "3", "2", "0"], cells[2..6]);
                Assert.Equal((a.CrossEntropy + b.CrossEntropy) / 2, double.Parse(cells[6], CultureInfo.InvariantCulture), 12);
                // The sample sd of two values is |a − b| / √2.
                Assert.Equal(Math.Abs(a.CrossEntropy - b.CrossEntropy) / Math.Sqrt(2), double.Parse(cells[7], CultureInfo.InvariantCulture), 12);
                Assert.Equal((a.Accuracy + b.Accuracy) / 2, double.Parse(cells[8], CultureInfo.InvariantCulture), 12);
                expected[(t, lambda)] = (a.CrossEntropy + b.CrossEntropy) / 2;
            }

        // The best setting minimises CE (lower is better), printed and in result.json.
        var ((bestT, bestLambda), bestCe) = expected.MinBy(e => e.Value);
        using (var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "result.json"))))
        {
            JsonElement best = json.RootElement.GetProperty("config").GetProperty("best");
            Assert.Equal(bestT, double.Parse(best.GetProperty("setting").GetProperty("T").GetString()!, CultureInfo.InvariantCulture));
            Assert.Equal(bestLambda, double.Parse(best.GetProperty("setting").GetProperty("lambda").GetString()!, CultureInfo.InvariantCulture));
            Assert.Equal(bestCe, best.GetProperty("mean").GetDouble(), 12);
            JsonElement provenance = json.RootElement.GetProperty("provenance");
            Assert.Equal(8, provenance.GetProperty("runs").GetInt32());
            Assert.Equal(8, provenance.GetProperty("ran").GetInt32());
            Assert.Equal(0, provenance.GetProperty("reused").GetInt32());
        }
        Assert.Contains($"best: T={bestT.ToString(CultureInfo.InvariantCulture)}, lambda={bestLambda.ToString(CultureInfo.InvariantCulture)}: ce ", output);

        // The heat map: a PNG file, and its grid holds the mean CE with T down the rows and λ across the columns.
        byte[] png = File.ReadAllBytes(Path.Combine(folder, "heatmap.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        var plan = SweepPlan.Parse(SweepRegistry.All, new SweepSpec("probabilistic", ["T=1,4", "lambda=0.25,0.75", "epochs=3"], [], null, 2, "ce", false));
        Assert.Equal(["T", "lambda"], plan.Varied);
        var means = plan.Settings.Select(s => expected[(double.Parse(s["T"], CultureInfo.InvariantCulture), double.Parse(s["lambda"], CultureInfo.InvariantCulture))]).ToArray();
        var map = (HeatMapSeries)SweepRunner.HeatMap(plan, means)!.AllAxes[0].Series[0];
        Assert.Equal(expected[(4, 0.25)], map.Z[1, 0]);
        Assert.Equal(expected[(1, 0.75)], map.Z[0, 1]);
        Assert.Equal(["0.25", "0.75"], map.XLabels!);
    }

    [Fact]
    public async Task A_repeated_sweep_reuses_every_stored_run_and_rerun_runs_them_all_again()
    {
        using var temp = new TempFolder();
        string[] sweep = ["sweep", "probabilistic", "--grid", "lambda=0,1", "--grid", "epochs=1", "--seeds", "2", "--out", temp.Path];
        Assert.Equal(ExitCodes.Ok, (await Cli(sweep)).Code);
        string folder = Path.Combine(temp.Path, "sweep-probabilistic");
        string[] lines = File.ReadAllLines(Path.Combine(folder, "sweep.csv"));

        // Again: every run comes from the store, nothing runs, and the store holds the same 4 results, untouched.
        string store = RunExecution.StoreFolder(temp.Path);
        var stamps = Directory.GetFiles(store).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        Assert.Equal(4, stamps.Count);
        var again = await Cli(sweep);
        Assert.Equal(ExitCodes.Ok, again.Code);
        Assert.Contains("[runs probabilistic/student] 4/4 done (4 stored), 0 running, 0 failed, time left unknown", again.Errors);
        Assert.Equal(stamps, Directory.GetFiles(store).ToDictionary(f => f, File.GetLastWriteTimeUtc));
        Assert.Equal(lines, File.ReadAllLines(Path.Combine(folder, "sweep.csv")));
        using (var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "result.json"))))
            Assert.Equal((4, 0), (json.RootElement.GetProperty("provenance").GetProperty("reused").GetInt32(), json.RootElement.GetProperty("provenance").GetProperty("ran").GetInt32()));

        // --rerun: all 4 run again (nothing from the store) and give the same table.
        var rerun = await Cli([.. sweep, "--rerun"]);
        Assert.Equal(ExitCodes.Ok, rerun.Code);
        Assert.Contains(rerun.Errors, l => l.StartsWith("[runs probabilistic/student] 4/4 done (0 stored)", StringComparison.Ordinal));
        Assert.Equal(lines, File.ReadAllLines(Path.Combine(folder, "sweep.csv")));
        using var after = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "result.json")));
        Assert.Equal(4, after.RootElement.GetProperty("provenance").GetProperty("ran").GetInt32());
    }

    [Fact]
    public void A_random_sweep_draws_the_same_points_each_time_within_the_ranges()
    {
        var spec = new SweepSpec("probabilistic", ["T=1,2"], ["lambda=0.2:0.4", "epochs=2:5"], 3, 1, null, true);
        var a = SweepPlan.Parse(SweepRegistry.All, spec);
        var b = SweepPlan.Parse(SweepRegistry.All, spec);
        Assert.Equal(6, a.Settings.Count); // 2 grid values × 3 points
        Assert.Equal(a.Settings.Select(s => string.Join(";", s.Values)), b.Settings.Select(s => string.Join(";", s.Values)));
        foreach (var s in a.Settings)
        {
            double lambda = double.Parse(s["lambda"], CultureInfo.InvariantCulture);
            Assert.InRange(lambda, 0.2, 0.4);
            Assert.InRange(int.Parse(s["epochs"], CultureInfo.InvariantCulture), 2, 5);
            Assert.Equal("probabilistic-paper", s["method"]); // not swept: the default
        }
        // Each grid value takes the same three drawn points.
        Assert.Equal(a.Settings.Take(3).Select(s => s["lambda"]), a.Settings.Skip(3).Select(s => s["lambda"]));
    }

    /// <summary>A fresh temporary folder, deleted on dispose.</summary>
    internal sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("reproduce-sweep-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
