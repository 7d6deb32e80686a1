using System.Globalization;
using Probabilistic.Core.Random;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;
using Probabilistic.Nn.Training;

namespace Probabilistic.Bench;

/// <summary>
/// Seconds per training epoch on FashionMNIST (60,000 images) with the <see cref="Trainer"/> the tests use: Adam
/// lr 1e-3, cross-entropy, shuffled minibatches gathered per step. After a warm-up (rounds of W steps, at least 2 s), N epochs are timed; best and
/// median are reported with the peak resident memory (VmHWM) of the process. With <c>--steps S</c> each timed
/// "epoch" runs only S steps and its time is scaled by (steps per epoch)/S — the output says so.
/// bench/torch_epochs.py runs the same protocol in PyTorch; run each model in a fresh process so peaks don't mix.
/// Usage: Bench epochs [--models logistic,mlp,lenet,cnn] [--epochs N] [--steps S] [--warmup W] [--threads T] [--csv FILE]
/// </summary>
internal static class EpochsBench
{
    /// <summary>One benchmarked network: its name, minibatch size, whether it takes [N,1,28,28] images, and its factory.</summary>
    internal sealed record Setting(string Name, int BatchSize, bool Images, Func<Rng, Module> Create);

    /// <summary>The settings, shared with bench/torch_epochs.py (same names, batch sizes; Adam lr <see cref="LearningRate"/>).</summary>
    internal static readonly Setting[] Settings =
    [
        new("logistic", 64, false, rng => Zoo.Logistic(rng)),
        new("mlp", 128, false, rng => Zoo.Mlp784_800_50_10(rng)),
        new("lenet", 64, true, rng => Zoo.LeNet(rng)),
        new("cnn", 64, true, rng => Zoo.Cnn32_64_64(rng)),
    ];

    internal const float LearningRate = 1e-3f;

    /// <summary>Least warm-up time before timing (the same in bench/torch_epochs.py).</summary>
    internal const double WarmupSeconds = 2.0;

    public static int Run(string[] args)
    {
        string[] models = Option(args, "--models")?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? Settings.Select(s => s.Name).ToArray();
        int epochs = int.Parse(Option(args, "--epochs") ?? "3", CultureInfo.InvariantCulture);
        int steps = int.Parse(Option(args, "--steps") ?? "0", CultureInfo.InvariantCulture);
        int warmup = int.Parse(Option(args, "--warmup") ?? "50", CultureInfo.InvariantCulture);
        string? csvPath = Option(args, "--csv");
        if (Option(args, "--threads") is { } threads) Gemm.MaxThreads = int.Parse(threads, CultureInfo.InvariantCulture);
        var unknown = models.Where(m => Settings.All(s => s.Name != m)).ToArray();
        if (unknown.Length > 0 || epochs < 1 || steps < 0 || warmup < 0)
        {
            Console.Error.WriteLine($"epochs: bad options (unknown models: {string.Join(",", unknown)}; epochs {epochs} ≥ 1, steps {steps} ≥ 0, warmup {warmup} ≥ 0 expected). Models: {string.Join(",", Settings.Select(s => s.Name))}");
            return 2;
        }

        var data = FashionMnist.Load();
        var rows = new List<string>();
        Console.WriteLine($"ours: gemm {Gemm.ActiveKernel}, gemm threads {Gemm.MaxThreads}, processors {Environment.ProcessorCount}");
        foreach (var setting in Settings.Where(s => models.Contains(s.Name)))
        {
            var (seconds, stepsTimed, stepsPerEpoch, lastLoss) = TimeEpochs(setting, data.Train, epochs, steps, warmup);
            Array.Sort(seconds);
            double best = seconds[0], median = Median(seconds);
            double peakMiB = PeakResidentMiB();
            string scaled = stepsTimed < stepsPerEpoch ? $" (scaled from {stepsTimed} of {stepsPerEpoch} steps)" : "";
            Console.WriteLine($"{setting.Name,-9} batch {setting.BatchSize,3}: best {best:F3} s/epoch, median {median:F3}{scaled}, " +
                              $"last loss {lastLoss:F3}, peak RSS {peakMiB:F0} MiB");
            rows.Add(string.Join(',', "ours", setting.Name, setting.BatchSize, stepsTimed, stepsPerEpoch, epochs,
                F(best), F(median), F(peakMiB), Gemm.MaxThreads));
        }
        if (csvPath is not null)
        {
            bool header = !File.Exists(csvPath) || new FileInfo(csvPath).Length == 0;
            using var writer = new StreamWriter(csvPath, append: true);
            if (header) writer.WriteLine(CsvHeader);
            foreach (var row in rows) writer.WriteLine(row);
        }
        return 0;
    }

    /// <summary>Columns of the CSV rows, shared with bench/torch_epochs.py.</summary>
    internal const string CsvHeader = "impl,model,batch,steps_timed,steps_per_epoch,epochs,best_s,median_s,peak_rss_mib,threads";

    /// <summary>Warm-up, then <paramref name="epochs"/> timed (possibly partial, then scaled) epochs.</summary>
    private static (double[] Seconds, int StepsTimed, int StepsPerEpoch, double LastLoss) TimeEpochs(
        Setting setting, LabeledDataset train, int epochs, int steps, int warmup)
    {
        var dataset = setting.Images ? train.WithSampleShape(1, FashionMnist.Side, FashionMnist.Side) : train;
        var model = setting.Create(new Rng(1));
        var trainer = new Trainer(model, new Adam(model.Parameters(), LearningRate));
        var loader = new BatchLoader(dataset, setting.BatchSize, seed: 1);
        int stepsTimed = steps == 0 ? loader.BatchCount : Math.Min(steps, loader.BatchCount);
        // Warm-up: rounds of `warmup` steps until WarmupSeconds have passed, so the JIT has tiered up (a fixed 50
        // steps left LeNet ~3x slower than in later epochs).
        var warmupClock = System.Diagnostics.Stopwatch.StartNew();
        while (warmup > 0 && warmupClock.Elapsed.TotalSeconds < WarmupSeconds)
            trainer.Fit(_ => loader.LabelledBatches(0).Take(warmup), 1);
        var seconds = new double[epochs];
        double lastLoss = double.NaN;
        for (int e = 0; e < epochs; e++)
        {
            var report = trainer.Fit(_ => loader.LabelledBatches(e + 1).Take(stepsTimed), 1, stepsPerEpoch: stepsTimed)[0];
            seconds[e] = report.Seconds * loader.BatchCount / stepsTimed;
            lastLoss = report.TrainLoss;
        }
        return (seconds, stepsTimed, loader.BatchCount, lastLoss);
    }

    /// <summary>Peak resident set size of this process (VmHWM in /proc/self/status), MiB; NaN where unavailable.</summary>
    private static double PeakResidentMiB()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return double.NaN;
        foreach (string line in File.ReadLines(path))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        return double.NaN;
    }

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);

    private static string F(double x) => x.ToString("F4", CultureInfo.InvariantCulture);

    private static string? Option(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
