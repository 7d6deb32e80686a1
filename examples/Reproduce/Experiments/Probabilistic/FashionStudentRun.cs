using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Probabilistic.Distill.Output;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Training;
using Probabilistic.Reproduce.Running;
using Probabilistic.Sweep;

namespace Probabilistic.Reproduce.Experiments;

/// <summary>
/// One FashionMNIST student of P1 (the <c>probabilistic</c> tables and the <c>ablation</c> experiment) as it is
/// trained: the method, its distillation settings, the epochs, the teacher's plan (the first <see cref="TrainSubset"/>
/// training images, all when null, and its epochs; the teacher is always seed 0), whether the student sees the
/// 2×-downsampled images (privileged information), the index set (all objects when <see cref="IndexFraction"/> is
/// null, else <see cref="DistillationTraining.RandomIndexSet"/> with <see cref="IndexSeed"/>), and whether the run
/// tracks the test set per epoch and returns the test probabilities (<see cref="Detail"/>).
/// </summary>
public sealed record FashionStudent(string Method, DistillationSettings Distillation, int Epochs, int TeacherEpochs, int? TrainSubset,
    bool Downsample = false, double? IndexFraction = null, ulong IndexSeed = 0, bool Detail = false);

/// <summary>
/// A FashionMNIST student as a run (body <c>probabilistic/fashion-student</c>): a logistic student (784→10, or
/// 196→10 on the 2×-downsampled images) trained by <see cref="ProbabilisticExperiments.TrainStudent"/> against the
/// soft labels of the LeNet teacher at the teacher temperature; the teacher is trained once per process and plan
/// (<see cref="FashionTeachers"/>). Settings: <c>method</c>, <c>T_teacher</c>, <c>T_student</c>, <c>lambda</c>,
/// <c>normalizer</c>, <c>clamp</c>, <c>epochs</c>, <c>teacher_epochs</c>, <c>train</c> (a count or <c>all</c>),
/// <c>downsample</c>, <c>detail</c>, and for a random index set <c>fraction</c> and <c>index_seed</c>. The payload is
/// a <see cref="StudentOutcomePayload"/>.
/// </summary>
public static class FashionStudentRun
{
    /// <summary>The body's name.</summary>
    public const string Body = "probabilistic/fashion-student";

    /// <summary>The run's settings, values in round-trip form.</summary>
    /// <exception cref="ArgumentException">The distillation settings set something a run does not carry (reduction, precisions).</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> Settings(FashionStudent student)
    {
        ArgumentNullException.ThrowIfNull(student);
        var d = student.Distillation;
        var defaults = new DistillationSettings(0);
        if (d.Reduction != defaults.Reduction || d.Precision != defaults.Precision || d.TeacherPrecision != defaults.TeacherPrecision)
            throw new ArgumentException("FashionStudentRun.Settings: a run carries λ, the temperatures, the normaliser and the clamp only; reduction and precisions must be the defaults.");
        var c = CultureInfo.InvariantCulture;
        var settings = new List<KeyValuePair<string, string>>
        {
            new("method", student.Method),
            new("T_teacher", d.TeacherTemperature.ToString("R", c)),
            new("T_student", d.StudentTemperature.ToString("R", c)),
            new("lambda", d.Lambda.ToString("R", c)),
            new("normalizer", d.IncludeNormalizer ? "true" : "false"),
            new("clamp", d.ClampEpsilon.ToString("R", c)),
            new("epochs", student.Epochs.ToString(c)),
            new("teacher_epochs", student.TeacherEpochs.ToString(c)),
            new("train", student.TrainSubset is int n ? n.ToString(c) : "all"),
            new("downsample", student.Downsample ? "true" : "false"),
            new("detail", student.Detail ? "true" : "false"),
        };
        if (student.IndexFraction is double fraction)
        {
            settings.Add(new("fraction", fraction.ToString("R", c)));
            settings.Add(new("index_seed", student.IndexSeed.ToString(c)));
        }
        return settings;
    }

    /// <summary>The request of <paramref name="student"/> with <paramref name="seed"/>.</summary>
    public static RunRequest Request(RunService runs, FashionStudent student, ulong seed) => runs.Request(Body, Settings(student), seed);

    /// <summary>The student of a request's settings.</summary>
    public static FashionStudent Parse(RunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var c = CultureInfo.InvariantCulture;
        var distillation = new DistillationSettings(double.Parse(request["lambda"], c), TeacherTemperature: double.Parse(request["T_teacher"], c),
            StudentTemperature: double.Parse(request["T_student"], c))
        {
            IncludeNormalizer = Flag(request, "normalizer"),
            ClampEpsilon = double.Parse(request["clamp"], c),
        };
        string train = request["train"];
        return new FashionStudent(request["method"], distillation, int.Parse(request["epochs"], c), int.Parse(request["teacher_epochs"], c),
            train == "all" ? null : int.Parse(train, c), Flag(request, "downsample"),
            request.TryGet("fraction", out string? fraction) ? double.Parse(fraction, c) : null,
            request.TryGet("index_seed", out string? indexSeed) ? ulong.Parse(indexSeed, c) : 0, Flag(request, "detail"));
    }

    /// <summary>Trains the student of <paramref name="request"/> and returns the payload.</summary>
    public static string Run(RunRequest request, DataCatalog data)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        FashionStudent student = Parse(request);
        var outcome = Train(data, student, request.Seed);
        double seconds = clock.Elapsed.TotalSeconds;
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            StudentOutcomePayload.Write(w, outcome, seconds, student.Detail);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Reads a payload of <see cref="Run"/>: the student's outcome and its training seconds.</summary>
    public static (StudentOutcome Outcome, double Seconds) Read(string payload) => StudentOutcomePayload.Read(payload);

    private static StudentOutcome Train(DataCatalog data, FashionStudent student, ulong seed)
    {
        var teacher = FashionTeachers.Shared(data, student.TrainSubset, student.TeacherEpochs);
        float[] soft = teacher.Soft(student.Distillation.TeacherTemperature);
        LabeledDataset train = student.Downsample ? teacher.SmallTrain : teacher.Train;
        LabeledDataset test = student.Downsample ? teacher.SmallTest : data.FashionMnist.Test;
        bool[] inI = student.IndexFraction is double fraction
            ? DistillationTraining.RandomIndexSet(train.Count, fraction, student.IndexSeed)
            : ProbabilisticExperiments.All(train.Count);
        Func<Core.Random.Rng, Module> makeStudent = student.Downsample ? rng => Zoo.Logistic(rng, train.FeatureSize) : rng => Zoo.Logistic(rng);
        return ProbabilisticExperiments.TrainStudent(train, test, makeStudent, student.Method, student.Distillation, soft, inI,
            student.Epochs, seed, trackEpochs: student.Detail);
    }

    private static bool Flag(RunRequest request, string name) => request[name] switch
    {
        "true" => true,
        "false" => false,
        var other => throw new ArgumentException($"FashionStudentRun: setting {name} is '{other}', expected true or false."),
    };
}

/// <summary>
/// P1's FashionMNIST teacher (Zoo.LeNet, cross-entropy, seed 0; <see cref="ProbabilisticExperiments.TrainTeacher"/>),
/// trained once per process and plan (data, training subset, epochs) and shared by the experiments and the student runs
/// of that process, with its soft labels per temperature, its test report and the 2×-downsampled sets, each computed
/// once. The teacher's forward passes are taken one at a time.
/// </summary>
public sealed class FashionTeachers
{
    private static readonly ConcurrentDictionary<(DataCatalog Data, int Train, int Epochs), Lazy<FashionTeachers>> Trained = new();

    private readonly Module _teacher;
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<double, Lazy<float[]>> _soft = new();
    private readonly Lazy<EvaluationReport> _test;
    private readonly Lazy<LabeledDataset> _smallTrain, _smallTest;

    private FashionTeachers(LabeledDataset train, LabeledDataset test, Module teacher)
    {
        Train = train;
        _teacher = teacher;
        _test = new(() => { lock (_gate) return Trainer.Evaluate(_teacher, test.OrderedBatches()); });
        _smallTrain = new(() => ProbabilisticExperiments.Downsample2x(train));
        _smallTest = new(() => ProbabilisticExperiments.Downsample2x(test));
    }

    /// <summary>
    /// The process's teacher for a plan: trained on first use on the first <paramref name="trainSubset"/> images (all
    /// when null) for <paramref name="epochs"/> epochs; <paramref name="onEpoch"/> sees its epochs when this call trains it.
    /// </summary>
    public static FashionTeachers Shared(DataCatalog data, int? trainSubset, int epochs, Action<EpochReport>? onEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Trained.GetOrAdd((data, trainSubset ?? -1, epochs), key => new Lazy<FashionTeachers>(() =>
        {
            FashionMnist fashion = data.FashionMnist;
            LabeledDataset train = fashion.Train;
            if (trainSubset is int subset)
                train = train.Subset(Enumerable.Range(0, subset).ToArray(), $"{train.Name}[first {subset}]");
            return new FashionTeachers(train, fashion.Test, ProbabilisticExperiments.TrainTeacher(train, epochs, seed: 0, onEpoch));
        })).Value;
    }

    /// <summary>The teacher's training images (the students' too).</summary>
    public LabeledDataset Train { get; }

    /// <summary>The training images 2×-downsampled (<see cref="ProbabilisticExperiments.Downsample2x"/>).</summary>
    public LabeledDataset SmallTrain => _smallTrain.Value;

    /// <summary>The test images 2×-downsampled.</summary>
    public LabeledDataset SmallTest => _smallTest.Value;

    /// <summary>The teacher on the test set.</summary>
    public EvaluationReport Test => _test.Value;

    /// <summary>The teacher's soft labels of the training images at <paramref name="temperature"/> (the same array for every caller; do not change it).</summary>
    public float[] Soft(double temperature) => _soft.GetOrAdd(temperature, t => new Lazy<float[]>(() =>
    {
        lock (_gate) return DistillationTraining.TeacherProbabilities(_teacher, Train, t);
    })).Value;
}
