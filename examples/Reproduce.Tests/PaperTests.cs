using Probabilistic.Nn.Data;
using Probabilistic.Reproduce.Experiments;
using Probabilistic.Reproduce.Paper;

namespace Probabilistic.Reproduce.Tests;

/// <summary>
/// The paper generator: the committed paper equals what the template and the committed results generate (drift), and
/// the placeholder engine against hand-computed expectations on a small result file written here.
/// </summary>
public sealed class PaperTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "paper-tests-" + Guid.NewGuid().ToString("N"));

    public PaperTests()
    {
        string folder = Path.Combine(_root, "results", "demo");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "result.json"), """
        {
          "experiment": "demo", "started_utc": "2026-12-01T10:20:30.0000000Z", "seconds": 1234.6,
          "options": { "quick": false, "seeds": [0, 1, 2] },
          "config": { "steps": 15000, "name": "x" },
          "environment": { "git_commit": "0123456789abcdef0123456789abcdef01234567", "git_dirty": true, "dotnet": ".NET 10.0.12", "cpu": "AMD EPYC", "logical_cores": 2 },
          "tables": [
            { "name": "runs", "columns": ["mode", "seed", "S", "paper"], "rows": [
              ["a", 0, 1, "3 ± 1"], ["a", 1, 2, "3 ± 1"], ["a", 2, 4, "3 ± 1"], ["b", 0, -0.5, null] ] },
            { "name": "time", "columns": ["cond", "runs", "seconds", "sd", "x|y"], "rows": [
              ["slow", 3, 300, 10, "p|q"], ["fast", 5, 100, 2, null] ] }
          ]
        }
        """);
        string sweep = Path.Combine(_root, "results", "sweep-demo");
        Directory.CreateDirectory(sweep);
        File.WriteAllText(Path.Combine(sweep, "result.json"), """
        {
          "experiment": "sweep-demo", "started_utc": "2026-12-01T10:20:30.0000000Z", "seconds": 9.3,
          "options": { "quick": true, "seeds": [0, 1] },
          "config": { "experiment": "demo", "varied": ["lambda"] },
          "environment": { "git_commit": "0123456789abcdef0123456789abcdef01234567", "git_dirty": false, "dotnet": ".NET 10.0.12", "cpu": "AMD EPYC (family 26, model 2; AVX-512)", "logical_cores": 2 },
          "tables": []
        }
        """);
        File.WriteAllText(Path.Combine(folder, "curves.png"), "png");
        File.WriteAllText(Path.Combine(folder, "both.png"), "png");
        File.WriteAllText(Path.Combine(folder, "both.svg"), "<svg/>");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private PaperTemplate Engine() => new(new ResultSet(Path.Combine(_root, "results")), Path.Combine(_root, "paper"));

    private string Expand(string inside) => Engine().Expand(inside);

    private PaperException Fails(string inside) => Assert.Throws<PaperException>(() => Engine().Expand(inside));

    [Fact]
    public void CommittedPaperIsWhatTheTemplateAndTheCommittedResultsGenerate()
    {
        string root = DataLocations.FindRepositoryRoot() ?? throw new InvalidOperationException("repository root not found");
        string generated = PaperCommand.Generate(Path.Combine(root, PaperCommand.TemplatePath), Path.Combine(root, "paper", "results"), Path.Combine(root, "paper"));
        string committed = File.ReadAllText(Path.Combine(root, "paper", "README.md"));
        Assert.True(generated == committed,
            "paper/README.md differs from what ./scripts/reproduce.sh paper generates from paper/template/paper.md and paper/results/; " +
            "edit the template, not README.md, and regenerate.");
    }

    [Fact]
    public void EveryFigureLinkOfTheCommittedPaperResolvesInsideTheRepository()
    {
        string root = DataLocations.FindRepositoryRoot() ?? throw new InvalidOperationException("repository root not found");
        string paper = File.ReadAllText(Path.Combine(root, "paper", "README.md"));
        var links = System.Text.RegularExpressions.Regex.Matches(paper, @"\]\(([^)#]+)\)").Select(m => m.Groups[1].Value).Where(l => !l.StartsWith("http")).ToList();
        Assert.NotEmpty(links);
        foreach (string link in links)
        {
            string full = Path.GetFullPath(Path.Combine(root, "paper", link));
            Assert.True(full.StartsWith(root, StringComparison.Ordinal) && (File.Exists(full) || Directory.Exists(full)), $"broken link {link}");
        }
    }

    [Fact]
    public void CellSelectsOneRowByItsKeysAndFormatsWithTheMinusSign()
    {
        Assert.Equal("2.00", Expand("cell demo/runs ; mode=a & seed=1 ; S ; F2"));
        Assert.Equal("−0.5", Expand("cell demo/runs ; mode=b ; S ; F1"));
        Assert.Equal("3 ± 1", Expand("cell demo/runs ; mode=a & seed=2 ; paper"));
    }

    [Fact]
    public void AggregatesUseTheSampleStandardDeviation()
    {
        // S over mode a is 1, 2, 4: mean 7/3, sd sqrt(((4/3)² + (1/3)² + (5/3)²)/2) = sqrt(7/3) = 1.5275.
        Assert.Equal("2.3333", Expand("mean demo/runs ; mode=a ; S ; F4"));
        Assert.Equal("1.5275", Expand("sd demo/runs ; mode=a ; S ; F4"));
        Assert.Equal("2.33 ± 1.53", Expand("pm demo/runs ; mode=a ; S ; F2"));
        Assert.Equal("1", Expand("min demo/runs ; mode=a ; S ; F0"));
        Assert.Equal("6.5", Expand("sum demo/runs ; * ; S ; F1"));
        Assert.Equal("3", Expand("n demo/runs ; mode=a"));
    }

    [Fact]
    public void RatioDividesByThePerColumnFirst()
    {
        Assert.Equal("3.0", Expand("ratio demo/time ; cond=slow ; cond=fast ; seconds ; F1"));
        Assert.Equal("5.0", Expand("ratio demo/time ; cond=slow ; cond=fast ; seconds ; F1 ; runs")); // (300/3)/(100/5)
    }

    [Fact]
    public void VersusComputesTheDistanceInStandardDeviations()
    {
        // |7/3 − 3| / sqrt(7/3) = 0.4364: within 2 sd.
        Assert.Equal("3.00 | 2.33 ± 1.53 | 3 | 0.44 | yes", Expand("versus demo/runs ; mode=a ; S ; F2 ; paper=@paper"));
        // One summary row: mean 100, sd 2, n from the column; |100 − 90| / 2 = 5.
        Assert.Equal("90 | 100 ± 2 | 5 | 5.00 | no", Expand("versus demo/time ; cond=fast ; seconds ; F0 ; paper=90 & sd=@sd & n=@runs"));
        Assert.Equal("90 | 100 ± 2 | 3 | 5.00 | no", Expand("versus demo/time ; cond=fast ; seconds ; F0 ; paper=90 & sd=@sd & n=#seeds"));
    }

    [Fact]
    public void TableAndSummaryRenderMarkdownWithEscapedPipes()
    {
        Assert.Equal("| cond | time | x\\|y |\n|---|---|---|\n| slow | 300 ± 10 | p\\|q |\n| fast | 100 ± 2 | — |",
            Expand("table demo/time ; * ; cond, seconds±sd:F0 as time, x|y ; F1"));
        Assert.Equal("| mode | S |\n|---|---|\n| a | 2.3 ± 1.5 |\n| b | −0.5 |", Expand("summary demo/runs ; * ; mode ; S:F1 ; F3"));
        // A column may carry a custom .NET format with an exponent, as the scalar placeholders may.
        Assert.Equal("| cond | seconds |\n|---|---|\n| slow | 3.0E+2 |\n| fast | 1.0E+2 |", Expand("table demo/time ; * ; cond, seconds:0.0E+0 ; F1"));
    }

    [Fact]
    public void JsonProvenanceAndMachinesReadTheResultFile()
    {
        Assert.Equal("15,000", Expand("json demo ; config.steps ; N0"));
        Assert.Equal("1", Expand("json demo ; options.seeds.1"));
        string line = Expand("provenance demo");
        Assert.Contains("commit `0123456`", line);
        Assert.Contains("dirty tree", line);
        Assert.Contains("AMD EPYC (family, model and vector ISA not recorded", line);
        Assert.Contains("2026-12-01 10:20 UTC", line);
        Assert.Contains("1,235 s", line);
        Assert.Contains("3 seeds", line);
        // A sweep's folder names the command that made it: `sweep EXP`, not `run sweep-EXP`.
        Assert.StartsWith("*Provenance:* `sweep demo` --quick, 2 seeds, commit `0123456` (clean tree), AMD EPYC (family 26, model 2; AVX-512)", Expand("provenance sweep-demo"));
        Assert.Equal("| experiment | seeds | commit | tree | CPU | started (UTC) | seconds |\n|---|---|---|---|---|---|---|\n" +
            "| demo | 3 | `0123456` | dirty | AMD EPYC (family, ISA not recorded) | 2026-12-01 10:20 | 1,235 |\n" +
            "| all |  | 1 commit |  |  |  | 1,235 |", Expand("machines demo"));
    }

    [Fact]
    public void FigurePrefersTheSvgAndFallsBackToThePng()
    {
        Assert.Equal("![both](../results/demo/both.svg)", Expand("figure demo/both ; both"));
        Assert.Equal("![c](../results/demo/curves.png)", Expand("figure demo/curves ; c"));
        Assert.Contains("no figure", Fails("figure demo/none ; x").Message);
    }

    [Fact]
    public void MissingFilesTablesColumnsAndRowsAreErrorsThatNameThem()
    {
        Assert.Contains(Path.Combine("nothere", "result.json"), Fails("cell nothere/t ; * ; x").Message);
        Assert.Contains("has no table 'nope'", Fails("cell demo/nope ; * ; S").Message);
        var column = Fails("cell demo/runs ; mode=a & seed=0 ; T ; F1").Message;
        Assert.Contains("no column 'T'", column);
        Assert.Contains("mode, seed, S, paper", column);
        Assert.Contains("no row", Fails("cell demo/runs ; mode=c ; S").Message);
        Assert.Contains("3 rows", Fails("cell demo/runs ; mode=a ; S").Message);
        Assert.Contains("empty", Fails("cell demo/runs ; mode=b ; paper").Message);
        Assert.Contains("no field 'config.missing'", Fails("json demo ; config.missing").Message);
        Assert.Contains("unknown placeholder kind 'bogus'", Fails("bogus demo/runs").Message);
        Assert.Contains("is not EXP/TABLE", Fails("cell demo ; * ; S").Message);
    }

    [Fact]
    public void RenderReportsEveryFailedPlaceholderWithItsLineAndFillsTheRest()
    {
        var engine = Engine();
        Assert.Equal("a 7 b", engine.Render("a {{sum demo/runs ; mode=a ; S ; F0}} b"));
        var e = Assert.Throws<PaperException>(() => engine.Render("ok\n{{cell demo/runs ; mode=z ; S}}\n{{cell demo/x ; * ; S}}"));
        string[] lines = e.Message.Split(Environment.NewLine);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("line 2: {{cell demo/runs ; mode=z ; S}}", lines[0]);
        Assert.StartsWith("line 3: ", lines[1]);
    }

    [Fact]
    public async Task PaperCommandExitsOneNamingTheProblemAndWritesNothing()
    {
        string template = Path.Combine(_root, "t.md");
        File.WriteAllText(template, "{{cell demo/runs ; mode=a ; nope}}");
        string outDir = Path.Combine(_root, "out");
        var error = new StringWriter();
        int code = await ReproduceCli.RunAsync(ExperimentRegistry.All, ["paper", "--results", Path.Combine(_root, "results"), "--out", outDir, "--template", template], new StringWriter(), error);
        Assert.Equal(1, code);
        Assert.Contains("line 1: {{cell demo/runs ; mode=a ; nope}}", error.ToString());
        Assert.False(File.Exists(Path.Combine(outDir, "README.md")));

        File.WriteAllText(template, "S = {{mean demo/runs ; mode=a ; S ; F2}}");
        code = await ReproduceCli.RunAsync(ExperimentRegistry.All, ["paper", "--results", Path.Combine(_root, "results"), "--out", outDir, "--template", template], new StringWriter(), new StringWriter());
        Assert.Equal(0, code);
        Assert.Equal("S = 2.33", File.ReadAllText(Path.Combine(outDir, "README.md")));
    }
}

/// <summary>ResultsWriter writes each figure twice: a PNG for quick looks and an SVG for the paper.</summary>
public sealed class ResultsWriterFigureTests
{
    [Fact]
    public void EachFigureIsWrittenAsPngAndAsSvg()
    {
        string dir = Path.Combine(Path.GetTempPath(), "writer-" + Guid.NewGuid().ToString("N"));
        try
        {
            var result = new Probabilistic.Reproduce.Results.ExperimentResult();
            var figure = new Probabilistic.Plots.Figure("curves 1–4", 200, 150);
            figure.Axes().Line([0.0, 1, 2], [2.0, 1, 3], "a");
            result.Figures["curves"] = figure;
            var run = new Probabilistic.Reproduce.Results.RunRecord("demo", "d", "ok", null, DateTime.UnixEpoch, 1, false, [0UL],
                new Dictionary<string, string>(), [], new Probabilistic.Reproduce.Results.RunEnvironment("abc", false, ".NET", "os", "cpu", 2, "X64"), result);
            string folder = Probabilistic.Reproduce.Results.ResultsWriter.Write(dir, run);
            byte[] png = File.ReadAllBytes(Path.Combine(folder, "curves.png"));
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]); // the PNG signature
            var svg = System.Xml.Linq.XDocument.Load(Path.Combine(folder, "curves.svg"));
            Assert.Equal("svg", svg.Root!.Name.LocalName);
            Assert.Contains("curves 1–4", svg.ToString()); // the title as text, the en dash included
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
