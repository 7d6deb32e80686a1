using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Losses;
using Probabilistic.Nn.Tensors;
using static Probabilistic.Nn.Tests.Autograd.GradCheck;

namespace Probabilistic.Nn.Tests.Losses;

/// <summary>Loss values against double-precision closed forms, gradients against finite differences.</summary>
public class LossTests
{
    private static readonly int[] Labels = [2, 0, 4];

    [Fact]
    public void CrossEntropyValueMatchesDefinition()
    {
        var z = Random(new Rng(1), 2, 3, 5);
        double expected = 0;
        for (int r = 0; r < 3; r++)
        {
            double lse = Math.Log(Enumerable.Range(0, 5).Sum(j => Math.Exp(z.At(r, j))));
            expected += lse - z.At(r, Labels[r]);
        }
        Assert.Equal(expected / 3, Loss.CrossEntropy(z, Labels).Item(), 5);
    }

    [Fact]
    public void CrossEntropyIsFiniteForHugeLogits()
    {
        var z = Tensor.FromArray([1000f, -1000f, 0f, 3000f], 2, 2);
        var loss = Loss.CrossEntropy(z, [1, 0]).Item();
        Assert.Equal((2000.0 + 3000.0) / 2, loss, 1); // −log softmax = gap between the max and the label's logit
    }

    [Fact] public void CrossEntropyGradient() => Check(x => Loss.CrossEntropy(x[0], Labels), Random(new Rng(2), 2, 3, 5));

    [Fact]
    public void SoftCrossEntropyAndKlDifferByTeacherEntropyTimesTSquared()
    {
        var rng = new Rng(3);
        var s = Random(rng, 2, 3, 4);
        var t = Random(rng, 2, 3, 4);
        const float T = 2.5f;
        double kl = 0, entropy = 0;
        for (int r = 0; r < 3; r++)
        {
            double[] q = Softmax(t, r, T), p = Softmax(s, r, T);
            for (int j = 0; j < 4; j++) { kl += q[j] * Math.Log(q[j] / p[j]); entropy -= q[j] * Math.Log(q[j]); }
        }
        var qTensor = Tensor.Zeros(3, 4);
        for (int r = 0; r < 3; r++) { var q = Softmax(t, r, T); for (int j = 0; j < 4; j++) qTensor[r * 4 + j] = (float)q[j]; }
        Assert.Equal(T * T * kl / 3, Loss.DistillationKl(s, t, T).Item(), 4);
        Assert.Equal(T * T * (kl + entropy) / 3, Loss.SoftCrossEntropy(s, qTensor, T).Item(), 4);
    }

    [Fact]
    public void DistillationKlGradientFlowsToStudentOnly()
    {
        var rng = new Rng(4);
        var teacher = Random(rng, 2, 3, 4);
        Check(x => Loss.DistillationKl(x[0], teacher, 3f), Random(rng, 2, 3, 4));
    }

    [Fact]
    public void SoftCrossEntropyGradient()
    {
        var q = Tensor.FromArray([0.1f, 0.2f, 0.3f, 0.4f, 0.7f, 0.1f, 0.1f, 0.1f], 2, 4);
        Check(x => Loss.SoftCrossEntropy(x[0], q, 1.5f), Random(new Rng(5), 1, 2, 4));
    }

    [Fact]
    public void MseValueAndGradient()
    {
        var rng = new Rng(6);
        var p = Random(rng, 1, 2, 3);
        var t = Random(rng, 1, 2, 3);
        double expected = 0;
        for (int i = 0; i < 6; i++) expected += (p[i] - t[i]) * (double)(p[i] - t[i]);
        Assert.Equal(expected / 6, Loss.Mse(p, t).Item(), 5);
        Assert.Equal(expected, Loss.Mse(p, t, Reduction.Sum).Item(), 4);
        Check(x => Loss.Mse(x[0], x[1]), p, t);
    }

    [Fact]
    public void GaussianNllValueAndGradient()
    {
        var rng = new Rng(7);
        var m = Random(rng, 1, 5);
        var lv = Random(rng, 0.5f, 5);
        var y = Random(rng, 1, 5);
        y.RequiresGrad = false;
        double expected = 0;
        for (int i = 0; i < 5; i++)
            expected += 0.5 * Math.Log(2 * Math.PI) + 0.5 * lv[i] + 0.5 * Math.Pow(y[i] - m[i], 2) / Math.Exp(lv[i]);
        Assert.Equal(expected, Loss.GaussianNll(m, lv, y, Reduction.Sum, full: true).Item(), 4);
        Check(x => Loss.GaussianNll(x[0], x[1], y), m, lv);
    }

    [Fact]
    public void BernoulliNllValueAndGradient()
    {
        var z = Tensor.FromArray([-30f, -1f, 0f, 2f, 40f], 5);
        var y = Tensor.FromArray([0f, 1f, 0.5f, 0f, 1f], 5);
        double expected = 0;
        for (int i = 0; i < 5; i++)
        {
            double p = 1 / (1 + Math.Exp(-z[i]));
            expected -= y[i] * Math.Log(Math.Max(p, 1e-300)) + (1 - y[i]) * Math.Log(Math.Max(1 - p, 1e-300));
        }
        Assert.Equal(expected / 5, Loss.BernoulliNllWithLogits(z, y).Item(), 5);
        Check(x => Loss.BernoulliNllWithLogits(x[0], y), Random(new Rng(8), 2, 5));
    }

    [Fact]
    public void BadLabelsAreReportedWithShapes()
    {
        var z = Tensor.Zeros(2, 3);
        var e = Assert.Throws<ArgumentException>(() => Loss.CrossEntropy(z, [0, 3]));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("label 3", e.Message);
    }

    private static double[] Softmax(Tensor z, int row, double T)
    {
        int k = z.Dim(1);
        var v = new double[k];
        double max = double.NegativeInfinity;
        for (int j = 0; j < k; j++) max = Math.Max(max, z.At(row, j) / T);
        double sum = 0;
        for (int j = 0; j < k; j++) sum += v[j] = Math.Exp(z.At(row, j) / T - max);
        for (int j = 0; j < k; j++) v[j] /= sum;
        return v;
    }
}
