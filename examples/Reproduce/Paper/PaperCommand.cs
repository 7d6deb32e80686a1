using System.CommandLine;
using System.Text;
using Probabilistic.Nn.Data;
using Probabilistic.Reproduce.Running;

namespace Probabilistic.Reproduce.Paper;

/// <summary>
/// The <c>paper</c> command: builds <c>OUT/README.md</c> from <c>paper/template/paper.md</c> and the results
/// (<see cref="PaperTemplate"/>). Exit codes: 0 written, 1 a generation error (each placeholder that failed, with
/// its line, on standard error; nothing is written), 2 a usage error.
/// </summary>
public static class PaperCommand
{
    /// <summary>The template path relative to the repository root.</summary>
    public const string TemplatePath = "paper/template/paper.md";

    /// <summary>Generates the paper's Markdown from <paramref name="templateFile"/> and <paramref name="resultsDirectory"/>, with links relative to <paramref name="outDirectory"/>.</summary>
    public static string Generate(string templateFile, string resultsDirectory, string outDirectory)
    {
        if (!File.Exists(templateFile)) throw new PaperException($"no template {templateFile}");
        var template = new PaperTemplate(new ResultSet(resultsDirectory), outDirectory);
        return template.Render(File.ReadAllText(templateFile, Encoding.UTF8));
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    /// <summary>The <c>paper</c> sub-command with its options <c>--results DIR</c>, <c>--out DIR</c>, <c>--template FILE</c> and <c>--html</c>.</summary>
    public static Command Create()
    {
        string root = DataLocations.FindRepositoryRoot() ?? ".";
        var results = new Option<string>("--results") { Description = "The results folder, one sub-folder per experiment.", HelpName = "DIR", DefaultValueFactory = _ => Path.Combine(root, "paper", "results") };
        var output = new Option<string>("--out") { Description = "Where README.md is written.", HelpName = "DIR", DefaultValueFactory = _ => Path.Combine(root, "paper") };
        var template = new Option<string>("--template") { Description = "The template.", HelpName = "FILE", DefaultValueFactory = _ => Path.Combine(root, TemplatePath) };
        var html = new Option<bool>("--html") { Description = "Also render OUT/paper.html with pandoc (Debian package pandoc)." };
        var command = new Command("paper", "Generate paper/README.md from paper/template/paper.md and the results (every number from a result file). " +
            "Exit codes: 0 written, 1 a placeholder could not be filled (nothing written), 2 a usage error.")
        {
            results, output, template, html,
        };
        command.SetAction(parse =>
        {
            string outDirectory = parse.GetValue(output)!;
            TextWriter error = parse.InvocationConfiguration.Error;
            string? pandoc = parse.GetValue(html) ? FindOnPath("pandoc") : null;
            if (parse.GetValue(html) && pandoc is null)
            {
                error.WriteLine("reproduce paper: --html needs pandoc on the PATH (apt-get install pandoc).");
                return ExitCodes.Usage;
            }
            string text;
            try
            {
                text = Generate(parse.GetValue(template)!, parse.GetValue(results)!, outDirectory);
            }
            catch (PaperException e)
            {
                foreach (string line in e.Message.Split(Environment.NewLine)) error.WriteLine($"reproduce paper: {line}");
                return ExitCodes.RunFailed;
            }
            try
            {
                Directory.CreateDirectory(outDirectory);
                string file = Path.Combine(outDirectory, "README.md");
                File.WriteAllText(file, text, new UTF8Encoding(false));
                parse.InvocationConfiguration.Output.WriteLine($"wrote {file}");
                if (pandoc is not null)
                {
                    string page = Path.Combine(outDirectory, "paper.html");
                    var start = new System.Diagnostics.ProcessStartInfo(pandoc, ["README.md", "--standalone", "--from", "gfm", "--metadata", "title=Reproduction report",
                        "--output", "paper.html"]) { WorkingDirectory = outDirectory, RedirectStandardError = true };
                    using var process = System.Diagnostics.Process.Start(start)!;
                    string stderr = process.StandardError.ReadToEnd();
                    process.WaitForExit();
                    if (process.ExitCode != 0)
                    {
                        error.WriteLine($"reproduce paper: pandoc failed (exit {process.ExitCode}): {RunPreflight.OneLine(stderr)}");
                        return ExitCodes.RunFailed;
                    }
                    parse.InvocationConfiguration.Output.WriteLine($"wrote {page}");
                }
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"reproduce paper: cannot write to '{outDirectory}': {RunPreflight.OneLine(e.Message)}");
                return ExitCodes.Usage;
            }
        });
        return command;
    }
}
