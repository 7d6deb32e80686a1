using Probabilistic.Core.Random;
using Probabilistic.Distill.MultiDomain;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;
using Probabilistic.Nn.Training;

namespace Probabilistic.Distill.Tests.MultiDomain;

/// <summary>
/// Training with a map φ on a tiny two-class problem (16 features in [0, 1]): the teacher learns through noise, the
/// student without a teacher is the plain trainer's run, a student taught only by a teacher copies that teacher's
/// decisions (even a teacher that contradicts the labels), and φ of a data set keeps the labels.
/// </summary>
public class MultiDomainTrainingTests
{
    private const int D = 16;

    /// <summary>
    /// Class y ∈ {0, 1}: x_j = clip(0.5 ± 0.15·s_j + 0.2·N(0, 1), 0, 1) with s = (+1 × 8, −1 × 8), + for class 1.
    /// The class means differ by 1.2 along s/|s| against a noise sd of 0.2, so the classes are almost separable.
    /// </summary>
    private static LabeledDataset Synthetic(int count, ulong seed, Func<int, int>? relabel = null)
    {
        var rng = new Rng(seed);
        var x = new float[count * D];
        var labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            int y = rng.NextInt(2);
            for (int j = 0; j < D; j++)
            {
                double s = j < D / 2 ? 1 : -1;
                x[n * D + j] = (float)Math.Clamp(0.5 + (y == 1 ? 0.15 : -0.15) * s + 0.2 * rng.Normal(), 0, 1);
            }
            labels[n] = relabel is null ? y : relabel(y);
        }
        return new LabeledDataset($"synthetic-{seed}", x, [D], labels, 2);
    }

    private static int[] Predictions(Module model, LabeledDataset data)
    {
        var (p, _, k) = Trainer.PredictProbabilities(model, data.OrderedBatches());
        var predictions = new int[data.Count];
        for (int n = 0; n < predictions.Length; n++) predictions[n] = p[n * k + 1] > p[n * k] ? 1 : 0;
        return predictions;
    }

    private static float[] Flat(Module model) => model.Parameters().SelectMany(p => p.ToArray()).ToArray();

    [Fact]
    public void TeacherLearnsThroughTheNoiseMapAndTheMapsSeedFixesTheRun()
    {
        var train = Synthetic(400, 1);
        var test = Synthetic(400, 2);
        Mlp Fit(ulong mapSeed)
        {
            var teacher = Zoo.Logistic(new Rng(3), D, 2);
            MultiDomainTraining.FitTeacher(teacher, new Adam(teacher.Parameters(), lr: 0.05), train, new NoiseMap(0.1, mapSeed),
                epochs: 8, batchSize: 32, seed: 4);
            return teacher;
        }
        var teacher = Fit(5);
        double accuracy = Trainer.Evaluate(teacher, test.OrderedBatches()).Accuracy;
        Assert.True(accuracy > 0.9, $"teacher accuracy {accuracy} (chance 0.5)");
        // φ is applied to every batch: the same noise seed repeats the run exactly, another seed changes it.
        Assert.Equal(Flat(teacher), Flat(Fit(5)));
        Assert.NotEqual(Flat(teacher), Flat(Fit(6)));
    }

    [Fact]
    public void StudentWithoutTeacherWeightIsThePlainTrainersRun()
    {
        var train = Synthetic(300, 7);
        var loss = new MultiDomainDistillation(new MultiDomainSettings(HardWeight: 1, SoftWeight: 0));
        var student = Zoo.Logistic(new Rng(8), D, 2);
        var reports = MultiDomainTraining.FitStudent(student, new Adam(student.Parameters(), lr: 0.05), train, loss,
            teacher: null, map: null, epochs: 3, batchSize: 32, seed: 9);
        Assert.Equal(3, reports.Count);
        var plain = Zoo.Logistic(new Rng(8), D, 2);
        var loader = new BatchLoader(train, 32, 9);
        new Trainer(plain, new Adam(plain.Parameters(), lr: 0.05)).Fit(e => loader.LabelledBatches(e - 1), 3);
        float[] expected = Flat(plain), actual = Flat(student);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 6);
        Assert.True(Trainer.Evaluate(student, Synthetic(300, 10).OrderedBatches()).Accuracy > 0.9);
    }

    [Fact]
    public void TeacherWeightWithoutTeacherThrows()
    {
        var train = Synthetic(20, 11);
        var student = Zoo.Logistic(new Rng(12), D, 2);
        Assert.Throws<ArgumentNullException>(() => MultiDomainTraining.FitStudent(student, new Adam(student.Parameters()), train,
            new MultiDomainDistillation(new MultiDomainSettings()), teacher: null, map: null, epochs: 1, batchSize: 10, seed: 1));
    }

    [Fact]
    public void StudentTaughtOnlyBySoftLabelsCopiesTheTeachersDecisions()
    {
        // The teacher learns the flipped labels (it calls class 0 what the truth calls 1); the student sees labels
        // drawn at random and HardWeight 0, so the teacher is all it can learn from. It should agree with the teacher
        // on most fresh inputs, and so disagree with the truth.
        var teacherData = Synthetic(400, 13, y => 1 - y);
        var teacher = Zoo.Logistic(new Rng(14), D, 2);
        MultiDomainTraining.FitTeacher(teacher, new Adam(teacher.Parameters(), lr: 0.05), teacherData, IdentityMap.Instance,
            epochs: 8, batchSize: 32, seed: 15);
        var noise = new Rng(16);
        var studentData = Synthetic(300, 17, _ => noise.NextInt(2));
        var student = new Mlp(new Rng(18), D, 8, 2);
        MultiDomainTraining.FitStudent(student, new Adam(student.Parameters(), lr: 0.02), studentData,
            new MultiDomainDistillation(new MultiDomainSettings(HardWeight: 0, SoftWeight: 1)), teacher, IdentityMap.Instance,
            epochs: 10, batchSize: 30, seed: 19);
        var test = Synthetic(400, 20);
        int[] byTeacher = Predictions(teacher, test), byStudent = Predictions(student, test);
        double agreement = byTeacher.Zip(byStudent).Average(p => p.First == p.Second ? 1.0 : 0.0);
        double studentAccuracy = byStudent.Zip(test.Labels).Average(p => p.First == p.Second ? 1.0 : 0.0);
        Assert.True(agreement > 0.9, $"student agrees with the teacher on {agreement:P1}");
        Assert.True(studentAccuracy < 0.2, $"student accuracy against the truth {studentAccuracy:P1} (the teacher is flipped)");
    }

    [Fact]
    public void FitStudentRestoresTheTeachersMode()
    {
        var data = Synthetic(40, 21);
        var teacher = Zoo.Logistic(new Rng(22), D, 2);
        teacher.Train();
        var student = Zoo.Logistic(new Rng(23), D, 2);
        MultiDomainTraining.FitStudent(student, new Adam(student.Parameters()), data, new MultiDomainDistillation(new MultiDomainSettings()),
            teacher, new NoiseMap(0.1, 1), epochs: 1, batchSize: 20, seed: 2);
        Assert.True(teacher.IsTraining);
    }

    [Fact]
    public void ApplyToADataSetKeepsTheLabelsAndTakesTheMapsShape()
    {
        // 1,200 images of 8×8 (more than one of Apply's 1,000-sample batches) through a 5×5 convolution: 4×4 outputs.
        var rng = new Rng(24);
        int count = 1200;
        var x = new float[count * 64];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextFloat();
        var labels = Enumerable.Range(0, count).Select(i => (i * 7) % 3).ToArray();
        var data = new LabeledDataset("tiny", x, [64], labels, 3);
        var conv = FixedConvolutionMap.SeededRandom(25, kernel: 5, side: 8);
        var mapped = MultiDomainTraining.Apply(conv, data);
        Assert.Equal(count, mapped.Count);
        Assert.Equal(new[] { 16 }, mapped.SampleShape);
        Assert.Equal(labels, mapped.Labels);
        Assert.Equal(3, mapped.ClassCount);
        double[] expected = FixedConvolutionMapTests.NaiveConvolution(x, count, 8, conv.Kernel, 1, conv.Bias);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - mapped.Features[i]) < 1e-5, $"feature {i}: expected {expected[i]}, got {mapped.Features[i]}");

        var noisy = MultiDomainTraining.Apply(new NoiseMap(0.1, 26), data);
        Assert.Equal(new[] { 64 }, noisy.SampleShape);
        Assert.Equal(labels, noisy.Labels);
        Assert.All(noisy.Features, v => Assert.InRange(v, 0f, 1f));
        Assert.Contains(x.Zip(noisy.Features), p => p.First != p.Second);
    }
}
