// A teacher trained in PyTorch, distilled into a Model.Nn student (issue #18).
//   /usr/bin/python3 examples/OnnxTeacher/train_export.py        # trains Zoo.TinyCnn's twin, writes out/teacher.onnx + .npz
//   dotnet run --project examples/OnnxTeacher -c Release          # [--dir DIR] [--epochs N] [--threads N] [--fashion-mnist DIR]
// 1. The ONNX graph runs in ONNX Runtime as a Teacher (declared input shape, normalisation, one intermediate feature);
//    its soft labels train a small MLP with Hinton's loss; teacher and student accuracy and their agreement are printed.
// 2. The same weights (the state_dict as .npz) load into Model.Nn's Zoo.TinyCnn; its logits must match ONNX Runtime's
//    to float tolerance, and the distillation is repeated with the Model.Nn copy as the teacher.
using System.Globalization;
using Probabilistic.Core.Random;
using Probabilistic.Distill.Output;
using Probabilistic.Distill.Teachers;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Metrics;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;
using Probabilistic.Nn.Training;
using Probabilistic.Onnx;

const string Script = "/usr/bin/python3 examples/OnnxTeacher/train_export.py";
const string Feature = "features.7";                                   // Model.Nn: the second pooled block, [32, 6, 6]
const string FeatureNode = "/features/features.7/MaxPool_output_0";    // the same tensor in the exported graph
const double Temperature = 4, Tolerance = 1e-4;
var normalisation = new InputNormalisation([0.2860f], [0.3530f]);    // what train_export.py trained with
int[] inputShape = [1, FashionMnist.Side, FashionMnist.Side];

string? Option(string name) => Array.IndexOf(args, name) is var i && i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
string dir = Option("--dir") ?? Path.Combine(DataLocations.FindRepositoryRoot() ?? ".", "examples", "OnnxTeacher", "out");
int epochs = int.Parse(Option("--epochs") ?? "3", CultureInfo.InvariantCulture);
int threads = int.Parse(Option("--threads") ?? "2", CultureInfo.InvariantCulture);
string onnxPath = Path.Combine(dir, "teacher.onnx"), statePath = Path.Combine(dir, "teacher_state.npz");
foreach (var path in new[] { onnxPath, statePath })
    if (!File.Exists(path))
    {
        Console.Error.WriteLine($"OnnxTeacher: {path} is missing; run '{Script}' first (or pass --dir to the folder it wrote).");
        return 2;
    }
Gemm.MaxThreads = threads;

var data = FashionMnist.Load(Option("--fashion-mnist"));
int k = data.Test.ClassCount;

using var onnx = new OnnxTeacher(onnxPath, new OnnxTeacherOptions
{
    InputName = "input",
    LogitsOutput = "logits",
    Features = [FeatureNode],                                          // not a graph output: OnnxTeacher adds it
    InputShape = inputShape,
    Normalisation = normalisation,
    IntraOpThreads = threads,
});
var firstBatch = data.Test.OrderedBatches(8).First();
var onnxFeature = onnx.Run(firstBatch.Inputs, [FeatureNode]).Features[0];
Console.WriteLine($"ONNX teacher {onnxPath}: feature '{FeatureNode}' {onnxFeature.ShapeString} on a batch of 8");
var onnxLogits = TestLogits(onnx, data.Test);
if (File.Exists(Path.Combine(dir, "teacher.json")))                   // what train_export.py measured in PyTorch
    using (var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "teacher.json"))))
        if (json.RootElement.TryGetProperty("test_accuracy", out var torchAccuracy) && torchAccuracy.ValueKind == System.Text.Json.JsonValueKind.Number)
            Console.WriteLine($"PyTorch reported test accuracy {torchAccuracy.GetDouble():P2} for this teacher");
Distil(onnx, onnxLogits, "ONNX Runtime");

var twin = Zoo.TinyCnn(new Rng(0));
ParameterIO.LoadNpz(twin, statePath);
using var nn = new ModuleTeacher(twin, inputShape, normalisation, "Model.Nn TinyCnn");
var nnLogits = TestLogits(nn, data.Test);
double logitGap = MaxAbsDifference(onnxLogits, nnLogits);
double featureGap = MaxAbsDifference(onnxFeature.Span, nn.Run(firstBatch.Inputs, [Feature]).Features[0].Span);
Console.WriteLine($"Model.Nn twin from {statePath}: max |logit difference| to ONNX Runtime over the test set {logitGap:E2}, " +
    $"max |'{Feature}' difference| on the first batch {featureGap:E2} (tolerance {Tolerance:E0})");
if (!(logitGap <= Tolerance && featureGap <= Tolerance))
{
    Console.Error.WriteLine("OnnxTeacher: ONNX Runtime and the Model.Nn twin disagree beyond float tolerance.");
    return 1;
}
Distil(nn, nnLogits, "Model.Nn");
return 0;

// Hinton's loss (λ = 0.5, T = 4) from the teacher's soft labels, a 784-128-10 student, then the three numbers.
void Distil(Teacher teacher, float[] teacherLogits, string label)
{
    var probabilities = DistillationTraining.TeacherProbabilities(teacher, data.Train, Temperature);
    var everywhere = DistillationTraining.RandomIndexSet(data.Train.Count, 1, seed: 1);
    var student = new Mlp(new Rng(2), 784, 128, 10);
    var loss = new HintonDistillation(new DistillationSettings(Lambda: 0.5, TeacherTemperature: Temperature, StudentTemperature: Temperature));
    DistillationTraining.Fit(student, new Adam(student.Parameters(), 1e-3f), data.Train, loss, probabilities, everywhere,
        epochs, batchSize: 128, seed: 3);
    var studentLogits = TestLogits(student, data.Test);
    var labels = data.Test.Labels;
    Console.WriteLine($"[{label} teacher] teacher accuracy {ClassificationMetrics.Accuracy(teacherLogits, k, labels):P2}, " +
        $"student accuracy {ClassificationMetrics.Accuracy(studentLogits, k, labels):P2} ({epochs} epochs), " +
        $"agreement {Agreement(teacherLogits, studentLogits):P2}");
}

// The logits [N·K] of a teacher (or a module, converted implicitly) on the whole set, in order.
float[] TestLogits(Teacher teacher, LabeledDataset set)
{
    var result = new float[set.Count * k];
    int offset = 0;
    foreach (var batch in set.OrderedBatches(256))
    {
        using var scope = TensorScope.Begin();
        var logits = teacher.Logits(batch.Inputs).Span;
        logits.CopyTo(result.AsSpan(offset));
        offset += logits.Length;
    }
    return result;
}

// The fraction of objects on which both argmaxes agree.
double Agreement(float[] a, float[] b)
{
    int same = 0;
    for (int r = 0; r < a.Length / k; r++)
        if (ClassificationMetrics.ArgMax(a.AsSpan(r * k, k)) == ClassificationMetrics.ArgMax(b.AsSpan(r * k, k))) same++;
    return (double)same / (a.Length / k);
}

static double MaxAbsDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
{
    if (a.Length != b.Length) throw new ArgumentException($"OnnxTeacher: {a.Length} values against {b.Length}.");
    var difference = new float[a.Length];
    System.Numerics.Tensors.TensorPrimitives.Subtract(a, b, difference);
    return System.Numerics.Tensors.TensorPrimitives.MaxMagnitude<float>(difference) is var m && float.IsNaN(m) ? double.NaN : Math.Abs(m);
}
