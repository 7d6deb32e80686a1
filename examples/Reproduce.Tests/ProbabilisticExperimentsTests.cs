using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Tensors;
using Probabilistic.Reproduce.Experiments;

namespace Probabilistic.Reproduce.Tests;

/// <summary>The probabilistic experiment's building blocks (examples/Reproduce) against the generic ops and metrics.</summary>
public class ProbabilisticExperimentsTests
{
    [Fact]
    public void Downsample2xIsTwoByTwoAveragePooling()
    {
        var rng = new Rng(8);
        var pixels = new float[3 * 28 * 28];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = rng.NextFloat();
        var images = new LabeledDataset("images", pixels, [1, 28, 28], [0, 1, 2], 3);
        var small = ProbabilisticExperiments.Downsample2x(images);
        Assert.Equal([196], small.SampleShape);
        using var noGrad = GradMode.NoGrad();
        var pooled = Ops.AvgPool2d(Tensor.FromArray(pixels, 3, 1, 28, 28), 2);
        for (int i = 0; i < small.Features.Length; i++) Assert.Equal(pooled[i], small.Features[i], 6);
        Assert.Throws<ArgumentException>(() => ProbabilisticExperiments.Downsample2x(small));
    }

    [Fact]
    public void MetricsFollowTheirDefinitions()
    {
        float[] p = [0.7f, 0.2f, 0.1f, 0.3f, 0.3f, 0.4f];
        float[] truth = [1f, 0f, 0f, 0f, 0.5f, 0.5f];
        var m = StudentMetrics.From(p, 3, [0, 1], truth);
        Assert.Equal(0.5, m.Accuracy, 12);
        Assert.Equal(-(Math.Log(0.7) + Math.Log(0.3)) / 2, m.CrossEntropy, 6);
        Assert.Equal((0.6 + 0.1) / 2, m.MaxMinusMin, 6);
        Assert.Equal(-(Math.Log(0.7) + 0.5 * Math.Log(0.3) + 0.5 * Math.Log(0.4)) / 2, m.RealCrossEntropy, 6);
        Assert.True(double.IsNaN(StudentMetrics.From(p, 3, [0, 1]).RealCrossEntropy));
    }

    [Fact]
    public void RealCrossEntropyAveragesOverTheFirstFortyObjectsOnly()
    {
        // 50 objects, two classes: the first 40 predict the truth exactly (p = t = (0.5, 0.5), CE log 2), the last 10
        // are confidently wrong; RealCE must be log 2.
        const int n = 50;
        var p = new float[2 * n];
        var t = new float[2 * n];
        for (int i = 0; i < n; i++)
        {
            (p[2 * i], p[2 * i + 1]) = i < 40 ? (0.5f, 0.5f) : (1f, 0f);
            (t[2 * i], t[2 * i + 1]) = i < 40 ? (0.5f, 0.5f) : (0f, 1f);
        }
        Assert.Equal(Math.Log(2), StudentMetrics.From(p, 2, new int[n], t).RealCrossEntropy, 6);
    }
}
