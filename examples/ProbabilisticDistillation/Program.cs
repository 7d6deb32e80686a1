// Probabilistic distillation (Grabovoy & Strijov, P1) in a few lines: a student learns from hard labels and, on the
// objects of the index set I, from a teacher's soft answers. The methods are picked by name from Model.Distill's
// registry; the full reproduction (5 seeds, sweep, FashionMNIST, privileged information) is `Reproduce run probabilistic`.
// Usage: ProbabilisticDistillation [output folder for the figure]
using Probabilistic.Core.Random;
using Probabilistic.Distill;
using Probabilistic.Distill.Output;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Metrics;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Training;
using Probabilistic.Plots;

string outDir = args.Length > 0 ? args[0] : ".";
Console.WriteLine($"Distillation methods: {string.Join(", ", MethodRegistry.Names)}");

// 1. The synthetic set of P1: numpy seed 0, teacher softmax(xW/10), λ = 0.75, linear student 10→3, 200 epochs.
var data = SyntheticClassification.Generate();
float[] teacher = data.SoftLabels(data.Train, temperature: 10);
float[] truth = data.SoftLabels(data.Test, temperature: 10);
bool[] everyObject = Enumerable.Repeat(true, data.Train.Count).ToArray();
var settings = new DistillationSettings(Lambda: 0.75, TeacherTemperature: 10, StudentTemperature: 1, IncludeNormalizer: false);

// One student: a logistic regression trained with Adam (lr 1e-3, batch 64) on the method's loss; its test
// probabilities give CE, accuracy, max−min spread and RealCE (cross-entropy against the true probabilities of the
// first 40 test objects).
(double Ce, double Accuracy, double Spread, double RealCe, List<EpochReport> Epochs) Train(string method, DistillationSettings s, bool[] inI, ulong seed)
{
    var rng = new Rng(seed);
    var student = Zoo.Logistic(rng, 10, 3);
    var loss = MethodRegistry.Create<IClassificationDistillation>(method, s);
    var epochs = DistillationTraining.Fit(student, new Adam(student.Parameters(), lr: 1e-3), data.Train, loss, teacher, inI,
        epochs: 200, batchSize: 64, seed: rng.NextUInt64(), validation: data.Test);
    var (p, labels, k) = Trainer.PredictProbabilities(student, data.Test.OrderedBatches());
    return (ClassificationMetrics.CrossEntropy(p, k, labels), ClassificationMetrics.Accuracy(p, k, labels),
        ClassificationMetrics.MeanSpread(p, k), ClassificationMetrics.SoftCrossEntropy(p, k, truth.AsSpan(0, 40 * k)), epochs);
}

var figure = new Figure("Synthetic set: test cross-entropy per epoch (seed 0)", 900, 500);
var axes = figure.Axes(xLabel: "epoch", yLabel: "test CE");
Console.WriteLine("\nSynthetic (K = 3), final epoch 200, seed 0:");
Console.WriteLine($"{"method",-26} {"test CE",8} {"accuracy",9} {"max-min",8} {"RealCE",8}");
foreach (string method in new[] { "ml", "probabilistic-paper", "probabilistic-corrected", "hinton" })
{
    var m = Train(method, settings with { IncludeNormalizer = method == "probabilistic-corrected" }, everyObject, seed: 0);
    Console.WriteLine($"{method,-26} {m.Ce,8:F4} {m.Accuracy,9:F4} {m.Spread,8:F4} {m.RealCe,8:F4}");
    axes.Line(m.Epochs.Select(e => e.Validation!.CrossEntropy).ToArray(), method);
}
Console.WriteLine("Paper (5 runs): without teacher CE 0.422, acc 0.831, RealCE 2.64; with teacher CE 0.618, acc 0.828, RealCE 1.17.");

// 2. The index set I: only a fraction of the objects get the teacher's answer (Vapnik's privileged information).
Console.WriteLine("\nGrowing I (probabilistic-paper, λ = 0.75, seed 0):");
foreach (double fraction in new[] { 0.0, 0.1, 0.5, 1.0 })
{
    var m = Train("probabilistic-paper", settings, DistillationTraining.RandomIndexSet(data.Train.Count, fraction, seed: 1), seed: 0);
    Console.WriteLine($"  |I|/m = {fraction,4:F1}: test CE {m.Ce:F4}, accuracy {m.Accuracy:F4}, RealCE {m.RealCe:F4}");
}

string path = Path.Combine(outDir, "probabilistic_distillation_synthetic.png");
figure.SavePng(path);
Console.WriteLine($"\nFigure: {path}");
