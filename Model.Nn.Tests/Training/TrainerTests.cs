using Probabilistic.Core.Random;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Training;

namespace Probabilistic.Nn.Tests.Training;

public class TrainerTests
{
    /// <summary>Three Gaussian blobs in 8 dimensions with well separated means (a problem any classifier solves).</summary>
    private static (float[] X, int[] Y) Blobs(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[n * 8];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = rng.NextInt(3);
            for (int d = 0; d < 8; d++) x[i * 8 + d] = (float)(rng.Normal() * 0.5 + (d % 3 == y[i] ? 2.0 : 0.0));
        }
        return (x, y);
    }

    [Fact]
    public void MlpLearnsSeparableBlobsAndReportsMetrics()
    {
        var (x, y) = Blobs(600, 1);
        var (vx, vy) = Blobs(300, 2);
        var model = new Mlp(new Rng(3), 8, 16, 3);
        var train = new BatchLoader(new LabeledDataset("blobs", x, [8], y, 3), 32, seed: 4);
        var valid = new BatchLoader(new LabeledDataset("blobs-valid", vx, [8], vy, 3), 100, seed: 0, shuffle: false);
        var trainer = new Trainer(model, new Adam(model.Parameters(), 0.01));
        var reports = trainer.Fit(e => train.LabelledBatches(e - 1), 5, () => valid.LabelledBatches(0), train.BatchCount);
        Assert.Equal(5, reports.Count);
        Assert.Equal(19, reports[0].Steps);
        Assert.True(reports[^1].TrainLoss < reports[0].TrainLoss);
        var v = reports[^1].Validation!;
        Assert.True(v.Accuracy > 0.95, $"validation accuracy {v.Accuracy}");
        Assert.InRange(v.ExpectedCalibrationError, 0, 0.2);
        Assert.InRange(v.Brier, 0, 0.2);
        Assert.True(model.IsTraining, "evaluation restores training mode");
    }

    [Fact]
    public void SameSeedGivesBitwiseIdenticalLossCurves()
    {
        float[] Run()
        {
            var rng = new Rng(11);
            var (x, y) = (new float[256 * 784], new int[256]);
            for (int i = 0; i < x.Length; i++) x[i] = rng.NextFloat();
            for (int i = 0; i < y.Length; i++) y[i] = rng.NextInt(10);
            var model = Zoo.LeNet(new Rng(12));
            var batches = new BatchLoader(new LabeledDataset("noise", x, [1, 28, 28], y, 10), 32, seed: 13);
            var reports = new Trainer(model, new Adam(model.Parameters(), 3e-3)).Fit(e => batches.LabelledBatches(e - 1), 2);
            return reports.SelectMany(r => r.StepLosses).ToArray();
        }
        var a = Run();
        var b = Run();
        Assert.Equal(16, a.Length);
        Assert.Equal(a.Select(BitConverter.SingleToInt32Bits), b.Select(BitConverter.SingleToInt32Bits));
        Assert.NotEqual(a[0], a[^1]);
    }

    [Fact]
    public void NonFiniteLossStopsTrainingNamingTheStepAndTensor()
    {
        var (x, y) = Blobs(64, 5);
        x[40 * 8 + 3] = float.NaN; // example 40 lands in the second batch of 32
        var model = new Mlp(new Rng(6), 8, 3);
        var batches = new BatchLoader(new LabeledDataset("blobs", x, [8], y, 3), 32, seed: 0, shuffle: false);
        var e = Assert.Throws<NonFiniteLossException>(() => new Trainer(model, new Sgd(model.Parameters(), 0.1)).Fit(e => batches.LabelledBatches(e - 1), 1));
        Assert.Equal(1, e.Epoch);
        Assert.Equal(2, e.Step);
        Assert.Contains("model output", e.Message);
    }

    [Fact]
    public void CallbacksSeeEveryStepAndEpoch()
    {
        var (x, y) = Blobs(100, 7);
        var model = new Mlp(new Rng(8), 8, 3);
        var batches = new BatchLoader(new LabeledDataset("blobs", x, [8], y, 3), 25, seed: 1);
        var counter = new Counter();
        var log = new StringWriter();
        var trainer = new Trainer(model, new Sgd(model.Parameters(), 0.1));
        trainer.Callbacks.Add(counter);
        trainer.Callbacks.Add(new EpochLog(log));
        trainer.Callbacks.Add(new ProgressBar());
        trainer.Fit(e => batches.LabelledBatches(e - 1), 2, stepsPerEpoch: 4);
        Assert.Equal((2, 8, 2), (counter.Starts, counter.Steps, counter.Ends));
        Assert.Contains("epoch 2: loss", log.ToString());
    }

    private sealed class Counter : TrainingCallback
    {
        public int Starts, Steps, Ends;
        public override void OnEpochStart(int epoch, int epochs, int steps) => Starts++;
        public override void OnStep(int epoch, int step, float loss) => Steps++;
        public override void OnEpochEnd(EpochReport report) => Ends++;
    }
}
