using Probabilistic.Core.Random;
using Probabilistic.Distill.DarkKnowledge;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;
using Probabilistic.TestSupport;
using Xunit.Abstractions;

namespace Probabilistic.Distill.Tests.DarkKnowledge;

public class DistilledSgldBehaviourTests(ITestOutputHelper output)
{
    private const int GridSide = 20;

    private static Tensor Grid(double x0, double x1, double y0, double y1)
    {
        var g = Tensor.Zeros(GridSide * GridSide, 2);
        for (int i = 0; i < GridSide; i++)
            for (int j = 0; j < GridSide; j++)
            {
                g[2 * (i * GridSide + j)] = (float)(x0 + (x1 - x0) * (i + 0.5) / GridSide);
                g[2 * (i * GridSide + j) + 1] = (float)(y0 + (y1 - y0) * (j + 0.5) / GridSide);
            }
        return g;
    }

    private static double[] Probabilities(Module net, Tensor x)
    {
        bool was = net.IsTraining;
        net.Eval();
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var p = Ops.Softmax(net.Forward(x)).ToArray().Select(v => (double)v).ToArray();
        net.Train(was);
        return p;
    }

    /// <summary>Mean over the grid of KL(p ‖ q) for two-class probabilities, in double.</summary>
    private static double MeanKl(double[] p, double[] q)
    {
        double total = 0;
        for (int i = 0; i < p.Length; i++)
            if (p[i] > 0) total += p[i] * Math.Log(p[i] / Math.Max(q[i], 1e-12));
        return total / (p.Length / 2);
    }

    [Fact]
    [Trait(Category.Name, Category.Slow)]
    public void Student_distilled_online_approaches_the_average_of_the_teacher_samples_it_saw()
    {
        var train = TwoMoons.Generate(100, 0.25, seed: 3);
        var rng = new Rng(7);
        var teacher = new Mlp(rng, 2, 10, 2);
        var student = new Mlp(rng, 2, 10, 2);
        var box = new UniformBox([-1.5, -1.25], [2.5, 1.75]);
        var grid = Grid(-1.5, 2.5, -1.25, 1.75);
        var studentOpt = new Adam(student.Parameters(), 3e-3, weightDecay: 1e-4);
        const int iterations = 6000, burnIn = 3000;
        var run = new DistilledSgld(DarkKnowledgeTask.Classification, teacher, new Sgld(teacher.Parameters(), 2e-3, 1, train.Count, 11), null,
            student, studentOpt, new StepDecay(studentOpt, 750, 0.5), box, 100, seed: 13, burnIn: burnIn);
        // The oracle, accumulated here independently of the product: the average predictive of the samples the student saw.
        var average = new double[grid.Length];
        int samples = 0;
        run.Run(train, 10, iterations, callbackEvery: 1, callback: p =>
        {
            if (!p.StudentUpdated) return;
            var q = Probabilities(teacher, grid);
            for (int i = 0; i < q.Length; i++) average[i] += q[i];
            samples++;
        });
        for (int i = 0; i < average.Length; i++) average[i] /= samples;
        Assert.Equal(iterations - burnIn, samples);
        double distilled = MeanKl(average, Probabilities(student, grid));

        // Baseline: a student of the same size taught, for as many steps, only the LAST teacher sample.
        var lastOnly = new Mlp(new Rng(7).Split(), 2, 10, 2);
        var adam = new Adam(lastOnly.Parameters(), 3e-3, weightDecay: 1e-4);
        var decay = new StepDecay(adam, 750, 0.5);
        var draws = new Rng(17);
        var xPrime = Tensor.Zeros(100, 2);
        for (int s = 0; s < iterations - burnIn; s++)
        {
            using var scope = TensorScope.Begin();
            box.Fill(draws, xPrime.Span);
            teacher.Eval();
            var target = DarkKnowledgeLoss.TeacherPredictive(DarkKnowledgeTask.Classification, teacher, xPrime);
            adam.ZeroGrad();
            DarkKnowledgeLoss.Classification(lastOnly.Forward(xPrime), target).Backward();
            adam.Step();
            decay.Step();
        }
        double single = MeanKl(average, Probabilities(lastOnly, grid));
        double lastSample = MeanKl(average, Probabilities(teacher, grid));
        output.WriteLine($"mean grid KL to the average of {samples} teacher samples: distilled {distilled:F4}, student of the last sample {single:F4}, last sample itself {lastSample:F4}");
        // Measured (this seed, SGLD noise from Rng.FillNormal): distilled 0.0163, last-sample student 0.1755, the last
        // sample itself 0.2086 (with the earlier per-element Rng.Normal noise: 0.0063, 0.0183, 0.0182). Over model and
        // SGLD-noise seeds 0..4 of this set-up (per-element noise): distilled 0.006-0.031 against the last sample's
        // 0.018-0.173, so the absolute bound covers that range and the relative one carries the claim.
        Assert.True(distilled < 0.035, $"distilled KL {distilled}");
        Assert.True(distilled < 0.5 * single, $"distilled {distilled} vs last-sample student {single}");
    }

    [Fact]
    [Trait(Category.Name, Category.Slow)]
    public void Regression_student_variance_grows_away_from_the_data()
    {
        // 1-D toy: 40 points x ~ U(−1, 1), y = sin(2x) + N(0, 0.2²); D' ~ U(−4, 4).
        var rng = new Rng(5);
        var xs = new float[40];
        var ys = new float[40];
        for (int i = 0; i < 40; i++)
        {
            xs[i] = (float)rng.Uniform(-1, 1);
            ys[i] = (float)(Math.Sin(2 * xs[i]) + 0.2 * rng.Normal());
        }
        var train = new RegressionDataset("sine", xs, [1], ys);
        var teacher = new Mlp(rng, 1, 50, 1);
        var student = new Mlp(rng, 1, 50, 2);
        const double lambdaN = 25;
        var run = new DistilledSgld(DarkKnowledgeTask.Regression, teacher, new Sgld(teacher.Parameters(), 5e-4, 1, train.Count, 3), null,
            student, new Adam(student.Parameters(), 3e-3), null, new UniformBox([-4], [4]), 100, seed: 4, burnIn: 500, noisePrecision: lambdaN);
        run.Run(train, 10, 6000);
        var probe = Tensor.FromArray([0f, -3.5f, 3.5f], 3, 1);
        float[] outputs;
        using (GradMode.NoGrad()) outputs = student.Forward(probe).ToArray();
        double inside = Math.Exp(outputs[1]), left = Math.Exp(outputs[3]), right = Math.Exp(outputs[5]);
        output.WriteLine($"student variance at x = 0: {inside:F4} (noise 1/λ_n = {1 / lambdaN}); x = −3.5: {left:F4}; x = 3.5: {right:F4}; mean at 0: {outputs[0]:F3}");
        Assert.True(left > 3 * inside, $"variance at −3.5 {left} vs at 0 {inside}");
        Assert.True(right > 3 * inside, $"variance at 3.5 {right} vs at 0 {inside}");
        // The teacher's own noise λ_n⁻¹ is a floor of the predictive variance the student must keep (measured 0.15 at 0).
        Assert.True(inside > 1 / lambdaN, $"variance at 0 {inside} below the noise variance {1 / lambdaN}");
    }
}
