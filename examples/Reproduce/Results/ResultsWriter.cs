using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Probabilistic.Reproduce.Results;

/// <summary>
/// The one place that serialises results. For each run it writes, under <c>&lt;out&gt;/&lt;experiment&gt;/</c>:
/// <c>result.json</c> (options, config, seeds, environment, timings, notes and every table) and one
/// <c>&lt;table&gt;.csv</c> per table, and each figure as <c>&lt;name&gt;.png</c> and <c>&lt;name&gt;.svg</c>. Numbers are written culture-invariant and round-trippable.
/// </summary>
public static class ResultsWriter
{
    /// <summary>Writes the files and returns the folder they are in.</summary>
    public static string Write(string outDirectory, RunRecord run)
    {
        string folder = Path.Combine(outDirectory, run.Experiment);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "result.json"), Json(run));
        foreach (ResultTable table in run.Result.Tables)
            File.WriteAllText(Path.Combine(folder, table.Name + ".csv"), Csv(table), new UTF8Encoding(false));
        foreach (var (name, figure) in run.Result.Figures)
        {
            figure.SavePng(Path.Combine(folder, name + ".png")); // for quick looks
            figure.SaveSvg(Path.Combine(folder, name + ".svg")); // for the paper
        }
        foreach (var (name, rendered) in run.Result.RenderedFigures)
        {
            File.WriteAllBytes(Path.Combine(folder, name + ".png"), rendered.Png); // for quick looks
            File.WriteAllText(Path.Combine(folder, name + ".svg"), rendered.Svg, new UTF8Encoding(false)); // for the paper
        }
        return folder;
    }

    /// <summary>The JSON document of a run.</summary>
    public static byte[] Json(RunRecord run)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("experiment", run.Experiment);
            w.WriteString("description", run.Description);
            w.WriteString("status", run.Status);
            if (run.Error is null) w.WriteNull("error"); else w.WriteString("error", run.Error);
            w.WriteString("started_utc", run.StartedUtc.ToString("O", CultureInfo.InvariantCulture));
            w.WriteNumber("seconds", Math.Round(run.Seconds, 3));

            w.WriteStartObject("options");
            w.WriteBoolean("quick", run.Quick);
            w.WriteStartArray("seeds");
            foreach (ulong seed in run.Seeds) w.WriteNumberValue(seed);
            w.WriteEndArray();
            w.WriteStartObject("data_directories");
            foreach (var (name, dir) in run.DataDirectories) w.WriteString(name, dir);
            w.WriteEndObject();
            w.WriteEndObject();

            w.WriteStartObject("config");
            foreach (var (key, value) in run.Result.Config) WriteProperty(w, key, value);
            w.WriteEndObject();

            RunEnvironment env = run.Environment;
            w.WriteStartObject("environment");
            WriteProperty(w, "git_commit", env.GitCommit);
            WriteProperty(w, "git_dirty", env.GitDirty);
            w.WriteString("dotnet", env.DotnetVersion);
            w.WriteString("os", env.OperatingSystem);
            WriteProperty(w, "cpu", env.CpuModel);
            w.WriteNumber("logical_cores", env.LogicalCores);
            w.WriteString("architecture", env.Architecture);
            w.WriteEndObject();

            if (run.Provenance is not null) WriteProperty(w, "provenance", run.Provenance);

            w.WriteStartArray("timings_seconds");
            foreach (var (phase, seconds) in run.Timings)
            {
                w.WriteStartObject();
                w.WriteString("phase", phase);
                w.WriteNumber("seconds", Math.Round(seconds, 4));
                w.WriteEndObject();
            }
            w.WriteEndArray();

            w.WriteStartArray("notes");
            foreach (string note in run.Result.Notes) w.WriteStringValue(note);
            w.WriteEndArray();

            w.WriteStartArray("tables");
            foreach (ResultTable table in run.Result.Tables)
            {
                w.WriteStartObject();
                w.WriteString("name", table.Name);
                w.WriteString("title", table.Title);
                w.WriteStartArray("columns");
                foreach (string column in table.Columns) w.WriteStringValue(column);
                w.WriteEndArray();
                w.WriteStartArray("rows");
                foreach (object?[] row in table.Rows)
                {
                    w.WriteStartArray();
                    foreach (object? cell in row) WriteValue(w, cell);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    private static void WriteProperty(Utf8JsonWriter w, string name, object? value)
    {
        w.WritePropertyName(name);
        WriteValue(w, value);
    }

    /// <summary>Scalars as JSON scalars (non-finite numbers as null), string-keyed maps as objects, sequences as arrays, anything else as its string.</summary>
    internal static void WriteValue(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case JsonElement json: json.WriteTo(w); break; // a value read back from a run's payload
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case int i: w.WriteNumberValue(i); break;
            case long l: w.WriteNumberValue(l); break;
            case ulong u: w.WriteNumberValue(u); break;
            case double d when double.IsFinite(d): w.WriteNumberValue(d); break;
            case float f when float.IsFinite(f): w.WriteNumberValue(f); break;
            case double or float: w.WriteNullValue(); break;
            case IEnumerable<KeyValuePair<string, object?>> map:
                w.WriteStartObject();
                foreach (var (key, item) in map) WriteProperty(w, key, item);
                w.WriteEndObject();
                break;
            case System.Collections.IEnumerable sequence:
                w.WriteStartArray();
                foreach (object? item in sequence) WriteValue(w, item);
                w.WriteEndArray();
                break;
            default: w.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }

    /// <summary>The CSV text of a table: a header line, then one line per row (RFC 4180 quoting).</summary>
    public static string Csv(ResultTable table)
    {
        var sb = new StringBuilder();
        sb.AppendJoin(',', table.Columns.Select(Quote)).Append('\n');
        foreach (object?[] row in table.Rows)
            sb.AppendJoin(',', row.Select(cell => Quote(CsvCell(cell)))).Append('\n');
        return sb.ToString();
    }

    private static string CsvCell(object? cell) => cell switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? "",
    };

    private static string Quote(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;
}
