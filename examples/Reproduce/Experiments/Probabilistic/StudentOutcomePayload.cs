using System.Text.Json;
using Probabilistic.Nn.Training;

namespace Probabilistic.Reproduce.Experiments;

/// <summary>
/// A <see cref="StudentOutcome"/> in a run's JSON payload, exactly (doubles in round-trip form, the test probabilities
/// as the bytes of their float32 values in base64): the final metrics (<c>accuracy</c>, <c>ce</c>, <c>max_min</c>,
/// <c>real_ce</c>, null for NaN), the training time <c>seconds</c>, and with detail the per-epoch reports
/// (<c>epochs</c>, their validation where tracked) and the test probabilities (<c>probabilities</c>).
/// </summary>
public static class StudentOutcomePayload
{
    /// <summary>Writes the outcome's fields into the open object of <paramref name="w"/> (the metrics unless
    /// <paramref name="metrics"/> is false, where the caller wrote them already).</summary>
    public static void Write(Utf8JsonWriter w, StudentOutcome outcome, double seconds, bool detail, bool metrics = true)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(outcome);
        if (metrics)
        {
            Number(w, "accuracy", outcome.Metrics.Accuracy);
            Number(w, "ce", outcome.Metrics.CrossEntropy);
            Number(w, "max_min", outcome.Metrics.MaxMinusMin);
            Number(w, "real_ce", outcome.Metrics.RealCrossEntropy);
        }
        Number(w, "seconds", seconds);
        if (!detail) return;
        w.WriteStartArray("epochs");
        foreach (EpochReport e in outcome.Epochs)
        {
            w.WriteStartObject();
            w.WriteNumber("epoch", e.Epoch);
            w.WriteNumber("steps", e.Steps);
            Number(w, "train_loss", e.TrainLoss);
            Number(w, "train_accuracy", e.TrainAccuracy);
            Number(w, "seconds", e.Seconds);
            if (e.Validation is { } v)
            {
                w.WriteStartObject("validation");
                w.WriteNumber("examples", v.Examples);
                Number(w, "accuracy", v.Accuracy);
                Number(w, "ce", v.CrossEntropy);
                Number(w, "ece", v.ExpectedCalibrationError);
                Number(w, "brier", v.Brier);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteBase64String("probabilities", System.Runtime.InteropServices.MemoryMarshal.AsBytes(outcome.TestProbabilities.AsSpan()));
    }

    /// <summary>
    /// The outcome of a payload written by <see cref="Write"/> and its training seconds; without detail the epochs and
    /// test probabilities are empty. The epochs' step losses are not carried (empty).
    /// </summary>
    public static (StudentOutcome Outcome, double Seconds) Read(JsonElement root)
    {
        var metrics = new StudentMetrics(Get(root, "ce"), Get(root, "accuracy"), Get(root, "max_min"), Get(root, "real_ce"));
        double seconds = root.TryGetProperty("seconds", out _) ? Get(root, "seconds") : double.NaN;
        var epochs = new List<EpochReport>();
        if (root.TryGetProperty("epochs", out JsonElement list))
            foreach (JsonElement e in list.EnumerateArray())
            {
                EvaluationReport? validation = e.TryGetProperty("validation", out JsonElement v)
                    ? new EvaluationReport(v.GetProperty("examples").GetInt32(), Get(v, "accuracy"), Get(v, "ce"), Get(v, "ece"), Get(v, "brier"))
                    : null;
                epochs.Add(new EpochReport(e.GetProperty("epoch").GetInt32(), e.GetProperty("steps").GetInt32(), Get(e, "train_loss"),
                    Get(e, "train_accuracy"), Get(e, "seconds"), validation) { StepLosses = [] });
            }
        float[] probabilities = [];
        if (root.TryGetProperty("probabilities", out JsonElement p))
        {
            byte[] bytes = p.GetBytesFromBase64();
            if (bytes.Length % sizeof(float) != 0)
                throw new FormatException($"StudentOutcomePayload.Read: {bytes.Length} probability bytes is not a whole number of float32 values.");
            probabilities = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        }
        return (new StudentOutcome(metrics, probabilities, epochs), seconds);
    }

    /// <summary>The outcome of a payload string written by <see cref="Write"/> and its training seconds.</summary>
    public static (StudentOutcome Outcome, double Seconds) Read(string payload)
    {
        using JsonDocument document = JsonDocument.Parse(payload);
        return Read(document.RootElement);
    }

    private static double Get(JsonElement e, string name)
    {
        JsonElement value = e.GetProperty(name);
        return value.ValueKind == JsonValueKind.Null ? double.NaN : value.GetDouble();
    }

    /// <summary>A number, or null for NaN and infinities (which JSON lacks); read back as NaN.</summary>
    internal static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteNull(name);
    }
}
