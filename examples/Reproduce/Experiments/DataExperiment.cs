using System.Numerics.Tensors;
using Probabilistic.Nn.Data;
using Probabilistic.Reproduce.Results;

namespace Probabilistic.Reproduce.Experiments;

/// <summary>
/// The <c>data</c> experiment: loads or generates every data set the reproductions use and reports, per split, its
/// size, sample shape, class balance and moments. It is the check that the data layer sees what the papers saw
/// (60,000/10,000 FashionMNIST with 6,000/1,000 per class, the numpy-seeded synthetic sets, ...). A missing real
/// data set becomes a "missing" row and a note naming the set-up command; a corrupt one a "corrupt" row and an error
/// (the run then fails); the rest still runs.
/// </summary>
public sealed class DataExperiment : IExperiment
{
    public string Name => "data";

    public string Description => "Per-split counts, class balance and moments of every data set (FashionMNIST, MNIST digits, synthetic sets)";

    public int DefaultSeedCount => 1;

    private const int BigSmallSmallCount = 1000;

    public ExperimentResult Run(ExperimentContext context)
    {
        var result = new ExperimentResult();
        result.Config["fashion_mnist_big_small"] = new Dictionary<string, object?>
        {
            ["small_count"] = BigSmallSmallCount, ["seed"] = FashionMnist.BigSmallSeed, ["stratified"] = false,
        };
        result.Config["mnist_digits_split"] = new Dictionary<string, object?>
        {
            ["test_fraction"] = MnistDigits.DefaultTestFraction, ["seed"] = MnistDigits.DefaultSplitSeed, ["stratified"] = true,
        };
        result.Config["synthetic_classification"] = "numpy seed 0: W = randn(10,3), X = randn(1000,10), y ~ Cat(softmax(xW)); test likewise";
        result.Config["synthetic_regression"] = "numpy seed 0: X = randn(1024,10), w = randn(10), y = Xw + 0.1 randn(1024); train rows 0..899";
        result.Config["two_moons"] = new Dictionary<string, object?>
        {
            ["count"] = TwoMoons.DefaultCount, ["noise"] = TwoMoons.DefaultNoise, ["seed"] = 0,
        };
        result.Config["welling_teh"] = new Dictionary<string, object?>
        {
            ["count"] = 100, ["theta"] = new[] { 0.0, 1.0 }, ["seed"] = WellingTehMixture.DefaultSeed,
        };

        ResultTable splits = result.AddTable("splits", "Data sets: size, shape, class balance, moments (x = features, y = regression target)",
            "data set", "split", "n", "shape", "classes", "min class n", "max class n", "x mean", "x std", "y mean", "y std", "status");
        ResultTable classes = result.AddTable("class_counts", "Samples per class",
            ["data set", "split", "n", .. Enumerable.Range(0, 10).Select(c => c.ToString())]);

        void AddLabeled(string set, string split, LabeledDataset d)
        {
            int[] counts = d.ClassCounts();
            var (mean, std) = Moments(d.Features, d.FeatureSize);
            splits.AddRow(set, split, d.Count, Shape(d.SampleShape), d.ClassCount, counts.Min(), counts.Max(), mean, std, null, null, "ok");
            classes.AddRow([set, split, d.Count, .. Enumerable.Range(0, 10).Select(c => c < counts.Length ? (object?)counts[c] : null)]);
        }
        // A missing set is expected on a bare machine (a note); a corrupt one is a failure (an error), but either
        // way the other sets are still reported.
        void AddUnavailable(string set, IEnumerable<string> splitNames, Exception e)
        {
            bool missing = e is DataNotFoundException;
            context.Status($"{set} {(missing ? "missing" : "corrupt")}: {e.Message}");
            (missing ? result.Notes : result.Errors).Add(e.Message);
            foreach (string split in splitNames)
                splits.AddRow(set, split, null, null, null, null, null, null, null, null, null, missing ? "missing" : "corrupt");
        }

        try
        {
            FashionMnist fashion = context.Time("load FashionMNIST", () => context.Data.FashionMnist);
            var (big, small) = context.Time("split FashionMNIST Big/Small", () => FashionMnist.BigSmall(fashion.Train, BigSmallSmallCount));
            AddLabeled("FashionMNIST", "train", fashion.Train);
            AddLabeled("FashionMNIST", "test", fashion.Test);
            AddLabeled("FashionMNIST", "big", big);
            AddLabeled("FashionMNIST", "small", small);
        }
        catch (Exception e) when (e is DataNotFoundException or DataFormatException)
        {
            AddUnavailable("FashionMNIST", ["train", "test", "big", "small"], e);
        }

        try
        {
            LabeledDataset digits = context.Time("load MNIST digits", () => context.Data.MnistDigitsAll);
            var (train, test) = MnistDigits.TrainTestSplit(digits);
            AddLabeled("MNIST digits", "all", digits);
            AddLabeled("MNIST digits", "train", train);
            AddLabeled("MNIST digits", "test", test);
        }
        catch (Exception e) when (e is DataNotFoundException or DataFormatException)
        {
            AddUnavailable("MNIST digits", ["all", "train", "test"], e);
        }

        SyntheticClassification synthetic = context.Time("generate synthetic classification", () => context.Data.SyntheticClassification);
        AddLabeled("synthetic classification", "train", synthetic.Train);
        AddLabeled("synthetic classification", "test", synthetic.Test);

        SyntheticRegression regression = context.Time("generate synthetic regression", () => context.Data.SyntheticRegression);
        foreach (var (split, d) in new[] { ("train", regression.Train), ("test", regression.Test) })
        {
            var (xMean, xStd) = Moments(d.Features, d.FeatureSize);
            var (yMean, yStd) = d.TargetMoments();
            splits.AddRow("synthetic regression", split, d.Count, Shape(d.SampleShape), null, null, null, xMean, xStd, yMean, yStd, "ok");
        }

        LabeledDataset moons = context.Time("generate two moons", () => TwoMoons.Generate());
        AddLabeled("two moons (2-D toy)", "all", moons);

        WellingTehMixture toy = context.Time("generate Welling-Teh mixture", () => WellingTehMixture.Generate());
        var (toyMean, toyStd) = Moments(Array.ConvertAll(toy.Data, v => (float)v), 1);
        splits.AddRow("Welling-Teh mixture", "all", toy.Data.Length, "[1]", null, null, null, toyMean, toyStd, null, null, "ok");
        return result;
    }

    private static string Shape(int[] shape) => $"[{string.Join(",", shape)}]";

    /// <summary>Mean and population std of all values, accumulated in double one row at a time.</summary>
    private static (double Mean, double Std) Moments(float[] values, int rowLength)
    {
        if (values.Length == 0) return (double.NaN, double.NaN);
        double sum = 0, sumSquares = 0;
        for (int start = 0; start < values.Length; start += rowLength)
        {
            ReadOnlySpan<float> row = values.AsSpan(start, Math.Min(rowLength, values.Length - start));
            sum += TensorPrimitives.Sum(row);
            sumSquares += TensorPrimitives.SumOfSquares(row);
        }
        double mean = sum / values.Length;
        return (mean, Math.Sqrt(Math.Max(0, sumSquares / values.Length - mean * mean)));
    }
}
