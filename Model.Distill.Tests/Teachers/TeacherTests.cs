using Probabilistic.Core.Random;
using Probabilistic.Distill.Output;
using Probabilistic.Distill.Teachers;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.Tests.Teachers;

/// <summary>
/// The teacher abstraction: a <see cref="ModuleTeacher"/> against direct evaluation-mode forward passes and
/// <see cref="FeatureCapture"/>, the declared input shape, <see cref="InputNormalisation"/> against (x − m)/s computed
/// by hand, and the errors.
/// </summary>
public class TeacherTests
{
    private static Tensor Uniform(Rng rng, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Length; i++) t[i] = (float)rng.NextDouble();
        return t;
    }

    private static float[] EvalForward(Module module, Tensor x)
    {
        bool was = module.IsTraining;
        module.Eval();
        using var noGrad = GradMode.NoGrad();
        var result = module.Forward(x).ToArray();
        module.Train(was);
        return result;
    }

    [Fact]
    public void ModuleTeacher_logits_equal_a_direct_eval_mode_forward_and_the_mode_is_restored()
    {
        var rng = new Rng(1);
        var net = Zoo.TinyCnn(rng);
        var x = Uniform(rng, 4, 1, 28, 28);
        float[] expected = EvalForward(net, x);
        using var teacher = new ModuleTeacher(net);
        net.Train();
        var logits = teacher.Logits(x);
        Assert.Equal(expected, logits.ToArray());
        Assert.False(logits.RequiresGrad);
        Assert.True(net.IsTraining);
        net.Eval();
        Assert.Equal(expected, teacher.Logits(x).ToArray());
        Assert.False(net.IsTraining);
        Assert.True(new ModuleTeacher(net, trainingMode: true).InMode(false).Logits(x).ToArray().SequenceEqual(expected));
        // BatchNorm makes the mode matter: the training-mode forward (batch statistics) differs.
        Assert.NotEqual(expected, new ModuleTeacher(net, trainingMode: true).Logits(x).ToArray());
        Assert.False(net.IsTraining);
    }

    [Fact]
    public void ModuleTeacher_features_equal_those_FeatureCapture_records_in_eval_mode()
    {
        var rng = new Rng(2);
        var net = Zoo.TinyCnn(rng);
        var x = Uniform(rng, 3, 1, 28, 28);
        string[] paths = ["features.7", "features.3", "classifier.1"];
        float[][] expected;
        float[] expectedLogits;
        using (var capture = new FeatureCapture(net, paths))
        {
            expectedLogits = EvalForward(net, x);
            expected = [.. paths.Select(p => capture[p].ToArray())];
        }
        var output = new ModuleTeacher(net).Run(x, paths);
        Assert.Equal(expectedLogits, output.Logits.ToArray());
        Assert.Equal(paths.Length, output.Features.Count);
        for (int i = 0; i < paths.Length; i++) Assert.Equal(expected[i], output.Features[i].ToArray());
        Assert.Equal([3, 32, 6, 6], output.Features[0].Shape.ToArray());
        Assert.Equal([3, 128], output.Features[2].Shape.ToArray());
        Assert.Contains("features.11", new ModuleTeacher(net).FeatureNames);
    }

    [Fact]
    public void Flat_rows_and_images_give_the_same_answer_with_a_declared_input_shape()
    {
        var rng = new Rng(3);
        var net = Zoo.TinyCnn(rng);
        var images = Uniform(rng, 5, 1, 28, 28);
        var rows = new Tensor(images.ToArray(), 5, 784);
        float[] expected = EvalForward(net, images);
        var teacher = new ModuleTeacher(net, inputShape: [1, 28, 28]);
        Assert.Equal(expected, teacher.Logits(rows).ToArray());
        Assert.Equal(expected, teacher.Logits(images).ToArray());
        Assert.Equal([5, 16, 15, 15], teacher.Run(rows, ["features.3"]).Features[0].Shape.ToArray());
        // Undeclared, flat rows reach the network as they are (and a convolution refuses them).
        Assert.ThrowsAny<Exception>(() => new ModuleTeacher(net).Logits(rows));
    }

    [Fact]
    public void InputNormalisation_is_x_minus_the_channel_mean_over_the_channel_std()
    {
        float[] mean = [0.5f, -1f], std = [2f, 0.25f];
        var norm = new InputNormalisation(mean, std);
        var rng = new Rng(4);
        // [B, C, H, W] = [2, 2, 2, 3]: element (b, c, h, w) at ((b·2 + c)·2 + h)·3 + w.
        var x = Tensor.Normal(rng, 0, 1, 2, 2, 2, 3);
        float[] before = x.ToArray();
        var y = norm.Apply(x);
        for (int b = 0; b < 2; b++)
            for (int c = 0; c < 2; c++)
                for (int h = 0; h < 2; h++)
                    for (int w = 0; w < 3; w++)
                    {
                        int i = ((b * 2 + c) * 2 + h) * 3 + w;
                        Assert.Equal((x[i] - (double)mean[c]) / std[c], y[i], 5);
                    }
        // Vectors [B, C]: the channel is the column.
        var v = new Tensor([1f, 1f, 3f, -2f], 2, 2);
        Assert.Equal([0.25f, 8f, 1.25f, -4f], norm.Apply(v).ToArray());
        // One value for every channel; the identity.
        Assert.Equal([-1f, 0f, 2f], new InputNormalisation([1f], [2f]).Apply(new Tensor([-1f, 1f, 5f], 1, 3)).ToArray());
        Assert.True(InputNormalisation.None.IsIdentity);
        Assert.False(norm.IsIdentity);
        Assert.Equal(before, x.ToArray()); // Apply leaves its input alone.
        // Through a teacher: a Flatten network returns exactly what the teacher fed it, the normalised batch.
        var teacher = new ModuleTeacher(new Flatten(), inputShape: [2, 2, 3], normalisation: norm);
        var flat = new Tensor(x.ToArray(), 2, 12);
        Assert.Equal(y.ToArray(), teacher.Logits(flat).ToArray());
    }

    private static void OneLine(Exception e, params string[] fragments)
    {
        Assert.DoesNotContain('\n', e.Message);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
    }

    [Fact]
    public void Errors_name_the_teacher_and_the_problem()
    {
        var rng = new Rng(5);
        var teacher = new ModuleTeacher(Zoo.TinyCnn(rng), inputShape: [1, 28, 28], name: "tiny");
        var x = Tensor.Zeros(2, 1, 28, 28);
        // An unknown feature name lists the available ones.
        OneLine(Assert.Throws<ArgumentException>(() => teacher.Run(x, ["features.3", "features.99"])),
            "Teacher 'tiny'", "'features.99'", "available", "features.3, ", "classifier.1");
        // A batch that does not fit the declared shape.
        OneLine(Assert.Throws<ArgumentException>(() => teacher.Logits(Tensor.Zeros(2, 783))), "Teacher 'tiny'", "[2, 783]", "[1, 28, 28]");
        OneLine(Assert.Throws<ArgumentException>(() => teacher.Logits(Tensor.Zeros(2, 3, 28, 28))), "[2, 3, 28, 28]");
        // Bad normalisations.
        OneLine(Assert.Throws<ArgumentException>(() => new InputNormalisation([0f, 0f], [1f])), "InputNormalisation", "same positive length");
        OneLine(Assert.Throws<ArgumentException>(() => new InputNormalisation([], [])), "InputNormalisation");
        OneLine(Assert.Throws<ArgumentException>(() => new InputNormalisation([0f], [0f])), "InputNormalisation", "std");
        OneLine(Assert.Throws<ArgumentException>(() => new InputNormalisation([0f], [-1f])), "std");
        OneLine(Assert.Throws<ArgumentException>(() => new InputNormalisation([float.NaN], [1f])), "mean");
        OneLine(Assert.Throws<ArgumentException>(() => new InputNormalisation([0f], [float.PositiveInfinity])), "std");
        var threeChannels = new ModuleTeacher(Zoo.TinyCnn(rng), inputShape: [1, 28, 28],
            normalisation: new InputNormalisation([0f, 0f, 0f], [1f, 1f, 1f]));
        OneLine(Assert.Throws<ArgumentException>(() => threeChannels.Logits(x)), "InputNormalisation", "3 channels", "[2, 1, 28, 28]");
        var shifted = new ModuleTeacher(Zoo.TinyCnn(rng), normalisation: new InputNormalisation([0.1f, 0.2f], [1f, 1f]));
        OneLine(Assert.Throws<ArgumentException>(() => shifted.Logits(x)), "InputNormalisation", "2 channels");
        // A bad declared shape, a null module.
        OneLine(Assert.Throws<ArgumentException>(() => new ModuleTeacher(new Flatten(), inputShape: [1, 0], name: "flat")), "Teacher 'flat'", "[1, 0]");
        OneLine(Assert.Throws<ArgumentException>(() => new ModuleTeacher(new Flatten(), inputShape: [])), "input shape");
        Assert.Throws<ArgumentNullException>(() => new ModuleTeacher(null!));
    }

    [Fact]
    public void A_module_converts_to_an_eval_mode_teacher_and_null_stays_null()
    {
        var rng = new Rng(6);
        var net = Zoo.TinyCnn(rng);
        Teacher teacher = net;
        var wrapped = Assert.IsType<ModuleTeacher>(teacher);
        Assert.Same(net, wrapped.Module);
        Assert.False(wrapped.TrainingMode);
        Assert.Null(wrapped.InputShape);
        Assert.True(wrapped.Normalisation.IsIdentity);
        Assert.Equal("FeatureClassifier", wrapped.Name);
        Module? none = null;
        Teacher? absent = none;
        Assert.Null(absent);
        var training = wrapped.InMode(true);
        Assert.True(training.TrainingMode);
        Assert.Same(net, training.Module);
        Assert.Same(training, training.InMode(true));
    }

    [Fact]
    public void A_teacher_with_its_normalisation_folded_in_gives_the_teacher_probabilities_of_pre_normalised_inputs()
    {
        // Two channels of 28×28; the network was "trained" on (x − m)/s. Path 1: the bare module on inputs normalised
        // here by hand. Path 2: a ModuleTeacher declaring the normalisation, fed the raw inputs (flat rows).
        const int n = 12, k = 10;
        float[] mean = [0.3f, 0.6f], std = [0.5f, 0.2f];
        var rng = new Rng(7);
        var net = Zoo.TinyCnn(rng, inChannels: 2);
        var raw = new float[n * 2 * 784];
        var normalised = new float[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            raw[i] = (float)rng.NextDouble();
            int c = i / 784 % 2;
            normalised[i] = (float)((raw[i] - (double)mean[c]) / std[c]);
        }
        var labels = Enumerable.Range(0, n).Select(i => i % k).ToArray();
        var rawData = new LabeledDataset("raw", raw, [2 * 784], labels, k);
        var normalisedData = new LabeledDataset("normalised", normalised, [2, 28, 28], labels, k);
        float[] expected = DistillationTraining.TeacherProbabilities(net, normalisedData, 2.0);
        var teacher = new ModuleTeacher(net, inputShape: [2, 28, 28], normalisation: new InputNormalisation(mean, std));
        float[] actual = DistillationTraining.TeacherProbabilities(teacher, rawData, 2.0);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 5);
        // Not vacuous: without the normalisation the probabilities differ.
        float[] unnormalised = DistillationTraining.TeacherProbabilities(new ModuleTeacher(net, inputShape: [2, 28, 28]), rawData, 2.0);
        Assert.True(expected.Zip(unnormalised).Max(p => Math.Abs(p.First - p.Second)) > 1e-3);
    }
}
