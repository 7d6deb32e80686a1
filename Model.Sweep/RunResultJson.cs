using System.Globalization;
using System.Text.Json;

namespace Probabilistic.Sweep;

/// <summary>
/// The one JSON form of a stored <see cref="RunResult"/>, shared by every store (see <see cref="FileRunStore"/> for the
/// members). Parsing checks the format tag and that the key recomputed from the request equals the stored key.
/// </summary>
internal static class RunResultJson
{
    /// <summary>The value of the <c>format</c> member.</summary>
    public const string Format = "probabilistic-sweep/result/1";

    public static byte[] ToUtf8(RunResult r)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteString("key", r.Key.Hex);
            json.WriteString("experiment", r.Request.Experiment);
            json.WriteString("commit", r.Request.Commit);
            json.WriteNumber("seed", r.Request.Seed);
            json.WriteStartObject("configuration");
            foreach (RunSetting s in r.Request.Configuration) json.WriteString(s.Name, s.Value);
            json.WriteEndObject();
            json.WriteString("status", r.Status.ToString());
            json.WriteNumber("attempts", r.Attempts);
            json.WriteString("worker", r.Worker);
            json.WriteString("startedAt", r.StartedAt.ToString("O", CultureInfo.InvariantCulture));
            json.WriteString("endedAt", r.EndedAt.ToString("O", CultureInfo.InvariantCulture));
            json.WritePropertyName("payload");
            if (r.Payload is null) json.WriteNullValue();
            else json.WriteRawValue(r.Payload, skipInputValidation: false);
            if (r.Error is null) json.WriteNull("error");
            else json.WriteString("error", r.Error);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public static RunResult Parse(ReadOnlySpan<byte> bytes, string path)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes);
            using JsonDocument document = JsonDocument.ParseValue(ref reader);
            JsonElement root = document.RootElement;
            string format = root.GetProperty("format").GetString() ?? "";
            if (format != Format)
                throw new InvalidDataException($"RunResultJson: {path} has format '{format}', expected '{Format}'.");
            var configuration = root.GetProperty("configuration").EnumerateObject()
                .Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()
                    ?? throw new InvalidDataException($"RunResultJson: setting '{p.Name}' in {path} is null.")))
                .ToList();
            var request = new RunRequest(root.GetProperty("experiment").GetString()!, configuration,
                root.GetProperty("seed").GetUInt64(), root.GetProperty("commit").GetString()!);
            string storedKey = root.GetProperty("key").GetString() ?? "";
            if (storedKey != request.Key.Hex)
                throw new InvalidDataException($"RunResultJson: {path} names key {storedKey}, but its request hashes to {request.Key}.");
            JsonElement payload = root.GetProperty("payload");
            JsonElement error = root.GetProperty("error");
            return new RunResult(request,
                Enum.Parse<RunStatus>(root.GetProperty("status").GetString()!),
                payload.ValueKind == JsonValueKind.Null ? null : payload.GetRawText(),
                error.ValueKind == JsonValueKind.Null ? null : error.GetString(),
                root.GetProperty("attempts").GetInt32(),
                root.GetProperty("worker").GetString()!,
                DateTimeOffset.Parse(root.GetProperty("startedAt").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                DateTimeOffset.Parse(root.GetProperty("endedAt").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"RunResultJson: {path} is not a readable result file: {e.Message}", e);
        }
    }
}
