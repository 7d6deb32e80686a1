using System.Globalization;
using System.Text.Json;
using Probabilistic.Distill.Output;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Models;
using Probabilistic.Reproduce.Running;
using Probabilistic.Sweep;

namespace Probabilistic.Reproduce.Experiments;

/// <summary>What a <c>probabilistic/student</c> run gives back: the final test metrics and the predicted class
/// probabilities of the probe objects (<see cref="ProbabilisticStudentRun.ProbeObjects"/>, in that order).</summary>
public sealed record StudentRunMetrics(double Accuracy, double CrossEntropy, double MaxMinusMin, double RealCrossEntropy, IReadOnlyList<float[]> ProbeProbabilities);

/// <summary>
/// One student of P1's synthetic set as a run (body <c>probabilistic/student</c>): a logistic 10→3 student trained
/// with a distillation method against the teacher softmax(x W / T) of the set's own weights, settings <c>method</c>,
/// <c>T</c> (the teacher temperature of the soft labels), <c>lambda</c> and <c>epochs</c>, and the run's seed. The
/// normaliser term is on for <c>probabilistic-corrected</c> only; the student temperature is 1. The payload:
/// <c>accuracy</c>, <c>ce</c>, <c>max_min</c>, <c>real_ce</c> (against the set's true probabilities, T = 10) and
/// <c>probes</c> (the probe objects' class probabilities). With the optional setting <c>detail</c> = <c>true</c> the
/// student is evaluated on the test set after every epoch and the payload adds the training <c>seconds</c>, the
/// per-epoch reports and the test probabilities (<see cref="StudentOutcomePayload"/>; read them with
/// <see cref="ReadOutcome"/>); requests without it keep their settings, so stored sweep runs stay valid.
/// </summary>
public static class ProbabilisticStudentRun
{
    /// <summary>The body's name.</summary>
    public const string Body = "probabilistic/student";

    /// <summary>The test objects whose predicted probabilities the T–λ sweep plots.</summary>
    public static IReadOnlyList<int> ProbeObjects { get; } = [4, 8, 16];

    /// <summary>The synthetic set's own teacher temperature (its true class probabilities).</summary>
    public const double TrueTemperature = 10;

    /// <summary>The run's settings, values in round-trip form.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Settings(string method, double temperature, double lambda, int epochs) =>
    [
        new("method", method),
        new("T", temperature.ToString("R", CultureInfo.InvariantCulture)),
        new("lambda", lambda.ToString("R", CultureInfo.InvariantCulture)),
        new("epochs", epochs.ToString(CultureInfo.InvariantCulture)),
    ];

    /// <summary>The request of one student; <paramref name="detail"/> asks for the learning curve and the test probabilities.</summary>
    public static RunRequest Request(RunService runs, string method, double temperature, double lambda, int epochs, ulong seed, bool detail = false) =>
        runs.Request(Body, detail ? [.. Settings(method, temperature, lambda, epochs), new("detail", "true")] : Settings(method, temperature, lambda, epochs), seed);

    /// <summary>Trains the student of <paramref name="request"/> and returns the payload.</summary>
    public static string Run(RunRequest request, DataCatalog data)
    {
        var c = CultureInfo.InvariantCulture;
        string method = request["method"];
        double temperature = double.Parse(request["T"], c), lambda = double.Parse(request["lambda"], c);
        int epochs = int.Parse(request["epochs"], c);
        bool detail = request.TryGet("detail", out string? d) && d == "true";
        var clock = System.Diagnostics.Stopwatch.StartNew();
        SyntheticClassification set = data.SyntheticClassification;
        float[] soft = set.SoftLabels(set.Train, temperature);
        var settings = new DistillationSettings(lambda, TeacherTemperature: temperature, StudentTemperature: 1)
            { IncludeNormalizer = method == "probabilistic-corrected" };
        var outcome = ProbabilisticExperiments.TrainStudent(set.Train, set.Test, rng => Zoo.Logistic(rng, SyntheticClassification.FeatureCount, SyntheticClassification.ClassCount),
            method, settings, soft, ProbabilisticExperiments.All(set.Train.Count), epochs, request.Seed, set.SoftLabels(set.Test, TrueTemperature), trackEpochs: detail);
        double seconds = clock.Elapsed.TotalSeconds;
        int k = SyntheticClassification.ClassCount;
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            StudentOutcomePayload.Number(w, "accuracy", outcome.Metrics.Accuracy);
            StudentOutcomePayload.Number(w, "ce", outcome.Metrics.CrossEntropy);
            StudentOutcomePayload.Number(w, "max_min", outcome.Metrics.MaxMinusMin);
            StudentOutcomePayload.Number(w, "real_ce", outcome.Metrics.RealCrossEntropy);
            w.WriteStartArray("probes");
            foreach (int o in ProbeObjects)
            {
                w.WriteStartArray();
                for (int j = 0; j < k; j++) w.WriteNumberValue((double)outcome.TestProbabilities[o * k + j]);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            if (detail) StudentOutcomePayload.Write(w, outcome, seconds, detail: true, metrics: false);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Reads a payload of <see cref="Run"/>.</summary>
    public static StudentRunMetrics Read(string payload)
    {
        using JsonDocument document = JsonDocument.Parse(payload);
        JsonElement root = document.RootElement;
        static double Get(JsonElement e) => e.ValueKind == JsonValueKind.Null ? double.NaN : e.GetDouble();
        return new StudentRunMetrics(Get(root.GetProperty("accuracy")), Get(root.GetProperty("ce")), Get(root.GetProperty("max_min")),
            Get(root.GetProperty("real_ce")),
            [.. root.GetProperty("probes").EnumerateArray().Select(p => p.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray())]);
    }

    /// <summary>The student's outcome in a payload of a <c>detail</c> run (its per-epoch reports and test probabilities) and its training seconds.</summary>
    public static (StudentOutcome Outcome, double Seconds) ReadOutcome(string payload) => StudentOutcomePayload.Read(payload);
}
