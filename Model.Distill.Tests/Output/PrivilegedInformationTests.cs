using Probabilistic.Core.Random;
using Probabilistic.Distill.Output;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;
using static Probabilistic.Distill.Tests.FiniteDifferences;
using static Probabilistic.Nn.Tests.Autograd.GradCheck;

namespace Probabilistic.Distill.Tests.Output;

/// <summary>
/// Generalized distillation with privileged information: a case whose answer is known in closed form (the teacher's
/// map on x* factors through the student's view x), the loss against a composition of generic ops, and the checks on
/// the two views.
/// </summary>
public class PrivilegedInformationTests
{
    private const int M = 400, Classes = 3;

    // The teacher on x* ∈ R⁴ uses x*₀ + x*₁ and x*₂ + x*₃ only: logits A·x + b with x = (x*₀ + x*₁, x*₂ + x*₃).
    private static readonly double[,] A = { { 1.2, -0.4 }, { -0.6, 0.9 }, { 0.1, -0.8 } };
    private static readonly double[] Bias = [0.3, -0.2, 0.5];

    private static (LabeledDataset Privileged, LabeledDataset Student, Linear Teacher) Views(Rng rng)
    {
        var xStar = new float[M * 4];
        var x = new float[M * 2];
        var labels = new int[M];
        for (int i = 0; i < M; i++)
        {
            for (int j = 0; j < 4; j++) xStar[i * 4 + j] = (float)rng.Normal();
            x[i * 2] = xStar[i * 4] + xStar[i * 4 + 1];
            x[i * 2 + 1] = xStar[i * 4 + 2] + xStar[i * 4 + 3];
            labels[i] = (int)(rng.NextUInt64() % Classes);
        }
        var teacher = new Linear(4, Classes, rng);
        for (int c = 0; c < Classes; c++)
        {
            for (int j = 0; j < 4; j++) teacher.Weight[c * 4 + j] = (float)A[c, j / 2];
            teacher.Bias![c] = (float)Bias[c];
        }
        return (new LabeledDataset("x*", xStar, [4], labels, Classes), new LabeledDataset("x", x, [2], labels, Classes), teacher);
    }

    [Fact]
    public void WithLambdaOneTheStudentRecoversTheTeachersMapOnItsView()
    {
        // λ = 1, I = all: the loss is the soft-label cross-entropy, minimised where softmax(z/T_s) = softmax((A x + b)/T_t),
        // i.e. a linear student z = M x + c with M, c equal to (T_s/T_t)·(A, b) up to a shift common to all classes.
        var rng = new Rng(41);
        var (privileged, studentView, teacher) = Views(rng);
        const double tTeacher = 2, tStudent = 1;
        var method = MethodRegistry.Create<PrivilegedInformationDistillation>("privileged",
            new DistillationSettings(1, TeacherTemperature: tTeacher, StudentTemperature: tStudent));
        float[] s = method.TeacherProbabilities(teacher, privileged, studentView);
        var student = new Linear(2, Classes, rng);
        // Full-batch gradient descent on a convex loss: one batch of all M objects per epoch.
        DistillationTraining.Fit(student, new Sgd(student.Parameters(), lr: 2), studentView, method, s,
            Enumerable.Repeat(true, M).ToArray(), epochs: 500, batchSize: M, seed: 1);

        double ratio = tStudent / tTeacher;
        for (int j = 0; j <= 2; j++)
        {
            // Column j of (M | c), centred over the classes, against the same column of ratio·(A | b).
            double Learned(int c) => j < 2 ? student.Weight[c * 2 + j] : student.Bias![c];
            double Expected(int c) => ratio * (j < 2 ? A[c, j] : Bias[c]);
            double learnedMean = Enumerable.Range(0, Classes).Average(Learned), expectedMean = Enumerable.Range(0, Classes).Average(Expected);
            for (int c = 0; c < Classes; c++)
            {
                double expected = Expected(c) - expectedMean, learned = Learned(c) - learnedMean;
                Assert.True(Math.Abs(expected - learned) < 1e-4, $"class {c}, column {j}: learned {learned:G6}, expected {expected:G6}");
            }
        }
    }

    [Fact]
    public void LossIsTheLambdaWeightedHintonLupiLossWithoutTSquared()
    {
        // mean_b [w_b·CE_b − λ·[b ∈ I]·Σ_k s_bk log softmax(z_b/T_s)_k] from generic ops (log-softmax, products, sums),
        // value and autograd gradient.
        var rng = new Rng(42);
        const int b = 6, k = 4;
        int[] labels = [0, 3, 1, 2, 2, 0];
        bool[] inI = [true, false, true, true, false, true];
        const double lambda = 0.35, tS = 2.5;
        var z = Random(rng, 1.5f, b, k);
        float[] s;
        using (GradMode.NoGrad()) s = Ops.Softmax(Random(rng, 2f, b, k)).ToArray();
        var hardWeights = new float[b * k];
        var softWeights = new float[b * k];
        for (int r = 0; r < b; r++)
        {
            hardWeights[r * k + labels[r]] = (float)((inI[r] ? 1 - lambda : 1) / b);
            for (int j = 0; j < k; j++) softWeights[r * k + j] = inI[r] ? (float)(lambda * s[r * k + j] / b) : 0;
        }
        var hard = Tensor.FromArray(hardWeights, b, k);
        var soft = Tensor.FromArray(softWeights, b, k);
        Tensor Reference(Tensor x) => Ops.Scale(Ops.Add(Ops.Sum(Ops.Mul(hard, Ops.LogSoftmax(x))),
            Ops.Sum(Ops.Mul(soft, Ops.LogSoftmax(Ops.Scale(x, (float)(1 / tS)))))), -1f);
        var method = new PrivilegedInformationDistillation(new DistillationSettings(lambda, StudentTemperature: tS));
        Assert.Equal(Reference(z).Item(), method.Loss(z, labels, s, inI).Item(), 5);
        float[] ours = Analytic(x => method.Loss(x, labels, s, inI), z), reference = Analytic(Reference, z);
        for (int i = 0; i < ours.Length; i++) Assert.Equal(reference[i], ours[i], 5);
        Check(x => method.Loss(x[0], labels, s, inI), z);
    }

    [Fact]
    public void TeacherProbabilitiesRefuseViewsOfDifferentObjects()
    {
        var rng = new Rng(43);
        var (privileged, studentView, teacher) = Views(rng);
        var method = new PrivilegedInformationDistillation(new DistillationSettings(0.5));
        var fewer = studentView.Subset(Enumerable.Range(0, M - 1).ToArray());
        Assert.Contains("same objects", Assert.Throws<ArgumentException>(() => method.TeacherProbabilities(teacher, privileged, fewer)).Message);
        var reordered = studentView.Subset(Enumerable.Range(0, M).Reverse().ToArray());
        Assert.Contains("labels", Assert.Throws<ArgumentException>(() => method.TeacherProbabilities(teacher, privileged, reordered)).Message);
        // Same objects: the soft labels are the teacher's tempered softmax on x*, here softmax((A x + b)/T_t).
        float[] s = method.TeacherProbabilities(teacher, privileged, studentView);
        double t = method.Settings.TeacherTemperature;
        for (int i = 0; i < 5; i++)
        {
            var logits = Enumerable.Range(0, Classes).Select(c => (A[c, 0] * studentView.Features[i * 2] + A[c, 1] * studentView.Features[i * 2 + 1] + Bias[c]) / t).ToArray();
            double norm = logits.Sum(Math.Exp);
            for (int c = 0; c < Classes; c++) Assert.Equal(Math.Exp(logits[c]) / norm, s[i * Classes + c], 5);
        }
    }
}
