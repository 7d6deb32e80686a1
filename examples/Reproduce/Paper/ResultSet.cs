using System.Globalization;
using System.Text.Json;

namespace Probabilistic.Reproduce.Paper;

/// <summary>
/// The committed results the paper is generated from: one folder per experiment under the results directory, each
/// with a <c>result.json</c> (configuration, environment, timings and every table) and its figures. Experiments load
/// lazily, so a template that names a missing experiment fails with that experiment's name.
/// </summary>
public sealed class ResultSet
{
    private readonly Dictionary<string, JsonDocument> _documents = new(StringComparer.Ordinal);

    /// <summary>Opens the results directory <paramref name="directory"/> (each experiment in a sub-folder).</summary>
    public ResultSet(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
            throw new PaperException($"ResultSet: the results folder '{directory}' does not exist.");
        Directory = Path.GetFullPath(directory);
    }

    /// <summary>The results directory, as a full path.</summary>
    public string Directory { get; }

    /// <summary>The path of <paramref name="experiment"/>'s <c>result.json</c>, relative to the working directory's view.</summary>
    public string ResultFile(string experiment) => Path.Combine(Directory, experiment, "result.json");

    /// <summary>The parsed <c>result.json</c> of <paramref name="experiment"/>; a missing or unreadable file is a <see cref="PaperException"/>.</summary>
    public JsonElement Root(string experiment)
    {
        if (_documents.TryGetValue(experiment, out JsonDocument? cached)) return cached.RootElement;
        string file = ResultFile(experiment);
        if (!File.Exists(file)) throw new PaperException($"no result file {file}");
        try
        {
            var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            _documents[experiment] = doc;
            return doc.RootElement;
        }
        catch (JsonException e)
        {
            throw new PaperException($"{file} is not valid JSON: {e.Message}");
        }
    }

    /// <summary>The table <paramref name="table"/> of <paramref name="experiment"/> (from result.json's <c>tables</c>).</summary>
    public DataTable Table(string experiment, string table)
    {
        JsonElement root = Root(experiment);
        if (root.TryGetProperty("tables", out JsonElement tables))
            foreach (JsonElement t in tables.EnumerateArray())
                if (t.GetProperty("name").GetString() == table)
                {
                    string[] columns = [.. t.GetProperty("columns").EnumerateArray().Select(c => c.GetString() ?? "")];
                    var rows = t.GetProperty("rows").EnumerateArray()
                        .Select(r => r.EnumerateArray().Select(Cell).ToArray()).ToList();
                    return new DataTable($"{experiment}/{table}", ResultFile(experiment), columns, rows);
                }
        throw new PaperException($"{ResultFile(experiment)} has no table '{table}'");
    }

    private static object? Cell(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    /// <summary>The value at a dotted path in <paramref name="experiment"/>'s result.json (numeric segments index arrays).</summary>
    public JsonElement Value(string experiment, string path) =>
        TryValue(experiment, path, out JsonElement node, out string? stoppedAt) ? node
            : throw new PaperException($"{ResultFile(experiment)} has no field '{path}' (stopped at '{stoppedAt}')");

    /// <summary>
    /// The value at a dotted path in <paramref name="experiment"/>'s result.json, or false with the segment where the
    /// path left the file (a missing result file is still an error).
    /// </summary>
    public bool TryValue(string experiment, string path, out JsonElement value, out string? stoppedAt)
    {
        JsonElement node = Root(experiment);
        foreach (string segment in path.Split('.'))
        {
            if (node.ValueKind == JsonValueKind.Object && node.TryGetProperty(segment, out JsonElement child)) node = child;
            else if (node.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < node.GetArrayLength()) node = node[i];
            else { value = default; stoppedAt = segment; return false; }
        }
        value = node;
        stoppedAt = null;
        return true;
    }
}

/// <summary>One result table: its columns and rows (cells are <see cref="double"/>, <see cref="string"/> or null).</summary>
/// <param name="Name">experiment/table.</param>
/// <param name="File">The result file it came from (for error messages).</param>
/// <param name="Columns">The column names.</param>
/// <param name="Rows">The rows, one cell per column.</param>
public sealed record DataTable(string Name, string File, string[] Columns, IReadOnlyList<object?[]> Rows)
{
    /// <summary>The index of <paramref name="column"/>; a missing column is a <see cref="PaperException"/> naming the table's columns.</summary>
    public int Index(string column)
    {
        int i = Array.IndexOf(Columns, column);
        if (i < 0) throw new PaperException($"table {Name} in {File} has no column '{column}' (columns: {string.Join(", ", Columns)})");
        return i;
    }
}

/// <summary>A paper generation error: a missing file, table, row or column, or a malformed placeholder.</summary>
/// <param name="message">One line naming the problem.</param>
public sealed class PaperException(string message) : Exception(message);
