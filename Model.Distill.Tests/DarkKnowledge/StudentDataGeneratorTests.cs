using Probabilistic.Core.Random;
using Probabilistic.Distill.DarkKnowledge;
using Probabilistic.Nn.Data;

namespace Probabilistic.Distill.Tests.DarkKnowledge;

public class StudentDataGeneratorTests
{
    [Fact]
    public void Uniform_box_draws_lie_inside_with_the_uniform_mean_and_variance()
    {
        double[] low = [-1, 0, 5], high = [3, 0.5, 5.25];
        var box = new UniformBox(low, high);
        Assert.Equal([3], box.SampleShape);
        const int n = 40_000;
        var draws = new float[n * 3];
        box.Fill(new Rng(1), draws);
        for (int c = 0; c < 3; c++)
        {
            double width = high[c] - low[c], sum = 0, sumSq = 0;
            for (int i = 0; i < n; i++)
            {
                double v = draws[i * 3 + c];
                Assert.InRange(v, low[c], high[c]);
                sum += v;
            }
            double mean = sum / n;
            for (int i = 0; i < n; i++) sumSq += (draws[i * 3 + c] - mean) * (draws[i * 3 + c] - mean);
            double variance = sumSq / (n - 1);
            // U(a, b): mean (a + b)/2, variance w²/12, sd of the sample variance w²·√(1/80 − 1/144)/√n; 5-sigma bounds.
            double meanSd = width / Math.Sqrt(12 * n), varSd = width * width * Math.Sqrt(1.0 / 80 - 1.0 / 144) / Math.Sqrt(n);
            Assert.InRange(mean, (low[c] + high[c]) / 2 - 5 * meanSd, (low[c] + high[c]) / 2 + 5 * meanSd);
            Assert.InRange(variance, width * width / 12 - 5 * varSd, width * width / 12 + 5 * varSd);
        }
    }

    [Fact]
    public void Uniform_box_refuses_empty_or_inverted_boxes()
    {
        Assert.Contains("coordinate 1", Assert.Throws<ArgumentException>(() => new UniformBox([0, 1], [1, 1])).Message);
        Assert.Throws<ArgumentException>(() => new UniformBox([0], [1, 2]));
        Assert.Throws<ArgumentException>(() => new UniformBox([0, 0], [1, 1]).Fill(new Rng(0), new float[3]));
    }

    [Fact]
    public void Noisy_training_inputs_are_a_random_training_row_plus_gaussian_noise_of_sd_sigma()
    {
        // Two rows far apart (relative to σ), so each draw is attributed to its row without error.
        float[] rowA = [0f, 2f, -1f], rowB = [100f, -50f, 30f];
        var data = new LabeledDataset("two-rows", [.. rowA, .. rowB], [3], [0, 1], 2);
        const double sigma = 0.3;
        var generator = new NoisyTrainingInputs(data, sigma);
        const int n = 30_000;
        var draws = new float[n * 3];
        generator.Fill(new Rng(7), draws);
        var counts = new int[2];
        var sums = new double[2, 3];
        var sumSq = new double[2, 3];
        for (int i = 0; i < n; i++)
        {
            int which = draws[i * 3] > 50 ? 1 : 0;
            counts[which]++;
            var row = which == 0 ? rowA : rowB;
            for (int c = 0; c < 3; c++)
            {
                double e = draws[i * 3 + c] - row[c];
                sums[which, c] += e;
                sumSq[which, c] += e * e;
            }
        }
        // Rows chosen uniformly: Binomial(n, ½), 5-sigma.
        Assert.InRange(counts[0], n / 2 - 5 * Math.Sqrt(n / 4.0), n / 2 + 5 * Math.Sqrt(n / 4.0));
        for (int w = 0; w < 2; w++)
            for (int c = 0; c < 3; c++)
            {
                int m = counts[w];
                double mean = sums[w, c] / m, variance = sumSq[w, c] / m;
                Assert.InRange(mean, -5 * sigma / Math.Sqrt(m), 5 * sigma / Math.Sqrt(m));
                // E[e²] = σ², sd of the mean of e² is σ²√2/√m (float rounding of row 100 + e is ≤ 4e-6, negligible).
                double bound = 5 * sigma * sigma * Math.Sqrt(2.0 / m);
                Assert.InRange(variance, sigma * sigma - bound, sigma * sigma + bound);
            }
    }

    [Fact]
    public void Noisy_training_inputs_clip_only_when_asked()
    {
        var data = new LabeledDataset("edge", [0f, 1f], [2], [0], 1);
        var draws = new float[2000];
        new NoisyTrainingInputs(data, 0.5).Fill(new Rng(2), draws);
        Assert.Contains(draws, v => v < 0f);
        Assert.Contains(draws, v => v > 1f);
        new NoisyTrainingInputs(data, 0.5, clip: true).Fill(new Rng(2), draws);
        Assert.All(draws, v => Assert.InRange(v, 0f, 1f));
        Assert.Contains(draws, v => v > 0f && v < 1f);
        Assert.Throws<ArgumentOutOfRangeException>(() => new NoisyTrainingInputs(data, -0.1));
    }

    [Fact]
    public void Sample_returns_a_batch_shaped_tensor_and_is_deterministic_under_the_seed()
    {
        IStudentDataGenerator box = new UniformBox([0, 0], [1, 1]);
        var a = box.Sample(new Rng(4), 5);
        var b = box.Sample(new Rng(4), 5);
        Assert.Equal([5, 2], a.Shape.ToArray());
        Assert.Equal(a.ToArray(), b.ToArray());
        Assert.NotEqual(a.ToArray(), box.Sample(new Rng(5), 5).ToArray());
    }
}
