using Probabilistic.Core.Random;
using Probabilistic.Distill.Output;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;
using static Probabilistic.Distill.Tests.FiniteDifferences;
using static Probabilistic.Nn.Tests.Autograd.GradCheck;

namespace Probabilistic.Distill.Tests.Output;

/// <summary>
/// The reverse-KL compat form of Hinton's loss against KL(g ‖ s) evaluated from its definition in double, against
/// finite differences of that definition and of the product, and against Hinton's forward form where both must agree.
/// </summary>
public class ReverseKlHintonTests
{
    private const int B = 5, K = 4;
    private static readonly int[] Labels = [2, 0, 3, 1, 1];
    private static readonly bool[] InI = [true, false, true, true, false];

    private static float[] TeacherProbabilities(Rng rng)
    {
        var v = Random(rng, 2f, B, K);
        using var _ = GradMode.NoGrad();
        return Ops.Softmax(v).ToArray();
    }

    /// <summary>
    /// mean_b w_b·CE_b + λ/(B·K)·Σ_{b∈I} Σ_k g_bk (log g_bk − log s_bk), g = softmax(z/T): the loss from the
    /// definition of KL(g ‖ s) and PyTorch's element mean, one exp and log per entry, in double.
    /// </summary>
    private static double Definition(double[] z, float[] s, double lambda, double t)
    {
        double total = 0;
        for (int b = 0; b < B; b++)
        {
            double[] row = z[(b * K)..((b + 1) * K)];
            double norm1 = row.Sum(Math.Exp), normT = row.Sum(v => Math.Exp(v / t));
            double ce = -Math.Log(Math.Exp(row[Labels[b]]) / norm1);
            total += (InI[b] ? 1 - lambda : 1) * ce / B;
            if (!InI[b]) continue;
            for (int k = 0; k < K; k++)
            {
                double g = Math.Exp(row[k] / t) / normT;
                total += lambda / (B * K) * g * Math.Log(g / s[b * K + k]);
            }
        }
        return total;
    }

    [Theory]
    [InlineData(0.4, 3.0)]
    [InlineData(0.8, 0.5)]
    [InlineData(1.0, 1.0)]
    public void ValueAndGradientMatchTheDefinitionOfReverseKl(double lambda, double t)
    {
        var rng = new Rng(31);
        var z = Random(rng, 1.5f, B, K);
        var s = TeacherProbabilities(rng);
        var loss = MethodRegistry.Create<IClassificationDistillation>("hinton-reverse-kl",
            new DistillationSettings(lambda, TeacherTemperature: t, StudentTemperature: t));
        double[] z64 = Array.ConvertAll(z.ToArray(), v => (double)v);

        Assert.Equal(Definition(z64, s, lambda, t), loss.Loss(z, Labels, s, InI).Item(), 6);

        // The gradient flows through the student's probabilities g (KLDivLoss's target slot): compare with central
        // differences of the double definition, accurate to ~1e-10, so only float rounding of the product remains.
        double[] reference = Numeric(x => Definition(x, s, lambda, t), z64);
        float[] ours = Analytic(x => loss.Loss(x, Labels, s, InI), z);
        double scale = reference.Max(Math.Abs);
        for (int i = 0; i < ours.Length; i++)
            Assert.True(Math.Abs(ours[i] - reference[i]) <= 1e-6 * scale, $"element {i}: {ours[i]:G8} vs definition {reference[i]:G8}");
    }

    [Theory]
    [InlineData(3.0)]
    [InlineData(0.5)]
    public void GradientMatchesFiniteDifferencesOfTheProduct(double t)
    {
        var rng = new Rng(32);
        var s = TeacherProbabilities(rng);
        // The product's own value differentiated numerically (a check of value and gradient against each other).
        var loss = MethodRegistry.Create<IClassificationDistillation>("hinton-reverse-kl", new DistillationSettings(0.7, StudentTemperature: t));
        Check(x => loss.Loss(x[0], Labels, s, InI), Random(rng, 1f, B, K));
    }

    [Fact]
    public void EqualsForwardHintonWithoutTheKlTermWhenTheTeacherIsTheStudent()
    {
        // With s = softmax(z/T) both KL(s‖g) and KL(g‖s) vanish with their gradients, so the reverse form, the forward
        // form (T²·KL) and the plain weighted cross-entropy coincide, in value and gradient.
        var rng = new Rng(33);
        var z = Random(rng, 1.5f, B, K);
        const double t = 2, lambda = 0.6;
        float[] s;
        using (GradMode.NoGrad()) s = Ops.Softmax(Ops.Scale(z, (float)(1 / t))).ToArray();
        var settings = new DistillationSettings(lambda, TeacherTemperature: t, StudentTemperature: t);
        var reverse = new ReverseKlHintonDistillation(settings);
        var forward = new HintonDistillation(settings);
        Assert.Equal(forward.Loss(z, Labels, s, InI).Item(), reverse.Loss(z, Labels, s, InI).Item(), 6);
        float[] a = Analytic(x => reverse.Loss(x, Labels, s, InI), z), b = Analytic(x => forward.Loss(x, Labels, s, InI), z);
        for (int i = 0; i < a.Length; i++) Assert.Equal(b[i], a[i], 6);
    }

    [Fact]
    public void DiffersFromTheForwardFormAwayFromTheTeacher()
    {
        // The reverse divergence is not the forward one: a peaked student, a flat teacher, T = 1, λ = 1, one object:
        // KL(g‖s) = Σ g log(4g) ≈ 0.86 (divided by K, the element mean), KL(s‖g) = Σ ¼ log(1/(4g)) ≈ 1.00.
        var z = Tensor.FromArray([3f, 0f, 0f, 0f], 1, K);
        float[] s = [0.25f, 0.25f, 0.25f, 0.25f];
        var settings = new DistillationSettings(1, StudentTemperature: 1);
        double[] g = [Math.Exp(3) / (Math.Exp(3) + 3), 1 / (Math.Exp(3) + 3), 1 / (Math.Exp(3) + 3), 1 / (Math.Exp(3) + 3)];
        double klReverse = g.Sum(v => v * Math.Log(4 * v)), klForward = g.Sum(v => 0.25 * Math.Log(0.25 / v));
        Assert.Equal(klReverse / K, new ReverseKlHintonDistillation(settings).Loss(z, [0], s, [true]).Item(), 6);
        Assert.Equal(klForward, new HintonDistillation(settings).Loss(z, [0], s, [true]).Item(), 6);
        Assert.True(Math.Abs(klReverse - klForward) > 0.1);
    }

    [Fact]
    public void AZeroTeacherProbabilityGivesAFiniteLoss()
    {
        var z = Tensor.FromArray([0f, 0f, 0f, 0f], 1, K);
        z.RequiresGrad = true;
        var loss = new ReverseKlHintonDistillation(new DistillationSettings(0.5)).Loss(z, [0], [1f, 0f, 0f, 0f], [true]);
        loss.Backward();
        Assert.True(float.IsFinite(loss.Item()));
        Assert.All(z.Grad!.ToArray(), v => Assert.True(float.IsFinite(v)));
    }
}
