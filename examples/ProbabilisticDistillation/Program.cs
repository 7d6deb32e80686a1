// Probabilistic distillation (Grabovoy & Strijov, P1) in a few lines: a student learns from hard labels and, on the
// objects of the index set I, from a teacher's soft answers. The methods are picked by name from the library's
// registry; the full reproduction (5 seeds, sweep, FashionMNIST, privileged information) is `Reproduce run probabilistic`.
// Usage: ProbabilisticDistillation [output folder for the figure]
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Distillation;
using Probabilistic.Nn.Models;
using Probabilistic.Plots;

string outDir = args.Length > 0 ? args[0] : ".";
Console.WriteLine($"Distillation methods: {string.Join(", ", DistillationMethods.Names)}");

// 1. The synthetic set of P1: numpy seed 0, teacher softmax(xW/10), λ = 0.75, linear student 10→3, 200 epochs.
var data = SyntheticClassification.Generate();
float[] teacher = data.SoftLabels(data.Train, temperature: 10);
float[] truth = data.SoftLabels(data.Test, temperature: 10);
bool[] everyObject = ProbabilisticExperiments.All(data.Train.Count);
var settings = new DistillationSettings(Lambda: 0.75, TeacherTemperature: 10, StudentTemperature: 1, IncludeNormalizer: false);

var figure = new Figure("Synthetic set: test cross-entropy per epoch (seed 0)", 900, 500);
var axes = figure.Axes(xLabel: "epoch", yLabel: "test CE");
Console.WriteLine("\nSynthetic (K = 3), final epoch 200, seed 0:");
Console.WriteLine($"{"method",-26} {"test CE",8} {"accuracy",9} {"max-min",8} {"RealCE",8}");
foreach (string method in new[] { "ml", "probabilistic-paper", "probabilistic-corrected", "hinton" })
{
    var run = ProbabilisticExperiments.TrainStudent(data.Train, data.Test, rng => Zoo.Logistic(rng, 10, 3), method,
        settings with { IncludeNormalizer = method == "probabilistic-corrected" }, teacher, everyObject, epochs: 200, seed: 0,
        trueTestProbabilities: truth, trackEpochs: true);
    var m = run.Metrics;
    Console.WriteLine($"{method,-26} {m.CrossEntropy,8:F4} {m.Accuracy,9:F4} {m.MaxMinusMin,8:F4} {m.RealCrossEntropy,8:F4}");
    axes.Line(run.Epochs.Select(e => e.Validation!.CrossEntropy).ToArray(), method);
}
Console.WriteLine("Paper (5 runs): without teacher CE 0.422, acc 0.831, RealCE 2.64; with teacher CE 0.618, acc 0.828, RealCE 1.17.");

// 2. The index set I: only a fraction of the objects get the teacher's answer (Vapnik's privileged information).
Console.WriteLine("\nGrowing I (probabilistic-paper, λ = 0.75, seed 0):");
foreach (double fraction in new[] { 0.0, 0.1, 0.5, 1.0 })
{
    var run = ProbabilisticExperiments.TrainStudent(data.Train, data.Test, rng => Zoo.Logistic(rng, 10, 3), "probabilistic-paper", settings,
        teacher, DistillationTraining.RandomIndexSet(data.Train.Count, fraction, seed: 1), epochs: 200, seed: 0, trueTestProbabilities: truth);
    Console.WriteLine($"  |I|/m = {fraction,4:F1}: test CE {run.Metrics.CrossEntropy:F4}, accuracy {run.Metrics.Accuracy:F4}, RealCE {run.Metrics.RealCrossEntropy:F4}");
}

string path = Path.Combine(outDir, "probabilistic_distillation_synthetic.png");
figure.SavePng(path);
Console.WriteLine($"\nFigure: {path}");
