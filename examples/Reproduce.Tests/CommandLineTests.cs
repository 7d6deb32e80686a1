using Probabilistic.Nn.Data;
using Probabilistic.Reproduce;
using Probabilistic.Reproduce.Experiments;
using Probabilistic.Reproduce.Results;
using Probabilistic.Reproduce.Running;

namespace Probabilistic.Reproduce.Tests;

/// <summary>
/// The command line on bad input, run in-process: a usage error is one line on standard error and exit code 2 before
/// anything runs; a failed run is exit code 1 with the results written so far kept; never a stack trace.
/// </summary>
public class CommandLineTests
{
    /// <summary>Runs the CLI; returns the exit code, standard output and the lines of standard error.</summary>
    private static async Task<(int Code, string Output, string[] Errors)> Cli(IReadOnlyList<IExperiment> experiments, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await ReproduceCli.RunAsync(experiments, args, output, error);
        string[] lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (code, output.ToString(), lines);
    }

    private static void AssertNoStackTrace(string[] errors) =>
        Assert.DoesNotContain(errors, line => line.StartsWith("at ", StringComparison.Ordinal) || line.Contains("Unhandled exception"));

    /// <summary>A one-line usage error: exit code 2, a single "reproduce: ..." line naming the problem, nothing on stdout.</summary>
    private static void AssertUsageError((int Code, string Output, string[] Errors) run, string named)
    {
        Assert.Equal(ExitCodes.Usage, run.Code);
        string line = Assert.Single(run.Errors);
        Assert.StartsWith("reproduce: ", line);
        Assert.Contains(named, line);
        Assert.Equal("", run.Output);
        AssertNoStackTrace(run.Errors);
    }

    [Theory]
    [InlineData("unknown experiment 'no-such-experiment'", "run", "no-such-experiment")]
    [InlineData("did you mean 'data'?", "run", "dta")]
    [InlineData("did you mean 'bayesian'?", "run", "baysian")]
    [InlineData("'no-such-command'", "no-such-command")]
    [InlineData("Did you mean 'methods'?", "metods")]
    [InlineData("'x'", "run", "data", "--seeds", "x")]
    [InlineData("--seeds must be a whole number from 1 to 2147483647 (got 'abc')", "run", "data", "--seeds", "abc")]
    [InlineData("(got '2.5')", "run", "data", "--seeds", "2.5")]
    [InlineData("(got '99999999999')", "run", "data", "--seeds", "99999999999")]
    [InlineData("at least 1 (got 0)", "run", "data", "--seeds", "0")]
    [InlineData("at least 1 (got -3)", "run", "data", "--seeds", "-3")]
    [InlineData("'--seeds'", "run", "data", "--seeds")]
    [InlineData("'--out'", "run", "data", "--out")]
    [InlineData("Did you mean '--seeds'?", "run", "data", "--seed", "3")]
    [InlineData("Did you mean '--fashion-mnist'?", "run", "data", "--fashion-minst", "/tmp")]
    [InlineData("'extra'", "run", "data", "--quick", "extra")]
    [InlineData("'extra'", "list", "extra")]
    [InlineData("'--seeds'", "methods", "--seeds", "3")]
    [InlineData("'run'", "run")]
    [InlineData("--out needs a folder name", "run", "data", "--out", "")]
    [InlineData("--fashion-mnist needs a folder name", "run", "data", "--fashion-mnist", " ")]
    [InlineData("--mnist needs a folder name", "run", "data", "--mnist", "")]
    public async Task Usage_errors_run_nothing_and_exit_with_2_in_one_line(string named, params string[] args)
    {
        // The real experiments' names (for the suggestions), with a probe in place of the data experiment.
        var probe = new FakeExperiment("data");
        AssertUsageError(await Cli([probe, .. ExperimentRegistry.All.Where(e => e.Name != "data")], args), named);
        Assert.False(probe.Ran);
    }

    [Fact]
    public async Task The_real_registry_rejects_a_non_number_of_seeds_without_running_anything() =>
        AssertUsageError(await Cli(ExperimentRegistry.All, "run", "data", "--seeds", "abc"), "'abc'");

    [Fact]
    public async Task Two_mistakes_give_two_lines()
    {
        var (code, _, errors) = await Cli([new FakeExperiment("data")], "run", "dat", "--seeds", "abc");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal(2, errors.Length);
        Assert.Contains(errors, line => line.StartsWith("reproduce: unknown experiment 'dat'; did you mean 'data'?", StringComparison.Ordinal));
        Assert.Contains(errors, line => line.StartsWith("reproduce: --seeds must be a whole number", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_out_folder_that_cannot_be_created_is_a_usage_error_before_anything_runs()
    {
        using var temp = new TempFolder();
        string file = temp.File("not-a-folder", "x");
        string under = Path.Combine(file, "results");
        var probe = new FakeExperiment("data");
        AssertUsageError(await Cli([probe], "run", "data", "--out", under), $"--out '{under}' cannot be written to");
        Assert.False(probe.Ran);
    }

    [Fact]
    public async Task An_out_that_is_a_file_is_a_usage_error()
    {
        using var temp = new TempFolder();
        string file = temp.File("results", "x");
        var probe = new FakeExperiment("data");
        AssertUsageError(await Cli([probe], "run", "data", "--out", file), $"--out '{file}' is a file");
        Assert.False(probe.Ran);
        Assert.Equal("x", File.ReadAllText(file));
    }

    [Fact]
    public async Task A_file_where_an_experiment_writes_its_folder_is_a_usage_error()
    {
        using var temp = new TempFolder();
        temp.File("data", "x");
        var probe = new FakeExperiment("data");
        AssertUsageError(await Cli([probe], "run", "data", "--out", temp.Path), "holds a file named 'data'");
        Assert.False(probe.Ran);
    }

    [Theory]
    [InlineData("--fashion-mnist")]
    [InlineData("--mnist")]
    public async Task An_explicit_data_folder_that_does_not_exist_is_a_usage_error_naming_it(string option)
    {
        using var temp = new TempFolder();
        string missing = Path.Combine(temp.Path, "nowhere");
        var probe = new FakeExperiment("data");
        AssertUsageError(await Cli([probe], "run", "data", "--out", temp.Path, option, missing), $"{option} '{missing}' does not exist");
        Assert.False(probe.Ran);
    }

    [Fact]
    public async Task An_explicit_data_folder_that_is_a_file_is_a_usage_error()
    {
        using var temp = new TempFolder();
        string file = temp.File("fashion", "x");
        AssertUsageError(await Cli([new FakeExperiment("data")], "run", "data", "--out", temp.Path, "--fashion-mnist", file), $"'{file}' is a file");
    }

    [Fact]
    public async Task An_explicit_FashionMnist_folder_without_the_files_is_a_usage_error_naming_the_folder()
    {
        using var temp = new TempFolder();
        string empty = Directory.CreateDirectory(Path.Combine(temp.Path, "empty")).FullName;
        AssertUsageError(await Cli([new FakeExperiment("data")], "run", "data", "--out", temp.Path, "--fashion-mnist", empty), $"FashionMNIST not found in {empty}");
    }

    [Fact]
    public async Task An_explicit_FashionMnist_folder_with_corrupt_files_is_a_usage_error_naming_the_file()
    {
        using var temp = new TempFolder();
        string dir = Directory.CreateDirectory(Path.Combine(temp.Path, "fashion")).FullName;
        foreach (string stem in FashionMnist.FileStems) File.WriteAllText(Path.Combine(dir, stem), "not an idx file");
        var probe = new FakeExperiment("data");
        var run = await Cli([probe], "run", "data", "--out", temp.Path, "--fashion-mnist", dir);
        AssertUsageError(run, $"--fashion-mnist: {dir}{Path.DirectorySeparatorChar}");
        Assert.Contains("not an IDX file", run.Errors[0]);
        Assert.False(probe.Ran);
    }

    [Fact]
    public async Task An_explicit_MNIST_folder_with_a_corrupt_digit_file_is_a_usage_error_naming_the_file()
    {
        using var temp = new TempFolder();
        string digits = Directory.CreateDirectory(Path.Combine(temp.Path, "mnist", "digits")).FullName;
        for (int d = 0; d < 10; d++) File.WriteAllText(Path.Combine(digits, $"{d}.json"), d == 7 ? "{\"data\": [0.5, " : "{\"data\": []}");
        var run = await Cli([new FakeExperiment("data")], "run", "data", "--out", temp.Path, "--mnist", Path.Combine(temp.Path, "mnist"));
        AssertUsageError(run, "--mnist: ");
        Assert.Contains(Path.Combine(digits, "0.json"), run.Errors[0]); // the first bad file by class order: an empty "data" array
    }

    [Fact]
    public async Task A_valid_explicit_data_folder_runs_and_the_experiment_sees_its_contents()
    {
        using var temp = new TempFolder();
        string dir = Directory.CreateDirectory(Path.Combine(temp.Path, "fashion")).FullName;
        // 3 training and 2 test images with known labels; the experiment must see exactly these.
        IdxWriter.Write(Path.Combine(dir, "train-images-idx3-ubyte"), new IdxArray([3, 28, 28], new byte[3 * 784]), gzip: false);
        IdxWriter.Write(Path.Combine(dir, "train-labels-idx1-ubyte"), new IdxArray([3], [4, 1, 9]), gzip: false);
        IdxWriter.Write(Path.Combine(dir, "t10k-images-idx3-ubyte"), new IdxArray([2, 28, 28], new byte[2 * 784]), gzip: false);
        IdxWriter.Write(Path.Combine(dir, "t10k-labels-idx1-ubyte"), new IdxArray([2], [0, 2]), gzip: false);
        var seen = new List<int>();
        var probe = new FakeExperiment("data", context =>
        {
            seen.AddRange(context.Data.FashionMnist.Train.Labels);
            seen.Add(context.Data.FashionMnist.Test.Count);
        });

        string results = Path.Combine(temp.Path, "results", "new"); // created on demand
        var (code, output, errors) = await Cli([probe], "run", "DATA", "--out", results, "--fashion-mnist", dir, "--seeds", "2");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal([4, 1, 9, 2], seen);
        Assert.Equal([0UL, 1UL], probe.Seeds);
        Assert.Contains("== data:", output);
        Assert.True(File.Exists(Path.Combine(results, "data", "result.json")));
        Assert.DoesNotContain(errors, line => line.StartsWith("reproduce:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failing_experiment_exits_1_in_one_line_and_keeps_the_results_written_before_it()
    {
        using var temp = new TempFolder();
        var first = new FakeExperiment("first");
        var broken = new FakeExperiment("broken", _ => throw new DataFormatException("/somewhere/file.idx", "truncated"));
        var last = new FakeExperiment("last");
        var (code, _, errors) = await Cli([first, broken, last], "run", "all", "--out", temp.Path);
        Assert.Equal(ExitCodes.RunFailed, code);
        Assert.True(first.Ran && last.Ran);
        Assert.Contains("\"status\": \"ok\"", File.ReadAllText(Path.Combine(temp.Path, "first", "result.json")));
        Assert.Contains("\"status\": \"failed\"", File.ReadAllText(Path.Combine(temp.Path, "broken", "result.json")));
        Assert.True(File.Exists(Path.Combine(temp.Path, "last", "result.json")));
        Assert.Contains(errors, line => line.Contains("[broken] FAILED: DataFormatException: /somewhere/file.idx: truncated"));
        Assert.Contains("reproduce: failed: broken", errors);
        AssertNoStackTrace(errors);
    }

    [Fact]
    public async Task Results_that_cannot_be_written_mid_run_fail_that_experiment_only()
    {
        using var temp = new TempFolder();
        // The first experiment puts a file where the second one's results folder must go.
        var first = new FakeExperiment("first", _ => File.WriteAllText(Path.Combine(temp.Path, "second"), "in the way"));
        var second = new FakeExperiment("second");
        var (code, _, errors) = await Cli([first, second], "run", "all", "--out", temp.Path);
        Assert.Equal(ExitCodes.RunFailed, code);
        Assert.True(File.Exists(Path.Combine(temp.Path, "first", "result.json")));
        Assert.Contains(errors, line => line.StartsWith("[second] ok in", StringComparison.Ordinal) && line.Contains("results NOT written"));
        Assert.Contains("reproduce: failed: second", errors);
        AssertNoStackTrace(errors);
    }

    [Fact]
    public void ClosestName_suggests_only_plausible_typos()
    {
        Assert.Equal(3, ClosestName.Distance("kitten", "sitting")); // the textbook example
        Assert.Equal(0, ClosestName.Distance("", ""));
        Assert.Equal(4, ClosestName.Distance("", "data"));
        Assert.Equal("probabilistic", ClosestName.Find("probablistic", ["data", "probabilistic"]));
        Assert.Null(ClosestName.Find("zzzz", ["data", "vid"]));
    }

    /// <summary>An experiment that records that it ran (and with which seeds) and optionally does something.</summary>
    private sealed class FakeExperiment(string name, Action<ExperimentContext>? body = null) : IExperiment
    {
        public string Name => name;
        public string Description => $"fake experiment {name}";
        public int DefaultSeedCount => 1;
        public bool Ran { get; private set; }
        public IReadOnlyList<ulong> Seeds { get; private set; } = [];

        public ExperimentResult Run(ExperimentContext context)
        {
            Ran = true;
            Seeds = context.Seeds;
            body?.Invoke(context);
            var result = new ExperimentResult();
            result.AddTable("t", "a table", "x").AddRow(1);
            return result;
        }
    }

    /// <summary>A fresh temporary folder, deleted on dispose.</summary>
    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("reproduce-cli-").FullName;

        public string File(string name, string contents)
        {
            string path = System.IO.Path.Combine(Path, name);
            System.IO.File.WriteAllText(path, contents);
            return path;
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
