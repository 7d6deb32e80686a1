using Probabilistic.Core.Random;
using Probabilistic.Distill.MultiDomain;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Tensors;
using static Probabilistic.Nn.Tests.Autograd.GradCheck;

namespace Probabilistic.Distill.Tests.MultiDomain;

/// <summary>
/// φ_VAE's pieces on a tiny translator (input 6, hidden 5, latent 2): the closed-form KL against Monte Carlo, the loss
/// against the ELBO computed in double from the parameters with the clamp on probabilities, its gradient against
/// finite differences, the class pairing, and the map's sampling behaviour.
/// </summary>
public class DomainTranslationVaeTests
{
    private const int In = 6, Hidden = 5, Latent = 2, B = 3;

    private static DomainTranslationVae Tiny(ulong seed = 11) => new(new Rng(seed), In, Hidden, Latent);

    private static Tensor Pixels(Rng rng, int rows)
    {
        var t = Tensor.Zeros(rows, In);
        for (int i = 0; i < t.Length; i++) t[i] = (float)rng.Uniform(0.02, 0.98);
        return t;
    }

    private static Tensor Param(DomainTranslationVae m, string name) => m.NamedParameters().Single(p => p.Key == name).Value;

    [Fact]
    public void KlClosedFormMatchesMonteCarlo()
    {
        var rng = new Rng(5);
        var mean = Tensor.Zeros(3, 4);
        var std = Tensor.Zeros(3, 4);
        for (int i = 0; i < mean.Length; i++) { mean[i] = (float)rng.Normal(0, 1.5); std[i] = (float)rng.Uniform(0.2, 2.5); }
        double closed = DomainTranslationVae.KlToStandardNormal(mean, std).Item();

        // E_q[log q(z) − log N(z; 0, 1)] per entry by sampling z = μ + σε; the sum over entries with its standard error.
        const int n = 200_000;
        double estimate = 0, variance = 0;
        for (int e = 0; e < mean.Length; e++)
        {
            double mu = mean[e], sigma = std[e], s = 0, s2 = 0;
            for (int k = 0; k < n; k++)
            {
                double eps = rng.Normal(), z = mu + sigma * eps;
                double logRatio = -Math.Log(sigma) - 0.5 * eps * eps + 0.5 * z * z;
                s += logRatio;
                s2 += logRatio * logRatio;
            }
            double m = s / n;
            estimate += m;
            variance += (s2 / n - m * m) / n;
        }
        double se = Math.Sqrt(variance);
        Assert.True(Math.Abs(closed - estimate) < 4 * se + 1e-4, $"closed form {closed}, Monte Carlo {estimate} ± {se}");
    }

    [Fact]
    public void LossIsTheNegativeElboWithClampedBernoulliMeans()
    {
        var model = Tiny();
        // Push some source logits beyond ±ln 99 so the clamp matters.
        float[] bias = [6f, -6f, 0f, 1f, -1f, 5.5f];
        bias.CopyTo(Param(model, "source_out.bias").Span);
        var data = new Rng(3);
        var x = Pixels(data, B);
        var y = Pixels(data, B);
        for (int i = 0; i < B; i++) { y[i * In] = 1f; y[i * In + 1] = 0f; } // binary pixels at the clipped logits too
        double loss;
        using (GradMode.NoGrad()) loss = model.Loss(x, y, new Rng(7)).Item();

        // The ELBO in double: forward pass from the parameters, the same noise stream (z's draws, then z''s),
        // p = clamp(sigmoid(a), 0.01, 0.99) and log p(y) = Σ y log p + (1 − y) log(1 − p).
        double[] W(string name) => Param(model, name).ToArray().Select(v => (double)v).ToArray();
        double[] Affine(string layer, double[] input, int outSize)
        {
            double[] w = W(layer + ".weight"), b = W(layer + ".bias");
            var o = new double[outSize];
            for (int r = 0; r < outSize; r++)
            {
                o[r] = b[r];
                for (int c = 0; c < input.Length; c++) o[r] += w[r * input.Length + c] * input[c];
            }
            return o;
        }
        static double[] Leaky(double[] v) => v.Select(a => a > 0 ? a : 0.01 * a).ToArray();
        double LogLik(string decoder, double[] z, ReadOnlySpan<float> target)
        {
            var a = Affine(decoder + "_out", Leaky(Affine(decoder + "_hidden", z, Hidden)), In);
            double s = 0;
            for (int j = 0; j < In; j++)
            {
                double p = Math.Clamp(1 / (1 + Math.Exp(-a[j])), 0.01, 0.99);
                s += target[j] * Math.Log(p) + (1 - target[j]) * Math.Log(1 - p);
            }
            return s;
        }
        var noise = new Rng(7);
        var eps = Enumerable.Range(0, 2 * B * Latent).Select(_ => (double)(float)noise.Normal()).ToArray();
        double elbo = 0;
        for (int i = 0; i < B; i++)
        {
            double[] xi = x.ToArray()[(i * In)..((i + 1) * In)].Select(v => (double)v).ToArray();
            var h = Leaky(Affine("encoder", xi, Hidden));
            var mu = Affine("mean", h, Latent);
            var sigma = Affine("scale", h, Latent).Select(a => Math.Log(1 + Math.Exp(a))).ToArray();
            var z = mu.Select((m, k) => m + sigma[k] * eps[i * Latent + k]).ToArray();
            var zPrime = mu.Select((m, k) => m + sigma[k] * eps[B * Latent + i * Latent + k]).ToArray();
            double kl = 0;
            for (int k = 0; k < Latent; k++) kl += 0.5 * (mu[k] * mu[k] + sigma[k] * sigma[k] - 1) - Math.Log(sigma[k]);
            elbo += LogLik("source", z, y.Span.Slice(i * In, In)) + LogLik("target", zPrime, x.Span.Slice(i * In, In)) - kl;
        }
        Assert.Equal(-elbo / B, loss, 1e-4 * Math.Abs(elbo / B));
    }

    [Fact]
    public void LossGradientMatchesFiniteDifferences()
    {
        var model = Tiny();
        // Small weights and hidden biases of ±3, so no LeakyReLU kink or logit clamp is within a finite-difference
        // step; both slopes of the LeakyReLU are used.
        var rng = new Rng(21);
        foreach (var (name, p) in model.NamedParameters())
        {
            bool hiddenBias = name is "encoder.bias" or "source_hidden.bias" or "target_hidden.bias";
            for (int i = 0; i < p.Length; i++) p[i] = hiddenBias ? (i % 2 == 0 ? 3f : -3f) : (float)rng.Normal(0, 0.15);
        }
        var data = new Rng(4);
        var x = Pixels(data, B);
        var y = Pixels(data, B);
        // A fresh generator with the same seed per call: the noise is a constant, so the loss is a function of the parameters.
        Check(_ => model.Loss(x, y, new Rng(7)), model.Parameters().ToArray());
    }

    private static LabeledDataset Labelled(string name, int[] labels, int classes) =>
        new(name, Enumerable.Range(0, labels.Length * 2).Select(i => (float)i).ToArray(), [2], labels, classes);

    [Fact]
    public void PairingKeepsTheClassIsSeededAndUsesEveryCandidate()
    {
        var target = Labelled("target", Enumerable.Range(0, 3000).Select(i => i % 3).ToArray(), 3);
        int[] sourceLabels = [0, 1, 2, 0, 1, 0, 2, 2, 2];
        var source = Labelled("source", sourceLabels, 3);
        int[] pairs = DomainTranslationVae.PairByClass(target, source, seed: 9);
        Assert.Equal(target.Count, pairs.Length);
        for (int i = 0; i < pairs.Length; i++) Assert.Equal(target.Labels[i], source.Labels[pairs[i]]);
        Assert.Equal(pairs, DomainTranslationVae.PairByClass(target, source, seed: 9));
        Assert.NotEqual(pairs, DomainTranslationVae.PairByClass(target, source, seed: 10));
        // Uniform within a class: class 0 (1,000 targets) over 3 sources, class 2 over 4 (binomial sd ≈ 15 and 14).
        var counts = new int[sourceLabels.Length];
        foreach (int j in pairs) counts[j]++;
        for (int j = 0; j < counts.Length; j++)
        {
            int classSize = sourceLabels.Count(l => l == sourceLabels[j]);
            double expected = 1000.0 / classSize;
            Assert.True(Math.Abs(counts[j] - expected) < 6 * Math.Sqrt(expected), $"source {j} drawn {counts[j]} times, expected about {expected}");
        }
    }

    [Fact]
    public void PairingThrowsWhenAClassHasNoSourceImages()
    {
        var target = Labelled("target", [0, 1, 2, 1], 3);
        var source = Labelled("source", [0, 1, 1, 0], 3);
        var e = Assert.Throws<ArgumentException>(() => DomainTranslationVae.PairByClass(target, source, 1));
        Assert.Contains("class 2", e.Message);
    }

    [Fact]
    public void TrainingIsDeterministicUnderTheSeedAndLowersTheLoss()
    {
        // Two classes of synthetic images: target rows near one pattern per class, source rows near another.
        var rng = new Rng(8);
        int n = 256;
        var labels = Enumerable.Range(0, n).Select(i => i % 2).ToArray();
        float[] Images(float shift) => Enumerable.Range(0, n * In)
            .Select(k => (float)Math.Clamp(((k % In + labels[k / In] * 3) % In < 3 ? 0.9 : 0.1) + shift + 0.05 * rng.Normal(), 0, 1)).ToArray();
        var target = new LabeledDataset("t", Images(0f), [In], labels, 2);
        var source = new LabeledDataset("s", Images(0.02f), [In], labels, 2);
        var settings = new VaeTrainingSettings(Latent: Latent, Hidden: Hidden, Epochs: 15, BatchSize: 32, LearningRate: 1e-2, Seed: 3);
        var reported = new List<(int, double)>();
        var (_, losses) = DomainTranslationVae.Train(target, source, settings, (e, l) => reported.Add((e, l)));
        var (_, again) = DomainTranslationVae.Train(target, source, settings);
        Assert.Equal(losses, again);
        Assert.Equal(losses.Select((l, i) => (i + 1, l)), reported);
        Assert.True(losses[^1] < 0.8 * losses[0], $"loss {losses[0]} → {losses[^1]}");
    }

    [Fact]
    public void MapDrawsFreshLatentsPerCallAndIsSeeded()
    {
        var model = Tiny();
        var x = Pixels(new Rng(2), B);
        var map = new VaeDomainMap(model, seed: 5);
        var twin = new VaeDomainMap(model, seed: 5);
        Assert.Equal("VAE", map.Name);
        Assert.Equal([In], map.OutputSampleShape([In]));
        Assert.Throws<ArgumentException>(() => map.OutputSampleShape([In + 1]));
        float[] first = map.Apply(x).ToArray(), second = map.Apply(x).ToArray();
        Assert.NotEqual(first, second);
        Assert.Equal(first, twin.Apply(x).ToArray());
        Assert.Equal(second, twin.Apply(x).ToArray());
        Assert.All(first, v => Assert.InRange(v, 0.01f - 1e-6f, 0.99f + 1e-6f));
    }

    [Fact]
    public void MeanLatentMapIsDeterministicAndRecordsNoGradient()
    {
        var model = Tiny();
        var x = Pixels(new Rng(2), B);
        var map = new VaeDomainMap(model, seed: 5, meanLatent: true);
        Assert.Equal("VAE (mean z)", map.Name);
        var out1 = map.Apply(x);
        Assert.False(out1.RequiresGrad);
        Assert.Equal([B, In], out1.Shape.ToArray());
        Assert.Equal(out1.ToArray(), map.Apply(x).ToArray());
        Assert.Equal(out1.ToArray(), new VaeDomainMap(model, seed: 99, meanLatent: true).Apply(x).ToArray());
        // The mean path differs from a sampled one.
        Assert.NotEqual(out1.ToArray(), new VaeDomainMap(model, seed: 5).Apply(x).ToArray());
    }
}
