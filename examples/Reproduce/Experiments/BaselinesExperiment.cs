using Probabilistic.Core.Random;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Training;
using Probabilistic.Plots;
using Probabilistic.Reproduce.Results;
using static Probabilistic.Reproduce.Results.SeedStatistics;

namespace Probabilistic.Reproduce.Experiments;

/// <summary>
/// The <c>baselines</c> experiment: the networks every method builds on, trained by Model.Nn on the real
/// FashionMNIST at the settings of the core's acceptance criteria (logistic regression 784→10 and the MLP
/// 784-800-50-10 for 10 epochs, the seed's LeNet-like teacher for 20; Adam lr 1e-3, cross-entropy), evaluated on the
/// 10,000 test images after every epoch. Tables give mean ± sd over seeds beside the targets; a figure shows the test
/// accuracy per epoch.
/// </summary>
public sealed class BaselinesExperiment : IExperiment
{
    public string Name => "baselines";

    public string Description => "Model.Nn on real FashionMNIST: logistic, MLP 784-800-50-10 and the LeNet-like teacher (test accuracy, CE, ECE, Brier)";

    public int DefaultSeedCount => 3;

    /// <summary>One baseline: its network, minibatch size, full-run epochs and the accuracy it must reach (null: report only).</summary>
    private sealed record Baseline(string Name, string Architecture, Func<Rng, Module> Create, bool Images, int BatchSize, int Epochs, double? TargetAccuracy);

    private static readonly Baseline[] Baselines =
    [
        new("logistic", "784→10", rng => Zoo.Logistic(rng), false, 64, 10, 0.835),
        new("mlp", "784-800-50-10 ReLU", rng => Zoo.Mlp784_800_50_10(rng), false, 128, 10, 0.88),
        new("lenet", "conv 1→3 5×5, pool, conv 3→9 5×5, pool, 144-120-84-10", rng => Zoo.LeNet(rng), true, 64, 20, null),
    ];

    private const float LearningRate = 1e-3f;

    /// <summary>Epochs of a quick (smoke) run, for every baseline.</summary>
    private const int QuickEpochs = 1;

    public ExperimentResult Run(ExperimentContext context)
    {
        var result = new ExperimentResult();
        if (context.Quick)
        {
            const string quick = "QUICK RUN: one epoch per network; the numbers are a smoke test, not the acceptance run.";
            context.Status(quick);
            result.Notes.Add(quick);
        }
        result.Config["optimizer"] = $"Adam lr {LearningRate}, PyTorch default initialisation, cross-entropy";
        result.Config["baselines"] = Baselines.Select(b => new Dictionary<string, object?>
        {
            ["name"] = b.Name, ["architecture"] = b.Architecture, ["batch"] = b.BatchSize,
            ["epochs"] = context.Quick ? QuickEpochs : b.Epochs, ["target_accuracy"] = b.TargetAccuracy,
        }).ToList();

        var summary = result.AddTable("summary", $"FashionMNIST test set after the last epoch, mean ± sd over {context.Seeds.Count} seeds",
            "model", "batch", "epochs", "runs", "accuracy", "acc sd", "target", "verdict", "test CE", "CE sd", "ECE", "Brier", "s/epoch");
        var perSeed = result.AddTable("runs", "Every run: test metrics after the last epoch",
            "model", "seed", "accuracy", "test CE", "ECE", "Brier", "train loss", "s/epoch");

        if (context.FashionMnistOrNote(result) is not { } data)
        {
            foreach (var b in Baselines) summary.AddRow(b.Name, b.BatchSize, null, 0, null, null, b.TargetAccuracy, "missing data", null, null, null, null, null);
            return result;
        }

        var figure = new Figure("FashionMNIST test accuracy per epoch (mean ± sd over seeds)", 900, 500);
        var axes = figure.Axes(xLabel: "epoch", yLabel: "test accuracy");
        foreach (var baseline in Baselines)
        {
            int epochs = context.Quick ? QuickEpochs : baseline.Epochs;
            var runs = context.Seeds.Select(seed => context.Time($"{baseline.Name} seed {seed}",
                () => Train(context, baseline, data, epochs, seed))).ToList();
            foreach (var (seed, reports) in context.Seeds.Zip(runs))
            {
                var last = reports[^1];
                perSeed.AddRow(baseline.Name, seed, last.Validation!.Accuracy, last.Validation.CrossEntropy,
                    last.Validation.ExpectedCalibrationError, last.Validation.Brier, last.TrainLoss, reports.Average(r => r.Seconds));
            }
            List<double> Final(Func<EvaluationReport, double> metric) => runs.Select(r => metric(r[^1].Validation!)).ToList();
            var accuracy = Final(v => v.Accuracy);
            var crossEntropy = Final(v => v.CrossEntropy);
            string verdict = baseline.TargetAccuracy is not { } target ? "report"
                : context.Quick ? "quick run (not judged)"
                : accuracy.Average() >= target ? "meets" : "misses";
            summary.AddRow(baseline.Name, baseline.BatchSize, epochs, runs.Count, accuracy.Average(), StandardDeviation(accuracy),
                baseline.TargetAccuracy, verdict, crossEntropy.Average(), StandardDeviation(crossEntropy),
                Final(v => v.ExpectedCalibrationError).Average(), Final(v => v.Brier).Average(), runs.Average(r => r.Average(e => e.Seconds)));

            double[] x = Enumerable.Range(1, epochs).Select(e => (double)e).ToArray();
            double[] mean = new double[epochs], sd = new double[epochs];
            for (int e = 0; e < epochs; e++)
            {
                var values = runs.Select(r => r[e].Validation!.Accuracy).ToList();
                mean[e] = values.Average();
                sd[e] = StandardDeviation(values);
            }
            axes.MeanBand(x, mean, sd, baseline.Name, markers: true);
            context.Status($"{baseline.Name}: test accuracy {accuracy.Average():F4} ± {StandardDeviation(accuracy):F4} over {runs.Count} seeds");
        }
        result.Figures["test_accuracy"] = figure;
        return result;
    }

    /// <summary>Trains one baseline from seed <paramref name="seed"/>, evaluating on the test set after every epoch.</summary>
    private static List<EpochReport> Train(ExperimentContext context, Baseline baseline, FashionMnist data, int epochs, ulong seed)
    {
        var rng = new Rng(seed);
        var model = baseline.Create(rng);
        LabeledDataset train = baseline.Images ? data.Train.WithSampleShape(1, FashionMnist.Side, FashionMnist.Side) : data.Train;
        LabeledDataset test = baseline.Images ? data.Test.WithSampleShape(1, FashionMnist.Side, FashionMnist.Side) : data.Test;
        var loader = new BatchLoader(train, baseline.BatchSize, rng.NextUInt64());
        var testLoader = new BatchLoader(test, 1000, seed: 0, shuffle: false);
        var trainer = new Trainer(model, new Adam(model.Parameters(), LearningRate));
        trainer.Callbacks.Add(new StatusEachEpoch(context, $"{baseline.Name} seed {seed}"));
        return trainer.Fit(e => loader.LabelledBatches(e - 1), epochs, () => testLoader.LabelledBatches(0), loader.BatchCount);
    }
}
