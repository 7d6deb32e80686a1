using Probabilistic.Core.Random;
using Probabilistic.Distill.DarkKnowledge;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.Tests.DarkKnowledge;

public class DistilledSgldTests
{
    /// <summary>A test generator that always gives the same points (so a student step can be done by hand).</summary>
    private sealed class FixedPoints(float[] points, int dimension) : IStudentDataGenerator
    {
        public int[] SampleShape => [dimension];
        public int FeatureSize => dimension;
        public void Fill(Rng rng, Span<float> destination) => points.CopyTo(destination);
    }

    private static readonly LabeledDataset Moons = TwoMoons.Generate(40, 0.2, seed: 1);

    private static DistilledSgld Make(ulong seed, int burnIn = 0, int period = 1, ulong modelSeed = 2, TeacherSampler sampler = TeacherSampler.Sgld)
    {
        var rng = new Rng(modelSeed);
        Module teacher = sampler == TeacherSampler.Sgld
            ? new Mlp(rng, 2, 6, 2)
            : new Sequential(new Linear(2, 6, rng), new ReLU(), new Dropout(new Rng(modelSeed + 1)), new Linear(6, 2, rng));
        var student = new Mlp(rng, 2, 6, 2);
        Optimizer teacherOptimizer = sampler == TeacherSampler.Sgld
            ? new Sgld(teacher.Parameters(), 1e-3, 1, Moons.Count, seed + 100)
            : new Sgd(teacher.Parameters(), 0.05);
        return new DistilledSgld(DarkKnowledgeTask.Classification, teacher, teacherOptimizer, null, student,
            new Sgd(student.Parameters(), 0.05, weightDecay: 1e-3), null, new UniformBox([-1.5, -1], [2.5, 1.5]), 16, seed,
            burnIn, period, sampler: sampler);
    }

    private static float[] Flat(Module m) => m.Parameters().SelectMany(p => p.ToArray()).ToArray();

    [Fact]
    public void Student_is_updated_exactly_on_iterations_past_the_burn_in_that_are_multiples_of_the_period_and_the_teacher_every_step()
    {
        var run = Make(seed: 3, burnIn: 5, period: 3);
        var teacherBefore = Flat(run.Teacher);
        var studentBefore = Flat(run.Student);
        var studentMoved = new List<long>();
        int teacherMoves = 0, reported = 0;
        run.Run(Moons, teacherBatchSize: 8, iterations: 20, callbackEvery: 1, callback: progress =>
        {
            long t = progress.Iteration - 1;
            var teacherNow = Flat(run.Teacher);
            var studentNow = Flat(run.Student);
            if (!teacherNow.SequenceEqual(teacherBefore)) teacherMoves++;
            if (!studentNow.SequenceEqual(studentBefore)) studentMoved.Add(t);
            Assert.Equal(progress.StudentUpdated, !double.IsNaN(progress.StudentLoss));
            teacherBefore = teacherNow;
            studentBefore = studentNow;
            reported++;
        });
        Assert.Equal(20, reported);
        Assert.Equal(20, teacherMoves);
        Assert.Equal([6L, 9, 12, 15, 18], studentMoved);
        Assert.Equal(5, run.StudentUpdates);
        Assert.Equal(20, run.Iteration);
    }

    [Fact]
    public void Callback_runs_every_K_iterations_and_a_second_run_continues_the_first()
    {
        var whole = Make(seed: 4);
        var seen = new List<long>();
        whole.Run(Moons, 8, 12, callbackEvery: 5, callback: p => seen.Add(p.Iteration));
        Assert.Equal([5L, 10], seen);
        var split = Make(seed: 4);
        split.Run(Moons, 8, 7);
        split.Run(Moons, 8, 5);
        Assert.Equal(Flat(whole.Teacher), Flat(split.Teacher));
        Assert.Equal(Flat(whole.Student), Flat(split.Student));
    }

    [Fact]
    public void Same_seed_gives_identical_parameters_and_another_seed_does_not()
    {
        var a = Make(seed: 8);
        var b = Make(seed: 8);
        var c = Make(seed: 9);
        foreach (var run in new[] { a, b, c }) run.Run(Moons, 8, 25);
        Assert.Equal(Flat(a.Teacher), Flat(b.Teacher));
        Assert.Equal(Flat(a.Student), Flat(b.Student));
        Assert.NotEqual(Flat(a.Student), Flat(c.Student));
        Assert.NotEqual(Flat(a.Teacher), Flat(c.Teacher));
    }

    [Fact]
    public void One_student_step_is_plain_sgd_on_the_soft_cross_entropy_plus_gamma_times_w_by_hand()
    {
        // D' fixed: three points; teacher and student both linear 2 → 2, so the step is a few lines of arithmetic.
        float[] points = [0.5f, -1f, 1.5f, 0.25f, -0.75f, 2f];
        const int m = 3;
        const double rho = 0.2;
        foreach (double gamma in new[] { 0.0, 0.3 })
        {
            var rng = new Rng(12);
            var teacher = new Linear(2, 2, rng);
            var student = new Linear(2, 2, rng);
            var w0 = student.Weight.ToArray();
            var b0 = student.Bias!.ToArray();
            var run = new DistilledSgld(DarkKnowledgeTask.Classification, teacher, new Sgld(teacher.Parameters(), 1e-3, 1, Moons.Count, 5), null,
                student, new Sgd(student.Parameters(), rho, weightDecay: gamma), null, new FixedPoints(points, 2), m, seed: 6);
            var batch = new Batch(Moons, 8);
            batch.Fill(Moons, [0, 1, 2, 3, 4, 5, 6, 7]);
            run.Step(batch);
            // The teacher sample the student saw is the teacher after its step.
            var th = teacher.Weight.ToArray();
            var tb = teacher.Bias!.ToArray();
            var gw = new double[4];
            var gb = new double[2];
            for (int r = 0; r < m; r++)
            {
                double x0 = points[2 * r], x1 = points[2 * r + 1];
                var p = Softmax(th[0] * x0 + th[1] * x1 + tb[0], th[2] * x0 + th[3] * x1 + tb[1]);
                var s = Softmax(w0[0] * x0 + w0[1] * x1 + b0[0], w0[2] * x0 + w0[3] * x1 + b0[1]);
                for (int k = 0; k < 2; k++)
                {
                    double d = (s[k] - p[k]) / m;
                    gw[2 * k] += d * x0;
                    gw[2 * k + 1] += d * x1;
                    gb[k] += d;
                }
            }
            for (int i = 0; i < 4; i++) Assert.Equal(w0[i] - rho * (gw[i] + gamma * w0[i]), student.Weight[i], 1e-6);
            for (int k = 0; k < 2; k++) Assert.Equal(b0[k] - rho * (gb[k] + gamma * b0[k]), student.Bias[k], 1e-6);
        }

        static double[] Softmax(double a, double b)
        {
            double max = Math.Max(a, b), ea = Math.Exp(a - max), eb = Math.Exp(b - max);
            return [ea / (ea + eb), eb / (ea + eb)];
        }
    }

    [Theory]
    [InlineData(TeacherSampler.Sgld)]
    [InlineData(TeacherSampler.McDropout)]
    public void Teacher_predictive_on_D_prime_is_in_evaluation_mode_for_sgld_and_training_mode_for_mc_dropout(TeacherSampler sampler)
    {
        var run = Make(seed: 5, sampler: sampler);
        var calls = new List<(int Rows, bool Training)>();
        using var hook = run.Teacher.RegisterForwardHook((module, input, _) => calls.Add((input.Dim(0), module.IsTraining)));
        run.Run(Moons, 8, 3);
        // Per iteration: the teacher step on M = 8 rows (training mode), then the predictive on |D'| = 16 rows.
        Assert.Equal(6, calls.Count);
        Assert.All(calls.Where(c => c.Rows == 8), c => Assert.True(c.Training));
        Assert.All(calls.Where(c => c.Rows == 16), c => Assert.Equal(sampler == TeacherSampler.McDropout, c.Training));
        Assert.Equal(3, calls.Count(c => c.Rows == 16));
        Assert.True(run.Teacher.IsTraining); // the mode is restored
    }

    [Fact]
    public void Mc_dropout_teacher_gives_a_fresh_mask_per_step()
    {
        // With a zero step the teacher's weights never move, so any change of its predictive between iterations is the mask.
        var rng = new Rng(21);
        var teacher = new Sequential(new Linear(2, 8, rng), new ReLU(), new Dropout(new Rng(22)), new Linear(8, 2, rng));
        var student = new Mlp(rng, 2, 4, 2);
        var targets = new List<float[]>();
        using var hook = teacher.RegisterForwardHook((_, input, output) => { if (input.Dim(0) == 4) targets.Add(output.ToArray()); });
        var run = new DistilledSgld(DarkKnowledgeTask.Classification, teacher, new Sgd(teacher.Parameters(), 0), null, student,
            new Sgd(student.Parameters(), 0.1), null, new FixedPoints(new float[8], 2), 4, seed: 1, sampler: TeacherSampler.McDropout);
        run.Run(Moons, 8, 3);
        Assert.Equal(3, targets.Count);
        Assert.NotEqual(targets[0], targets[1]);
        Assert.NotEqual(targets[1], targets[2]);
    }

    [Fact]
    public void Bad_configurations_are_refused_with_a_message_naming_the_problem()
    {
        var rng = new Rng(1);
        var teacher = new Mlp(rng, 2, 3, 2);
        var student = new Mlp(rng, 2, 3, 2);
        var box = new UniformBox([0, 0], [1, 1]);
        DistilledSgld Build(Optimizer to, int burnIn = 0, int period = 1, TeacherSampler sampler = TeacherSampler.Sgld) =>
            new(DarkKnowledgeTask.Classification, teacher, to, null, student, new Sgd(student.Parameters(), 0.1), null, box, 4, 0, burnIn, period, sampler: sampler);
        var sgld = new Sgld(teacher.Parameters(), 1e-3, 1, Moons.Count, 0);
        Assert.Contains("Sgld", Assert.Throws<ArgumentException>(() => Build(new Sgd(teacher.Parameters(), 0.1))).Message);
        Assert.Contains("Dropout", Assert.Throws<ArgumentException>(() => Build(new Sgd(teacher.Parameters(), 0.1), sampler: TeacherSampler.McDropout)).Message);
        Assert.Contains("burn-in", Assert.Throws<ArgumentOutOfRangeException>(() => Build(sgld, burnIn: -1)).Message);
        Assert.Contains("period", Assert.Throws<ArgumentOutOfRangeException>(() => Build(sgld, period: 0)).Message);
        var wrongN = Build(new Sgld(teacher.Parameters(), 1e-3, 1, 1000, 0));
        Assert.Contains("N = 1000", Assert.Throws<ArgumentException>(() => wrongN.Run(Moons, 8, 1)).Message);
        // A regression student must have the two heads.
        var data = new RegressionDataset("line", [0f, 1f, 2f, 3f], [1], [0f, 1f, 2f, 3f]);
        var rTeacher = new Mlp(rng, 1, 3, 1);
        var rStudent = new Mlp(rng, 1, 3, 1);
        var regression = new DistilledSgld(DarkKnowledgeTask.Regression, rTeacher, new Sgld(rTeacher.Parameters(), 1e-3, 1, 4, 0), null,
            rStudent, new Sgd(rStudent.Parameters(), 0.1), null, new UniformBox([0], [3]), 4, 0);
        Assert.Contains("[B, 2]", Assert.Throws<ArgumentException>(() => regression.Run(data, 2, 1)).Message);
    }

    [Fact]
    public void Registry_makes_the_method_by_name_and_it_wires_gamma_as_the_student_weight_decay()
    {
        var d = MethodRegistry.Describe("bayesian-dark-knowledge");
        Assert.Equal("dark-knowledge", d.Family);
        Assert.Equal(typeof(DarkKnowledgeSettings), d.SettingsType);
        var method = MethodRegistry.Create<BayesianDarkKnowledge>("bayesian-dark-knowledge",
            new DarkKnowledgeSettings(StudentPriorPrecision: 0.25, TeacherPriorPrecision: 2, TeacherStepDecay: 1, BurnIn: 3, UpdatePeriod: 2));
        var rng = new Rng(3);
        var run = method.Create(new Mlp(rng, 2, 4, 2), new Mlp(rng, 2, 4, 2), Moons);
        Assert.Equal(DarkKnowledgeTask.Classification, run.Task);
        var sgld = Assert.IsType<Sgld>(run.TeacherOptimizer);
        Assert.Equal(Moons.Count, sgld.DatasetSize);
        Assert.Equal(2, sgld.Groups[0].WeightDecay);
        Assert.Null(run.TeacherSchedule);
        Assert.Equal(0.25, Assert.IsType<Sgd>(run.StudentOptimizer).Groups[0].WeightDecay);
        Assert.Equal((3, 2), (run.BurnIn, run.UpdatePeriod));
        Assert.IsType<NoisyTrainingInputs>(run.Generator);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BayesianDarkKnowledge(new DarkKnowledgeSettings(UpdatePeriod: 0)));
    }
}
