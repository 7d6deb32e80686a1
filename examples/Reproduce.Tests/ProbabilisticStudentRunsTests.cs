using Probabilistic.Distill.Output;
using Probabilistic.Nn.Models;
using Probabilistic.Reproduce.Experiments;
using Probabilistic.Reproduce.Running;
using Probabilistic.Sweep;
using Probabilistic.TestSupport;

namespace Probabilistic.Reproduce.Tests;

/// <summary>
/// The <c>probabilistic</c> and <c>ablation</c> students as runs (<c>probabilistic/student</c> with detail,
/// <c>probabilistic/fashion-student</c>), two at a time in one process: every number the tables and curves read
/// (final metrics, test probabilities, per-epoch validation) equals, exactly, that of the student trained directly the
/// sequential way (<see cref="ProbabilisticExperiments.TrainStudent"/> against a teacher trained here).
/// </summary>
public class ProbabilisticStudentRunsTests
{
    private static void AssertSame(StudentOutcome expected, StudentOutcome actual)
    {
        Assert.Equal(expected.Metrics, actual.Metrics);
        Assert.Equal(expected.TestProbabilities, actual.TestProbabilities);
        Assert.Equal(expected.Epochs.Count, actual.Epochs.Count);
        for (int e = 0; e < expected.Epochs.Count; e++)
        {
            Assert.Equal(expected.Epochs[e].Epoch, actual.Epochs[e].Epoch);
            Assert.Equal(expected.Epochs[e].TrainLoss, actual.Epochs[e].TrainLoss);
            Assert.Equal(expected.Epochs[e].Validation, actual.Epochs[e].Validation);
        }
    }

    [Fact]
    [Trait(Category.Name, Category.Slow)] // six students, the corrected mode's normaliser among them: 3–8 s on the loaded machine here
    public void Synthetic_students_as_runs_give_the_outcomes_of_students_trained_directly()
    {
        var data = new DataCatalog(null, null);
        var runs = RunService.InProcess(RunBodies.Students(new RunBodyRegistry(), data), jobs: 2);
        const double t = 10, lambda = 0.75;
        const int epochs = 2;
        (string Method, ulong Seed)[] students = [("ml", 0), ("probabilistic-corrected", 1), ("probabilistic-paper", 2)];
        var outcomes = runs.Payloads([.. students.Select(s => ProbabilisticStudentRun.Request(runs, s.Method, t, lambda, epochs, s.Seed, detail: true))],
            CancellationToken.None).Select(ProbabilisticStudentRun.ReadOutcome).ToList();

        // The synthetic table's sequential code: normaliser on for the corrected mode only, RealCE against T = 10.
        var set = data.SyntheticClassification;
        float[] soft = set.SoftLabels(set.Train, t), trueTest = set.SoftLabels(set.Test, t);
        for (int i = 0; i < students.Length; i++)
        {
            var settings = new DistillationSettings(lambda, TeacherTemperature: t, StudentTemperature: 1) { IncludeNormalizer = students[i].Method == "probabilistic-corrected" };
            var direct = ProbabilisticExperiments.TrainStudent(set.Train, set.Test, rng => Zoo.Logistic(rng, 10, 3), students[i].Method, settings, soft,
                ProbabilisticExperiments.All(set.Train.Count), epochs, students[i].Seed, trueTest, trackEpochs: true);
            Assert.Equal(epochs, direct.Epochs.Count);
            Assert.False(double.IsNaN(direct.Metrics.RealCrossEntropy));
            AssertSame(direct, outcomes[i].Outcome);
            Assert.True(outcomes[i].Seconds >= 0);
        }
        Assert.NotEqual(outcomes[0].Outcome.Metrics.CrossEntropy, outcomes[1].Outcome.Metrics.CrossEntropy);
    }

    [Fact]
    public void A_synthetic_run_without_detail_keeps_the_sweeps_settings_and_payload()
    {
        var runs = RunService.InProcess(RunBodies.Students(new RunBodyRegistry(), new DataCatalog(null, null)));
        var plain = ProbabilisticStudentRun.Request(runs, "probabilistic-paper", 2, 0.5, 2, 0);
        Assert.Equal(new[] { "method", "T", "lambda", "epochs" }, plain.Configuration.Select(s => s.Name));
        string payload = runs.Payloads([plain], CancellationToken.None)[0];
        Assert.DoesNotContain("probabilities", payload);
        var (outcome, _) = ProbabilisticStudentRun.ReadOutcome(payload);
        Assert.Empty(outcome.Epochs);
        Assert.Equal(ProbabilisticStudentRun.Read(payload).CrossEntropy, outcome.Metrics.CrossEntropy);
    }

    [DataFact(RealData.FashionMnist)]
    [Trait(Category.Name, Category.Data)]
    [Trait(Category.Name, Category.Slow)] // loads FashionMNIST, trains a teacher and five small students twice
    public void Fashion_students_as_runs_give_the_outcomes_of_students_trained_directly()
    {
        var data = new DataCatalog(null, null);
        var runs = RunService.InProcess(RunBodies.Students(new RunBodyRegistry(), data), jobs: 2);
        const int subset = 300, teacherEpochs = 1, epochs = 2;
        var reference = new DistillationSettings(0.25, TeacherTemperature: 2, StudentTemperature: 2);
        // The probabilistic tables (with curves), a privileged-information student, and ablation students (two more temperatures at once).
        (FashionStudent Student, ulong Seed)[] students =
        [
            (new FashionStudent("probabilistic-paper", reference, epochs, teacherEpochs, subset, Detail: true), 0),
            (new FashionStudent("probabilistic-corrected", reference, epochs, teacherEpochs, subset, Detail: true), 1),
            (new FashionStudent("probabilistic-paper", reference, epochs, teacherEpochs, subset, Downsample: true, IndexFraction: 0.5, IndexSeed: 101), 1),
            (new FashionStudent("probabilistic-paper", reference with { IncludeNormalizer = false, ClampEpsilon = 1e-3, StudentTemperature = 1, TeacherTemperature = 4, Lambda = 0.75 },
                epochs, teacherEpochs, subset), 2),
            (new FashionStudent("hinton", reference with { TeacherTemperature = 1, StudentTemperature = 1 }, epochs, teacherEpochs, subset), 0),
        ];
        var outcomes = runs.Payloads([.. students.Select(s => FashionStudentRun.Request(runs, s.Student, s.Seed))], CancellationToken.None)
            .Select(FashionStudentRun.Read).ToList();

        // The sequential code: the teacher (seed 0) on the first images, its soft labels, each student in turn.
        var fashion = data.FashionMnist;
        var train = fashion.Train.Subset(Enumerable.Range(0, subset).ToArray(), "train");
        var teacher = ProbabilisticExperiments.TrainTeacher(train, teacherEpochs, seed: 0);
        var small = ProbabilisticExperiments.Downsample2x(train);
        var smallTest = ProbabilisticExperiments.Downsample2x(fashion.Test);
        for (int i = 0; i < students.Length; i++)
        {
            var (s, seed) = students[i];
            float[] soft = DistillationTraining.TeacherProbabilities(teacher, train, s.Distillation.TeacherTemperature);
            var direct = s.Downsample
                ? ProbabilisticExperiments.TrainStudent(small, smallTest, rng => Zoo.Logistic(rng, small.FeatureSize), s.Method, s.Distillation, soft,
                    DistillationTraining.RandomIndexSet(small.Count, 0.5, 101), epochs, seed)
                : ProbabilisticExperiments.TrainStudent(train, fashion.Test, rng => Zoo.Logistic(rng), s.Method, s.Distillation, soft,
                    ProbabilisticExperiments.All(train.Count), epochs, seed, trackEpochs: s.Detail);
            AssertSame(direct, s.Detail ? outcomes[i].Outcome : outcomes[i].Outcome with { TestProbabilities = direct.TestProbabilities, Epochs = direct.Epochs });
            if (!s.Detail) Assert.Empty(outcomes[i].Outcome.TestProbabilities);
        }
        Assert.Equal(epochs, outcomes[0].Outcome.Epochs.Count);
        Assert.Equal(fashion.Test.Count * 10, outcomes[1].Outcome.TestProbabilities.Length);
        Assert.NotEqual(outcomes[0].Outcome.Metrics.CrossEntropy, outcomes[3].Outcome.Metrics.CrossEntropy);
    }

    [Fact]
    public void A_fashion_run_refuses_settings_it_cannot_carry()
    {
        var student = new FashionStudent("probabilistic-paper", new DistillationSettings(0.25) { Precision = 2 }, 1, 1, 10);
        var e = Assert.Throws<ArgumentException>(() => FashionStudentRun.Settings(student));
        Assert.Contains("FashionStudentRun.Settings", e.Message);
    }
}
