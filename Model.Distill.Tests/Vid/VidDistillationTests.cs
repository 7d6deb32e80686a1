using Probabilistic.Core.Random;
using Probabilistic.Distill.Vid;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Tensors;
using static Probabilistic.Nn.Tests.Autograd.GradCheck;

namespace Probabilistic.Distill.Tests.Vid;

public class VidDistillationTests
{
    private static readonly int[] Labels = [0, 2, 3];

    private static Tensor Constant(Rng rng, float scale, params int[] shape)
    {
        var t = Random(rng, scale, shape);
        t.RequiresGrad = false;
        return t;
    }

    private static double[] LogSoftmax(float[] z, int row, int k, double t)
    {
        double max = double.NegativeInfinity;
        for (int j = 0; j < k; j++) max = Math.Max(max, z[row * k + j] / t);
        double s = 0;
        for (int j = 0; j < k; j++) s += Math.Exp(z[row * k + j] / t - max);
        var r = new double[k];
        for (int j = 0; j < k; j++) r[j] = z[row * k + j] / t - max - Math.Log(s);
        return r;
    }

    [Fact]
    public void Beta_one_is_plain_cross_entropy()
    {
        var rng = new Rng(1);
        var obj = new VidObjective(new VidSettings(VidPreset.All, Beta: 1), [[3], [2, 2, 2]], [[2], [4]], rng);
        var logits = Random(rng, 1.5f, 3, 4);
        var loss = obj.Loss(logits, Labels, null, [Constant(rng, 1, 3, 3), Constant(rng, 1, 3, 2, 2, 2)], [Random(rng, 1, 3, 2), Random(rng, 1, 3, 4)]);
        var z = logits.ToArray();
        double ce = 0;
        for (int b = 0; b < 3; b++) ce -= LogSoftmax(z, b, 4, 1)[Labels[b]];
        Assert.Equal(ce / 3, loss.Item(), 5);
        // The student alone gives the same value with no teacher at all.
        var none = new VidObjective(new VidSettings(VidPreset.None), [], [], rng);
        Assert.Equal(ce / 3, none.Loss(logits, Labels, null, [], []).Item(), 5);
    }

    [Fact]
    public void Total_loss_gradient_matches_finite_differences_in_logits_and_student_features()
    {
        var rng = new Rng(2);
        // Vector students: every connection is a Linear regressor (smooth), so finite differences are exact enough.
        var obj = new VidObjective(new VidSettings(VidPreset.All, Beta: 0.3), [[3], [2, 2, 2]], [[2], [4]], rng);
        Tensor[] teacher = [Constant(rng, 1, 3, 3), Constant(rng, 1, 3, 2, 2, 2)];
        Check(x => obj.Loss(x[0], Labels, null, teacher, [x[1], x[2]]), Random(rng, 1, 3, 4), Random(rng, 1, 3, 2), Random(rng, 1, 3, 4));
        var hinton = new VidObjective(new VidSettings(VidPreset.Hinton), [], [], rng);
        var teacherLogits = Constant(rng, 2, 3, 4);
        Check(x => hinton.Loss(x[0], Labels, teacherLogits, [], []), Random(rng, 1, 3, 4));
    }

    [Fact]
    public void Hinton_is_beta_CE_plus_T2_forward_KL_and_the_reverse_switch_is_KL_student_teacher_without_T2()
    {
        var rng = new Rng(3);
        var s = Random(rng, 2, 3, 4);
        var t = Constant(rng, 2, 3, 4);
        double temp = 3;
        var zs = s.ToArray();
        var zt = t.ToArray();
        double forward = 0, reverse = 0;
        for (int b = 0; b < 3; b++)
        {
            var ls = LogSoftmax(zs, b, 4, temp);
            var lt = LogSoftmax(zt, b, 4, temp);
            for (int k = 0; k < 4; k++)
            {
                forward += Math.Exp(lt[k]) * (lt[k] - ls[k]);
                reverse += Math.Exp(ls[k]) * (ls[k] - lt[k]);
            }
        }
        var fwd = new VidObjective(new VidSettings(VidPreset.Hinton, Beta: 0), [], [], rng);
        var rev = new VidObjective(new VidSettings(VidPreset.Hinton, Beta: 0, ReverseKlHinton: true), [], [], rng);
        var lf = fwd.Loss(s, Labels, t, [], []);
        Assert.Equal(temp * temp * forward / 3, lf.Item(), 4);
        lf.Backward();
        var gForward = s.Grad!.ToArray();
        s.ZeroGrad();
        var lr = rev.Loss(s, Labels, t, [], []);
        Assert.Equal(reverse / 12, lr.Item(), 5); // KLDivLoss's default: mean over B·K elements, no T².
        lr.Backward();
        var gReverse = s.Grad!.ToArray();
        Assert.True(gForward.Zip(gReverse).Max(p => Math.Abs(p.First - p.Second)) > 1e-3);
        Check(x => rev.Loss(x[0], Labels, t, [], []), Random(rng, 1, 3, 4));
    }

    [Fact]
    public void Sigma_multiplies_bug_matches_its_closed_form_and_runs_to_minus_infinity()
    {
        var rng = new Rng(4);
        var options = new GaussianConnectionOptions(Epsilon: 0);
        var buggy = new GaussianConnection([2, 2, 2], [3], rng, options with { CompatSigmaMultipliesBug = true });
        var principled = new GaussianConnection([2, 2, 2], [3], new Rng(4), options);
        var target = Constant(rng, 1, 3, 2, 2, 2);
        var student = Constant(rng, 1, 3, 3);
        buggy.Alpha.Data[0] = 0.7f;
        buggy.Alpha.Data[1] = -1.3f;
        var mu = buggy.Mean(student).ToArray();
        var tt = target.ToArray();
        double[] var2 = [Math.Log(1 + Math.Exp(0.7)), Math.Log(1 + Math.Exp(-1.3))];
        double sum = 0;
        for (int i = 0; i < tt.Length; i++) sum += 0.5 * var2[(i / 4) % 2] * (tt[i] - mu[i]) * (tt[i] - mu[i]);
        double expected = sum / 3 + 0.5 * (Math.Log(var2[0]) + Math.Log(var2[1])) / 2;
        Assert.Equal(expected, buggy.NegativeLogLikelihood(target, student).Item(), 4);

        double previousBug = double.PositiveInfinity, previousPrincipled = double.NegativeInfinity;
        foreach (float a in new[] { -2f, -5f, -10f, -13f })
        {
            Array.Fill(buggy.Alpha.Data, a);
            Array.Fill(principled.Alpha.Data, a);
            double bug = buggy.NegativeLogLikelihood(target, student).Item();
            double good = principled.NegativeLogLikelihood(target, student).Item();
            Assert.True(bug < previousBug && good > previousPrincipled, $"α = {a}: bug {bug}, principled {good}");
            previousBug = bug;
            previousPrincipled = good;
        }
        // Ops.Softplus loses all precision below α ≈ −17 in float (log(1 + e) with e under float's ε), so the
        // range stops at −13, where the buggy loss is already about ½ log σ² ≈ ½α.
        Assert.True(previousBug < -6, $"buggy loss at α = −13 is {previousBug}, expected about ½α = −6.5");
        Assert.True(previousPrincipled > 1e4);
    }

    [Fact]
    public void Sigma_bug_switch_reaches_the_connections()
    {
        var obj = new VidObjective(new VidSettings(VidPreset.Pairwise, SigmaMultipliesBug: true), [[2]], [[2]], new Rng(5));
        Assert.True(obj.Information!.Connection(0, 0)!.Options.CompatSigmaMultipliesBug);
        var plain = new VidObjective(new VidSettings(VidPreset.Pairwise), [[2]], [[2]], new Rng(5));
        Assert.False(plain.Information!.Connection(0, 0)!.Options.CompatSigmaMultipliesBug);
    }

    [Fact]
    public void Last_connection_only_leaves_every_other_connection_without_gradient()
    {
        foreach (bool bug in new[] { false, true })
        {
            var rng = new Rng(6);
            var obj = new VidObjective(new VidSettings(VidPreset.All, Beta: 0.5, LastConnectionOnly: bug), [[3], [2]], [[2], [4]], rng);
            Tensor[] teacher = [Constant(rng, 1, 3, 3), Constant(rng, 1, 3, 2)];
            Tensor[] student = [Random(rng, 1, 3, 2), Random(rng, 1, 3, 4)];
            obj.Loss(Random(rng, 1, 3, 4), Labels, null, teacher, student).Backward();
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++)
                {
                    bool nonZero = obj.Information!.Connection(i, j)!.Parameters().Any(p => p.Grad is not null && p.Grad.ToArray().Any(g => g != 0));
                    Assert.Equal(!bug || (i == 1 && j == 1), nonZero);
                }
            Assert.Equal(!bug, student[0].Grad is not null && student[0].Grad!.ToArray().Any(g => g != 0));
        }
    }

    [Fact]
    public void Registered_presets_build_the_expected_lambda()
    {
        string[] names = ["vid-none", "vid-hinton", "vid-pairwise", "vid-all", "vid-random"];
        foreach (var n in names) Assert.Equal("vid", MethodRegistry.Describe(n).Family);
        VidSettings Of(string n) => ((VidDistillation)MethodRegistry.Create(n)).Settings;
        Assert.False(Of("vid-none").UsesTeacher);
        Assert.Equal((VidPreset.Hinton, 0.5, 3.0), (Of("vid-hinton").Preset, Of("vid-hinton").Beta, Of("vid-hinton").Temperature));
        var pairwise = Of("vid-pairwise").LambdaFor(4, 4);
        var all = Of("vid-all").LambdaFor(4, 4);
        var random = Of("vid-random").LambdaFor(4, 4);
        var dirichlet = (Of("vid-random") with { Form = VidLambdaForm.ColumnStochastic }).LambdaFor(4, 4);
        var distinct = new HashSet<double>();
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
            {
                Assert.Equal(i == j ? 1.0 : 0.0, pairwise[i, j]);
                Assert.Equal(1.0, all[i, j]);
                Assert.InRange(random[i, j], 0, 1);
                distinct.Add(random[i, j]);
            }
        Assert.Equal(16, distinct.Count);
        for (int j = 0; j < 4; j++) Assert.Equal(1.0, dirichlet.ColumnSum(j), 12);
        Assert.Equal(VidLambdaForm.ColumnStochastic, dirichlet.Form);
        // Every setting's compat switch is off by default.
        var d = new VidSettings();
        Assert.False(d.SigmaMultipliesBug || d.LastConnectionOnly || d.ReverseKlHinton || d.TeacherInTrainingMode);
        Assert.Throws<ArgumentOutOfRangeException>(() => new VidDistillation(new VidSettings(Beta: 1.5)));
    }

    [Fact]
    public void Teacher_gets_no_gradient_and_runs_in_eval_mode_unless_the_compat_switch_asks()
    {
        foreach (bool trainingTeacher in new[] { false, true })
        {
            var rng = new Rng(7);
            var teacher = Zoo.TinyCnn(rng);
            var student = Zoo.VeryTinyCnn(rng);
            var method = (VidDistillation)MethodRegistry.Create("vid-all", new VidSettings(VidPreset.All, TeacherInTrainingMode: trainingTeacher));
            using var obj = method.Bind(teacher, student, [1, 28, 28], Zoo.TinyFeaturePaths, Zoo.TinyFeaturePaths, rng);
            Assert.Equal(16, obj.Information!.ConnectionCount);
            var bn = (BatchNorm2d)teacher.GetSubmodule("features.1");
            var before = bn.RunningMean.ToArray();
            var x = Tensor.Zeros(4, 1, 28, 28);
            for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
            // The teacher ran in the switch's mode (the running statistics below tell), and its own mode is restored.
            teacher.Train(!trainingTeacher);
            var loss = obj.StudentLoss(x, [1, 2, 3, 4]);
            Assert.True(float.IsFinite(loss.Item()));
            loss.Backward();
            Assert.Equal(!trainingTeacher, teacher.IsTraining);
            Assert.Equal(trainingTeacher, !before.SequenceEqual(bn.RunningMean.ToArray()));
            Assert.All(teacher.Parameters(), p => Assert.True(p.Grad is null || p.Grad.ToArray().All(g => g == 0)));
            Assert.All(student.Parameters(), p => Assert.True(p.Grad is not null && p.Grad.ToArray().Any(g => g != 0)));
            Assert.All(obj.Parameters(), p => Assert.NotNull(p.Grad));
        }
    }
}
