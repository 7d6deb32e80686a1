using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Tests.Layers;

public class HookAndPersistenceTests
{
    [Fact]
    public void FeatureCaptureSeesIntermediateOutputsByName()
    {
        var net = Zoo.LeNet(new Rng(1));
        var x = Tensor.Full(0.5f, 2, 1, 28, 28);
        using (var capture = new FeatureCapture(net, "features.2", "classifier.1"))
        using (GradMode.NoGrad())
        {
            var logits = net.Forward(x);
            Assert.Equal([2, 3, 12, 12], capture["features.2"].Shape.ToArray());
            Assert.Equal([2, 120], capture["classifier.1"].Shape.ToArray());
            // Feeding the captured hidden layer through the rest reproduces the logits.
            var rest = net.Classifier;
            var tail = Ops.Linear(Ops.Relu(Ops.Linear(capture["classifier.1"], ((Linear)rest[2]).Weight, ((Linear)rest[2]).Bias)),
                ((Linear)rest[4]).Weight, ((Linear)rest[4]).Bias);
            Assert.Equal(logits.ToArray(), tail.ToArray());
        }
        int calls = 0;
        var handle = net.GetSubmodule("features.0").RegisterForwardHook((_, _, _) => calls++);
        using (GradMode.NoGrad()) net.Forward(x);
        handle.Dispose();
        using (GradMode.NoGrad()) net.Forward(x);
        Assert.Equal(1, calls);
    }

    [Fact]
    public void CapturedFeaturesCarryGradientsIntoTheModel()
    {
        var net = Zoo.LeNet(new Rng(2));
        using var capture = new FeatureCapture(net, "features.3");
        net.Forward(Tensor.Full(0.3f, 1, 1, 28, 28));
        Ops.Sum(Ops.Square(capture["features.3"])).Backward();
        Assert.Contains(net.Features[0].NamedParameters().First().Value.Grad!.ToArray(), v => v != 0);
    }

    [Fact]
    public void SaveThenLoadReproducesTheModel()
    {
        var a = Zoo.LeNet(new Rng(3));
        var bn = new BatchNorm1d(4);
        bn.RunningMean[2] = 7f;
        var stream = new MemoryStream();
        ParameterIO.Save(a, stream);
        stream.Position = 0;
        var b = Zoo.LeNet(new Rng(4));
        ParameterIO.Load(b, stream);
        Assert.Equal(a.Parameters().SelectMany(p => p.ToArray()), b.Parameters().SelectMany(p => p.ToArray()));

        var path = Path.Combine(Path.GetTempPath(), $"bn-{Guid.NewGuid():N}.pnn");
        try
        {
            ParameterIO.Save(bn, path);
            var bn2 = new BatchNorm1d(4);
            ParameterIO.Load(bn2, path);
            Assert.Equal(7f, bn2.RunningMean[2]);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void LoadRejectsMismatchedNamesAndShapesWithClearErrors()
    {
        var stream = new MemoryStream();
        ParameterIO.Save(Zoo.Mlp784_800_50_10(new Rng(5)), stream);
        stream.Position = 0;
        var e = Assert.Throws<InvalidDataException>(() => ParameterIO.Load(Zoo.LeNet(new Rng(6)), stream));
        Assert.Contains("missing 'features.0.weight'", e.Message);
        Assert.Contains("unexpected 'fc1.weight'", e.Message);

        stream.Position = 0;
        var e2 = Assert.Throws<InvalidDataException>(() => ParameterIO.Load(new Mlp(new Rng(7), 784, 700, 50, 10), stream));
        Assert.Contains("'fc1.weight' has shape [800, 784] in the file but [700, 784] in the model", e2.Message);

        var junk = new MemoryStream(new byte[] { 1, 2, 3, 4, 5 });
        Assert.Throws<InvalidDataException>(() => ParameterIO.Load(Zoo.Logistic(new Rng(8)), junk));
    }
}
