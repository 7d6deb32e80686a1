using Probabilistic.Distill.Bayesian;
using Probabilistic.Reproduce.Experiments;
using Probabilistic.Reproduce.Experiments.Bayesian;
using Probabilistic.Reproduce.Running;
using Probabilistic.Sweep;
using Probabilistic.TestSupport;

namespace Probabilistic.Reproduce.Tests;

/// <summary>The <c>bayesian</c> experiment's seeds as runs (<c>bayesian/synthetic-seed</c>, <c>bayesian/fashion-seed</c>,
/// two at once through the run service and back through their JSON payloads): the numbers of the sequential code,
/// which calls <see cref="BayesianDistillationRun"/> directly, exactly.</summary>
public class BayesianSeedRunsTests
{
    [Fact]
    [Trait(Category.Name, Category.Slow)] // two teachers with posteriors and 15 students at a few hundred steps
    public void Synthetic_seed_runs_give_the_numbers_of_the_sequential_code()
    {
        const int teacherSteps = 300, studentSteps = 200;
        (bool Layer, TeacherPosteriorKind Mode, ulong Seed)[] cases =
            [(false, TeacherPosteriorKind.LaplaceDiagonal, 1), (true, TeacherPosteriorKind.CodeCompat, 2)];
        var runs = RunService.InProcess(RunBodies.Students(new RunBodyRegistry(), new DataCatalog(null, null)), jobs: 2);
        RunRequest[] requests = [.. cases.Select(c => BayesianSeedRuns.SyntheticRequest(runs, c.Layer, c.Mode, teacherSteps, studentSteps, c.Seed))];
        var results = runs.Payloads(requests, CancellationToken.None).Select(BayesianSeedRuns.Read).ToList();

        for (int i = 0; i < cases.Length; i++)
        {
            var (layer, mode, seed) = cases[i];
            // The experiment's former loop body, run here in sequence.
            var problem = DistillationProblems.Synthetic(layer, teacherSteps, studentSteps);
            var teacher = BayesianDistillationRun.TrainTeacher(problem, mode, seed);
            var kinds = !layer ? BayesianDistillationRun.Orderings : [NeuronOrderingKind.Random];
            Assert.Equal(kinds.Count, results[i].Orderings.Count);
            for (int k = 0; k < kinds.Count; k++)
            {
                var method = BayesianDistillationRun.Method(problem, mode, kinds[k], seed);
                var ordering = method.MakeOrdering(teacher, problem.Train, problem.Likelihood);
                var expected = BayesianDistillationRun.Distil(problem, method, teacher, ordering, seed);
                var actual = results[i].Orderings[k];
                Assert.Equal(ordering.Name, actual.Ordering);
                AssertSame(expected, actual.Outcome);
                if (ordering is BelsleyOrdering belsley)
                {
                    Assert.Equal(belsley.Component.Iterations, actual.BelsleyIterations);
                    Assert.Equal(belsley.Component.Residual, actual.BelsleyResidual);
                }
                else Assert.Null(actual.BelsleyIterations);
            }
        }
        // The orderings really differ (the comparison above could not pass with one ordering's numbers everywhere).
        Assert.NotEqual(results[0].Orderings[0].Outcome.AreaDistil, results[0].Orderings[1].Outcome.AreaDistil);
    }

    [DataFact(RealData.FashionMnist)]
    [Trait(Category.Name, Category.Data)]
    [Trait(Category.Name, Category.Slow)] // loads FashionMNIST and trains two 668k-weight teachers and six students
    public void Fashion_seed_runs_give_the_numbers_of_the_sequential_code()
    {
        const int steps = 200, test = 300;
        var data = new DataCatalog(null, null);
        TeacherPosteriorKind[] modes = [TeacherPosteriorKind.CodeCompat, TeacherPosteriorKind.LaplaceDiagonal];
        const ulong seed = 1;
        var runs = RunService.InProcess(RunBodies.Students(new RunBodyRegistry(), data), jobs: 2);
        RunRequest[] requests = [.. modes.Select(m => BayesianSeedRuns.FashionRequest(runs, m, steps, test, seed))];
        var results = runs.Payloads(requests, CancellationToken.None).Select(BayesianSeedRuns.Read).ToList();

        var problem = DistillationProblems.FashionMnist(data.FashionMnist, steps, steps, test);
        for (int i = 0; i < modes.Length; i++)
        {
            // The experiment's former per-seed computation.
            var teacher = BayesianDistillationRun.TrainTeacher(problem, modes[i], seed);
            var method = BayesianDistillationRun.Method(problem, modes[i], NeuronOrderingKind.Random, seed);
            var expected = BayesianDistillationRun.Distil(problem, method, teacher, method.MakeOrdering(teacher, problem.Train, problem.Likelihood), seed);
            AssertSame(expected, Assert.Single(results[i].Orderings).Outcome);
        }
        Assert.NotEqual(results[0].Orderings[0].Outcome.TeacherFinal, results[1].Orderings[0].Outcome.TeacherFinal);
    }

    private static void AssertSame(DistillationOutcome expected, DistillationOutcome actual)
    {
        Assert.Equal(expected.TeacherFinal, actual.TeacherFinal);
        foreach (var (e, a) in new[] { (expected.Student, actual.Student), (expected.DistilStudent, actual.DistilStudent),
                     (expected.DistilStudentAll, actual.DistilStudentAll) })
        {
            Assert.Equal(e.Steps, a.Steps);
            Assert.Equal(e.TestLogLikelihood, a.TestLogLikelihood);
            Assert.NotEmpty(a.Steps);
        }
        Assert.Equal(expected.AreaDistil, actual.AreaDistil);
        Assert.Equal(expected.AreaDistilAll, actual.AreaDistilAll);
    }
}
