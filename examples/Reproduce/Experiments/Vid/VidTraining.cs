using Probabilistic.Core.Random;
using Probabilistic.Distill.Vid;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;
using Probabilistic.Nn.Training;

namespace Probabilistic.Reproduce.Experiments.Vid;

/// <summary>
/// The training loops of the <c>vid</c> experiment: the teacher by cross-entropy, a student with a
/// <see cref="VidObjective"/> (its connections trained with it by the same Adam), and the frozen-student fit of the
/// 16 connections' q that gives the per-connection −E[log q] picture.
/// </summary>
public static class VidTraining
{
    /// <summary>The evaluations after epochs 0 (the initialisation), 1, …, E.</summary>
    public sealed record Curve(List<double> Accuracy, List<double> CrossEntropy);

    /// <summary>The input shape of a FashionMNIST image.</summary>
    public static readonly int[] InputShape = [1, FashionMnist.Side, FashionMnist.Side];

    /// <summary>Trains the teacher TinyCnn by cross-entropy (Adam, no shuffle when <paramref name="shuffle"/> is false).</summary>
    public static FeatureClassifier Teacher(LabeledDataset train, int epochs, int batch, double rate, bool shuffle, ulong seed)
    {
        var rng = new Rng(seed);
        var teacher = Zoo.TinyCnn(rng);
        var loader = new BatchLoader(train, batch, rng.NextUInt64(), shuffle);
        var trainer = new Trainer(teacher, new Adam(teacher.Parameters(), rate));
        trainer.Fit(e => loader.LabelledBatches(e - 1), epochs);
        teacher.Eval();
        return teacher;
    }

    /// <summary>
    /// Trains a VeryTinyCnn student (built from <paramref name="seed"/>) with <paramref name="settings"/> against the
    /// frozen <paramref name="teacher"/>; evaluates on <paramref name="evaluation"/> before training and after every epoch. Returns the
    /// student, its bound objective (disposed: its connections stay readable) and the curve.
    /// </summary>
    public static (FeatureClassifier Student, Curve Curve) Student(Module teacher, VidSettings settings, LabeledDataset train,
        LabeledDataset evaluation, int epochs, int batch, double rate, bool shuffle, ulong seed, CancellationToken cancellation)
    {
        var rng = new Rng(seed);
        var student = Zoo.VeryTinyCnn(rng);
        using var objective = new VidDistillation(settings).Bind(teacher, student, InputShape, Zoo.TinyFeaturePaths, Zoo.TinyFeaturePaths, rng);
        var optimizer = new Adam([.. student.Parameters(), .. objective.Parameters()], rate);
        var loader = new BatchLoader(train, batch, rng.NextUInt64(), shuffle);
        var curve = new Curve([], []);
        Record(student, evaluation, curve);
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            cancellation.ThrowIfCancellationRequested();
            student.Train();
            foreach (var b in loader.LabelledBatches(epoch))
            {
                using var scope = TensorScope.Begin();
                optimizer.ZeroGrad();
                var loss = objective.StudentLoss(b.Inputs, b.Labels);
                float value = loss.Item();
                if (!float.IsFinite(value)) throw new InvalidOperationException($"vid: the {settings.Preset} student's loss is {value} in epoch {epoch + 1}.");
                loss.Backward();
                optimizer.Step();
            }
            Record(student, evaluation, curve);
        }
        student.Eval();
        return (student, curve);
    }

    private static void Record(Module student, LabeledDataset evaluation, Curve curve)
    {
        var report = Trainer.Evaluate(student, evaluation.OrderedBatches());
        curve.Accuracy.Add(report.Accuracy);
        curve.CrossEntropy.Add(report.CrossEntropy);
    }

    /// <summary>
    /// The information picture (issue #14 item 5): fits every teacher-layer × student-layer Gaussian connection q on
    /// the frozen <paramref name="student"/>'s features (both models in evaluation mode, no gradient into them) by
    /// <paramref name="steps"/> Adam steps on batches of <paramref name="fit"/>, then returns −E[log q(t | s)] per
    /// connection (per element, without ½ log 2π) on <paramref name="held"/>, as [teacher layer, student layer]. The
    /// probe starts at σ² = 1 (not VID's 5), so a few hundred steps reach the fitted variance.
    /// </summary>
    public static double[,] ConnectionNll(Module teacher, Module student, LabeledDataset fit, LabeledDataset held,
        int steps, int batch, double rate, ulong seed)
    {
        var rng = new Rng(seed);
        var paths = Zoo.TinyFeaturePaths;
        var teacherShapes = Shapes(teacher, paths);
        var studentShapes = Shapes(student, paths);
        int n = paths.Count;
        var info = new VidLoss(teacherShapes, studentShapes, VidLambda.All(n, n, VidLambdaForm.Free), rng, new GaussianConnectionOptions(InitialVariance: 1));
        var optimizer = new Adam(info.Parameters(), rate);
        using var tc = new FeatureCapture(teacher, [.. paths]);
        using var sc = new FeatureCapture(student, [.. paths]);
        teacher.Eval();
        student.Eval();
        var loader = new BatchLoader(fit, batch, rng.NextUInt64());
        int step = 0;
        for (int epoch = 0; step < steps; epoch++)
            foreach (var b in loader.LabelledBatches(epoch))
            {
                if (step++ >= steps) break;
                using var scope = TensorScope.Begin();
                var (t, s) = Features(teacher, student, tc, sc, paths, b.Inputs);
                optimizer.ZeroGrad();
                info.Loss(t, s).Backward();
                optimizer.Step();
            }
        var result = new double[n, n];
        int rows = 0;
        foreach (var b in held.OrderedBatches(500))
        {
            using var scope = TensorScope.Begin();
            var (t, s) = Features(teacher, student, tc, sc, paths, b.Inputs);
            using var noGrad = GradMode.NoGrad();
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    result[i, j] += info.Connection(i, j)!.NegativeLogLikelihood(t[i], s[j]).Item() * b.Labels.Length;
            rows += b.Labels.Length;
        }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) result[i, j] /= rows;
        return result;
    }

    private static (Tensor[] Teacher, Tensor[] Student) Features(Module teacher, Module student, FeatureCapture tc, FeatureCapture sc,
        IReadOnlyList<string> paths, Tensor input)
    {
        using var noGrad = GradMode.NoGrad();
        teacher.Forward(input);
        student.Forward(input);
        return ([.. paths.Select(p => tc[p])], [.. paths.Select(p => sc[p])]);
    }

    private static IReadOnlyList<IReadOnlyList<int>> Shapes(Module model, IReadOnlyList<string> paths)
    {
        using var capture = new FeatureCapture(model, [.. paths]);
        using var scope = TensorScope.Begin();
        using (GradMode.NoGrad()) model.Eval().Forward(Tensor.Zeros([1, .. InputShape]));
        return [.. paths.Select(p => (IReadOnlyList<int>)capture[p].Shape.ToArray()[1..])];
    }

    /// <summary>Test cross-entropy and accuracy of a trained model (kept for symmetry with the curves).</summary>
    public static EvaluationReport Evaluate(Module model, LabeledDataset data) => Trainer.Evaluate(model, data.OrderedBatches());
}
