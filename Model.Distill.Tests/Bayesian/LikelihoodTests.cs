using Probabilistic.Core.Random;
using Probabilistic.Distill.Bayesian;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.Tests.Bayesian;

/// <summary>The likelihoods' autograd losses against their closed forms: values, output gradients, test metric.</summary>
public class LikelihoodTests
{
    private static (Tensor Output, float[] Gradient, double Value) LossAndGradient(Func<Tensor, Tensor> loss, float[] outputs, int rows, int columns)
    {
        var f = new Tensor((float[])outputs.Clone(), rows, columns) { RequiresGrad = true };
        using var scope = TensorScope.Begin();
        using var grad = GradMode.EnableGrad();
        var l = loss(f);
        double value = l.Span[0];
        l.Backward();
        return (f, f.Grad!.ToArray(), value);
    }

    [Fact]
    public void Gaussian_loss_is_the_mean_scaled_squared_error_with_gradient_tau_times_the_residual_over_B()
    {
        const int b = 6;
        const double sigma = 0.3, tau = 1 / (sigma * sigma);
        var rng = new Rng(7);
        var y = Enumerable.Range(0, 10).Select(_ => (float)rng.Normal()).ToArray();
        var data = new SupervisedData(new float[10], 10, 1, y, null);
        int[] rows = [9, 2, 4, 4, 0, 7];
        var f = Enumerable.Range(0, b).Select(_ => (float)rng.Normal()).ToArray();
        var likelihood = new GaussianLikelihood(sigma);
        var (output, gradient, value) = LossAndGradient(t => likelihood.NegLogLikelihood(t, data, rows), f, b, 1);
        double expected = 0, squares = 0;
        for (int i = 0; i < b; i++)
        {
            double r = f[i] - y[rows[i]];
            expected += 0.5 * tau * r * r / b;
            squares += r * r;
            Assert.Equal(tau * r / b, gradient[i], 1e-5 * tau);
        }
        Assert.Equal(expected, value, 1e-5 * expected);
        Assert.Equal(-squares, likelihood.MetricSum(output, data, rows), 1e-5 * squares);
        var (_, metricGradient, metricValue) = LossAndGradient(t => likelihood.MetricLoss(t, data, rows), f, b, 1);
        Assert.Equal(squares / b, metricValue, 1e-5 * squares);
        for (int i = 0; i < b; i++) Assert.Equal(2 * (f[i] - y[rows[i]]) / b, metricGradient[i], 1e-5);
    }

    [Fact]
    public void Softmax_loss_is_the_mean_cross_entropy_with_gradient_softmax_minus_onehot_over_B()
    {
        const int b = 5, k = 4;
        var rng = new Rng(8);
        var labels = Enumerable.Range(0, 8).Select(i => i % k).ToArray();
        var data = new SupervisedData(new float[8], 8, 1, null, labels);
        int[] rows = [1, 6, 3, 3, 0];
        var z = Enumerable.Range(0, b * k).Select(_ => (float)(3 * rng.Normal())).ToArray();
        var likelihood = new SoftmaxLikelihood(k);
        var (output, gradient, value) = LossAndGradient(t => likelihood.NegLogLikelihood(t, data, rows), z, b, k);
        double expected = 0;
        for (int i = 0; i < b; i++)
        {
            double normaliser = 0;
            for (int c = 0; c < k; c++) normaliser += Math.Exp(z[i * k + c]);
            int label = labels[rows[i]];
            expected += (Math.Log(normaliser) - z[i * k + label]) / b;
            for (int c = 0; c < k; c++)
                Assert.Equal((Math.Exp(z[i * k + c]) / normaliser - (c == label ? 1 : 0)) / b, gradient[i * k + c], 1e-6);
        }
        Assert.Equal(expected, value, 1e-5 * expected);
        Assert.Equal(-expected * b, likelihood.MetricSum(output, data, rows), 1e-5 * expected * b);
        Assert.Equal(value, LossAndGradient(t => likelihood.MetricLoss(t, data, rows), z, b, k).Value);
    }

    [Fact]
    public void Wrong_data_kind_is_named()
    {
        var regression = new SupervisedData(new float[2], 2, 1, [0f, 1f], null);
        var classification = new SupervisedData(new float[2], 2, 1, null, [0, 1]);
        var f = new Tensor(new float[4], 2, 2);
        Assert.Contains("no labels", Assert.Throws<ArgumentException>(() => new SoftmaxLikelihood(2).NegLogLikelihood(f, regression, [0, 1])).Message);
        Assert.Contains("no regression targets", Assert.Throws<ArgumentException>(() => new GaussianLikelihood(1).NegLogLikelihood(new Tensor(new float[2], 2, 1), classification, [0, 1])).Message);
    }
}
