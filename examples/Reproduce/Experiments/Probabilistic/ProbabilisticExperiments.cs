using Probabilistic.Core.Random;
using Probabilistic.Distill;
using Probabilistic.Distill.Output;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Training;

namespace Probabilistic.Reproduce.Experiments;

/// <summary>What one student run gives: final metrics, test probabilities (N·K) and the per-epoch reports.</summary>
public sealed record StudentOutcome(StudentMetrics Metrics, float[] TestProbabilities, IReadOnlyList<EpochReport> Epochs);

/// <summary>
/// The building blocks of P1's experiments (methods.md §1.4): train a student with a method of the registry named
/// by a string, train the LeNet teacher, and degrade images for the privileged-information setting.
/// Students are trained with Adam (PyTorch defaults, lr 1e-3) and batch 64, as the authors' code.
/// </summary>
public static class ProbabilisticExperiments
{
    /// <summary>The authors' batch size.</summary>
    public const int BatchSize = 64;

    /// <summary>
    /// Trains a student made by <paramref name="makeStudent"/> (seeded by <paramref name="seed"/>) with method
    /// <paramref name="method"/> and returns its final-epoch test metrics. <paramref name="trueTestProbabilities"/>
    /// (synthetic set) adds RealCE; <paramref name="trackEpochs"/> evaluates on the test set after every epoch.
    /// </summary>
    public static StudentOutcome TrainStudent(LabeledDataset train, LabeledDataset test, Func<Rng, Module> makeStudent,
        string method, DistillationSettings settings, float[] teacherProbabilities, bool[] inIndexSet, int epochs, ulong seed,
        float[]? trueTestProbabilities = null, bool trackEpochs = false)
    {
        var rng = new Rng(seed);
        Module student = makeStudent(rng);
        var optimizer = new Adam(student.Parameters(), lr: 1e-3);
        var loss = MethodRegistry.Create<IClassificationDistillation>(method, settings);
        var epochsRun = DistillationTraining.Fit(student, optimizer, train, loss, teacherProbabilities, inIndexSet, epochs, BatchSize,
            seed: rng.NextUInt64(), validation: trackEpochs ? test : null);
        var (probabilities, labels, classes) = Trainer.PredictProbabilities(student, test.OrderedBatches());
        var metrics = StudentMetrics.From(probabilities, classes, labels, trueTestProbabilities);
        return new StudentOutcome(metrics, probabilities, epochsRun);
    }

    /// <summary>All objects in I.</summary>
    public static bool[] All(int count) => Enumerable.Repeat(true, count).ToArray();

    /// <summary>Trains the LeNet-like teacher (Zoo.LeNet) with cross-entropy, Adam lr 1e-3, batch 64.</summary>
    public static Module TrainTeacher(LabeledDataset train, int epochs, ulong seed, Action<EpochReport>? onEpoch = null)
    {
        var rng = new Rng(seed);
        var teacher = Zoo.LeNet(rng, train.ClassCount);
        var trainer = new Trainer(teacher, new Adam(teacher.Parameters(), lr: 1e-3));
        if (onEpoch is not null) trainer.Callbacks.Add(new EpochAction(onEpoch));
        var loader = new BatchLoader(train, BatchSize, rng.NextUInt64());
        trainer.Fit(e => loader.LabelledBatches(e - 1), epochs, stepsPerEpoch: loader.BatchCount);
        return teacher;
    }

    private sealed class EpochAction(Action<EpochReport> action) : TrainingCallback
    {
        public override void OnEpochEnd(EpochReport report) => action(report);
    }

    /// <summary>
    /// A 2×-downsampled copy of 1×28×28 images (2×2 average pooling, 14×14 = 196 features): the student's degraded
    /// view in the privileged-information setting, where the teacher sees the clean image.
    /// </summary>
    public static LabeledDataset Downsample2x(LabeledDataset images)
    {
        if (images.SampleShape is not [1, var h, var w] || h % 2 != 0 || w % 2 != 0)
            throw new ArgumentException($"Downsample2x: expected images [1, H, W] with even H and W, got [{string.Join(", ", images.SampleShape)}].");
        int oh = h / 2, ow = w / 2;
        var result = new float[images.Count * oh * ow];
        for (int i = 0; i < images.Count; i++)
        {
            var src = images.Row(i);
            for (int r = 0; r < oh; r++)
            for (int c = 0; c < ow; c++)
                result[(i * oh + r) * ow + c] = 0.25f * (src[2 * r * w + 2 * c] + src[2 * r * w + 2 * c + 1] + src[(2 * r + 1) * w + 2 * c] + src[(2 * r + 1) * w + 2 * c + 1]);
        }
        return new LabeledDataset(images.Name + "/downsampled2x", result, [oh * ow], images.Labels, images.ClassCount, images.ClassNames);
    }
}
