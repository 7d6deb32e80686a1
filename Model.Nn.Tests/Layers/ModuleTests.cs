using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Tensors;
using Probabilistic.Nn.Tests.Autograd;

namespace Probabilistic.Nn.Tests.Layers;

public class ModuleTests
{
    [Fact]
    public void LeNetHasPyTorchNamesAndTheSeedsParameterCount()
    {
        var net = Zoo.LeNet(new Rng(1));
        Assert.Equal(29_176, net.ParameterCount());
        Assert.Equal(
            ["features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias",
             "classifier.0.weight", "classifier.0.bias", "classifier.2.weight", "classifier.2.bias",
             "classifier.4.weight", "classifier.4.bias"],
            net.NamedParameters().Select(p => p.Key).ToArray());
        Assert.Equal([3, 1, 5, 5], net.NamedParameters().First().Value.Shape.ToArray());
    }

    [Fact]
    public void ZooShapesAndCounts()
    {
        var rng = new Rng(2);
        Assert.Equal(784 * 10 + 10, Zoo.Logistic(rng).ParameterCount());
        var mlp = Zoo.Mlp784_800_50_10(rng);
        Assert.Equal(784 * 800 + 800 + 800 * 50 + 50 + 50 * 10 + 10, mlp.ParameterCount());
        Assert.Equal(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"], mlp.NamedParameters().Select(p => p.Key).ToArray());
        Assert.Equal(93_322, Zoo.Cnn32_64_64(rng).ParameterCount());
        using (GradMode.NoGrad())
        {
            var x = Tensor.Zeros(2, 1, 28, 28);
            foreach (Module m in new Module[] { Zoo.Logistic(rng), mlp, Zoo.LeNet(rng), Zoo.Cnn32_64_64(rng) })
                Assert.Equal([2, 10], m.Forward(x).Shape.ToArray());
        }
    }

    [Fact]
    public void TrainAndEvalPropagateToDescendants()
    {
        var net = Zoo.LeNet(new Rng(3));
        net.Eval();
        Assert.All(net.NamedModules(), m => Assert.False(m.Value.IsTraining));
        net.Train();
        Assert.All(net.NamedModules(), m => Assert.True(m.Value.IsTraining));
    }

    [Fact]
    public void WholeModelGradientsMatchFiniteDifferences()
    {
        // Conv → BatchNorm2d → Tanh → AvgPool → Flatten → Linear: every parameter and the input checked.
        var rng = new Rng(4);
        var net = new Sequential(new Conv2d(2, 3, 3, rng, padding: 1), new BatchNorm2d(3), new Tanh(), new AvgPool2d(2),
            new Flatten(), new Linear(3 * 2 * 2, 4, rng));
        var x = GradCheck.Random(rng, 1, 3, 2, 4, 4);
        var inputs = new List<Tensor> { x };
        inputs.AddRange(net.Parameters());
        GradCheck.Check(_ => net.Forward(x), inputs.ToArray());
    }

    [Fact]
    public void GetSubmoduleNamesTheKnownModulesWhenMissing()
    {
        var e = Assert.Throws<ArgumentException>(() => Zoo.LeNet(new Rng(5)).GetSubmodule("features.9"));
        Assert.Contains("features.3", e.Message);
    }
}

public class InitTests
{
    [Fact]
    public void LinearWeightsAreUniformWithPyTorchsBoundAndVariance()
    {
        var layer = new Linear(784, 800, new Rng(6));
        double bound = 1 / Math.Sqrt(784);
        var w = layer.Weight.ToArray();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        Assert.True(w.Max() > 0.99 * bound && w.Min() < -0.99 * bound, "the samples should reach the bounds");
        // Var of U(±b) is b²/3; relative standard error of the sample variance with n = 627,200 is
        // sqrt((9/5 − 1)/n) ≈ 0.11%, so a 1% tolerance is about 9 standard errors.
        double variance = w.Select(v => (double)v * v).Average();
        Assert.Equal(bound * bound / 3, variance, bound * bound / 3 * 0.01);
        Assert.All(layer.Bias!.ToArray(), v => Assert.InRange(v, -bound, bound));
    }

    [Fact]
    public void ConvFanInCountsChannelsAndKernel()
    {
        var conv = new Conv2d(32, 64, 3, new Rng(7));
        double bound = 1 / Math.Sqrt(32 * 9);
        var w = conv.Weight.ToArray();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        double variance = w.Select(v => (double)v * v).Average(); // n = 18,432: relative SE ≈ 0.66%, tolerance 4%
        Assert.Equal(bound * bound / 3, variance, bound * bound / 3 * 0.04);
    }

    [Fact]
    public void SameSeedSameWeights()
    {
        var a = Zoo.LeNet(new Rng(8)).Parameters().SelectMany(p => p.ToArray());
        var b = Zoo.LeNet(new Rng(8)).Parameters().SelectMany(p => p.ToArray());
        Assert.Equal(a, b);
    }
}

public class LayerBehaviourTests
{
    [Fact]
    public void BatchNormUpdatesRunningStatisticsAndUsesThemInEval()
    {
        var bn = new BatchNorm1d(2);
        var x = Tensor.FromArray([1f, 10f, 2f, 20f, 3f, 30f, 6f, 40f], 4, 2);
        using (GradMode.NoGrad()) bn.Forward(x);
        // channel 0: mean 3, unbiased var 14/3; channel 1: mean 25, unbiased var 500/3
        Assert.Equal(0.1 * 3, bn.RunningMean[0], 5);
        Assert.Equal(0.1 * 25, bn.RunningMean[1], 5);
        Assert.Equal(0.9 + 0.1 * 14.0 / 3, bn.RunningVar[0], 5);
        Assert.Equal(0.9 + 0.1 * 500.0 / 3, bn.RunningVar[1], 4);
        bn.Eval();
        bn.Weight[0] = 2f; bn.Bias[0] = 0.5f;
        using (GradMode.NoGrad())
        {
            var y = bn.Forward(x);
            Assert.Equal(2 * (1 - 0.3) / Math.Sqrt(0.9 + 0.1 * 14.0 / 3 + 1e-5) + 0.5, y[0], 5);
        }
    }

    [Fact]
    public void BatchNormTrainingOutputIsStandardised()
    {
        var bn = new BatchNorm2d(3);
        var x = GradCheck.Random(new Rng(9), 3, 8, 3, 5, 5);
        Tensor y;
        using (GradMode.NoGrad()) y = bn.Forward(x);
        for (int c = 0; c < 3; c++)
        {
            var vals = Enumerable.Range(0, 8).SelectMany(n => Enumerable.Range(0, 25).Select(i => (double)y[(n * 3 + c) * 25 + i])).ToArray();
            double mean = vals.Average(), var = vals.Select(v => (v - mean) * (v - mean)).Average();
            Assert.Equal(0, mean, 5);
            Assert.Equal(1, var, 3); // biased batch variance normalised to 1 (up to eps = 1e-5)
        }
    }

    [Fact]
    public void DropoutDropsAboutPAndRescalesSurvivorsOnlyInTraining()
    {
        var drop = new Dropout(new Rng(10), 0.3f);
        var x = Tensor.Full(1f, 10_000);
        Tensor y;
        using (GradMode.NoGrad()) y = drop.Forward(x);
        var values = y.ToArray();
        double zeroFraction = values.Count(v => v == 0) / 10_000.0;
        Assert.Equal(0.3, zeroFraction, 0.02); // SE = sqrt(0.3·0.7/10⁴) ≈ 0.0046
        Assert.All(values.Where(v => v != 0), v => Assert.Equal(1 / 0.7f, v, 6));
        drop.Eval();
        Assert.Same(x, drop.Forward(x));
    }

    [Fact]
    public void PoolingValuesOnAHandExample()
    {
        var x = Tensor.FromArray([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], 1, 1, 4, 4);
        Assert.Equal([6f, 8f, 14f, 16f], Ops.MaxPool2d(x, 2).ToArray());
        Assert.Equal([3.5f, 5.5f, 11.5f, 13.5f], Ops.AvgPool2d(x, 2).ToArray());
        Assert.Equal([8.5f], Ops.AdaptiveAvgPool2d(x, 1, 1).ToArray());
        // Adaptive 4→3: windows [0,2), [1,3), [2,4) in each direction.
        Assert.Equal((1 + 2 + 5 + 6) / 4f, Ops.AdaptiveAvgPool2d(x, 3, 3)[0]);
        // padding 1, kernel 3, stride 2, count_include_pad: corner window holds 1, 2, 5, 6 over 9 cells.
        Assert.Equal(14f / 9, Ops.AvgPool2d(x, 3, 2, 1)[0], 6);
        Assert.Equal(14f / 4, Ops.AvgPool2d(x, 3, 2, 1, countIncludePad: false)[0], 6);
    }

    [Theory]
    [InlineData(2, 6, 5, 2)] // 3×3 output planes: the whole batch in one GEMM
    [InlineData(9, 12, 11, 1)] // 12×11 output planes: one image at a time, split over the cores
    public void ConvolutionMatchesADirectSum(int images, int height, int width, int stride)
    {
        var rng = new Rng(11);
        var x = GradCheck.Random(rng, 1, images, 3, height, width);
        var conv = new Conv2d(3, 4, 3, rng, stride: stride, padding: 1, dilation: 1);
        int oh = (height - 1) / stride + 1, ow = (width - 1) / stride + 1;
        foreach (bool recorded in new[] { false, true })
        {
            Tensor y;
            if (recorded) y = conv.Forward(x);
            else using (GradMode.NoGrad()) y = conv.Forward(x);
            Assert.Equal([images, 4, oh, ow], y.Shape.ToArray());
            for (int n = 0; n < images; n++)
            for (int o = 0; o < 4; o++)
            for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++)
            {
                double s = conv.Bias![o];
                for (int c = 0; c < 3; c++)
                for (int ky = 0; ky < 3; ky++)
                for (int kx = 0; kx < 3; kx++)
                {
                    int yy = i * stride - 1 + ky, xx = j * stride - 1 + kx;
                    if (yy >= 0 && yy < height && xx >= 0 && xx < width) s += conv.Weight.At(o, c, ky, kx) * x.At(n, c, yy, xx);
                }
                Assert.Equal(s, y.At(n, o, i, j), tolerance: 1e-4); // absolute: rounding to 4 places flips at boundaries
            }
        }
    }

    [Theory]
    [InlineData(5, 4)] // small planes: batch lowering, in chunks of 128 images without gradients
    [InlineData(10, 10)] // large planes: one image at a time, columns kept or in scratch
    public void InferenceConvolutionMatchesTheRecordedOne(int height, int width)
    {
        // 300 images: inference lowers them 128 at a time (three chunks), training all at once.
        var rng = new Rng(12);
        var conv = new Conv2d(2, 3, 3, rng, padding: 1);
        var x = GradCheck.Random(rng, 1, 300, 2, height, width);
        var recorded = conv.Forward(x).ToArray();
        float[] inferred;
        using (GradMode.NoGrad()) inferred = conv.Forward(x).ToArray();
        for (int i = 0; i < recorded.Length; i++) Assert.Equal(recorded[i], inferred[i], 1e-5f);
    }

    [Fact]
    public void ShapeErrorsNameTheOperationAndBothShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.Add(Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)));
        Assert.Contains("Add", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[3, 2]", e.Message);
        var lin = new Linear(5, 2, new Rng(1));
        var e2 = Assert.Throws<ArgumentException>(() => lin.Forward(Tensor.Zeros(4, 3)));
        Assert.Contains("Linear", e2.Message);
        Assert.Contains("[4, 3]", e2.Message);
        Assert.Contains("[2, 5]", e2.Message);
    }
}
