using Probabilistic.Distill.Vid;
using Probabilistic.Reproduce.Experiments;
using Probabilistic.Reproduce.Experiments.Vid;
using Probabilistic.Reproduce.Running;
using Probabilistic.Sweep;
using Probabilistic.TestSupport;

namespace Probabilistic.Reproduce.Tests;

/// <summary>The <c>vid</c> search's trials as <c>vid/student</c> runs: the numbers of the sequential code (teacher and
/// student trained directly), also with two runs at once sharing the process's teacher.</summary>
public class VidStudentRunTests
{
    [DataFact(RealData.FashionMnist)]
    [Trait(Category.Name, Category.Data)]
    [Trait(Category.Name, Category.Slow)] // loads FashionMNIST and trains a teacher and four students: about 14 s here
    public void Search_trials_as_runs_give_the_curves_of_students_trained_directly()
    {
        var data = new DataCatalog(null, null);
        var plan = new VidStudentRun.Plan(Train: 256, Validation: 128, TeacherEpochs: 1, Test: 128, EvaluateOnTest: false);
        double[][] points = [[.. Enumerable.Range(0, 16).Select(k => k / 16.0)], [.. Enumerable.Range(0, 16).Select(k => 1 - k / 20.0)]];
        const ulong seed = 3;

        var runs = RunService.InProcess(RunBodies.Students(new RunBodyRegistry(), data), jobs: 2);
        RunRequest[] requests = [.. points.Select(p => runs.Request(VidStudentRun.Body, VidStudentRun.Settings("custom", "free", 0.5, 3, p, 1, plan), seed))];
        var metrics = runs.Payloads(requests, CancellationToken.None).Select(VidStudentRun.Read).ToList();

        // The sequential code: the experiment's split, its teacher (seed 1000), one student per trial against it.
        var fashion = data.FashionMnist;
        var train = fashion.Train.Subset(Enumerable.Range(0, 256).ToArray(), "train");
        var validation = fashion.Train.Subset(Enumerable.Range(256, 128).ToArray(), "validation");
        var teacher = VidTraining.Teacher(train, 1, 128, 1e-3, shuffle: false, 1000);
        for (int i = 0; i < points.Length; i++)
        {
            var values = new double[4, 4];
            for (int k = 0; k < 16; k++) values[k / 4, k % 4] = points[i][k];
            var (_, curve) = VidTraining.Student(teacher, new VidSettings(VidPreset.Custom, Lambda: VidLambda.Free(values)), train, validation,
                1, 128, 1e-3, shuffle: false, seed, CancellationToken.None);
            Assert.Equal(curve.Accuracy, metrics[i].AccuracyCurve);
            Assert.Equal(curve.CrossEntropy, metrics[i].CrossEntropyCurve);
        }
        Assert.NotEqual(metrics[0].CrossEntropy, metrics[1].CrossEntropy); // the two λ really differ
    }
}
