using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Probabilistic.Reproduce.Results;

/// <summary>A figure rendered where its experiment ran: the PNG bytes and the SVG text, so that the process that
/// writes the results writes the same files without the figure's data.</summary>
/// <param name="Png">The PNG file's bytes (as <see cref="Probabilistic.Plots.Figure.ToPng"/>).</param>
/// <param name="Svg">The SVG text (as <see cref="Probabilistic.Plots.Figure.ToSvg"/>).</param>
public sealed record RenderedFigure(byte[] Png, string Svg);

/// <summary>How an experiment run ended, as its run's payload carries it from the worker to the submitter.</summary>
/// <param name="Status">"ok" or "failed".</param>
/// <param name="Error">The failure in one line, or null.</param>
/// <param name="StartedUtc">When the experiment started on the worker.</param>
/// <param name="Seconds">Its wall time on the worker.</param>
/// <param name="Timings">Its named timings.</param>
/// <param name="Result">Its configuration, tables, notes, errors and (rendered) figures.</param>
public sealed record ExperimentOutcome(string Status, string? Error, DateTime StartedUtc, double Seconds,
    IReadOnlyList<KeyValuePair<string, double>> Timings, ExperimentResult Result);

/// <summary>
/// The JSON form of an <see cref="ExperimentOutcome"/>. Table cells keep their type (each is <c>[type, text]</c>
/// with numbers in round-trip form, or null), so the CSV and the printed table written from a payload equal those
/// written from the result itself. Figures travel rendered (PNG as base64 and SVG text); the configuration travels
/// as the JSON that <see cref="ResultsWriter"/> writes.
/// </summary>
public static class ExperimentPayload
{
    /// <summary>Serializer options for run payloads written as records: NaN and infinities as named literals, so a
    /// metric that diverged comes back as it was.</summary>
    public static readonly System.Text.Json.JsonSerializerOptions RecordJson =
        new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The payload's format name.</summary>
    public const string Format = "reproduce/experiment-result/1";

    /// <summary>The JSON text of an outcome; its figures are rendered here.</summary>
    public static string Write(ExperimentOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ExperimentResult r = outcome.Result;
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteString("status", outcome.Status);
            if (outcome.Error is null) w.WriteNull("error"); else w.WriteString("error", outcome.Error);
            w.WriteString("started_utc", outcome.StartedUtc.ToString("O", CultureInfo.InvariantCulture));
            w.WriteNumber("seconds", outcome.Seconds);
            w.WriteStartArray("timings");
            foreach (var (phase, seconds) in outcome.Timings)
            {
                w.WriteStartArray();
                w.WriteStringValue(phase);
                w.WriteNumberValue(seconds);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteStartObject("config");
            foreach (var (key, value) in r.Config)
            {
                w.WritePropertyName(key);
                ResultsWriter.WriteValue(w, value);
            }
            w.WriteEndObject();
            Strings(w, "notes", r.Notes);
            Strings(w, "errors", r.Errors);
            w.WriteStartArray("tables");
            foreach (ResultTable table in r.Tables)
            {
                w.WriteStartObject();
                w.WriteString("name", table.Name);
                w.WriteString("title", table.Title);
                Strings(w, "columns", table.Columns);
                w.WriteStartArray("rows");
                foreach (object?[] row in table.Rows)
                {
                    w.WriteStartArray();
                    foreach (object? cell in row) Cell(w, cell);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("figures");
            foreach (var (name, rendered) in Rendered(r))
            {
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WriteBase64String("png", rendered.Png);
                w.WriteString("svg", rendered.Svg);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Reads a payload written by <see cref="Write"/>; the figures come back as <see cref="ExperimentResult.RenderedFigures"/>.</summary>
    /// <exception cref="InvalidDataException">The text is not such a payload.</exception>
    public static ExperimentOutcome Read(string payload)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(payload);
            JsonElement root = document.RootElement;
            if (root.GetProperty("format").GetString() != Format)
                throw new InvalidDataException($"ExperimentPayload.Read: format '{root.GetProperty("format").GetString()}', expected '{Format}'.");
            var result = new ExperimentResult();
            foreach (JsonProperty p in root.GetProperty("config").EnumerateObject()) result.Config[p.Name] = p.Value.Clone();
            result.Notes.AddRange(root.GetProperty("notes").EnumerateArray().Select(n => n.GetString()!));
            result.Errors.AddRange(root.GetProperty("errors").EnumerateArray().Select(n => n.GetString()!));
            foreach (JsonElement t in root.GetProperty("tables").EnumerateArray())
            {
                var table = result.AddTable(t.GetProperty("name").GetString()!, t.GetProperty("title").GetString()!,
                    [.. t.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!)]);
                foreach (JsonElement row in t.GetProperty("rows").EnumerateArray())
                    table.AddRow([.. row.EnumerateArray().Select(ReadCell)]);
            }
            foreach (JsonElement f in root.GetProperty("figures").EnumerateArray())
                result.RenderedFigures[f.GetProperty("name").GetString()!] = new RenderedFigure(f.GetProperty("png").GetBytesFromBase64(), f.GetProperty("svg").GetString()!);
            JsonElement error = root.GetProperty("error");
            return new ExperimentOutcome(root.GetProperty("status").GetString()!,
                error.ValueKind == JsonValueKind.Null ? null : error.GetString(),
                DateTime.Parse(root.GetProperty("started_utc").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                root.GetProperty("seconds").GetDouble(),
                [.. root.GetProperty("timings").EnumerateArray().Select(a => new KeyValuePair<string, double>(a[0].GetString()!, a[1].GetDouble()))],
                result);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException or IndexOutOfRangeException)
        {
            throw new InvalidDataException($"ExperimentPayload.Read: not an experiment result: {e.Message}", e);
        }
    }

    /// <summary>The status of a payload, without reading the rest; null when it is not one.</summary>
    public static string? StatusOf(string? payload)
    {
        if (payload is null) return null;
        try
        {
            using JsonDocument document = JsonDocument.Parse(payload);
            return document.RootElement.TryGetProperty("status", out JsonElement s) ? s.GetString() : null;
        }
        catch (JsonException) { return null; }
    }

    private static IEnumerable<KeyValuePair<string, RenderedFigure>> Rendered(ExperimentResult r) =>
        r.Figures.Select(f => new KeyValuePair<string, RenderedFigure>(f.Key, new RenderedFigure(f.Value.ToPng(), f.Value.ToSvg())))
            .Concat(r.RenderedFigures);

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (string v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    private static void Cell(Utf8JsonWriter w, object? cell)
    {
        if (cell is null) { w.WriteNullValue(); return; }
        (string type, string text) = cell switch
        {
            string s => ("s", s),
            int i => ("i", i.ToString(CultureInfo.InvariantCulture)),
            long l => ("l", l.ToString(CultureInfo.InvariantCulture)),
            ulong u => ("u", u.ToString(CultureInfo.InvariantCulture)),
            double d => ("d", d.ToString("R", CultureInfo.InvariantCulture)),
            float f => ("f", f.ToString("R", CultureInfo.InvariantCulture)),
            bool b => ("b", b ? "true" : "false"),
            _ => throw new ArgumentException($"ExperimentPayload.Write: cell type {cell.GetType().Name} is not a table cell type."),
        };
        w.WriteStartArray();
        w.WriteStringValue(type);
        w.WriteStringValue(text);
        w.WriteEndArray();
    }

    private static object? ReadCell(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Null) return null;
        string type = e[0].GetString()!, text = e[1].GetString()!;
        var c = CultureInfo.InvariantCulture;
        return type switch
        {
            "s" => text,
            "i" => int.Parse(text, c),
            "l" => long.Parse(text, c),
            "u" => ulong.Parse(text, c),
            "d" => double.Parse(text, c),
            "f" => float.Parse(text, c),
            "b" => text == "true",
            _ => throw new FormatException($"unknown cell type '{type}'"),
        };
    }
}
