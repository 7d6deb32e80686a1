using Probabilistic.Nn.Data;

namespace Probabilistic.Nn.Tests.Data;

/// <summary>
/// The seeds' synthetic data sets. Reference values come from numpy 1.24.2 via
/// <c>/usr/bin/python3 Model.Nn.Tests/Data/numpy_reference.py</c> (the script is next to this file). Distribution
/// checks use tolerances of 4 standard errors (the data are fixed by the seed, so they cannot flake).
/// </summary>
public sealed class SyntheticDataTests
{
    [Fact]
    public void ClassificationMatchesNumpySeed0()
    {
        var data = SyntheticClassification.Generate();
        double[] w = data.TeacherWeights;
        Assert.Equal(30, w.Length);
        Assert.Equal([1.764052345967664, 0.4001572083672233, 0.9787379841057392], w[..3]);
        Assert.Equal(1.469358769900285, w[29]);
        Assert.Equal([(float)0.1549474256969163, (float)0.37816251960217356, (float)-0.8877857476301128], data.Train.Features[..3]);
        Assert.Equal((float)0.4675020514963672, data.Test.Features[^1]);
        // Float sums: each of the 10,000 entries (|x| < 5) is rounded by at most 5 · 2^-24 = 3e-7, so at most 3e-3 in total.
        Assert.Equal(-193.01686448431846, data.Train.Features.Sum(v => (double)v), 3e-3);
        Assert.Equal(66.18316284267455, data.Test.Features.Sum(v => (double)v), 3e-3);

        Assert.Equal([1, 2, 1, 1, 2, 1, 1, 2, 0, 2, 0, 1, 1, 0, 0, 2, 0, 2, 0, 2], data.Train.Labels[..20]);
        Assert.Equal([337, 342, 321], data.Train.ClassCounts());
        Assert.Equal(490677, WeightedSum(data.Train.Labels));
        Assert.Equal([2, 2, 1, 1, 1, 1, 2, 0, 0, 2, 2, 0, 2, 0, 2, 1, 2, 0, 1, 1], data.Test.Labels[..20]);
        Assert.Equal([339, 315, 346], data.Test.ClassCounts());
        Assert.Equal(504710, WeightedSum(data.Test.Labels));
    }

    private static long WeightedSum(int[] labels)
    {
        long s = 0;
        for (int i = 0; i < labels.Length; i++) s += (long)i * labels[i];
        return s;
    }

    [Fact]
    public void ClassificationIsDeterministicAndSeedDependent()
    {
        var a = SyntheticClassification.Generate(5);
        var b = SyntheticClassification.Generate(5);
        var c = SyntheticClassification.Generate(6);
        Assert.Equal(a.Train.Features, b.Train.Features);
        Assert.Equal(a.Test.Labels, b.Test.Labels);
        Assert.NotEqual(a.Train.Features, c.Train.Features);
    }

    [Fact]
    public void ClassificationFollowsItsStatedDistribution()
    {
        var data = SyntheticClassification.Generate();
        foreach (LabeledDataset split in new[] { data.Train, data.Test })
        {
            // Features are N(0, 1): mean within 4/sqrt(n), variance within 4·sqrt(2/n).
            double n = split.Features.Length, mean = split.Features.Average(v => (double)v);
            double variance = split.Features.Sum(v => (v - mean) * (v - mean)) / n;
            Assert.InRange(mean, -4 / Math.Sqrt(n), 4 / Math.Sqrt(n));
            Assert.InRange(variance, 1 - 4 * Math.Sqrt(2 / n), 1 + 4 * Math.Sqrt(2 / n));

            // Labels are Cat(softmax(x W)): each class count is within 4 sd of the sum of its probabilities.
            float[] p = data.SoftLabels(split, temperature: 1);
            int[] counts = split.ClassCounts();
            for (int k = 0; k < 3; k++)
            {
                double expected = 0, variance2 = 0;
                for (int i = 0; i < split.Count; i++)
                {
                    double pk = p[i * 3 + k];
                    expected += pk;
                    variance2 += pk * (1 - pk);
                }
                Assert.InRange(counts[k], expected - 4 * Math.Sqrt(variance2), expected + 4 * Math.Sqrt(variance2));
            }
        }
    }

    [Fact]
    public void SoftLabelsAreDistributionsThatFlattenWithTemperature()
    {
        var data = SyntheticClassification.Generate();
        float[] sharp = data.SoftLabels(data.Test, 1), soft = data.SoftLabels(data.Test, 10);
        for (int i = 0; i < data.Test.Count; i++)
        {
            Assert.Equal(1.0, sharp[(3 * i)..(3 * i + 3)].Sum(), 1e-6);
            Assert.Equal(1.0, soft[(3 * i)..(3 * i + 3)].Sum(), 1e-6);
            Assert.True(soft[(3 * i)..(3 * i + 3)].Max() <= sharp[(3 * i)..(3 * i + 3)].Max() + 1e-6f);
        }
        // x W for the first test row, by hand: the soft label is its softmax at T = 10.
        double[] z = new double[3];
        for (int k = 0; k < 3; k++)
            for (int j = 0; j < 10; j++) z[k] += data.Test.Features[j] * data.TeacherWeights[j * 3 + k];
        double norm = z.Sum(v => Math.Exp(v / 10));
        for (int k = 0; k < 3; k++) Assert.Equal(Math.Exp(z[k] / 10) / norm, soft[k], 1e-6);
    }

    [Fact]
    public void RegressionMatchesNumpySeed0()
    {
        var data = SyntheticRegression.Generate();
        Assert.Equal(900, data.Train.Count);
        Assert.Equal(124, data.Test.Count);
        Assert.Equal([(float)1.764052345967664, (float)0.4001572083672233, (float)0.9787379841057392], data.Train.Features[..3]);
        Assert.Equal([-0.7606769514793232, 3.220501789041126, 0.22094288278267873, -0.06291226232546265, -0.6298870127758327,
            -1.0732093608408462, 0.0010558149720355943, -1.0177213564885237, -1.5743276568197215, -1.6354320092102381], data.TrueWeights);
        Assert.Equal([(float)-0.28895983937533876, (float)5.144863533298268, (float)-0.3757628864585354], data.Train.Targets[..3]);
        Assert.Equal((float)-2.0644987384718845, data.Test.Targets[0]);
        Assert.Equal((float)9.552534422752265, data.Test.Targets[^1]);
        var (trainMean, trainStd) = data.Train.TargetMoments();
        var (testMean, testStd) = data.Test.TargetMoments();
        Assert.Equal(0.07662271844053412, trainMean, 1e-5);
        Assert.Equal(4.2984043861860295, trainStd, 1e-5);
        Assert.Equal(0.2703003002773585, testMean, 1e-5);
        Assert.Equal(4.242793609085549, testStd, 1e-5);
    }

    [Fact]
    public void RegressionResidualsHaveTheStatedNoise()
    {
        var data = SyntheticRegression.Generate();
        var residuals = new List<double>();
        foreach (RegressionDataset split in new[] { data.Train, data.Test })
            for (int i = 0; i < split.Count; i++)
            {
                double dot = 0;
                for (int j = 0; j < 10; j++) dot += split.Row(i)[j] * data.TrueWeights[j];
                residuals.Add(split.Targets[i] - dot);
            }
        double n = residuals.Count, mean = residuals.Average();
        double std = Math.Sqrt(residuals.Sum(r => (r - mean) * (r - mean)) / n);
        // Noise N(0, 0.1²): mean within 4·0.1/sqrt(n), std within 4·0.1/sqrt(2n).
        Assert.InRange(mean, -0.4 / Math.Sqrt(n), 0.4 / Math.Sqrt(n));
        Assert.InRange(std, 0.1 - 0.4 / Math.Sqrt(2 * n), 0.1 + 0.4 / Math.Sqrt(2 * n));
    }

    [Fact]
    public void TwoMoonsLieOnTheirArcsWithoutNoise()
    {
        LabeledDataset moons = TwoMoons.Generate(count: 301, noise: 0, seed: 3);
        Assert.Equal([151, 150], moons.ClassCounts());
        for (int i = 0; i < moons.Count; i++)
        {
            double x = moons.Row(i)[0], y = moons.Row(i)[1];
            if (moons.Labels[i] == 0)
            {
                Assert.Equal(1, x * x + y * y, 1e-6);
                Assert.True(y >= 0);
            }
            else
            {
                Assert.Equal(1, (x - 1) * (x - 1) + (y - 0.5) * (y - 0.5), 1e-6);
                Assert.True(y <= 0.5 + 1e-6);
            }
        }
    }

    [Fact]
    public void TwoMoonsMatchTheirStatedMeansAndNoise()
    {
        const int n = 4000;
        const double noise = 0.1;
        LabeledDataset moons = TwoMoons.Generate(n, noise, seed: 1);
        Assert.Equal(moons.Features, TwoMoons.Generate(n, noise, seed: 1).Features);
        Assert.NotEqual(moons.Features, TwoMoons.Generate(n, noise, seed: 2).Features);
        for (int label = 0; label < 2; label++)
        {
            var rows = Enumerable.Range(0, n).Where(i => moons.Labels[i] == label).ToArray();
            double m = rows.Length;
            double meanX = rows.Average(i => (double)moons.Row(i)[0]), meanY = rows.Average(i => (double)moons.Row(i)[1]);
            // t ~ U(0, π): E cos t = 0, Var cos t = 1/2; E sin t = 2/π, Var sin t = 1/2 − 4/π²; plus noise variance.
            double seX = Math.Sqrt((0.5 + noise * noise) / m), seY = Math.Sqrt((0.5 - 4 / (Math.PI * Math.PI) + noise * noise) / m);
            double expectedX = label == 0 ? 0 : 1, expectedY = label == 0 ? 2 / Math.PI : 0.5 - 2 / Math.PI;
            Assert.InRange(meanX, expectedX - 4 * seX, expectedX + 4 * seX);
            Assert.InRange(meanY, expectedY - 4 * seY, expectedY + 4 * seY);
            // Radial distance to the arc's circle has std ≈ noise (curvature bias ≤ noise²/2 = 0.005; SE 0.1/sqrt(2m)).
            double cx = label, cy = label == 0 ? 0 : 0.5;
            var radial = rows.Select(i => Math.Sqrt(Math.Pow(moons.Row(i)[0] - cx, 2) + Math.Pow(moons.Row(i)[1] - cy, 2)) - 1).ToArray();
            double rMean = radial.Average(), rStd = Math.Sqrt(radial.Average(r => (r - rMean) * (r - rMean)));
            Assert.InRange(rStd, noise - 0.005 - 4 * noise / Math.Sqrt(2 * m), noise + 0.005 + 4 * noise / Math.Sqrt(2 * m));
        }
    }

    [Fact]
    public void WellingTehDataFollowTheMixture()
    {
        var toy = WellingTehMixture.Generate();
        Assert.Equal(100, toy.Data.Length);
        Assert.Equal(toy.Data, WellingTehMixture.Generate().Data);
        Assert.NotEqual(toy.Data, WellingTehMixture.Generate(seed: 1).Data);

        // ½N(0, 2) + ½N(1, 2): mean 0.5, variance 2 + 1/4 = 2.25, fourth central moment 15.0625.
        foreach (int n in new[] { 100, 100_000 })
        {
            double[] x = WellingTehMixture.Generate(count: n, seed: 11).Data;
            double mean = x.Average(), variance = x.Average(v => (v - mean) * (v - mean));
            Assert.InRange(mean, 0.5 - 4 * 1.5 / Math.Sqrt(n), 0.5 + 4 * 1.5 / Math.Sqrt(n));
            double seVar = Math.Sqrt((15.0625 - 2.25 * 2.25) / n);
            Assert.InRange(variance, 2.25 - 4 * seVar, 2.25 + 4 * seVar);
        }
    }

    [Fact]
    public void WellingTehPosteriorIsBimodalNearTheTwoSymmetricSolutions()
    {
        // With the default seed the posterior has a mode near (0, 1) and one near its mirror (1, −1). Locate the best
        // grid point on each side of θ2 = 0 (grid step 0.02; posterior sds are about 0.3).
        var toy = WellingTehMixture.Generate();
        (double t1, double t2, double logp) bestUpper = (0, 0, double.NegativeInfinity), bestLower = bestUpper;
        for (double t1 = -2; t1 <= 3; t1 += 0.02)
            for (double t2 = -3; t2 <= 3; t2 += 0.02)
            {
                double lp = toy.LogJoint(t1, t2);
                if (t2 > 0 && lp > bestUpper.logp) bestUpper = (t1, t2, lp);
                if (t2 < 0 && lp > bestLower.logp) bestLower = (t1, t2, lp);
            }
        Assert.InRange(bestUpper.t1, -0.3, 0.3);
        Assert.InRange(bestUpper.t2, 0.7, 1.3);
        Assert.InRange(bestLower.t1, 0.7, 1.3);
        Assert.InRange(bestLower.t2, -1.3, -0.7);
        // Each maximum lies well inside its half-plane (|θ2| ≥ 0.7, not on the boundary θ2 = 0), so each is a local
        // maximum of the whole posterior: two modes. They are about equally high (the priors differ by ~0.05 nats).
        Assert.InRange(bestUpper.logp - bestLower.logp, -0.2, 0.2);
    }

    [Fact]
    public void WellingTehLikelihoodIsSymmetricUnderRelabelling()
    {
        // Swapping the components maps (θ1, θ2) to (θ1 + θ2, −θ2) and leaves the likelihood unchanged, so the log
        // joints differ by the log priors only: −θ1²/20 − θ2²/2 versus −(θ1 + θ2)²/20 − θ2²/2.
        var toy = WellingTehMixture.Generate();
        foreach (var (t1, t2) in new[] { (0.3, 0.7), (-1.0, 2.0), (2.5, -0.4) })
        {
            double expected = -t1 * t1 / 20 + (t1 + t2) * (t1 + t2) / 20;
            Assert.Equal(expected, toy.LogJoint(t1, t2) - toy.LogJoint(t1 + t2, -t2), 1e-9);
        }
    }
}
