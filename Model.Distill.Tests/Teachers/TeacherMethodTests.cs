using Probabilistic.Core.Random;
using Probabilistic.Distill.DarkKnowledge;
using Probabilistic.Distill.MultiDomain;
using Probabilistic.Distill.Output;
using Probabilistic.Distill.Teachers;
using Probabilistic.Distill.Vid;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;
using Probabilistic.Nn.Training;

namespace Probabilistic.Distill.Tests.Teachers;

/// <summary>
/// Every method family that consumes a fixed teacher, given a <see cref="ModuleTeacher"/> or the bare module, against
/// the same quantity computed from direct evaluation-mode forward passes (and, for an opaque teacher, by hand).
/// </summary>
public class TeacherMethodTests
{
    /// <summary>
    /// An opaque teacher, as one from another framework: logits W·x [B, K] and one feature "hidden" [B, 3] with
    /// hidden_j = (j + 1)·mean(x), computed in loops (no Model.Nn module).
    /// </summary>
    private sealed class FormulaTeacher(float[] weights, int inputs, int classes, IReadOnlyList<int>? inputShape)
        : Teacher("formula", inputShape, null)
    {
        public override IReadOnlyList<string> FeatureNames => ["hidden"];

        protected override TeacherOutput RunCore(Tensor input, IReadOnlyList<string> features)
        {
            int b = input.Dim(0);
            var x = input.ToArray();
            var logits = new float[b * classes];
            var hidden = new float[b * 3];
            for (int r = 0; r < b; r++)
            {
                double mean = 0;
                for (int i = 0; i < inputs; i++) mean += x[r * inputs + i] / (double)inputs;
                for (int j = 0; j < 3; j++) hidden[r * 3 + j] = (float)((j + 1) * mean);
                for (int k = 0; k < classes; k++)
                {
                    double z = 0;
                    for (int i = 0; i < inputs; i++) z += weights[k * inputs + i] * (double)x[r * inputs + i];
                    logits[r * classes + k] = (float)z;
                }
            }
            return new TeacherOutput(new Tensor(logits, b, classes), [.. features.Select(_ => new Tensor(hidden, b, 3))]);
        }
    }

    private static Tensor Uniform(Rng rng, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Length; i++) t[i] = (float)rng.NextDouble();
        return t;
    }

    private static double[] Softmax(ReadOnlySpan<float> z, double t)
    {
        double max = double.NegativeInfinity;
        foreach (var v in z) max = Math.Max(max, v / t);
        var p = new double[z.Length];
        double s = 0;
        for (int j = 0; j < z.Length; j++) s += p[j] = Math.Exp(z[j] / t - max);
        for (int j = 0; j < z.Length; j++) p[j] /= s;
        return p;
    }

    private static LabeledDataset Images(Rng rng, int n, int k = 10)
    {
        var x = new float[n * 784];
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
        return new LabeledDataset("images", x, [1, 28, 28], [.. Enumerable.Range(0, n).Select(i => i % k)], k);
    }

    [Fact]
    public void TeacherProbabilities_from_a_ModuleTeacher_and_the_bare_module_are_the_softmax_of_the_eval_logits()
    {
        var rng = new Rng(11);
        var net = Zoo.TinyCnn(rng);
        var data = Images(rng, 30);
        const double t = 3;
        float[] bare = DistillationTraining.TeacherProbabilities(net, data, t);
        float[] wrapped = DistillationTraining.TeacherProbabilities(new ModuleTeacher(net, inputShape: [1, 28, 28]), data, t);
        Assert.Equal(bare, wrapped);
        var rows = new LabeledDataset("rows", data.Features.ToArray(), [784], data.Labels.ToArray(), 10);
        Assert.Equal(bare, DistillationTraining.TeacherProbabilities(new ModuleTeacher(net, inputShape: [1, 28, 28]), rows, t));
        Assert.True(net.IsTraining);
        net.Eval();
        float[] logits;
        using (GradMode.NoGrad()) logits = net.Forward(new Tensor(data.Features.ToArray(), 30, 1, 28, 28)).ToArray();
        net.Train();
        for (int r = 0; r < 30; r++)
        {
            var p = Softmax(logits.AsSpan(r * 10, 10), t);
            for (int j = 0; j < 10; j++) Assert.Equal(p[j], bare[r * 10 + j], 1e-6);
        }
        // Generalized distillation goes through the same teacher path.
        var privileged = MethodRegistry.Create<PrivilegedInformationDistillation>("privileged",
            new DistillationSettings(1, TeacherTemperature: t, StudentTemperature: 1));
        Assert.Equal(bare, privileged.TeacherProbabilities(new ModuleTeacher(net), data, data));
    }

    [Fact]
    public void TeacherProbabilities_take_an_opaque_teacher()
    {
        var rng = new Rng(12);
        const int n = 7, d = 5, k = 4;
        var w = new float[k * d];
        for (int i = 0; i < w.Length; i++) w[i] = (float)rng.Normal();
        var x = new float[n * d];
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.Normal();
        var data = new LabeledDataset("vectors", x, [d], [.. Enumerable.Range(0, n).Select(i => i % k)], k);
        float[] s = DistillationTraining.TeacherProbabilities(new FormulaTeacher(w, d, k, [d]), data, 1.5);
        for (int r = 0; r < n; r++)
        {
            var z = new float[k];
            for (int c = 0; c < k; c++)
                for (int i = 0; i < d; i++) z[c] += w[c * d + i] * x[r * d + i];
            var p = Softmax(z, 1.5);
            for (int c = 0; c < k; c++) Assert.Equal(p[c], s[r * k + c], 1e-6);
        }
    }

    [Fact]
    public void MultiDomain_TeacherOutput_from_a_ModuleTeacher_and_the_bare_module_is_the_eval_forward_of_the_mapped_batch()
    {
        var rng = new Rng(13);
        // Dropout makes the mode matter; the module is left in training mode.
        var net = new Sequential(new Linear(6, 8, rng), new ReLU(), new Dropout(new Rng(14)), new Linear(8, 3, rng));
        var x = Tensor.Normal(rng, 0, 1, 5, 6);
        var map = ElementwiseMap.Sine;
        float[] expected;
        net.Eval();
        using (GradMode.NoGrad()) expected = net.Forward(map.Apply(x)).ToArray();
        net.Train();
        var bare = MultiDomainTraining.TeacherOutput(net, map, x);
        var wrapped = MultiDomainTraining.TeacherOutput(new ModuleTeacher(net, inputShape: [6]), map, x);
        Assert.Equal(expected, bare.ToArray());
        Assert.Equal(expected, wrapped.ToArray());
        Assert.False(bare.RequiresGrad || wrapped.RequiresGrad);
        Assert.True(net.IsTraining);
    }

    [Fact]
    public void MultiDomain_FitStudent_with_a_ModuleTeacher_or_the_bare_module_is_the_run_with_the_teacher_forward_by_hand()
    {
        var rng = new Rng(15);
        var train = new LabeledDataset("v", [.. Enumerable.Range(0, 60 * 4).Select(_ => (float)rng.Normal())], [4],
            [.. Enumerable.Range(0, 60).Select(i => i % 3)], 3);
        var teacher = new Sequential(new Linear(4, 8, rng), new ReLU(), new Dropout(new Rng(16)), new Linear(8, 3, rng));
        var loss = new MultiDomainDistillation(new MultiDomainSettings(HardWeight: 0.5, SoftWeight: 0.5, Temperature: 2));
        float[] Run(Func<Mlp, List<EpochReport>> fit)
        {
            var student = new Mlp(new Rng(17), 4, 5, 3);
            fit(student);
            return [.. student.Parameters().SelectMany(p => p.ToArray())];
        }
        var bare = Run(s => MultiDomainTraining.FitStudent(s, new Adam(s.Parameters(), 0.05), train, loss, teacher, ElementwiseMap.Sine, 2, 16, 18));
        var wrapped = Run(s => MultiDomainTraining.FitStudent(s, new Adam(s.Parameters(), 0.05), train, loss,
            new ModuleTeacher(teacher, inputShape: [4]), ElementwiseMap.Sine, 2, 16, 18));
        var byHand = Run(s =>
        {
            var loader = new BatchLoader(train, 16, 18);
            var trainer = new Trainer(s, new Adam(s.Parameters(), 0.05))
            {
                LossFunction = (logits, batch) =>
                {
                    Tensor z;
                    using (GradMode.NoGrad()) z = teacher.Eval().Forward(ElementwiseMap.Sine.Apply(batch.Inputs));
                    return loss.Loss(logits, batch.Labels, z);
                },
            };
            return trainer.Fit(e => loader.LabelledBatches(e - 1), 2);
        });
        Assert.Equal(byHand, bare);
        Assert.Equal(byHand, wrapped);
    }

    [Fact]
    public void Vid_StudentLoss_with_a_ModuleTeacher_or_the_bare_module_is_the_loss_on_features_captured_by_hand()
    {
        foreach (var preset in new[] { VidPreset.Pairwise, VidPreset.Hinton })
        {
            var rng = new Rng(19);
            var teacher = Zoo.TinyCnn(rng);
            var student = Zoo.VeryTinyCnn(rng);
            student.Eval();
            var x = Uniform(rng, 4, 1, 28, 28);
            int[] labels = [1, 0, 3, 2];
            var method = new VidDistillation(new VidSettings(preset));
            var paths = Zoo.TinyFeaturePaths;
            using var bare = method.Bind(teacher, student, [1, 28, 28], paths, paths, new Rng(20));
            using var wrapped = method.Bind(new ModuleTeacher(teacher, inputShape: [1, 28, 28]), student, null, paths, paths, new Rng(20));
            float bareLoss = bare.StudentLoss(x, labels).Item();
            float wrappedLoss = wrapped.StudentLoss(x, labels).Item();
            Assert.True(teacher.IsTraining);

            using var tc = new FeatureCapture(teacher, [.. paths]);
            using var sc = new FeatureCapture(student, [.. paths]);
            Tensor teacherLogits;
            teacher.Eval();
            using (GradMode.NoGrad()) teacherLogits = teacher.Forward(x);
            teacher.Train();
            var studentLogits = student.Forward(x);
            bool features = preset == VidPreset.Pairwise;
            float expected = bare.Loss(studentLogits, labels, teacherLogits,
                features ? [.. paths.Select(p => tc[p])] : [], features ? [.. paths.Select(p => sc[p])] : []).Item();
            Assert.Equal(expected, bareLoss);
            Assert.Equal(expected, wrappedLoss);
        }
    }

    [Fact]
    public void Vid_binds_an_opaque_teacher_by_probing_its_declared_shape_and_refuses_it_the_training_mode_switch()
    {
        var rng = new Rng(21);
        var w = new float[10 * 784];
        for (int i = 0; i < w.Length; i++) w[i] = (float)(0.01 * rng.Normal());
        var teacher = new FormulaTeacher(w, 784, 10, [1, 28, 28]);
        var student = Zoo.VeryTinyCnn(rng);
        student.Eval();
        var method = new VidDistillation(new VidSettings(VidPreset.Pairwise));
        using var obj = method.Bind(teacher, student, null, ["hidden"], ["classifier.1"], new Rng(22));
        Assert.Equal(1, obj.Information!.ConnectionCount);
        Assert.Equal([3], obj.Information.Connection(0, 0)!.TargetShape);
        var x = Uniform(rng, 3, 1, 28, 28);
        int[] labels = [4, 5, 6];
        float loss = obj.StudentLoss(x, labels).Item();
        var hidden = new float[9];
        for (int r = 0; r < 3; r++)
        {
            double mean = 0;
            for (int i = 0; i < 784; i++) mean += x[r * 784 + i] / 784.0;
            for (int j = 0; j < 3; j++) hidden[r * 3 + j] = (float)((j + 1) * mean);
        }
        using var sc = new FeatureCapture(student, "classifier.1");
        var logits = student.Forward(x);
        Assert.Equal(obj.Loss(logits, labels, null, [new Tensor(hidden, 3, 3)], [sc["classifier.1"]]).Item(), loss, 5);

        var compat = new VidDistillation(new VidSettings(VidPreset.Pairwise, TeacherInTrainingMode: true));
        var e = Assert.Throws<ArgumentException>(() => compat.Bind(teacher, student, null, ["hidden"], ["classifier.1"], new Rng(22)));
        Assert.Contains("TeacherInTrainingMode", e.Message);
        Assert.Contains("'formula'", e.Message);
        var noShape = Assert.Throws<ArgumentNullException>(() => method.Bind(new FormulaTeacher(w, 784, 10, null), student, null, ["hidden"], ["classifier.1"], new Rng(22)));
        Assert.Contains("input shape", noShape.Message);
    }

    [Fact]
    public void DarkKnowledge_TeacherPredictive_of_a_fixed_teacher_is_the_eval_softmax_while_a_module_runs_in_its_own_mode()
    {
        var rng = new Rng(23);
        var net = new Sequential(new Linear(3, 6, rng), new ReLU(), new Dropout(new Rng(24)), new Linear(6, 4, rng));
        var x = Tensor.Normal(rng, 0, 1, 5, 3);
        float[] logits;
        net.Eval();
        using (GradMode.NoGrad()) logits = net.Forward(x).ToArray();
        net.Train();
        var fixedTeacher = DarkKnowledgeLoss.TeacherPredictive(DarkKnowledgeTask.Classification, new ModuleTeacher(net), x).ToArray();
        for (int r = 0; r < 5; r++)
        {
            var p = Softmax(logits.AsSpan(r * 4, 4), 1);
            for (int j = 0; j < 4; j++) Assert.Equal(p[j], fixedTeacher[r * 4 + j], 1e-6);
        }
        Assert.True(net.IsTraining);
        // The module overload (DistilledSgld's online path) keeps the caller's mode: a dropout mask in training mode.
        var online = DarkKnowledgeLoss.TeacherPredictive(DarkKnowledgeTask.Classification, net, x).ToArray();
        Assert.NotEqual(fixedTeacher, online);
        var regression = DarkKnowledgeLoss.TeacherPredictive(DarkKnowledgeTask.Regression, new ModuleTeacher(net), x).ToArray();
        Assert.Equal(logits, regression);
    }
}
