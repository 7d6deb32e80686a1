using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Probabilistic.Reproduce.Paper;

/// <summary>
/// Fills a Markdown template's placeholders from a <see cref="ResultSet"/>, so that every number of the paper comes
/// from a result file. A placeholder is <c>{{kind part ; part ; ...}}</c> on one line; parts are separated by
/// <c>;</c> and trimmed. The syntax (also in <c>paper/template/README.md</c>):
/// <list type="bullet">
/// <item><c>{{cell EXP/TABLE ; WHERE ; COLUMN ; FORMAT}}</c>: the one cell of COLUMN in the one row that WHERE selects.</item>
/// <item><c>{{mean|sd|min|max|sum|pm EXP/TABLE ; WHERE ; COLUMN ; FORMAT}}</c>: over every selected row (sd with
/// n − 1; pm = "mean ± sd"); <c>{{n EXP/TABLE ; WHERE}}</c>: the number of selected rows.</item>
/// <item><c>{{ratio EXP/TABLE ; WHERE-A ; WHERE-B ; COLUMN ; FORMAT [; PER]}}</c>: A's COLUMN over B's, each
/// divided first by its own PER column when given (e.g. seconds per run).</item>
/// <item><c>{{table EXP/TABLE ; WHERE ; COLUMNS ; FORMAT}}</c>: a Markdown table of the selected rows. COLUMNS is a
/// comma-separated list of <c>COL[±SDCOL][:FMT][ as HEADER]</c>.</item>
/// <item><c>{{summary EXP/TABLE ; WHERE ; GROUP-COLUMNS ; VALUE-COLUMNS ; FORMAT}}</c>: a Markdown table with one row
/// per distinct value of the group columns (in order of appearance) and "mean ± sd" over its rows per value column.</item>
/// <item><c>{{versus EXP/TABLE ; WHERE ; COLUMN ; FORMAT ; OPTIONS}}</c>: the cells "paper | ours mean ± sd | n |
/// |Δ|/sd | within 2 sd" of a results-against-the-seed row. OPTIONS, joined by <c>&amp;</c>: <c>paper=NUMBER</c>
/// (the seed's value, a citation) or <c>paper=@COL</c> (the leading number of that cell), <c>sd=@COL</c> and
/// <c>n=@COL</c> (or <c>n=#seeds</c>, the run's seed count) for a summary row (else mean, sd and n are taken over the selected rows).</item>
/// <item><c>{{json EXP ; PATH [; FORMAT]}}</c>: a value of result.json by dotted path (<c>seconds</c>, <c>config.fmnist_steps</c>).</item>
/// <item><c>{{provenance EXP}}</c>: commit, clean or dirty, CPU (model, family; ISA), .NET, start date and seconds of the run.</item>
/// <item><c>{{machines EXP, EXP, ...}}</c>: a Markdown table of the runs' seeds, commit, tree state, CPU, start and seconds, with a last row counting the distinct commits and summing the seconds.</item>
/// <item><c>{{figure EXP/NAME ; CAPTION}}</c>: a Markdown image link to NAME.svg, or NAME.png where no SVG exists.</item>
/// </list>
/// WHERE is <c>*</c> (every row) or <c>COL=VALUE &amp; COL=VALUE</c> (text compared exactly, numbers numerically).
/// FORMAT is a .NET numeric format (F3, N0, E1, P1), written culture-invariant with the minus sign −. A missing file,
/// table, column or row, an ambiguous cell or an empty value is a <see cref="PaperException"/> naming the placeholder
/// and its template line, never a blank.
/// </summary>
public sealed partial class PaperTemplate(ResultSet results, string outDirectory)
{
    [GeneratedRegex(@"\{\{(.*?)\}\}")]
    private static partial Regex PlaceholderPattern();

    /// <summary>Fills every placeholder of <paramref name="template"/>; the first problem throws a <see cref="PaperException"/>.</summary>
    public string Render(string template)
    {
        var errors = new List<string>();
        string text = PlaceholderPattern().Replace(template, m =>
        {
            try
            {
                return Expand(m.Groups[1].Value);
            }
            catch (PaperException e)
            {
                int line = 1 + template.AsSpan(0, m.Index).Count('\n');
                errors.Add($"line {line}: {m.Value}: {e.Message}");
                return m.Value;
            }
        });
        if (errors.Count > 0) throw new PaperException(string.Join(Environment.NewLine, errors));
        return text;
    }

    /// <summary>Expands one placeholder's inside (without the braces).</summary>
    public string Expand(string inside)
    {
        string body = inside.Trim();
        int space = body.IndexOf(' ');
        string kind = space < 0 ? body : body[..space];
        string[] parts = space < 0 ? [] : [.. body[(space + 1)..].Split(';').Select(p => p.Trim())];
        return kind switch
        {
            "cell" => Cell(parts),
            "mean" or "sd" or "min" or "max" or "sum" or "pm" => Aggregate(kind, parts),
            "n" => Selected(Need(parts, 2, "n EXP/TABLE ; WHERE")).Rows.Count.ToString(CultureInfo.InvariantCulture),
            "ratio" => Ratio(parts),
            "table" => Table(parts),
            "summary" => Summary(parts),
            "versus" => Versus(parts),
            "json" => Json(parts),
            "provenance" => Provenance(Need(parts, 1, "provenance EXP")[0]),
            "figure" => Figure(parts),
            "machines" => Machines(body[(space + 1)..]),
            _ => throw new PaperException($"unknown placeholder kind '{kind}' (cell, mean, sd, min, max, sum, pm, n, ratio, table, summary, versus, json, provenance, machines, figure)"),
        };
    }

    private static string[] Need(string[] parts, int count, string usage) =>
        parts.Length >= count && parts.Take(count).All(p => p.Length > 0) ? parts
            : throw new PaperException($"expected {{{{{usage}}}}}");

    private DataTable Load(string source)
    {
        int slash = source.IndexOf('/');
        if (slash <= 0 || slash == source.Length - 1) throw new PaperException($"'{source}' is not EXP/TABLE");
        return results.Table(source[..slash], source[(slash + 1)..]);
    }

    private (DataTable Table, List<object?[]> Rows) Selected(string[] parts)
    {
        DataTable table = Load(parts[0]);
        return (table, Select(table, parts[1]));
    }

    /// <summary>The rows of <paramref name="table"/> that <paramref name="where"/> selects (<c>*</c> or <c>COL=VALUE &amp; ...</c>); none is an error.</summary>
    public static List<object?[]> Select(DataTable table, string where)
    {
        var conditions = new List<(int Column, string Value)>();
        if (where != "*")
            foreach (string condition in where.Split('&'))
            {
                int eq = condition.IndexOf('=');
                if (eq <= 0) throw new PaperException($"'{condition.Trim()}' is not COL=VALUE");
                conditions.Add((table.Index(condition[..eq].Trim()), condition[(eq + 1)..].Trim()));
            }
        var rows = table.Rows.Where(r => conditions.All(c => Matches(r[c.Column], c.Value))).ToList();
        if (rows.Count == 0) throw new PaperException($"no row of {table.Name} in {table.File} has {where}");
        return rows;
    }

    private static bool Matches(object? cell, string value) => cell switch
    {
        double d => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v == d,
        string s => s == value,
        _ => value.Length == 0,
    };

    private static double Number(DataTable table, object?[] row, string column)
    {
        object? cell = row[table.Index(column)];
        return cell switch
        {
            double d when double.IsFinite(d) => d,
            string s when LeadingNumber(s) is double v => v,
            _ => throw new PaperException($"column '{column}' of {table.Name} in {table.File} holds no number in the selected row ('{cell ?? "empty"}')"),
        };
    }

    /// <summary>The number at the start of a text such as "0.4614 ± 0.0046" (the minus sign − accepted), or null.</summary>
    public static double? LeadingNumber(string text)
    {
        Match m = Regex.Match(text.Replace('−', '-'), @"^\s*[-+]?\d[\d,]*(\.\d+)?([eE][-+]?\d+)?");
        return m.Success && double.TryParse(m.Value.Replace(",", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null;
    }

    /// <summary>Formats a number culture-invariant with <paramref name="format"/> and the minus sign −.</summary>
    public static string Format(double value, string format)
    {
        if (!double.IsFinite(value)) return "—";
        string text;
        try
        {
            text = value.ToString(format.Length == 0 ? "G6" : format, CultureInfo.InvariantCulture);
        }
        catch (FormatException)
        {
            throw new PaperException($"'{format}' is not a numeric format (F3, N0, E1, P1)");
        }
        return text.Replace('-', '−');
    }

    private static string Text(object? cell, string format) => cell switch
    {
        double d => Format(d, format),
        string s when s.Length > 0 => s,
        _ => "—",
    };

    private string Cell(string[] parts)
    {
        Need(parts, 3, "cell EXP/TABLE ; WHERE ; COLUMN ; FORMAT");
        var (table, rows) = Selected(parts);
        if (rows.Count > 1) throw new PaperException($"{rows.Count} rows of {table.Name} in {table.File} have {parts[1]}; a cell needs exactly one");
        object? cell = rows[0][table.Index(parts[2])];
        if (cell is null || (cell is double d && !double.IsFinite(d)) || (cell is string s && s.Length == 0))
            throw new PaperException($"column '{parts[2]}' of {table.Name} in {table.File} is empty in the selected row");
        return Text(cell, parts.ElementAtOrDefault(3) ?? "");
    }

    /// <summary>Mean and sample standard deviation (n − 1; 0 for one value) of <paramref name="values"/>.</summary>
    public static (double Mean, double Sd) MeanSd(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        double ss = values.Sum(v => (v - mean) * (v - mean));
        return (mean, values.Count > 1 ? Math.Sqrt(ss / (values.Count - 1)) : 0);
    }

    private string Aggregate(string kind, string[] parts)
    {
        Need(parts, 3, $"{kind} EXP/TABLE ; WHERE ; COLUMN ; FORMAT");
        var (table, rows) = Selected(parts);
        double[] values = [.. rows.Select(r => Number(table, r, parts[2]))];
        string format = parts.ElementAtOrDefault(3) ?? "";
        var (mean, sd) = MeanSd(values);
        return kind switch
        {
            "mean" => Format(mean, format),
            "sd" => Format(sd, format),
            "min" => Format(values.Min(), format),
            "max" => Format(values.Max(), format),
            "sum" => Format(values.Sum(), format),
            _ => $"{Format(mean, format)} ± {Format(sd, format)}",
        };
    }

    private string Ratio(string[] parts)
    {
        Need(parts, 4, "ratio EXP/TABLE ; WHERE-A ; WHERE-B ; COLUMN ; FORMAT ; PER");
        DataTable table = Load(parts[0]);
        string? per = parts.ElementAtOrDefault(5);
        double Value(string where)
        {
            var rows = Select(table, where);
            if (rows.Count > 1) throw new PaperException($"{rows.Count} rows of {table.Name} have {where}; a ratio needs exactly one");
            double v = Number(table, rows[0], parts[3]);
            return string.IsNullOrEmpty(per) ? v : v / Number(table, rows[0], per);
        }
        return Format(Value(parts[1]) / Value(parts[2]), parts.ElementAtOrDefault(4) ?? "");
    }

    private sealed record ColumnSpec(string Column, string? Sd, string? Format, string Header);

    private static List<ColumnSpec> Columns(string list) =>
        [.. list.Split(',').Select(item =>
        {
            string spec = item.Trim();
            string? header = null;
            int asAt = spec.LastIndexOf(" as ", StringComparison.Ordinal);
            if (asAt > 0) { header = spec[(asAt + 4)..].Trim(); spec = spec[..asAt].Trim(); }
            string? format = null;
            int colon = spec.LastIndexOf(':');
            if (colon > 0 && Regex.IsMatch(spec[(colon + 1)..], @"^([A-Za-z]\d{0,2}|[0#.]+[eE][-+]?0+)$")) { format = spec[(colon + 1)..]; spec = spec[..colon]; }
            string? sd = null;
            int pm = spec.IndexOf('±');
            if (pm > 0) { sd = spec[(pm + 1)..].Trim(); spec = spec[..pm].Trim(); }
            if (spec.Length == 0) throw new PaperException($"empty column in '{list}'");
            return new ColumnSpec(spec, sd, format, header ?? spec);
        })];

    private static string Row(IEnumerable<string> cells) => "| " + string.Join(" | ", cells.Select(c => c.Replace("|", "\\|"))) + " |";

    private static string Header(IReadOnlyList<string> headers) =>
        Row(headers) + "\n|" + string.Concat(Enumerable.Repeat("---|", headers.Count));

    private string Table(string[] parts)
    {
        Need(parts, 3, "table EXP/TABLE ; WHERE ; COLUMNS ; FORMAT");
        var (table, rows) = Selected(parts);
        var columns = Columns(parts[2]);
        string format = parts.ElementAtOrDefault(3) ?? "";
        var lines = new List<string> { Header([.. columns.Select(c => c.Header)]) };
        foreach (object?[] row in rows)
            lines.Add(Row(columns.Select(c =>
            {
                string f = c.Format ?? format;
                string text = Text(row[table.Index(c.Column)], f);
                if (c.Sd is not null && row[table.Index(c.Sd)] is double sd && double.IsFinite(sd)) text += " ± " + Format(sd, f);
                return text;
            })));
        return string.Join("\n", lines);
    }

    private string Summary(string[] parts)
    {
        Need(parts, 4, "summary EXP/TABLE ; WHERE ; GROUP-COLUMNS ; VALUE-COLUMNS ; FORMAT");
        var (table, rows) = Selected(parts);
        var groups = Columns(parts[2]);
        var values = Columns(parts[3]);
        string format = parts.ElementAtOrDefault(4) ?? "";
        var lines = new List<string> { Header([.. groups.Concat(values).Select(c => c.Header)]) };
        foreach (var group in rows.GroupBy(r => string.Join("\u0001", groups.Select(g => Text(r[table.Index(g.Column)], g.Format ?? format)))))
        {
            object?[] first = group.First();
            var cells = groups.Select(g => Text(first[table.Index(g.Column)], g.Format ?? format)).ToList();
            foreach (ColumnSpec v in values)
            {
                var (mean, sd) = MeanSd([.. group.Select(r => Number(table, r, v.Column))]);
                string f = v.Format ?? format;
                cells.Add(group.Count() > 1 ? $"{Format(mean, f)} ± {Format(sd, f)}" : Format(mean, f));
            }
            lines.Add(Row(cells));
        }
        return string.Join("\n", lines);
    }

    private string Versus(string[] parts)
    {
        Need(parts, 5, "versus EXP/TABLE ; WHERE ; COLUMN ; FORMAT ; paper=... [& sd=@COL & n=@COL]");
        var (table, rows) = Selected(parts);
        string format = parts[3];
        var options = parts[4].Split('&').Select(o => o.Split('=', 2)).ToDictionary(o => o[0].Trim(), o => o.Length > 1 ? o[1].Trim() : "");
        if (!options.TryGetValue("paper", out string? paperSpec)) throw new PaperException("versus needs paper=NUMBER or paper=@COL");
        double mean, sd, n;
        if (options.TryGetValue("sd", out string? sdSpec))
        {
            if (rows.Count > 1) throw new PaperException($"{rows.Count} rows of {table.Name} have {parts[1]}; sd=@COL needs exactly one");
            mean = Number(table, rows[0], parts[2]);
            sd = Number(table, rows[0], sdSpec.TrimStart('@'));
            n = options.TryGetValue("n", out string? nSpec)
                ? nSpec == "#seeds" ? results.Value(parts[0][..parts[0].IndexOf('/')], "options.seeds").GetArrayLength()
                    : nSpec.StartsWith('@') ? Number(table, rows[0], nSpec[1..])
                    : LeadingNumber(nSpec) ?? throw new PaperException($"n='{nSpec}' is not a number, @COL or #seeds")
                : throw new PaperException("versus with sd=@COL needs n=@COL or n=NUMBER");
        }
        else
        {
            double[] values = [.. rows.Select(r => Number(table, r, parts[2]))];
            (mean, sd) = MeanSd(values);
            n = values.Length;
        }
        double paper = paperSpec.StartsWith('@')
            ? Number(table, rows[0], paperSpec[1..])
            : LeadingNumber(paperSpec) ?? throw new PaperException($"paper='{paperSpec}' is not a number");
        double distance = Math.Abs(mean - paper) / sd;
        string within = n < 2 || sd == 0 ? "— (no sd)" : distance <= 2 ? "yes" : "no";
        string z = n < 2 || sd == 0 ? "—" : Format(distance, "F2");
        return $"{Format(paper, format)} | {Format(mean, format)} ± {Format(sd, format)} | {n.ToString(CultureInfo.InvariantCulture)} | {z} | {within}";
    }

    private string Json(string[] parts)
    {
        Need(parts, 2, "json EXP ; PATH ; FORMAT");
        JsonElement value = results.Value(parts[0], parts[1]);
        return value.ValueKind switch
        {
            JsonValueKind.Number => Format(value.GetDouble(), parts.ElementAtOrDefault(2) ?? ""),
            JsonValueKind.String when value.GetString() is { Length: > 0 } s => s,
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => throw new PaperException($"{results.ResultFile(parts[0])}: '{parts[1]}' is empty or not a single value"),
        };
    }

    /// <summary>What a result file records of its run, read once for the provenance line and the machines table.</summary>
    /// <param name="Commit">The commit's first 7 characters, or null when not recorded.</param>
    /// <param name="Dirty">Whether the tree had uncommitted changes, or null when not recorded.</param>
    /// <param name="Cpu">The CPU as recorded; without a parenthesis the file predates the family, model and ISA record.</param>
    /// <param name="Started">The start in UTC, or null when the file's start is not a date.</param>
    /// <param name="Seconds">The run's seconds in all.</param>
    /// <param name="Seeds">How many seeds it ran.</param>
    private sealed record RunRecord(string? Commit, bool? Dirty, string? Cpu, DateTime? Started, double Seconds, int Seeds)
    {
        /// <summary>Whether the CPU record names the family, model and vector ISA.</summary>
        public bool CpuDetailed => Cpu?.Contains('(') == true;
    }

    private RunRecord Record(string experiment)
    {
        string? commit = results.Value(experiment, "environment.git_commit").GetString() is { Length: >= 7 } c ? c[..7] : null;
        bool? dirty = results.Value(experiment, "environment.git_dirty").ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null };
        DateTime? started = DateTime.TryParse(results.Value(experiment, "started_utc").GetString(), CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime t) ? t : null;
        return new RunRecord(commit, dirty, results.Value(experiment, "environment.cpu").GetString(), started,
            results.Value(experiment, "seconds").GetDouble(), results.Value(experiment, "options.seeds").GetArrayLength());
    }

    /// <summary>The provenance line of <paramref name="experiment"/>: commit, tree state, CPU, .NET, date and seconds.</summary>
    public string Provenance(string experiment)
    {
        RunRecord run = Record(experiment);
        string dirty = run.Dirty switch { true => "dirty tree", false => "clean tree", null => "tree state not recorded" };
        string cpu = (run.Cpu ?? "unknown CPU") + (run.CpuDetailed ? "" : " (family, model and vector ISA not recorded: the run predates that record)");
        string dotnet = results.Value(experiment, "environment.dotnet").GetString() ?? "";
        int cores = results.Value(experiment, "environment.logical_cores").GetInt32();
        DateTime started = run.Started ?? throw new PaperException($"{results.ResultFile(experiment)}: started_utc is not a date");
        bool quick = results.Value(experiment, "options.quick").ValueKind == JsonValueKind.True;
        // A sweep's folder is sweep-EXP and its config names the swept experiment and the varied parameters.
        string command = results.TryValue(experiment, "config.varied", out JsonElement varied, out _) && varied.ValueKind == JsonValueKind.Array
                         && results.TryValue(experiment, "config.experiment", out JsonElement swept, out _) && swept.ValueKind == JsonValueKind.String
            ? $"sweep {swept.GetString()}"
            : $"run {experiment}";
        return $"*Provenance:* `{command}`{(quick ? " --quick" : "")}, {run.Seeds} seed{(run.Seeds == 1 ? "" : "s")}, commit `{run.Commit ?? "unknown commit"}` ({dirty}), " +
            $"{cpu}, {cores} logical cores, {dotnet}; started {started.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}, {Format(run.Seconds, "N0")} s in all.";
    }

    /// <summary>A Markdown table of the named experiments' runs: seeds, commit, tree state, CPU, start and seconds.</summary>
    private string Machines(string list)
    {
        var lines = new List<string> { Header(["experiment", "seeds", "commit", "tree", "CPU", "started (UTC)", "seconds"]) };
        double total = 0;
        var commits = new HashSet<string>();
        foreach (string experiment in list.Split(',').Select(e => e.Trim()))
        {
            RunRecord run = Record(experiment);
            total += run.Seconds;
            string commit = run.Commit ?? "—";
            string tree = run.Dirty switch { true => "dirty", false => "clean", null => "—" };
            string cpu = (run.Cpu ?? "—") + (run.CpuDetailed ? "" : " (family, ISA not recorded)");
            string started = run.Started?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "—";
            lines.Add(Row([experiment, run.Seeds.ToString(CultureInfo.InvariantCulture), $"`{commit}`", tree, cpu, started, Format(run.Seconds, "N0")]));
            commits.Add(commit);
        }
        lines.Add(Row(["all", "", $"{commits.Count} commit{(commits.Count == 1 ? "" : "s")}", "", "", "", Format(total, "N0")]));
        return string.Join("\n", lines);
    }

    private string Figure(string[] parts)
    {
        Need(parts, 2, "figure EXP/NAME ; CAPTION");
        string stem = Path.Combine(results.Directory, parts[0]);
        string? file = new[] { stem + ".svg", stem + ".png" }.FirstOrDefault(File.Exists)
            ?? throw new PaperException($"no figure {stem}.svg or {stem}.png");
        string relative = Path.GetRelativePath(Path.GetFullPath(outDirectory), file).Replace('\\', '/');
        return $"![{parts[1]}]({relative})";
    }
}
