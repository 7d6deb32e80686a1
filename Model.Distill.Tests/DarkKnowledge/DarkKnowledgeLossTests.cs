using Probabilistic.Core.Random;
using Probabilistic.Distill.DarkKnowledge;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Tensors;
using static Probabilistic.Nn.Tests.Autograd.GradCheck;

namespace Probabilistic.Distill.Tests.DarkKnowledge;

public class DarkKnowledgeLossTests
{
    [Fact]
    public void Regression_loss_equals_the_closed_form_computed_in_double()
    {
        var rng = new Rng(3);
        const int b = 7;
        const double lambdaN = 2.5;
        var output = Random(rng, 1f, b, 2);
        var f = Tensor.Zeros(b, 1);
        for (int i = 0; i < b; i++) f[i] = (float)rng.Normal(0, 2);
        double expected = 0;
        for (int i = 0; i < b; i++)
        {
            double mu = output[2 * i], alpha = output[2 * i + 1], d = mu - f[i];
            expected += 0.5 * (alpha + Math.Exp(-alpha) * (d * d + 1 / lambdaN));
        }
        expected /= b;
        double actual = DarkKnowledgeLoss.Regression(output, f, lambdaN).Item();
        Assert.Equal(expected, actual, 5e-6 * Math.Max(1, Math.Abs(expected)));
    }

    [Fact]
    public void Regression_loss_gradient_in_mean_and_log_variance_matches_finite_differences()
    {
        var rng = new Rng(11);
        var output = Random(rng, 0.8f, 6, 2);
        var f = Tensor.Zeros(6, 1);
        for (int i = 0; i < 6; i++) f[i] = (float)rng.Normal(0, 1);
        Check(x => DarkKnowledgeLoss.Regression(x[0], f, 0.7), output);
    }

    [Fact]
    public void Regression_loss_is_minimised_by_the_teacher_mean_and_total_variance()
    {
        // Independent oracle: for one point the minimiser of ½[α + e^{−α}((μ − f)² + λ_n⁻¹)] is μ = f, e^α = λ_n⁻¹.
        const double lambdaN = 4;
        var f = Tensor.FromArray([1.5f], 1, 1);
        double best = DarkKnowledgeLoss.Regression(Tensor.FromArray([1.5f, (float)Math.Log(1 / lambdaN)], 1, 2), f, lambdaN).Item();
        foreach (var (dm, da) in new[] { (0.05, 0.0), (-0.05, 0.0), (0.0, 0.05), (0.0, -0.05) })
        {
            var moved = Tensor.FromArray([(float)(1.5 + dm), (float)(Math.Log(1 / lambdaN) + da)], 1, 2);
            Assert.True(DarkKnowledgeLoss.Regression(moved, f, lambdaN).Item() > best);
        }
    }

    [Fact]
    public void Classification_gradient_with_respect_to_student_logits_is_S_minus_p_over_the_batch_size()
    {
        var rng = new Rng(5);
        const int b = 5, k = 4;
        var logits = Random(rng, 1.5f, b, k);
        var p = Tensor.Zeros(b, k);
        for (int r = 0; r < b; r++)
        {
            double total = 0;
            for (int j = 0; j < k; j++) total += p[r * k + j] = (float)rng.Uniform(0.05, 1);
            for (int j = 0; j < k; j++) p[r * k + j] = (float)(p[r * k + j] / total);
        }
        // Finite differences of the library's loss.
        Check(x => DarkKnowledgeLoss.Classification(x[0], p), logits);
        // And the closed form of §5.4, computed in double here.
        logits.ZeroGrad();
        DarkKnowledgeLoss.Classification(logits, p).Backward();
        for (int r = 0; r < b; r++)
        {
            double max = double.NegativeInfinity, z = 0;
            for (int j = 0; j < k; j++) max = Math.Max(max, logits[r * k + j]);
            for (int j = 0; j < k; j++) z += Math.Exp(logits[r * k + j] - max);
            for (int j = 0; j < k; j++)
            {
                double s = Math.Exp(logits[r * k + j] - max) / z;
                Assert.Equal((s - p[r * k + j]) / b, logits.Grad![r * k + j], 1e-6);
            }
        }
    }

    [Fact]
    public void Teacher_predictive_is_the_softmax_without_gradient_and_losses_refuse_recorded_targets()
    {
        var rng = new Rng(9);
        var teacher = new Linear(3, 4, rng);
        var x = Tensor.Normal(rng, 0, 1, 2, 3);
        var q = DarkKnowledgeLoss.TeacherPredictive(DarkKnowledgeTask.Classification, teacher, x);
        Assert.False(q.RequiresGrad);
        for (int r = 0; r < 2; r++)
        {
            var logits = new double[4];
            for (int j = 0; j < 4; j++)
            {
                logits[j] = teacher.Bias![j];
                for (int i = 0; i < 3; i++) logits[j] += teacher.Weight[j * 3 + i] * x[r * 3 + i];
            }
            double z = logits.Sum(Math.Exp);
            for (int j = 0; j < 4; j++) Assert.Equal(Math.Exp(logits[j]) / z, q[r * 4 + j], 1e-6);
        }
        var recorded = teacher.Forward(x);
        var e = Assert.Throws<ArgumentException>(() => DarkKnowledgeLoss.Classification(Tensor.Zeros(2, 4), recorded));
        Assert.Contains("constants", e.Message);
        var bad = Assert.Throws<ArgumentException>(() => DarkKnowledgeLoss.Regression(Tensor.Zeros(2, 1), Tensor.Zeros(2, 1), 1));
        Assert.Contains("[B, 2]", bad.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => DarkKnowledgeLoss.Regression(Tensor.Zeros(2, 2), Tensor.Zeros(2, 1), 0));
    }

    [Fact]
    public void Teacher_regression_nll_is_the_gaussian_with_precision_lambda_n()
    {
        // Oracle: −log N(y; f, λ_n⁻¹) = (λ_n/2)(y − f)² + ½ log(2π/λ_n); the mean over the batch minus the constant.
        const double lambdaN = 3;
        var f = Tensor.FromArray([0.5f, -1f, 2f], 3, 1);
        var y = Tensor.FromArray([1f, -1.5f, 0f], 3, 1);
        double expected = 0;
        for (int i = 0; i < 3; i++)
        {
            double logDensity = -0.5 * lambdaN * (y[i] - f[i]) * (y[i] - f[i]) + 0.5 * Math.Log(lambdaN / (2 * Math.PI));
            expected -= logDensity - 0.5 * Math.Log(lambdaN / (2 * Math.PI));
        }
        expected /= 3;
        double actual = DarkKnowledgeLoss.TeacherNll(DarkKnowledgeTask.Regression, f, default, y, lambdaN).Item();
        Assert.Equal(expected, actual, 1e-5);
    }
}
