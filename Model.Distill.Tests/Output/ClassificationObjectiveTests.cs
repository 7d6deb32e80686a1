using Probabilistic.Core.Random;
using Probabilistic.Core.Simplex;
using Probabilistic.Distill.Output;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Losses;
using Probabilistic.Nn.Tensors;
using static Probabilistic.Distill.Tests.FiniteDifferences;
using static Probabilistic.Nn.Tests.Autograd.GradCheck;

namespace Probabilistic.Distill.Tests.Output;

/// <summary>
/// The classification objectives against independent computations: the library's own losses (CrossEntropy,
/// SoftCrossEntropy, DistillationKl), compositions of generic autograd ops, the continuous-categorical normaliser,
/// and finite differences.
/// </summary>
public class ClassificationObjectiveTests
{
    private const int B = 6, K = 4;
    private static readonly int[] Labels = [0, 3, 1, 2, 2, 0];

    private static float[] TeacherProbabilities(Rng rng)
    {
        var t = Random(rng, 2f, B, K);
        using var _ = GradMode.NoGrad();
        return Ops.Softmax(t).ToArray();
    }

    private static bool[] Flags(params int[] inI)
    {
        var f = new bool[B];
        foreach (int i in inI) f[i] = true;
        return f;
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.0)]
    [InlineData(5.0)]
    public void AllInIndexSetWithHalfLambdaIsHalfHinton(double t0)
    {
        // §1.1: with I = all, λ = ½ the first three terms are −½·L_st, L_st = Σ CE + Σ_i −Σ_k f_ik log g_ik|T0.
        var rng = new Rng(11);
        var z = Random(rng, 1.5f, B, K);
        var s = TeacherProbabilities(rng);
        var objective = new ProbabilisticDistillation(new DistillationSettings(0.5, StudentTemperature: t0,
            Reduction: DistillationReduction.PerObjectSum, IncludeNormalizer: false), NormalizerTerm.Paper);
        double ours = objective.Loss(z, Labels, s, Flags(0, 1, 2, 3, 4, 5)).Item();
        // SoftCrossEntropy carries T² and a batch mean; undo both to get the plain sum of L_st.
        double hinton = B * Loss.CrossEntropy(z, Labels).Item()
            + B * Loss.SoftCrossEntropy(z, Tensor.FromArray(s, B, K), (float)t0).Item() / (t0 * t0);
        Assert.Equal(0.5 * hinton, ours, 4);
    }

    [Theory]
    [InlineData("probabilistic-paper", DistillationReduction.CodeBatchMean)]
    [InlineData("probabilistic-corrected", DistillationReduction.CodeBatchMean)]
    [InlineData("probabilistic-corrected", DistillationReduction.PerObjectSum)]
    [InlineData("hinton", DistillationReduction.CodeBatchMean)]
    [InlineData("hinton-reverse-kl", DistillationReduction.CodeBatchMean)]
    [InlineData("privileged", DistillationReduction.CodeBatchMean)]
    [InlineData("ml", DistillationReduction.CodeBatchMean)]
    [InlineData("ml", DistillationReduction.PerObjectSum)]
    public void EmptyIndexSetIsMaximumLikelihood(string method, DistillationReduction reduction)
    {
        var rng = new Rng(12);
        var z = Random(rng, 1.5f, B, K);
        var s = TeacherProbabilities(rng);
        var loss = MethodRegistry.Create<IClassificationDistillation>(method, new DistillationSettings(0.7, StudentTemperature: 2, Reduction: reduction));
        double scale = reduction == DistillationReduction.PerObjectSum ? B : 1;
        Assert.Equal(scale * Loss.CrossEntropy(z, Labels).Item(), loss.Loss(z, Labels, s, Flags()).Item(), 4);
        float[] ours = Analytic(x => loss.Loss(x, Labels, s, Flags()), z);
        float[] ml = Analytic(x => Ops.Scale(Loss.CrossEntropy(x, Labels), (float)scale), z);
        for (int i = 0; i < ours.Length; i++) Assert.Equal(ml[i], ours[i], 5);
    }

    [Fact]
    public void HintonEqualsMixOfCrossEntropyAndDistillationKl()
    {
        // With teacher logits v and s = softmax(v/T): (1−λ)·CE + λ·T²·KL(s‖g_T), both batch means (Loss.DistillationKl).
        var rng = new Rng(13);
        var z = Random(rng, 1.5f, B, K);
        var v = Random(rng, 2f, B, K);
        const float t = 3f;
        const double lambda = 0.4;
        float[] s;
        using (GradMode.NoGrad()) s = Ops.Softmax(Ops.Scale(v, 1 / t)).ToArray();
        var hinton = MethodRegistry.Create<IClassificationDistillation>("hinton", new DistillationSettings(lambda, TeacherTemperature: t, StudentTemperature: t));
        var all = Flags(0, 1, 2, 3, 4, 5);
        Tensor Reference(Tensor x) => Ops.Add(Ops.Scale(Loss.CrossEntropy(x, Labels), (float)(1 - lambda)),
            Ops.Scale(Loss.DistillationKl(x, v, t), (float)lambda));
        Assert.Equal(Reference(z).Item(), hinton.Loss(z, Labels, s, all).Item(), 4);
        float[] ours = Analytic(x => hinton.Loss(x, Labels, s, all), z);
        float[] reference = Analytic(Reference, z);
        for (int i = 0; i < ours.Length; i++) Assert.Equal(reference[i], ours[i], 5);
    }

    [Fact]
    public void PaperModeMatchesCompositionOfGenericOps()
    {
        // The code's loss: (1−λ)·CE_mean − λ·mean_{B×K}(s ⊙ ℓ) − λ·mean_{B×K}(ℓ + log(−ℓ)), ℓ = log softmax(z/T),
        // built here from generic ops (autograd gives the reference gradient); I = all, no clamp active.
        var rng = new Rng(14);
        var z = Random(rng, 1f, B, K);
        var s = TeacherProbabilities(rng);
        const double lambda = 0.25, t = 2;
        var paper = MethodRegistry.Create<IClassificationDistillation>("probabilistic-paper", new DistillationSettings(lambda, TeacherTemperature: t, StudentTemperature: t));
        var all = Flags(0, 1, 2, 3, 4, 5);
        var sTensor = Tensor.FromArray(s, B, K);
        Tensor Reference(Tensor x)
        {
            var ell = Ops.LogSoftmax(Ops.Scale(x, (float)(1 / t)));
            var term3 = Ops.Mean(Ops.Mul(sTensor, ell));
            var term4 = Ops.Mean(Ops.Add(ell, Ops.Log(Ops.Scale(ell, -1f))));
            return Ops.Sub(Ops.Scale(Loss.CrossEntropy(x, Labels), (float)(1 - lambda)), Ops.Scale(Ops.Add(term3, term4), (float)lambda));
        }
        Assert.Equal(Reference(z).Item(), paper.Loss(z, Labels, s, all).Item(), 4);
        float[] ours = Analytic(x => paper.Loss(x, Labels, s, all), z);
        float[] reference = Analytic(Reference, z);
        for (int i = 0; i < ours.Length; i++) Assert.Equal(reference[i], ours[i], 4);
    }

    [Fact]
    public void CorrectedTermIsLambdaLogNormalizerOfTheStudent()
    {
        // PerObjectSum, objects 1 and 4 in I: loss − (ML part + soft-label part) = λ Σ_{i∈I} ln Z(g_i), with Z from the
        // textbook closed form (independent of the divided-difference route the op uses).
        var rng = new Rng(15);
        var z = Random(rng, 1f, B, K);
        var s = TeacherProbabilities(rng);
        const double lambda = 0.6, t = 1.5;
        var flags = Flags(1, 4);
        var settings = new DistillationSettings(lambda, StudentTemperature: t, Reduction: DistillationReduction.PerObjectSum);
        double corrected = new ProbabilisticDistillation(settings, NormalizerTerm.Corrected).Loss(z, Labels, s, flags).Item();
        double threeTerms = new ProbabilisticDistillation(settings, NormalizerTerm.None).Loss(z, Labels, s, flags).Item();
        double expected = 0;
        foreach (int i in new[] { 1, 4 })
        {
            var u = Enumerable.Range(0, K).Select(j => z.At(i, j) / t).ToArray();
            double max = u.Max(), sum = u.Sum(v => Math.Exp(v - max));
            var g = u.Select(v => Math.Exp(v - max) / sum).ToArray();
            expected += lambda * Math.Log(ContinuousCategorical.ClosedFormNormalizer(g));
        }
        Assert.Equal(expected, corrected - threeTerms, 4);
    }

    [Theory]
    [InlineData("probabilistic-corrected", DistillationReduction.PerObjectSum)]
    [InlineData("probabilistic-corrected", DistillationReduction.CodeBatchMean)]
    [InlineData("probabilistic-paper", DistillationReduction.PerObjectSum)]
    [InlineData("hinton", DistillationReduction.CodeBatchMean)]
    [InlineData("hinton-reverse-kl", DistillationReduction.CodeBatchMean)]
    [InlineData("privileged", DistillationReduction.CodeBatchMean)]
    [InlineData("ml", DistillationReduction.PerObjectSum)]
    public void GradientMatchesFiniteDifferences(string method, DistillationReduction reduction)
    {
        var rng = new Rng(16);
        var s = TeacherProbabilities(rng);
        var loss = MethodRegistry.Create<IClassificationDistillation>(method, new DistillationSettings(0.6, StudentTemperature: 2, Reduction: reduction));
        var flags = Flags(0, 2, 3, 5);
        Check(x => loss.Loss(x[0], Labels, s, flags), Random(rng, 1f, B, K));
    }

    [Fact]
    public void PaperTermIsFiniteWhenTheStudentIsCertain()
    {
        // log(−log g) is −∞ at g = 1; the clamp keeps value and gradient finite.
        var z = Tensor.FromArray([60f, -60f, 0f, 0f], 1, K);
        z.RequiresGrad = true;
        var paper = MethodRegistry.Create<IClassificationDistillation>("probabilistic-paper", new DistillationSettings(0.5));
        var loss = paper.Loss(z, [0], [0.25f, 0.25f, 0.25f, 0.25f], [true]);
        loss.Backward();
        Assert.True(float.IsFinite(loss.Item()));
        Assert.All(z.Grad!.ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void RegistryKnowsEveryOutputMethodAndRejectsUnknownNamesAndBadSettings()
    {
        Assert.Equal(["ml", "hinton", "hinton-reverse-kl", "privileged", "probabilistic-paper", "probabilistic-corrected", "probabilistic-regression"],
            MethodRegistry.All.Where(d => d.Family == "output").Select(d => d.Name));
        var settings = new DistillationSettings(0.5);
        foreach (var d in MethodRegistry.All.Where(d => d.Family == "output"))
            Assert.Equal(d.Name, MethodRegistry.Create(d.Name, settings).Name);
        var e = Assert.Throws<ArgumentException>(() => MethodRegistry.Create<IClassificationDistillation>("vapnik", settings));
        Assert.Contains("hinton", e.Message);
        Assert.Throws<ArgumentException>(() => MethodRegistry.Create<IClassificationDistillation>("probabilistic-regression", settings));
        Assert.Throws<ArgumentOutOfRangeException>(() => MethodRegistry.Create<IClassificationDistillation>("hinton", new DistillationSettings(1.5)));
    }
}
