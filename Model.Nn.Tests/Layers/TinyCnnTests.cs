using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Losses;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Tests.Layers;

public class TinyCnnTests
{
    private static Tensor Batch(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[n * 28 * 28];
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
        return Tensor.FromArray(x, n, 1, 28, 28);
    }

    [Fact]
    public void FeatureShapesAreTheSeedsOn28x28()
    {
        var rng = new Rng(3);
        var cases = new (FeatureClassifier Net, int[][] Shapes)[]
        {
            (Zoo.TinyCnn(rng), [[3, 16, 15, 15], [3, 32, 6, 6], [3, 64, 2, 2], [3, 128]]),
            (Zoo.VeryTinyCnn(rng), [[3, 8, 15, 15], [3, 16, 6, 6], [3, 32, 2, 2], [3, 64]]),
        };
        foreach (var (net, shapes) in cases)
        {
            using var capture = new FeatureCapture(net, [.. Zoo.TinyFeaturePaths]);
            Tensor logits;
            using (GradMode.NoGrad()) logits = net.Forward(Batch(3, 4));
            Assert.Equal([3, 10], logits.Shape.ToArray());
            for (int k = 0; k < shapes.Length; k++)
                Assert.Equal(shapes[k], capture[Zoo.TinyFeaturePaths[k]].Shape.ToArray());
            // The FC feature is taken after its ReLU: no negative entries.
            Assert.All(capture[Zoo.TinyFeaturePaths[3]].ToArray(), v => Assert.True(v >= 0));
            Assert.IsType<ReLU>(net.GetSubmodule(Zoo.TinyFeaturePaths[3]));
            Assert.IsType<MaxPool2d>(net.GetSubmodule(Zoo.TinyFeaturePaths[0]));
        }
    }

    [Fact]
    public void ParameterCountsMatchAHandCount()
    {
        // conv k×k: in·out·9 + out; BatchNorm: 2·C (γ, β); Linear: in·out + out.
        static long Conv(int i, int o) => i * o * 9 + o;
        static long Bn(int c) => 2 * c;
        static long Fc(int i, int o) => i * o + o;
        long teacher1 = Conv(1, 16) + Bn(16) + Conv(16, 32) + Bn(32) + Conv(32, 64) + Bn(64) + Fc(256, 128) + Fc(128, 10);
        long student1 = Conv(1, 8) + Bn(8) + Conv(8, 16) + Bn(16) + Conv(16, 32) + Bn(32) + Fc(128, 64) + Fc(64, 10);
        Assert.Equal(57_706, teacher1);
        Assert.Equal(14_906, student1);
        var rng = new Rng(5);
        Assert.Equal(teacher1, Zoo.TinyCnn(rng).ParameterCount());
        Assert.Equal(student1, Zoo.VeryTinyCnn(rng).ParameterCount());
        // On three channels the seed's table (methods.md §4.2): 57,994 and 15,050.
        Assert.Equal(57_994, Zoo.TinyCnn(rng, inChannels: 3).ParameterCount());
        Assert.Equal(15_050, Zoo.VeryTinyCnn(rng, inChannels: 3).ParameterCount());
    }

    [Fact]
    public void ForwardAndBackwardReachEveryParameter()
    {
        var rng = new Rng(6);
        foreach (var net in new[] { Zoo.TinyCnn(rng), Zoo.VeryTinyCnn(rng) })
        {
            var loss = Loss.CrossEntropy(net.Forward(Batch(4, 7)), [0, 3, 7, 9]);
            Assert.True(float.IsFinite(loss.Item()));
            loss.Backward();
            foreach (var (name, p) in net.NamedParameters())
            {
                Assert.NotNull(p.Grad);
                Assert.True(p.Grad!.ToArray().Any(g => g != 0), $"{name} got no gradient");
            }
        }
    }
}
