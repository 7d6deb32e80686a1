using Probabilistic.Core.Random;
using Probabilistic.Distill.MultiDomain;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Tensors;
using static Probabilistic.Nn.Tests.Autograd.GradCheck;

namespace Probabilistic.Distill.Tests.MultiDomain;

/// <summary>
/// <see cref="StyleTransfer"/> and <see cref="StyleTransferMap"/> on a small random conv net (1×8×8 images): features
/// at a conv map before and after a nonlinearity and at a vector output, so both Gram shapes are exercised.
/// </summary>
public class StyleTransferTests
{
    private static readonly string[] LayerNames = ["0", "2", "5"];

    /// <summary>
    /// conv 1→4 (3×3, pad 1) "0", activation "1", conv 4→6 (3×3) "2", tanh "3", flatten "4", linear 216→5 "5".
    /// With <paramref name="smooth"/> the first activation is tanh (no kinks, for finite differences), else ReLU.
    /// </summary>
    private static Sequential Net(ulong seed, bool smooth = false, bool dropout = false)
    {
        var rng = new Rng(seed);
        var net = new Sequential(
            new Conv2d(1, 4, 3, rng, padding: 1),
            smooth ? new Tanh() : new ReLU(),
            new Conv2d(4, 6, 3, rng),
            new Tanh(),
            new Flatten(),
            new Linear(216, 5, rng));
        if (dropout) net.Add(new Dropout(new Rng(seed + 1), 0.5f));
        return net;
    }

    private static Tensor Images(ulong seed, int batch) => Tensor.Uniform(new Rng(seed), 0f, 1f, batch, 1, 8, 8);

    [Fact]
    public void StyleLossDecreasesFromZeroContentLoss()
    {
        var transfer = new StyleTransfer(Net(1), LayerNames, Images(2, 1));
        var content = Images(3, 4);
        var result = transfer.Run(content);

        Assert.Equal(4, result.Losses.Count); // 3 steps: before each, and the final image
        Assert.Equal(0.0, result.Losses[0].Content);
        Assert.True(result.Losses[0].Style > 0);
        Assert.True(result.Losses[^1].Style < result.Losses[0].Style, $"style {result.Losses[0].Style} → {result.Losses[^1].Style}");
        Assert.True(result.Losses[^1].Total < result.Losses[0].Total, $"total {result.Losses[0].Total} → {result.Losses[^1].Total}");
        Assert.True(result.Losses[^1].Content > 0); // the image moved
        Assert.False(result.Images.RequiresGrad);
        Assert.All(result.Images.ToArray(), v => Assert.InRange(v, 0f, 1f));
        // The recorded total is the weighted sum of its parts (8 and 70 by default).
        foreach (var l in result.Losses) Assert.Equal(8 * l.Content + 70 * l.Style, l.Total, 1e-4 * (1 + l.Total));
    }

    [Fact]
    public void LossesMatchANaiveComputationFromTheCapturedFeatures()
    {
        // Oracle: the features read by hand through FeatureCapture, Gram matrices by a triple loop in double, the
        // means and sums written out; against the library's GEMM Gram and Loss.Mse.
        var net = Net(4);
        var style = Images(5, 1);
        var transfer = new StyleTransfer(net, LayerNames, style, new StyleTransferSettings(ContentWeight: 2, StyleWeight: 3));
        var content = Images(6, 2);
        var image = Images(7, 2);

        double[][] Features(Tensor x, out int[][] shapes)
        {
            using var capture = new FeatureCapture(net, LayerNames);
            using var noGrad = GradMode.NoGrad();
            net.Eval();
            net.Forward(x);
            shapes = LayerNames.Select(n => capture[n].Shape.ToArray()).ToArray();
            return LayerNames.Select(n => capture[n].ToArray().Select(v => (double)v).ToArray()).ToArray();
        }
        static double[] Gram(double[] f, int[] shape, int sample)
        {
            int c = shape[1], p = f.Length / (shape[0] * c);
            var g = new double[c * c];
            for (int i = 0; i < c; i++)
                for (int j = 0; j < c; j++)
                    for (int k = 0; k < p; k++)
                        g[i * c + j] += f[(sample * c + i) * p + k] * f[(sample * c + j) * p + k];
            return g;
        }
        var fi = Features(image, out var shapes);
        var fc = Features(content, out _);
        var fs = Features(style, out var styleShapes);
        double contentLoss = 0, styleLoss = 0;
        for (int l = 0; l < LayerNames.Length; l++)
        {
            contentLoss += fi[l].Zip(fc[l], (a, b) => (a - b) * (a - b)).Average();
            var gs = Gram(fs[l], styleShapes[l], 0);
            double sum = 0;
            for (int b = 0; b < 2; b++)
            {
                var gi = Gram(fi[l], shapes[l], b);
                for (int k = 0; k < gi.Length; k++) sum += (gi[k] - gs[k]) * (gi[k] - gs[k]);
            }
            styleLoss += sum / (2 * gs.Length);
        }

        var losses = transfer.Losses(image, content);
        Assert.Equal(contentLoss, losses.Content, 1e-4 * contentLoss);
        Assert.Equal(styleLoss, losses.Style, 1e-4 * styleLoss);
        Assert.Equal(2 * contentLoss + 3 * styleLoss, losses.Total, 1e-4 * losses.Total);
    }

    [Fact]
    public void TotalLossGradientMatchesFiniteDifferences()
    {
        // A smooth net (tanh), so the steps of the finite differences cross no kink; the image differs from the
        // content so both the content and the style terms have gradients.
        var transfer = new StyleTransfer(Net(8, smooth: true), LayerNames, Images(9, 1), new StyleTransferSettings(ContentWeight: 8, StyleWeight: 70));
        var content = Images(10, 2);
        var image = Images(11, 2);
        image.RequiresGrad = true;
        Check(x => transfer.TotalLoss(x[0], content), image);
    }

    [Fact]
    public void WithoutStyleTheContentImageIsAFixedPoint()
    {
        var transfer = new StyleTransfer(Net(12), LayerNames, Images(13, 1), new StyleTransferSettings(StyleWeight: 0, Steps: 4));
        var content = Images(14, 3);
        var result = transfer.Run(content);
        Assert.Equal(content.ToArray(), result.Images.ToArray()); // zero gradient at the content loss' minimum: Adam does not move
        Assert.All(result.Losses, l => Assert.Equal(0.0, l.Total));
    }

    [Fact]
    public void StyleImageEqualToTheContentHasZeroStyleLossAtTheStart()
    {
        var image = Images(15, 1);
        var transfer = new StyleTransfer(Net(16), LayerNames, image);
        var result = transfer.Run(image.Clone());
        Assert.Equal(0.0, result.Losses[0].Style);
        Assert.Equal(0.0, result.Losses[0].Total);
        Assert.Equal(image.ToArray(), result.Images.ToArray());
        // A different image has a positive style loss against the same style.
        Assert.True(transfer.Losses(Images(17, 1), Images(17, 1)).Style > 0);
    }

    [Fact]
    public void TheFeatureNetworkStaysFrozenAndItsStateIsRestored()
    {
        var net = Net(18, dropout: true);
        net.Train();
        net.GetSubmodule("2").Eval(); // a mixed state to restore
        var parameters = net.Parameters();
        foreach (var p in parameters) p.Grad = Tensor.Full(0.5f, p.ShapeArrayForTests());
        var modesBefore = net.NamedModules().Select(m => m.Value.IsTraining).ToArray();

        var transfer = new StyleTransfer(net, LayerNames.Append("6").ToArray(), Images(19, 1));
        var content = Images(20, 2);
        var first = transfer.Run(content);
        var second = transfer.Run(content);
        var total = transfer.TotalLoss(Images(21, 2), content);

        Assert.All(parameters, p =>
        {
            Assert.True(p.RequiresGrad);
            Assert.All(p.Grad!.ToArray(), g => Assert.Equal(0.5f, g));
        });
        Assert.Equal(modesBefore, net.NamedModules().Select(m => m.Value.IsTraining).ToArray());
        // Dropout in evaluation mode while transferring: two runs agree (in training mode its mask would change).
        Assert.Equal(first.Images.ToArray(), second.Images.ToArray());
        Assert.False(total.RequiresGrad); // nothing required a gradient: no graph
    }

    [Fact]
    public void BadInputsThrowOneLineErrors()
    {
        var net = Net(22);
        var style = Images(23, 1);
        static void OneLine(Exception e, string where)
        {
            Assert.Contains(where, e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        OneLine(Assert.Throws<ArgumentException>(() => new StyleTransfer(net, ["0", "conv9"], style)), "'conv9'");
        OneLine(Assert.Throws<ArgumentException>(() => new StyleTransfer(net, [], style)), "StyleTransfer");
        OneLine(Assert.Throws<ArgumentException>(() => new StyleTransfer(net, LayerNames, Images(24, 2))), "StyleTransfer");
        OneLine(Assert.Throws<ArgumentOutOfRangeException>(() => new StyleTransfer(net, LayerNames, style, new StyleTransferSettings(Steps: -1))), "StyleTransferSettings");
        OneLine(Assert.Throws<ArgumentOutOfRangeException>(() => new StyleTransfer(net, LayerNames, style, new StyleTransferSettings(LearningRate: 0))), "StyleTransferSettings");

        var transfer = new StyleTransfer(net, LayerNames, style);
        OneLine(Assert.Throws<ArgumentException>(() => transfer.Run(Tensor.Zeros(2, 1, 7, 8))), "StyleTransfer.Run");
        OneLine(Assert.Throws<ArgumentException>(() => transfer.Run(Tensor.Zeros(2, 64))), "StyleTransfer.Run");
        OneLine(Assert.Throws<ArgumentException>(() => transfer.Losses(Images(25, 2), Images(25, 3))), "StyleTransfer.Losses");

        var map = new StyleTransferMap(transfer);
        OneLine(Assert.Throws<ArgumentException>(() => map.Apply(Tensor.Zeros(2, 63))), "StyleTransferMap");
        OneLine(Assert.Throws<ArgumentException>(() => map.Apply(Tensor.Zeros(2, 1, 8, 8))), "StyleTransferMap");
        OneLine(Assert.Throws<ArgumentException>(() => map.OutputSampleShape([784])), "StyleTransferMap");
    }

    [Fact]
    public void TheMapStylisesFlatRowsUnderNoGrad()
    {
        var transfer = new StyleTransfer(Net(26), LayerNames, Images(27, 1));
        var map = new StyleTransferMap(transfer);
        var rows = Tensor.Uniform(new Rng(28), 0f, 1f, 3, 64);
        Tensor first, second;
        using (GradMode.NoGrad()) // as MultiDomainTraining applies φ
        using (TensorScope.Begin())
        {
            first = map.Apply(rows).Clone();
            second = map.Apply(rows).Clone();
        }
        Assert.Equal("style transfer", map.Name);
        Assert.Equal(new[] { 64 }, map.OutputSampleShape([64]));
        Assert.Equal(new[] { 3, 64 }, first.Shape.ToArray());
        Assert.False(first.RequiresGrad);
        Assert.Equal(first.ToArray(), second.ToArray()); // deterministic
        // Oracle: the map lowers the style loss of the images, as the transfer should.
        var images = rows.Clone();
        var before = transfer.Losses(Reshape(images), Reshape(images)).Style;
        var after = transfer.Losses(Reshape(first), Reshape(images)).Style;
        Assert.True(after < before, $"style {before} → {after}");
        Assert.Contains(first.ToArray().Zip(rows.ToArray()), p => p.First != p.Second);
    }

    private static Tensor Reshape(Tensor rows) => Tensor.FromArray(rows.ToArray(), rows.Dim(0), 1, 8, 8);
}
