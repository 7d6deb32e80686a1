using Probabilistic.Nn.Data;
using Probabilistic.Reproduce.Experiments;
using Probabilistic.Reproduce.Experiments.DarkKnowledge;
using Probabilistic.Reproduce.Running;
using Probabilistic.Sweep;
using Probabilistic.TestSupport;

namespace Probabilistic.Reproduce.Tests;

/// <summary>The <c>bdk</c> classification seeds as <c>bdk/classification-seed</c> runs (two at once, back through
/// their JSON payloads): the numbers of the sequential code (the quick subsets and the per-seed functions called
/// directly), exactly.</summary>
public class DarkKnowledgeSeedRunsTests
{
    [DataFact(RealData.MnistDigits)]
    [Trait(Category.Name, Category.Data)]
    [Trait(Category.Name, Category.Slow)] // two seeds of 200 SGLD iterations and 200 SGD steps on 784-400-400-10
    public void Classification_seed_runs_give_the_numbers_of_the_sequential_code()
    {
        var data = new DataCatalog(null, null);
        ulong[] seeds = [0, 1];
        var runs = RunService.InProcess(RunBodies.Students(new RunBodyRegistry(), data), jobs: 2);
        RunRequest[] requests = [.. seeds.Select(s => DarkKnowledgeClassification.Request(runs, "mnist", quick: true, s))];
        var results = runs.Payloads(requests, CancellationToken.None).Select(DarkKnowledgeClassification.Read).ToList();

        // The experiment's former preparation (random subsets of the quick sizes) and its per-seed calls.
        var sizes = DarkKnowledgeClassification.Sizes.Quick;
        var (train, test) = MnistDigits.TrainTestSplit(data.MnistDigitsAll);
        test = test.Subset(Splits.Random(test.Count, sizes.TestLimit, 1).Taken);
        train = train.Subset(Splits.Random(train.Count, sizes.TrainLimit, 2).Taken);
        for (int i = 0; i < seeds.Length; i++)
        {
            var distilled = DarkKnowledgeClassification.Distil("mnist", train, test, sizes, seeds[i]);
            var sgd = DarkKnowledgeClassification.Sgd("mnist", train, test, sizes, seeds[i]);
            var (actual, actualSgd) = results[i];
            Assert.Equal(sgd, actualSgd);
            Assert.Equal(distilled.Ensemble, actual.Ensemble);
            Assert.Equal(distilled.EarlyEnsemble, actual.EarlyEnsemble);
            Assert.Equal(distilled.Student, actual.Student);
            Assert.Equal((distilled.Samples, distilled.EarlySamples, distilled.Parameters), (actual.Samples, actual.EarlySamples, actual.Parameters));
            Assert.Equal(distilled.Curve, actual.Curve);
            Assert.NotEmpty(actual.Curve);
        }
        Assert.NotEqual(results[0].Sgd, results[1].Sgd); // the seeds really differ
    }
}
