using Probabilistic.Core.Random;
using Probabilistic.Distill.Bayesian;
using Probabilistic.Reproduce.Results;

namespace Probabilistic.Reproduce.Experiments.Bayesian;

/// <summary>
/// The <c>bayesian-ablation</c> experiment (issue 17): why the code-compat neuron-removal students (synthetic,
/// teacher [10, 100, 50, 1] → [10, 10, 10, 1]) end far below the paper's final ℓ. Starting from the code-compat
/// condition of the <c>bayesian</c> table (same seeds, same teachers, same random neurons), each row changes one
/// suspected cause and reports the three students' final test ℓ = −MSE and the area metrics S.
/// </summary>
public sealed class BayesianAblationExperiment : IExperiment
{
    /// <inheritdoc />
    public string Name => "bayesian-ablation";

    /// <inheritdoc />
    public string Description => "Bayesian distillation, synthetic neuron removal in code-compat mode: one suspected cause changed at a time";

    /// <inheritdoc />
    public int DefaultSeedCount => 5;

    /// <inheritdoc />
    public ExperimentResult Run(ExperimentContext context)
    {
        var result = new ExperimentResult();
        NeuronRemovalAblation.Run(context, result);
        return result;
    }
}

/// <summary>One condition of the ablation: the code-compat neuron-removal run with one thing changed.</summary>
/// <param name="Name">Short label (the table's key).</param>
/// <param name="Change">What differs from the code-compat run.</param>
/// <param name="Activation">Hidden activation of teacher and students.</param>
/// <param name="KlWeight">α of the students' loss α·KL − ℓ (the teacher keeps α = 1).</param>
/// <param name="PriorVarianceScale">Factor on every student's prior variance.</param>
/// <param name="StudentPriorAtZero">The plain student's prior mean is 0 instead of its own initial weights.</param>
/// <param name="DistilledStartAtInit">The distilled students start at the plain student's initial weights (prior mean still aligned).</param>
/// <param name="LearningRate">Adam learning rate of the students.</param>
/// <param name="PriorLearningRate">Adam learning rate of the students' prior (mean and log-variance).</param>
/// <param name="StepFactor">Factor on the students' steps.</param>
/// <param name="TransposedMask">The authors' transposed-mask copy of the teacher weights.</param>
/// <param name="StandardisedTargets">Targets divided by their training standard deviation (ℓ and S reported in the original units).</param>
public sealed record AblationCondition(string Name, string Change, HiddenActivation Activation = HiddenActivation.LeakyRelu, double KlWeight = 1,
    double PriorVarianceScale = 1, bool StudentPriorAtZero = false, bool DistilledStartAtInit = false, double LearningRate = 1e-3, double PriorLearningRate = 1e-5, int StepFactor = 1,
    bool TransposedMask = false, bool StandardisedTargets = false);

/// <summary>The runs of <see cref="BayesianAblationExperiment"/>.</summary>
public static class NeuronRemovalAblation
{
    /// <summary>The conditions, baseline first.</summary>
    public static IReadOnlyList<AblationCondition> Conditions(int trainCount, int batchSize) =>
    [
        new("code-compat", "none: the `bayesian` table's CodeCompat run"),
        new("KL/(N·B)", $"students' KL weight α = 1/(N·B) = 1/{trainCount * batchSize:N0}: a per-sample ELBO's weighting", KlWeight: 1.0 / (trainCount * batchSize)),
        new("KL/B", "students' KL weight α = 1/B: the data term divided by B once, not twice", KlWeight: 1.0 / batchSize),
        new("no KL", "students' KL weight α = 0 (plain MSE training from the same starts)", KlWeight: 0),
        new("prior variance ×100", "every student's prior variance × 100", PriorVarianceScale: 100),
        new("student prior mean 0", "plain student's prior N(0, 1) as the paper writes, not N(own initial weights, 1)", StudentPriorAtZero: true),
        new("distilled start at init", "distilled students start at the plain student's initial weights (prior mean still the aligned teacher)", DistilledStartAtInit: true),
        new("ReLU", "ReLU instead of LeakyReLU(0.01) in teacher and students", Activation: HiddenActivation.Relu),
        new("lr 1e-2", "students' Adam learning rate 1e-2 instead of 1e-3", LearningRate: 1e-2),
        new("prior lr 1e-4", "students' prior learning rate 1e-4 instead of 1e-5 (the prior mean follows the weights 10× faster)", PriorLearningRate: 1e-4),
        new("3× steps", "students trained 3× as many steps", StepFactor: 3),
        new("transposed mask", "the authors' transposed-mask copy of the teacher weights (their neuron choice)", TransposedMask: true),
        new("standardised y", "targets divided by their training sd (teacher and students; ℓ, S back in the original units)", StandardisedTargets: true),
    ];

    /// <summary>Runs every condition for every seed of <paramref name="context"/> into the table <c>neuron_removal_ablation</c>.</summary>
    public static void Run(ExperimentContext context, ExperimentResult result)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(result);
        int steps = context.Quick ? 300 : 11300, teacherSteps = context.Quick ? 500 : 11300;
        var problem = DistillationProblems.Synthetic(layerRemoval: false, teacherSteps, steps);
        var conditions = Conditions(problem.Train.Count, problem.StudentSettings.BatchSize);
        result.Config["teacher_steps"] = teacherSteps;
        result.Config["student_steps"] = steps;
        result.Config["paper_final_l"] = "student −0.2053, distil −0.0832, distil-all −0.0861 (synthetic neuron removal, authors' CSVs)";
        result.Config["paper_S"] = "distil 16559, distil-all 16864";
        result.Config["conditions"] = string.Join("; ", conditions.Select(c => $"{c.Name}: {c.Change}"));
        var table = result.AddTable("neuron_removal_ablation", "Synthetic neuron removal, code-compat: final test ℓ (−MSE) and S with one cause changed",
            "condition", "seed", "ℓ teacher", "ℓ student", "ℓ distil", "ℓ distil-all", "S distil", "S distil-all", "seconds");
        foreach (ulong seed in context.Seeds)
        {
            var teachers = new Dictionary<(HiddenActivation, bool), (DistillationProblem Problem, TeacherPosterior Teacher, double Scale)>();
            foreach (var condition in conditions)
            {
                var key = (condition.Activation, condition.StandardisedTargets);
                if (!teachers.TryGetValue(key, out var entry))
                {
                    var (p, scale) = condition.StandardisedTargets ? Standardise(problem) : (problem, 1.0);
                    var teacher = context.Time($"{condition.Name} seed {seed}: teacher", () => TrainTeacher(p, condition.Activation, seed, context.Status));
                    teachers[key] = entry = (p, teacher, scale);
                }
                var outcome = context.Time($"{condition.Name} seed {seed}: students", () => Distil(entry.Problem, entry.Teacher, condition, seed, context.Status));
                double s2 = entry.Scale * entry.Scale;
                table.AddRow(condition.Name, seed, outcome.TeacherFinal * s2, outcome.Student.Final * s2, outcome.DistilStudent.Final * s2,
                    outcome.DistilStudentAll.Final * s2, outcome.AreaDistil * s2 / condition.StepFactor, outcome.AreaDistilAll * s2 / condition.StepFactor,
                    context.Timings[^1].Value);
            }
        }
        result.Notes.Add("S of the 3× steps condition is divided by 3 (comparable per step); ℓ and S of the standardised condition are multiplied by sd(y)².");
    }

    /// <summary>The code-compat teacher: as <see cref="BayesianDistillationRun.TrainTeacher"/> (same seeds) with the given activation.</summary>
    private static TeacherPosterior TrainTeacher(DistillationProblem problem, HiddenActivation activation, ulong seed, Action<string> log)
    {
        if (activation == HiddenActivation.LeakyRelu)
            return BayesianDistillationRun.TrainTeacher(problem, TeacherPosteriorKind.CodeCompat, seed, log);
        var net = new NetworkModule(problem.Teacher, hasBiases: true, activation);
        var init = net.InitialParameters(new Rng(seed * 7919 + 1));
        var ones = Enumerable.Repeat(1.0, net.ParameterCount).ToArray();
        var trained = BayesianTraining.TrainCodeFaithful(net, init, init.Select(v => (double)v).ToArray(), ones, problem.Train, problem.Test, problem.Likelihood,
            problem.TeacherSettings with { Seed = seed * 7919 + 2 });
        return new TeacherPosterior(TeacherPosteriorKind.CodeCompat, net, trained, null, null, [], BayesianDistillationRun.TeacherPriorPrecision);
    }

    /// <summary>The three code-faithful students of <see cref="BayesianDistillationRun.Distil"/> (same seeds and neurons) with the condition's change.</summary>
    private static DistillationOutcome Distil(DistillationProblem problem, TeacherPosterior teacher, AblationCondition c, ulong seed, Action<string> log)
    {
        var method = BayesianDistillationRun.Method(problem, TeacherPosteriorKind.CodeCompat, NeuronOrderingKind.Random, seed);
        var aligned = method.Align(teacher, problem.Student, method.MakeOrdering(teacher, problem.Train, problem.Likelihood));
        if (c.TransposedMask) aligned = TransposedMaskQuirk.Apply(teacher, aligned);
        var settings = problem.StudentSettings with
        {
            Seed = seed * 7919 + 5, KlWeight = c.KlWeight, LearningRate = c.LearningRate, PriorLearningRate = c.PriorLearningRate, Steps = problem.StudentSettings.Steps * c.StepFactor,
        };
        var student = new NetworkModule(problem.Student, hasBiases: true, c.Activation);
        var init = student.InitialParameters(new Rng(seed * 7919 + 4));
        int n = student.ParameterCount;
        var scaled = Enumerable.Repeat(c.PriorVarianceScale, n).ToArray();
        var initD = c.StudentPriorAtZero ? new double[n] : init.Select(v => (double)v).ToArray();
        float[] distilStart = c.DistilledStartAtInit ? init : aligned.Mean.Select(v => (float)v).ToArray();
        LearningCurve Train(string label, float[] start, double[] priorMean, double[] priorVariance)
        {
            log($"{c.Name}, {label}: {settings.Steps} steps");
            return BayesianTraining.TrainCodeFaithful(student, start, priorMean, priorVariance, problem.Train, problem.Test, problem.Likelihood, settings).Curve;
        }
        var curveStudent = Train("student", init, initD, scaled);
        var curveDistil = Train("distil-student", distilStart, aligned.Mean, scaled);
        var curveAll = Train("distil-student-all", distilStart, aligned.Mean, aligned.Variance.Select(v => v * c.PriorVarianceScale).ToArray());
        return new DistillationOutcome(teacher.Trained.Curve.Final, curveStudent, curveDistil, curveAll, aligned.Steps);
    }

    /// <summary>The problem with train and test targets divided by the training targets' standard deviation, and that sd.</summary>
    private static (DistillationProblem Problem, double Scale) Standardise(DistillationProblem problem)
    {
        var y = problem.Train.Targets ?? throw new ArgumentException("NeuronRemovalAblation: the problem has no regression targets.");
        double mean = y.Average(v => (double)v);
        double sd = Math.Sqrt(y.Sum(v => (v - mean) * (v - mean)) / (y.Length - 1));
        SupervisedData Scale(SupervisedData d) => d with { Targets = d.Targets!.Select(v => (float)(v / sd)).ToArray() };
        return (problem with { Train = Scale(problem.Train), Test = Scale(problem.Test) }, sd);
    }
}
