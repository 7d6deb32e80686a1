using Probabilistic.Core.Random;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Models;

/// <summary>
/// A classifier made of a feature extractor and a head: <c>features</c> (may be empty), flatten, <c>classifier</c>.
/// Parameter names follow PyTorch: <c>features.0.weight</c>, <c>classifier.2.bias</c>.
/// </summary>
public sealed class FeatureClassifier : Module
{
    /// <summary>Convolutional (or other) feature layers.</summary>
    public Sequential Features { get; }
    /// <summary>Layers after flattening.</summary>
    public Sequential Classifier { get; }

    /// <summary>features → flatten → classifier.</summary>
    public FeatureClassifier(Sequential features, Sequential classifier)
    {
        Features = RegisterModule("features", features);
        Classifier = RegisterModule("classifier", classifier);
    }

    /// <inheritdoc/>
    protected override Tensor ForwardCore(Tensor input) =>
        Classifier.Forward(Autograd.Ops.Flatten(Features.Forward(input)));
}

/// <summary>
/// A multilayer perceptron: fc1, ReLU, fc2, ReLU, …, fcL (no activation after the last layer); inputs of any shape
/// [N, …] are flattened first. Parameter names fc1.weight, fc1.bias, ….
/// </summary>
public sealed class Mlp : Module
{
    private readonly List<Linear> _layers = new();

    /// <summary>Layer widths, input first, e.g. 784, 800, 50, 10.</summary>
    public Mlp(Rng rng, params int[] widths)
    {
        if (widths.Length < 2) throw new ArgumentException("Mlp: give at least an input and an output width.");
        for (int i = 1; i < widths.Length; i++)
            _layers.Add(RegisterModule($"fc{i}", new Linear(widths[i - 1], widths[i], rng)));
    }

    /// <inheritdoc/>
    protected override Tensor ForwardCore(Tensor input)
    {
        var x = Autograd.Ops.Flatten(input);
        for (int i = 0; i < _layers.Count; i++)
        {
            x = _layers[i].Forward(x);
            if (i < _layers.Count - 1) x = Autograd.Ops.Relu(x);
        }
        return x;
    }
}

/// <summary>Factory functions for the networks the seeds use, shared by tests, benchmarks and examples.</summary>
public static class Zoo
{
    /// <summary>Multinomial logistic regression 784 → 10 (one layer, named fc1).</summary>
    public static Mlp Logistic(Rng rng, int inputs = 784, int classes = 10) => new(rng, inputs, classes);

    /// <summary>The MLP 784-800-50-10 with ReLU.</summary>
    public static Mlp Mlp784_800_50_10(Rng rng) => new(rng, 784, 800, 50, 10);

    /// <summary>
    /// The LeNet-like teacher on 1×28×28 inputs: conv 1→3 5×5, ReLU, maxpool 2, conv 3→9 5×5, ReLU, maxpool 2,
    /// flatten (9·4·4 = 144), FC 120, ReLU, FC 84, ReLU, FC 10 — 29,176 parameters.
    /// </summary>
    public static FeatureClassifier LeNet(Rng rng, int classes = 10) => new(
        new Sequential(
            new Conv2d(1, 3, 5, rng), new ReLU(), new MaxPool2d(2),
            new Conv2d(3, 9, 5, rng), new ReLU(), new MaxPool2d(2)),
        new Sequential(
            new Linear(144, 120, rng), new ReLU(),
            new Linear(120, 84, rng), new ReLU(),
            new Linear(84, classes, rng)));

    /// <summary>
    /// A 32-64-64 3×3 CNN on 1×28×28 inputs: conv 1→32, ReLU, maxpool 2 (13×13), conv 32→64, ReLU, maxpool 2 (5×5),
    /// conv 64→64, ReLU (3×3), flatten 576, FC 64, ReLU, FC 10 — 93,322 parameters.
    /// </summary>
    public static FeatureClassifier Cnn32_64_64(Rng rng, int classes = 10) => new(
        new Sequential(
            new Conv2d(1, 32, 3, rng), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 3, rng), new ReLU(), new MaxPool2d(2),
            new Conv2d(64, 64, 3, rng), new ReLU()),
        new Sequential(
            new Linear(576, 64, rng), new ReLU(),
            new Linear(64, classes, rng)));
    /// <summary>
    /// The feature points of <see cref="TinyCnn"/> and <see cref="VeryTinyCnn"/> (seed 003, methods.md §4.4), as
    /// <see cref="FeatureCapture"/> paths: the three pooled conv blocks and the first FC layer after its ReLU.
    /// </summary>
    public static readonly IReadOnlyList<string> TinyFeaturePaths = ["features.3", "features.7", "features.11", "classifier.1"];

    /// <summary>
    /// The seed-003 teacher "Cifar_Tiny" (methods.md §4.2) on <paramref name="inChannels"/>×28×28 inputs: three blocks
    /// conv 3×3 → BatchNorm → ReLU → maxpool 2 with 16, 32, 64 channels (padding 2 on the first conv only, so a 28×28
    /// image gives the CIFAR shapes, §4.4), flatten 256, FC 128, ReLU, FC <paramref name="classes"/>. Features at
    /// <see cref="TinyFeaturePaths"/>: [16,15,15], [32,6,6], [64,2,2], [128]. 57,706 parameters on one channel
    /// (57,994 on three, the seed's count).
    /// </summary>
    public static FeatureClassifier TinyCnn(Rng rng, int inChannels = 1, int classes = 10) =>
        TinyFamily(rng, inChannels, classes, [16, 32, 64], [128]);

    /// <summary>
    /// The seed-003 student "Cifar_Very_Tiny" (methods.md §4.2): the blocks of <see cref="TinyCnn"/> with 8, 16, 32
    /// channels, flatten 128, FC 64, ReLU, FC <paramref name="classes"/>. Features at <see cref="TinyFeaturePaths"/>:
    /// [8,15,15], [16,6,6], [32,2,2], [64]. 14,906 parameters on one channel (15,050 on three, the seed's count).
    /// </summary>
    public static FeatureClassifier VeryTinyCnn(Rng rng, int inChannels = 1, int classes = 10) =>
        TinyFamily(rng, inChannels, classes, [8, 16, 32], [64]);

    private static FeatureClassifier TinyFamily(Rng rng, int inChannels, int classes, int[] channels, int[] hidden)
    {
        if (inChannels < 1 || classes < 1)
            throw new ArgumentOutOfRangeException(nameof(inChannels), $"Zoo.TinyCnn: channels and classes must be positive, got {inChannels} and {classes}.");
        var features = new Sequential();
        int c = inChannels;
        for (int b = 0; b < channels.Length; b++)
        {
            features.Add(new Conv2d(c, channels[b], 3, rng, padding: b == 0 ? 2 : 0));
            features.Add(new BatchNorm2d(channels[b]));
            features.Add(new ReLU());
            features.Add(new MaxPool2d(2));
            c = channels[b];
        }
        var classifier = new Sequential();
        int width = c * 2 * 2;
        foreach (int h in hidden)
        {
            classifier.Add(new Linear(width, h, rng));
            classifier.Add(new ReLU());
            width = h;
        }
        classifier.Add(new Linear(width, classes, rng));
        return new FeatureClassifier(features, classifier);
    }
}
