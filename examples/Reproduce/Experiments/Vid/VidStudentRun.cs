using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Probabilistic.Core.Random;
using Probabilistic.Distill.Vid;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Models;
using Probabilistic.Reproduce.Running;
using Probabilistic.Sweep;

namespace Probabilistic.Reproduce.Experiments.Vid;

/// <summary>What a <c>vid/student</c> run gives back: the final accuracy and cross-entropy on its evaluation set,
/// the curves (after epochs 0, 1, …); with an information probe, the per-connection −E[log q(t | s)] of the untrained
/// and the trained student ([teacher layer, student layer], see <see cref="VidTraining.ConnectionNll"/>).</summary>
/// <param name="Accuracy">The final accuracy on the evaluation set.</param>
/// <param name="CrossEntropy">The final cross-entropy on the evaluation set.</param>
/// <param name="AccuracyCurve">The accuracy after epochs 0 (the initialisation), 1, ….</param>
/// <param name="CrossEntropyCurve">The cross-entropy after epochs 0, 1, ….</param>
/// <param name="InformationBefore">The probe on the untrained student (same seed), or null without a probe.</param>
/// <param name="InformationAfter">The probe on the trained student, or null without a probe.</param>
public sealed record VidStudentMetrics(double Accuracy, double CrossEntropy, IReadOnlyList<double> AccuracyCurve, IReadOnlyList<double> CrossEntropyCurve,
    double[,]? InformationBefore = null, double[,]? InformationAfter = null);

/// <summary>
/// One VeryTinyCnn student of the <c>vid</c> experiment as a run (body <c>vid/student</c>). Settings: <c>preset</c>
/// (none, hinton, pairwise, all, random, custom), <c>form</c> (free, column-stochastic), <c>beta</c> (the weight of
/// the distillation terms against CE), <c>temperature</c> (Hinton's T), <c>lambda</c> (the custom preset's λ: one value
/// for every λᵢⱼ, or 16 comma-separated values row-major, teacher layer × student layer; read by no other preset, and
/// may be empty for them), <c>epochs</c>, and the data plan <c>train</c>, <c>validation</c>, <c>teacher_epochs</c>,
/// <c>evaluate</c> (validation or test) and <c>test</c> (the test images used); optionally the information probe
/// <c>info_steps</c>, <c>info_rate</c>, <c>info_seed</c> (<see cref="Probe"/>). The random preset draws its λ from the
/// run's seed (seed + 1), so any worker draws the same. The teacher is trained on the worker (once per process and
/// plan) exactly as the experiment trains it, and each run gets its own copy.
/// </summary>
public static class VidStudentRun
{
    /// <summary>The body's name.</summary>
    public const string Body = "vid/student";

    /// <summary>The data plan of a run: training images (the first ones), the next ones held out for validation, the
    /// teacher's epochs, the test images, and which set the student is scored on.</summary>
    public sealed record Plan(int Train, int Validation, int TeacherEpochs, int Test, bool EvaluateOnTest);

    /// <summary>The information probe a run may add after training (<see cref="VidTraining.ConnectionNll"/> on the
    /// untrained student of the run's seed and on the trained one, fitted on the training images, scored on the
    /// evaluation images).</summary>
    /// <param name="Steps">Adam steps of the connections' fit.</param>
    /// <param name="Rate">Adam's learning rate.</param>
    /// <param name="Seed">The probe's seed (connections and batch order).</param>
    public sealed record Probe(int Steps, double Rate, ulong Seed);

    /// <summary>The settings of a run, values in round-trip form; the probe's settings only when <paramref name="probe"/> is given.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Settings(string preset, string form, double beta, double temperature,
        IReadOnlyList<double> lambda, int epochs, Plan plan, Probe? probe = null)
    {
        var c = CultureInfo.InvariantCulture;
        List<KeyValuePair<string, string>> settings =
        [
            new("preset", preset), new("form", form), new("beta", beta.ToString("R", c)), new("temperature", temperature.ToString("R", c)),
            new("lambda", string.Join(',', lambda.Select(v => v.ToString("R", c)))), new("epochs", epochs.ToString(c)),
            new("train", plan.Train.ToString(c)), new("validation", plan.Validation.ToString(c)), new("teacher_epochs", plan.TeacherEpochs.ToString(c)),
            new("test", plan.Test.ToString(c)), new("evaluate", plan.EvaluateOnTest ? "test" : "validation"),
        ];
        if (probe is not null)
            settings.AddRange([new("info_steps", probe.Steps.ToString(c)), new("info_rate", probe.Rate.ToString("R", c)), new("info_seed", probe.Seed.ToString(c))]);
        return settings;
    }

    /// <summary>Trains the student of <paramref name="request"/> and returns the payload.</summary>
    public static string Run(RunRequest request, DataCatalog data, CancellationToken cancellation)
    {
        var c = CultureInfo.InvariantCulture;
        var preset = ParseEnum<VidPreset>(request["preset"], "preset");
        var form = ParseEnum<VidLambdaForm>(request["form"], "form");
        double beta = double.Parse(request["beta"], c), temperature = double.Parse(request["temperature"], c);
        string lambdaText = request["lambda"];
        double[] lambda = lambdaText.Length == 0 ? [] : [.. lambdaText.Split(',').Select(v => double.Parse(v, c))];
        int epochs = int.Parse(request["epochs"], c), train = int.Parse(request["train"], c), validation = int.Parse(request["validation"], c);
        int teacherEpochs = int.Parse(request["teacher_epochs"], c), test = int.Parse(request["test"], c);
        bool onTest = request["evaluate"] == "test";
        Probe? probe = request.TryGet("info_steps", out string? steps)
            ? new Probe(int.Parse(steps, c), double.Parse(request["info_rate"], c), ulong.Parse(request["info_seed"], c))
            : null;

        var (trainSet, validationSet, testSet) = Split(data, train, validation, test);
        var settings = new VidSettings(preset, beta, temperature, form);
        if (preset == VidPreset.Custom) settings = settings with { Lambda = ToLambda(lambda) };
        if (preset == VidPreset.Random) settings = settings with { LambdaSeed = request.Seed + 1 };
        var teacher = VidTeachers.Copy(data, train, teacherEpochs);
        var evaluation = onTest ? testSet : validationSet;
        var (student, curve) = VidTraining.Student(teacher, settings, trainSet, evaluation, epochs,
            VidExperiment.Batch, VidExperiment.Rate, shuffle: false, request.Seed, cancellation);
        double[,]? before = null, after = null;
        if (probe is not null)
        {
            var untrained = Zoo.VeryTinyCnn(new Rng(request.Seed));
            before = VidTraining.ConnectionNll(teacher, untrained, trainSet, evaluation, probe.Steps, VidExperiment.Batch, probe.Rate, probe.Seed);
            after = VidTraining.ConnectionNll(teacher, student, trainSet, evaluation, probe.Steps, VidExperiment.Batch, probe.Rate, probe.Seed);
        }
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("accuracy", curve.Accuracy[^1]);
            w.WriteNumber("ce", curve.CrossEntropy[^1]);
            w.WriteStartArray("accuracy_curve");
            foreach (double v in curve.Accuracy) w.WriteNumberValue(v);
            w.WriteEndArray();
            w.WriteStartArray("ce_curve");
            foreach (double v in curve.CrossEntropy) w.WriteNumberValue(v);
            w.WriteEndArray();
            if (before is not null && after is not null)
            {
                WriteMatrix(w, "information_before", before);
                WriteMatrix(w, "information_after", after);
            }
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Reads a payload of <see cref="Run"/>.</summary>
    public static VidStudentMetrics Read(string payload)
    {
        using JsonDocument document = JsonDocument.Parse(payload);
        JsonElement root = document.RootElement;
        return new VidStudentMetrics(root.GetProperty("accuracy").GetDouble(), root.GetProperty("ce").GetDouble(),
            [.. root.GetProperty("accuracy_curve").EnumerateArray().Select(v => v.GetDouble())],
            [.. root.GetProperty("ce_curve").EnumerateArray().Select(v => v.GetDouble())],
            ReadMatrix(root, "information_before"), ReadMatrix(root, "information_after"));
    }

    /// <summary>A [rows, columns] matrix as an array of rows.</summary>
    private static void WriteMatrix(Utf8JsonWriter w, string name, double[,] matrix)
    {
        w.WriteStartArray(name);
        for (int i = 0; i < matrix.GetLength(0); i++)
        {
            w.WriteStartArray();
            for (int j = 0; j < matrix.GetLength(1); j++) w.WriteNumberValue(matrix[i, j]);
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }

    private static double[,]? ReadMatrix(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out JsonElement rows)) return null;
        double[][] values = [.. rows.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray())];
        int columns = values.Length == 0 ? 0 : values[0].Length;
        if (values.Any(r => r.Length != columns))
            throw new FormatException($"VidStudentRun.Read: {name} has rows of different lengths.");
        var matrix = new double[values.Length, columns];
        for (int i = 0; i < values.Length; i++)
            for (int j = 0; j < columns; j++) matrix[i, j] = values[i][j];
        return matrix;
    }

    /// <summary>The experiment's split of FashionMNIST: the first <paramref name="train"/> training images, the next
    /// <paramref name="validation"/>, and the first <paramref name="test"/> test images (all when it is at least the set's size).</summary>
    public static (LabeledDataset Train, LabeledDataset Validation, LabeledDataset Test) Split(DataCatalog data, int train, int validation, int test)
    {
        FashionMnist fashion = data.FashionMnist;
        var trainSet = fashion.Train.Subset(Enumerable.Range(0, train).ToArray(), "fmnist-train");
        var validationSet = fashion.Train.Subset(Enumerable.Range(train, validation).ToArray(), "fmnist-validation");
        var testSet = test < fashion.Test.Count ? fashion.Test.Subset(Enumerable.Range(0, test).ToArray(), "fmnist-test") : fashion.Test;
        return (trainSet, validationSet, testSet);
    }

    /// <summary>A 16-entry point (row-major, teacher layer × student layer), or one value for all, as a free-form λ.</summary>
    public static VidLambda ToLambda(IReadOnlyList<double> point)
    {
        const int layers = VidExperiment.Layers;
        if (point.Count != 1 && point.Count != layers * layers)
            throw new ArgumentException($"VidStudentRun: lambda needs 1 or {layers * layers} values, got {point.Count}.");
        var values = new double[layers, layers];
        for (int k = 0; k < layers * layers; k++) values[k / layers, k % layers] = point[point.Count == 1 ? 0 : k];
        return VidLambda.Free(values);
    }

    private static T ParseEnum<T>(string text, string name) where T : struct, Enum =>
        Enum.TryParse(text.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out T value) && Enum.IsDefined(value)
            ? value
            : throw new ArgumentException($"VidStudentRun: {name} '{text}' is not one of {string.Join(", ", Enum.GetNames<T>())}.");
}

/// <summary>The <c>vid</c> teacher, trained once per process and data plan; runs get copies (a run attaches feature
/// captures to its teacher, so two runs at once must not share one).</summary>
internal static class VidTeachers
{
    private static readonly ConcurrentDictionary<(DataCatalog Data, int Train, int Epochs), Lazy<FeatureClassifier>> Trained = new();

    /// <summary>The process's teacher for a plan (trained on first use).</summary>
    public static FeatureClassifier Shared(DataCatalog data, int train, int epochs) =>
        Trained.GetOrAdd((data, train, epochs), key => new Lazy<FeatureClassifier>(() =>
        {
            var trainSet = data.FashionMnist.Train.Subset(Enumerable.Range(0, key.Train).ToArray(), "fmnist-train");
            return VidTraining.Teacher(trainSet, key.Epochs, VidExperiment.Batch, VidExperiment.Rate, shuffle: false, VidExperiment.TeacherSeed);
        })).Value;

    /// <summary>A copy of the shared teacher: same parameters and buffers, evaluation mode.</summary>
    public static FeatureClassifier Copy(DataCatalog data, int train, int epochs)
    {
        FeatureClassifier source = Shared(data, train, epochs);
        FeatureClassifier copy = Zoo.TinyCnn(new Rng(0));
        var from = source.StateDict().ToList();
        var to = copy.StateDict().ToList();
        if (from.Count != to.Count) throw new InvalidOperationException("VidTeachers.Copy: the teacher's state does not match a new TinyCnn's.");
        for (int i = 0; i < from.Count; i++)
        {
            if (from[i].Key != to[i].Key || from[i].Value.Length != to[i].Value.Length)
                throw new InvalidOperationException($"VidTeachers.Copy: state entry {from[i].Key} does not match {to[i].Key}.");
            from[i].Value.Span.CopyTo(to[i].Value.Span);
        }
        copy.Eval();
        return copy;
    }
}
