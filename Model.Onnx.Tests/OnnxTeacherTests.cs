using Probabilistic.Core.Random;
using Probabilistic.Distill.Teachers;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Tensors;
using Probabilistic.TestSupport;

namespace Probabilistic.Onnx.Tests;

public class OnnxTeacherTests
{
    private static Tensor RandomBatch(int batch, ulong seed) => Tensor.Normal(new Rng(seed), 0f, 1f, batch, 1, 12, 12);

    private static float MaxAbsDiff(Tensor a, Tensor b)
    {
        Assert.Equal(a.Shape.ToArray(), b.Shape.ToArray());
        float max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a.Span[i] - b.Span[i]));
        return max;
    }

    [Fact]
    public void LogitsAndFeaturesMatchTheModelNnTwinLoadedFromTheStateDict()
    {
        var twin = TinyAssets.Twin();
        ParameterIO.LoadNpz(twin, TinyAssets.State);
        using var nn = new ModuleTeacher(twin, TinyAssets.InputShape);
        using var onnx = new OnnxTeacher(TinyAssets.Onnx, new OnnxTeacherOptions { Features = [TinyAssets.FeatureMap[0].Onnx, TinyAssets.FeatureMap[1].Onnx] });

        Assert.Equal(TinyAssets.InputShape, onnx.InputShape);
        Assert.Equal("input", onnx.InputName);
        Assert.Equal("logits", onnx.LogitsOutput);
        // Two batches of one size (the second runs on the learned output shapes) and one of another size.
        foreach (var (batch, seed) in new[] { (5, 11UL), (5, 12UL), (3, 13UL) })
        {
            var x = RandomBatch(batch, seed);
            var expected = nn.Run(x, [.. TinyAssets.FeatureMap.Select(m => m.Nn)]);
            var got = onnx.Run(x, [.. TinyAssets.FeatureMap.Select(m => m.Onnx)]);
            Assert.Equal([batch, 10], got.Logits.Shape.ToArray());
            Assert.True(MaxAbsDiff(expected.Logits, got.Logits) <= 1e-5f, $"logits differ by {MaxAbsDiff(expected.Logits, got.Logits)}");
            for (int f = 0; f < TinyAssets.FeatureMap.Length; f++)
            {
                float d = MaxAbsDiff(expected.Features[f], got.Features[f]);
                Assert.True(d <= 1e-5f, $"{TinyAssets.FeatureMap[f].Onnx} differs from {TinyAssets.FeatureMap[f].Nn} by {d}");
            }
        }
        // The logits are not trivially small (the comparison means something).
        Assert.True(onnx.Logits(RandomBatch(4, 14)).Span.ToArray().Max(Math.Abs) > 0.05f);
        // The third feature was not declared: asking for it added it as an output.
        Assert.Contains(TinyAssets.FeatureMap[2].Onnx, onnx.ExposedFeatures);
    }

    [Fact]
    public void FlatRowsAndNormalisationAreAppliedBeforeTheGraph()
    {
        var twin = TinyAssets.Twin();
        ParameterIO.LoadNpz(twin, TinyAssets.State);
        var norm = new InputNormalisation([0.3f], [2f]);
        using var onnx = new OnnxTeacher(TinyAssets.Onnx, new OnnxTeacherOptions { Normalisation = norm, IntraOpThreads = 1, Name = "tiny" });
        var x = RandomBatch(4, 21);
        var flat = new Tensor(x.ToArray(), 4, 144);
        var standardised = Tensor.FromArray(x.Span.ToArray().Select(v => (v - 0.3f) / 2f).ToArray(), 4, 1, 12, 12);
        twin.Eval();
        var expected = twin.Forward(standardised);
        Assert.True(MaxAbsDiff(expected, onnx.Logits(flat)) <= 1e-5f);
        Assert.Equal("tiny", onnx.Name);
    }

    [Fact]
    public void CorruptFilesAreRejectedNamingTheFile()
    {
        string dir = Directory.CreateTempSubdirectory("onnx-tests").FullName;
        try
        {
            string junk = Path.Combine(dir, "junk.onnx");
            File.WriteAllBytes(junk, [.. Enumerable.Range(0, 300).Select(i => (byte)(i * 37 + 11))]);
            var e1 = Assert.Throws<InvalidDataException>(() => new OnnxTeacher(junk));
            Assert.Contains(junk, e1.Message);

            string truncated = Path.Combine(dir, "truncated.onnx");
            var bytes = File.ReadAllBytes(TinyAssets.Onnx);
            File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
            var e2 = Assert.Throws<InvalidDataException>(() => new OnnxTeacher(truncated));
            Assert.Contains(truncated, e2.Message);

            string text = Path.Combine(dir, "text.onnx");
            File.WriteAllText(text, "this is not a model\n");
            var e3 = Assert.Throws<InvalidDataException>(() => new OnnxTeacher(text));
            Assert.Contains(text, e3.Message);
            Assert.DoesNotContain('\n', e3.Message);

            Assert.Throws<FileNotFoundException>(() => new OnnxTeacher(Path.Combine(dir, "absent.onnx")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void AWrongInputShapeNamesTheExpectedAndTheGivenShape()
    {
        using var onnx = new OnnxTeacher(TinyAssets.Onnx);
        var e = Assert.Throws<ArgumentException>(() => onnx.Logits(Tensor.Zeros(2, 1, 10, 10)));
        Assert.Contains("[1, 12, 12]", e.Message);
        Assert.Contains("[2, 1, 10, 10]", e.Message);

        var e2 = Assert.Throws<ArgumentException>(() => new OnnxTeacher(TinyAssets.Onnx, new OnnxTeacherOptions { InputShape = [3, 12, 12] }));
        Assert.Contains("[3, 12, 12]", e2.Message);
        Assert.Contains("[?, 1, 12, 12]", e2.Message);
    }

    [Fact]
    public void AnUnknownFeatureNameListsTheGraphsNodeOutputs()
    {
        using var onnx = new OnnxTeacher(TinyAssets.Onnx);
        Assert.Contains("/features/features.7/MaxPool_output_0", onnx.FeatureNames);
        Assert.Contains("logits", onnx.FeatureNames);
        var e = Assert.Throws<ArgumentException>(() => onnx.Run(RandomBatch(2, 3), ["features.7"]));
        Assert.Contains("'features.7'", e.Message);
        Assert.Contains("/features/features.7/MaxPool_output_0", e.Message);

        var e2 = Assert.Throws<ArgumentException>(() => new OnnxTeacher(TinyAssets.Onnx, new OnnxTeacherOptions { Features = ["nope"] }));
        Assert.Contains("'nope'", e2.Message);
        Assert.Contains("/features/features.2/Relu_output_0", e2.Message);

        var e3 = Assert.Throws<ArgumentException>(() => new OnnxTeacher(TinyAssets.Onnx, new OnnxTeacherOptions { InputName = "image" }));
        Assert.Contains("'image'", e3.Message);
        Assert.Contains("input", e3.Message);
    }

    [Fact]
    public void AModelGivenAsBytesRunsAsTheFile()
    {
        using var fromFile = new OnnxTeacher(TinyAssets.Onnx);
        using var fromBytes = new OnnxTeacher(File.ReadAllBytes(TinyAssets.Onnx));
        var x = RandomBatch(2, 8);
        Assert.Equal(fromFile.Logits(x).ToArray(), fromBytes.Logits(x).ToArray());
        Assert.Equal("onnx", fromBytes.Name);
        Assert.Equal("tiny", fromFile.Name);
    }

    [FactWhen(typeof(PythonTorch), nameof(PythonTorch.IsAvailable), "/usr/bin/python3 with torch and numpy")]
    [Trait(Category.Name, Category.Slow)]
    public void RegeneratedAssetsMatchTheCommittedOnesAndPyTorchsOwnLogits()
    {
        string dir = Directory.CreateTempSubdirectory("onnx-assets").FullName;
        try
        {
            var (code, error) = PythonTorch.Run([TinyAssets.Script, dir, "--probe"], 120_000);
            Assert.True(code == 0, $"make_assets.py failed: {error}");

            // The seeded script reproduces the committed state dict exactly.
            var committed = Npy.ReadNpz(TinyAssets.State);
            var regenerated = Npy.ReadNpz(Path.Combine(dir, "tiny_state.npz"));
            Assert.Equal(committed.Keys.Order(), regenerated.Keys.Order());
            foreach (var (name, array) in committed)
            {
                Assert.Equal(array.Shape, regenerated[name].Shape);
                Assert.Equal(array.Values, regenerated[name].Values);
            }

            // PyTorch's own logits on its own batch, against the committed ONNX model run by ONNX Runtime.
            var x = Npy.Read(Path.Combine(dir, "probe_input.npy")).ToTensor();
            var torchLogits = Npy.Read(Path.Combine(dir, "probe_logits.npy")).ToTensor();
            using var onnx = new OnnxTeacher(TinyAssets.Onnx);
            Assert.True(MaxAbsDiff(torchLogits, onnx.Logits(x)) <= 1e-5f);
            // And the Model.Nn twin agrees with PyTorch too.
            var twin = TinyAssets.Twin();
            ParameterIO.LoadNpz(twin, TinyAssets.State);
            twin.Eval();
            Assert.True(MaxAbsDiff(torchLogits, twin.Forward(x)) <= 1e-5f);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
