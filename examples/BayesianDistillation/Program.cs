// Bayesian distillation (methods.md §2): teacher posterior → aligned student prior → three students; prints S and
// final test ℓ, writes the learning curves as CSV.
// Usage: BayesianDistillation [--quick] [--seeds N] [--mode laplace-diag|laplace-full|mean-field|compat]
//        [--problem neuron|layer|fmnist] [--ordering random|obd|density-ratio|belsley] [--out DIR]
//        [--transposed-mask-quirk]   (compat mode only: copy the teacher weights with the authors' transposed mask)
using System.Diagnostics;
using System.Globalization;
using Probabilistic.Distill.Bayesian;
using Probabilistic.Reproduce.Experiments.Bayesian;

var options = args.ToList();
string Option(string name, string fallback)
{
    int i = options.IndexOf(name);
    return i >= 0 && i + 1 < options.Count ? options[i + 1] : fallback;
}
bool quick = options.Contains("--quick");
bool quirk = options.Contains("--transposed-mask-quirk");
int seeds = int.Parse(Option("--seeds", "1"), CultureInfo.InvariantCulture);
var kind = Option("--mode", "laplace-diag") switch
{
    "laplace-full" => TeacherPosteriorKind.LaplaceFull,
    "laplace-diag" => TeacherPosteriorKind.LaplaceDiagonal,
    "mean-field" => TeacherPosteriorKind.MeanField,
    "compat" => TeacherPosteriorKind.CodeCompat,
    var m => throw new ArgumentException($"unknown --mode {m}"),
};
string problemName = Option("--problem", "neuron");
string orderingName = Option("--ordering", "random");
var orderingKind = orderingName switch
{
    "random" => NeuronOrderingKind.Random,
    "obd" => NeuronOrderingKind.OptimalBrainDamage,
    "density-ratio" => NeuronOrderingKind.DensityRatio,
    "belsley" => NeuronOrderingKind.Belsley,
    _ => throw new ArgumentException($"unknown --ordering {orderingName} (random, obd, density-ratio, belsley)"),
};
string outDir = Option("--out", "bayesian-results");
Directory.CreateDirectory(outDir);

int teacherSteps = quick ? 2000 : 11300, studentSteps = quick ? 1500 : 11300;
DistillationProblem problem = problemName switch
{
    "neuron" => DistillationProblems.Synthetic(false, teacherSteps, studentSteps),
    "layer" => DistillationProblems.Synthetic(true, teacherSteps, studentSteps),
    "fmnist" => quick
        ? DistillationProblems.FashionMnist(Probabilistic.Nn.Data.FashionMnist.Load(), 1500, 1500, 2000)
        : DistillationProblems.FashionMnist(Probabilistic.Nn.Data.FashionMnist.Load()),
    _ => throw new ArgumentException($"unknown --problem {problemName}"),
};

var sDistil = new List<double>();
var sAll = new List<double>();
var finals = new List<double[]>();
for (ulong seed = 0; seed < (ulong)seeds; seed++)
{
    var watch = Stopwatch.StartNew();
    var teacher = BayesianDistillationRun.TrainTeacher(problem, kind, seed, m => Console.Error.WriteLine($"[seed {seed}] {m}"));
    var method = BayesianDistillationRun.Method(problem, kind, orderingKind, seed);
    var outcome = BayesianDistillationRun.Distil(problem, method, teacher, method.MakeOrdering(teacher, problem.Train, problem.Likelihood), seed,
        m => Console.Error.WriteLine($"[seed {seed}] {m}"), quirk);
    sDistil.Add(outcome.AreaDistil);
    sAll.Add(outcome.AreaDistilAll);
    finals.Add([outcome.TeacherFinal, outcome.Student.Final, outcome.DistilStudent.Final, outcome.DistilStudentAll.Final]);
    Console.WriteLine(FormattableString.Invariant(
        $"seed {seed}: S distil {outcome.AreaDistil:F1}, S distil-all {outcome.AreaDistilAll:F1}; final ℓ teacher {outcome.TeacherFinal:F4}, student {outcome.Student.Final:F4}, distil {outcome.DistilStudent.Final:F4}, distil-all {outcome.DistilStudentAll.Final:F4} ({watch.Elapsed.TotalSeconds:F0} s)"));
    using var csv = new StreamWriter(Path.Combine(outDir, $"curves-{problemName}-{Option("--mode", "laplace-diag")}-{orderingName}-seed{seed}.csv"));
    csv.WriteLine("step,student,distil_student,distil_student_all");
    for (int k = 0; k < outcome.Student.Steps.Length; k++)
        csv.WriteLine(FormattableString.Invariant($"{outcome.Student.Steps[k]},{outcome.Student.TestLogLikelihood[k]},{outcome.DistilStudent.TestLogLikelihood[k]},{outcome.DistilStudentAll.TestLogLikelihood[k]}"));
}
static string MeanSd(IReadOnlyList<double> v)
{
    double mean = v.Average();
    double sd = v.Count > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1)) : 0;
    return FormattableString.Invariant($"{mean:F1} ± {sd:F1}");
}
Console.WriteLine($"{problem.Name} ({kind}, {orderingName}, {seeds} seeds): S distil {MeanSd(sDistil)}, S distil-all {MeanSd(sAll)}");
return 0;
