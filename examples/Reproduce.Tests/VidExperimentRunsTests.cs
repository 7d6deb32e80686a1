using Probabilistic.Core.Random;
using Probabilistic.Distill.Search;
using Probabilistic.Distill.Vid;
using Probabilistic.Nn.Models;
using Probabilistic.Reproduce.Experiments;
using Probabilistic.Reproduce.Experiments.Vid;
using Probabilistic.Reproduce.Running;
using Probabilistic.Sweep;
using Probabilistic.TestSupport;

namespace Probabilistic.Reproduce.Tests;

/// <summary>The <c>vid</c> experiment with every student a <c>vid/student</c> run: its tables equal those of the
/// sequential code it replaced (one teacher, the search and every method × seed trained directly in order).</summary>
public class VidExperimentRunsTests
{
    [DataFact(RealData.FashionMnist)]
    [Trait(Category.Name, Category.Data)]
    [Trait(Category.Name, Category.Slow)] // trains two teachers and 32 students on 256 images: tens of seconds here
    public void Experiment_tables_from_runs_equal_students_trained_directly()
    {
        var data = new DataCatalog(null, null);
        var sizes = new VidExperiment.Sizes(Train: 256, Validation: 128, Test: 128, Epochs: 1, TeacherEpochs: 1, Trials: 2, InfoSteps: 6);
        ulong[] seeds = [0, 1];
        var store = new MemoryRunStore();
        var runs = new RunService(new EmbeddedRunExecutor(RunBodies.Students(new RunBodyRegistry(), data), store, new RunPoolOptions { Jobs = 2 }), "test");
        var context = new ExperimentContext("vid", quick: false, seeds, data, TextWriter.Null, CancellationToken.None, runs);
        var result = new VidExperiment(sizes).Run(context);
        Assert.Empty(result.Errors);
        // Every student was a run: the search's 2 trials and 7 methods × 2 seeds.
        Assert.Equal(2 + 7 * 2, store.ListKeysAsync().GetAwaiter().GetResult().Count);

        // The sequential code before the split: the experiment's data split, its teacher (seed 1000), the GP search on
        // the validation images (first seed, search seed 77), then every method and seed in turn on the test images.
        var fashion = data.FashionMnist;
        var train = fashion.Train.Subset(Enumerable.Range(0, 256).ToArray(), "train");
        var validation = fashion.Train.Subset(Enumerable.Range(256, 128).ToArray(), "validation");
        var test = fashion.Test.Subset(Enumerable.Range(0, 128).ToArray(), "test");
        var teacher = VidTraining.Teacher(train, 1, 128, 1e-3, shuffle: false, 1000);
        var search = new CoefficientSearch(SearchSpace.Box(16), new GaussianProcessSampler(), 2, 77, SearchDirection.Maximise);
        var searched = search.Run(trial => VidTraining.Student(teacher, new VidSettings(VidPreset.Custom, Lambda: Lambda(trial.Point.ToArray())),
            train, validation, 1, 128, 1e-3, shuffle: false, 0, CancellationToken.None).Curve.Accuracy[^1]);
        var searchRows = result.Tables.Single(t => t.Name == "search").Rows;
        Assert.Equal(searched.Trials.Select(t => t.Value), searchRows.Select(r => (double)r[1]!));

        var methods = new (string Row, VidSettings Settings)[]
        {
            ("none", new VidSettings(VidPreset.None)),
            ("hinton", new VidSettings(VidPreset.Hinton)),
            ("pairwise", new VidSettings(VidPreset.Pairwise)),
            ("all", new VidSettings(VidPreset.All, Form: VidLambdaForm.Free)),
            ("all (column-stochastic)", new VidSettings(VidPreset.All, Form: VidLambdaForm.ColumnStochastic)),
            ("random", new VidSettings(VidPreset.Random, Form: VidLambdaForm.Free)),
            ("search", new VidSettings(VidPreset.Custom, Lambda: Lambda(searched.Best.Trial.Point.ToArray()))),
        };
        var rows = result.Tables.Single(t => t.Name == "fmnist").Rows;
        Assert.Equal(methods.Length, rows.Count);
        FeatureClassifier? allStudent = null;
        for (int m = 0; m < methods.Length; m++)
        {
            var (row, settings) = methods[m];
            var accuracies = new List<double>();
            var entropies = new List<double>();
            foreach (ulong seed in seeds)
            {
                var s = settings.Preset == VidPreset.Random ? settings with { LambdaSeed = seed + 1 } : settings;
                var (student, curve) = VidTraining.Student(teacher, s, train, test, 1, 128, 1e-3, shuffle: false, seed, CancellationToken.None);
                accuracies.Add(curve.Accuracy[^1]);
                entropies.Add(curve.CrossEntropy[^1]);
                if (row == "all" && seed == 0) allStudent = student;
            }
            Assert.Equal(row, rows[m][0]);
            Assert.Equal(accuracies.Average(), (double)rows[m][1]!);
            Assert.Equal(entropies.Average(), (double)rows[m][3]!);
        }
        // The random preset's λ is drawn from each seed: its row is not the free all row.
        Assert.NotEqual((double)rows[3][3]!, (double)rows[5][3]!);

        // The information picture: the probe on the untrained and the trained all student of the first seed.
        var before = VidTraining.ConnectionNll(teacher, Zoo.VeryTinyCnn(new Rng(0)), train, test, 6, 128, 3e-2, 4242);
        var after = VidTraining.ConnectionNll(teacher, allStudent!, train, test, 6, 128, 3e-2, 4242);
        var info = result.Tables.Single(t => t.Name == "information").Rows;
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
            {
                Assert.Equal(before[i, j], (double)info[i][1 + j]!);
                Assert.Equal(after[i, j], (double)info[i][5 + j]!);
            }
    }

    private static VidLambda Lambda(double[] point)
    {
        var values = new double[4, 4];
        for (int k = 0; k < 16; k++) values[k / 4, k % 4] = point[k];
        return VidLambda.Free(values);
    }
}
