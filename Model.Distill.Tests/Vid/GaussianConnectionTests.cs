using Probabilistic.Core.Random;
using Probabilistic.Distill.Vid;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;
using static Probabilistic.Nn.Tests.Autograd.GradCheck;

namespace Probabilistic.Distill.Tests.Vid;

public class GaussianConnectionTests
{
    private static Tensor[] Params(GaussianConnection c) => c.Parameters().ToArray();

    private static void RandomiseAlpha(GaussianConnection c, Rng rng)
    {
        for (int i = 0; i < c.Alpha.Length; i++) c.Alpha[i] = (float)rng.Uniform(-0.5, 1.5);
    }

    [Fact]
    public void Initial_variance_is_five_per_teacher_unit_or_channel_and_one_scalar_in_compat_mode()
    {
        var rng = new Rng(1);
        var vec = new GaussianConnection([3], [4], rng);
        var map = new GaussianConnection([2, 4, 4], [3, 2, 2], rng);
        var scalar = new GaussianConnection([2, 4, 4], [3, 2, 2], rng, new GaussianConnectionOptions(CompatScalarSigma: true));
        Assert.Equal(3, vec.Alpha.Length);
        Assert.Equal(2, map.Alpha.Length);
        Assert.Equal(1, scalar.Alpha.Length);
        foreach (var c in new[] { vec, map, scalar })
            for (int k = 0; k < c.Alpha.Length; k++)
            {
                Assert.Equal(5.0, Math.Log(1 + Math.Exp(c.Alpha[k])) + 1e-5, 1e-5); // softplus computed in double
                Assert.Equal(5.0, c.Variance()[k], 1e-5);
            }
    }

    [Fact]
    public void Vector_to_vector_nll_gradient_in_regressor_alpha_and_student_matches_finite_differences()
    {
        var rng = new Rng(7);
        var c = new GaussianConnection([3], [4], rng);
        RandomiseAlpha(c, rng);
        var t = Random(rng, 1f, 5, 3);
        t.RequiresGrad = false;
        var s = Random(rng, 1f, 5, 4);
        Check(x => c.NegativeLogLikelihood(t, x[0]), [s, .. Params(c)]);
    }

    [Fact]
    public void Vector_to_vector_compat_scalar_sigma_gradient_matches_finite_differences()
    {
        var rng = new Rng(8);
        var c = new GaussianConnection([3], [2], rng, new GaussianConnectionOptions(CompatScalarSigma: true));
        RandomiseAlpha(c, rng);
        var t = Random(rng, 1f, 4, 3);
        t.RequiresGrad = false;
        var s = Random(rng, 1f, 4, 2);
        Check(x => c.NegativeLogLikelihood(t, x[0]), [s, .. Params(c)]);
    }

    [Theory]
    [InlineData(new[] { 2, 4, 4 }, new[] { 3, 2, 2 }, false)] // teacher map larger: its target is pooled
    [InlineData(new[] { 2, 4, 4 }, new[] { 3, 2, 2 }, true)] // teacher map larger: the student's is upsampled
    [InlineData(new[] { 2, 5, 3 }, new[] { 2, 3, 4 }, true)] // student taller-smaller mix: pooled along W, upsampled along H
    [InlineData(new[] { 2, 2, 2 }, new[] { 3, 4, 4 }, true)] // student map larger: it is pooled before the 1×1 convs
    [InlineData(new[] { 2, 3, 3 }, new[] { 2, 3, 3 }, true)] // equal sizes
    public void Map_to_map_nll_gradient_in_convolutions_alpha_and_student_matches_finite_differences(int[] teacher, int[] student, bool upsample)
    {
        var rng = new Rng(9);
        var c = new GaussianConnection(teacher, student, rng, new GaussianConnectionOptions(UpsampleStudent: upsample));
        Assert.Equal(upsample ? teacher : [teacher[0], Math.Min(teacher[1], student[1]), Math.Min(teacher[2], student[2])], c.TargetShape);
        RandomiseAlpha(c, rng);
        var t = Random(rng, 1f, [2, .. teacher]);
        t.RequiresGrad = false;
        var s = Random(rng, 1f, [2, .. student]);
        Check(x => c.NegativeLogLikelihood(t, x[0]), [s, .. Params(c)]);
    }

    [Fact]
    public void Map_to_vector_and_vector_to_map_gradients_match_finite_differences()
    {
        var rng = new Rng(10);
        var mv = new GaussianConnection([3], [2, 2, 2], rng);
        var vm = new GaussianConnection([2, 2, 2], [3], rng);
        RandomiseAlpha(mv, rng);
        RandomiseAlpha(vm, rng);
        var t1 = Random(rng, 1f, 3, 3); t1.RequiresGrad = false;
        var t2 = Random(rng, 1f, 3, 2, 2, 2); t2.RequiresGrad = false;
        Check(x => mv.NegativeLogLikelihood(t1, x[0]), [Random(rng, 1f, 3, 2, 2, 2), .. Params(mv)]);
        Check(x => vm.NegativeLogLikelihood(t2, x[0]), [Random(rng, 1f, 3, 3), .. Params(vm)]);
    }

    [Fact]
    public void Vector_nll_equals_the_gaussian_closed_form_computed_in_double()
    {
        var rng = new Rng(21);
        const int n = 6, dt = 3, ds = 4;
        var opts = new GaussianConnectionOptions(IncludeLogTwoPi: true);
        var c = new GaussianConnection([dt], [ds], rng, opts);
        RandomiseAlpha(c, rng);
        var t = Random(rng, 2f, n, dt);
        var s = Random(rng, 1f, n, ds);
        var lin = (Linear)c.NamedChildren().Single().Value;
        double expected = 0;
        for (int b = 0; b < n; b++)
            for (int k = 0; k < dt; k++)
            {
                double mu = lin.Bias![k];
                for (int m = 0; m < ds; m++) mu += lin.Weight[k * ds + m] * (double)s[b * ds + m];
                double v = Math.Log(1 + Math.Exp(c.Alpha[k])) + 1e-5;
                // −log N(t; μ, v) in double.
                expected += -Math.Log(Math.Exp(-(t[b * dt + k] - mu) * (t[b * dt + k] - mu) / (2 * v)) / Math.Sqrt(2 * Math.PI * v));
            }
        expected /= n * dt;
        Assert.Equal(expected, c.NegativeLogLikelihood(t, s).Item(), 2e-5 * Math.Max(1, Math.Abs(expected)));
    }

    [Fact]
    public void Map_nll_pools_the_larger_teacher_map_and_matches_a_double_computation()
    {
        // Teacher [2,4,4] is averaged over 2×2 blocks to the student's [·,2,2]; μ = W3·relu(W2·relu(W1·s)) per pixel.
        var rng = new Rng(22);
        const int n = 2, ct = 2, cs = 3;
        foreach (bool scalar in new[] { false, true })
        {
            var c = new GaussianConnection([ct, 4, 4], [cs, 2, 2], rng, new GaussianConnectionOptions(CompatScalarSigma: scalar, UpsampleStudent: false));
            RandomiseAlpha(c, rng);
            var t = Random(rng, 1f, n, ct, 4, 4);
            var s = Random(rng, 1f, n, cs, 2, 2);
            var convs = c.NamedChildren().Select(kv => (Conv2d)kv.Value).ToArray();
            double total = 0;
            for (int b = 0; b < n; b++)
                for (int h = 0; h < 2; h++)
                    for (int w = 0; w < 2; w++)
                    {
                        double[] x = new double[cs];
                        for (int ch = 0; ch < cs; ch++) x[ch] = s.At(b, ch, h, w);
                        double[] y1 = Apply(convs[0], x, relu: true), y2 = Apply(convs[1], y1, relu: true), mu = Apply(convs[2], y2, relu: false);
                        for (int k = 0; k < ct; k++)
                        {
                            double target = (t.At(b, k, 2 * h, 2 * w) + t.At(b, k, 2 * h + 1, 2 * w) + t.At(b, k, 2 * h, 2 * w + 1) + t.At(b, k, 2 * h + 1, 2 * w + 1)) / 4;
                            double v = Math.Log(1 + Math.Exp(c.Alpha[scalar ? 0 : k])) + 1e-5;
                            total += 0.5 * (Math.Log(v) + (target - mu[k]) * (target - mu[k]) / v);
                        }
                    }
            double expected = total / (n * ct * 4);
            Assert.Equal(expected, c.NegativeLogLikelihood(t, s).Item(), 2e-5 * Math.Max(1, Math.Abs(expected)));
        }
    }

    [Fact]
    public void Map_nll_upsamples_the_smaller_student_map_to_the_whole_teacher_map_and_matches_a_double_computation()
    {
        // Student [3,2,2] → teacher [2,4,4] (§4.4 smaller → larger): the student's map is resized 2 → 4 along each
        // axis by PyTorch's align_corners=False weights, written out by hand (source coordinates 0, 0.25, 0.75, 1),
        // then μ = W3·relu(W2·relu(W1·s↑)) per pixel against the unpooled teacher map.
        double[,] up = { { 1, 0 }, { 0.75, 0.25 }, { 0.25, 0.75 }, { 0, 1 } };
        var rng = new Rng(23);
        const int n = 2, ct = 2, cs = 3;
        var c = new GaussianConnection([ct, 4, 4], [cs, 2, 2], rng);
        Assert.True(c.Options.UpsampleStudent);
        Assert.Equal([ct, 4, 4], c.TargetShape);
        RandomiseAlpha(c, rng);
        var t = Random(rng, 1f, n, ct, 4, 4);
        var s = Random(rng, 1f, n, cs, 2, 2);
        var convs = c.NamedChildren().Select(kv => (Conv2d)kv.Value).ToArray();
        double total = 0;
        for (int b = 0; b < n; b++)
            for (int h = 0; h < 4; h++)
                for (int w = 0; w < 4; w++)
                {
                    double[] x = new double[cs];
                    for (int ch = 0; ch < cs; ch++)
                        for (int i = 0; i < 2; i++)
                            for (int j = 0; j < 2; j++) x[ch] += up[h, i] * up[w, j] * s.At(b, ch, i, j);
                    double[] y1 = Apply(convs[0], x, relu: true), y2 = Apply(convs[1], y1, relu: true), mu = Apply(convs[2], y2, relu: false);
                    for (int k = 0; k < ct; k++)
                    {
                        double target = t.At(b, k, h, w);
                        double v = Math.Log(1 + Math.Exp(c.Alpha[k])) + 1e-5;
                        total += 0.5 * (Math.Log(v) + (target - mu[k]) * (target - mu[k]) / v);
                    }
                }
        double expected = total / (n * ct * 16);
        Assert.Equal(expected, c.NegativeLogLikelihood(t, s).Item(), 2e-5 * Math.Max(1, Math.Abs(expected)));
        Assert.Equal([n, ct, 4, 4], c.Mean(s).Shape.ToArray());
    }

    private static double[] Apply(Conv2d conv, double[] x, bool relu)
    {
        int outC = conv.Weight.Dim(0), inC = conv.Weight.Dim(1);
        var y = new double[outC];
        for (int o = 0; o < outC; o++)
        {
            double a = 0;
            for (int i = 0; i < inC; i++) a += conv.Weight[o * inC + i] * x[i];
            y[o] = relu ? Math.Max(0, a) : a;
        }
        return y;
    }

    [Fact]
    public void Bad_shapes_throw_naming_the_class()
    {
        var rng = new Rng(3);
        var ex = Assert.Throws<ArgumentException>(() => new GaussianConnection([2, 3], [4], rng));
        Assert.Contains("GaussianConnection", ex.Message);
        var c = new GaussianConnection([3], [4], rng);
        ex = Assert.Throws<ArgumentException>(() => c.NegativeLogLikelihood(Tensor.Zeros(2, 3), Tensor.Zeros(2, 5)));
        Assert.Contains("GaussianConnection", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => c.NegativeLogLikelihood(Tensor.Zeros(2, 3), Tensor.Zeros(3, 4)));
        Assert.Contains("batch", ex.Message);
    }

    [Fact]
    public void Barber_Agakov_bound_is_below_and_close_to_the_mutual_information_of_jointly_gaussian_features()
    {
        // s ~ N(0, I₂), t = ρ·s + √(1−ρ²)·ε: I(t; s) = −½ log(1 − ρ²) per dimension, H(t) = ½ log(2πe) per dimension,
        // and the true conditional N(ρs, 1−ρ²) is in the Gaussian family (a Linear mean, per-unit variance).
        const int d = 2, trainN = 2000, testN = 20000;
        const double rho = 0.8;
        double trueI = -0.5 * d * Math.Log(1 - rho * rho);
        double entropy = 0.5 * d * Math.Log(2 * Math.PI * Math.E);
        var rng = new Rng(314);
        (Tensor t, Tensor s) Draw(int n)
        {
            var s = Tensor.Zeros(n, d);
            var t = Tensor.Zeros(n, d);
            for (int i = 0; i < n * d; i++)
            {
                s[i] = (float)rng.Normal();
                t[i] = (float)(rho * s[i] + Math.Sqrt(1 - rho * rho) * rng.Normal());
            }
            return (t, s);
        }
        var (tTrain, sTrain) = Draw(trainN);
        var (tTest, sTest) = Draw(testN);
        var q = new GaussianConnection([d], [d], new Rng(5), new GaussianConnectionOptions(IncludeLogTwoPi: true));
        // Per-sample −log q is d times the element mean.
        double Bound(Tensor t, Tensor s) => entropy - d * (double)q.NegativeLogLikelihood(t, s).Item();

        double before = Bound(tTest, sTest);
        var adam = new Adam(q.Parameters(), lr: 0.05);
        for (int step = 0; step < 400; step++)
        {
            using var scope = TensorScope.Begin();
            adam.ZeroGrad();
            q.NegativeLogLikelihood(tTrain, sTrain).Backward();
            adam.Step();
        }
        double after = Bound(tTest, sTest);

        // Monte Carlo error of the held-out mean of −log q: per-sample sd ≈ √(d/2) at the optimum, so se ≈ 0.007.
        double se = Math.Sqrt(d / 2.0 / testN);
        Assert.True(before < trueI - 0.5, $"an untrained q should be far below I: {before} vs {trueI}");
        Assert.True(after <= trueI + 4 * se, $"bound {after} exceeds I = {trueI}");
        Assert.True(after >= trueI - 0.05, $"bound {after} is not within 0.05 nats of I = {trueI}");
        foreach (float v in q.Variance().ToArray()) Assert.Equal(1 - rho * rho, v, 0.03);
    }
}
