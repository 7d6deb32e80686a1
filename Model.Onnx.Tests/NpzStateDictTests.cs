using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Probabilistic.Core.Random;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Models;

namespace Probabilistic.Onnx.Tests;

public class NpzStateDictTests
{
    // A .npy file built by hand from the format's definition: magic, version 1.0, header padded to 64 bytes, data.
    private static byte[] Npy(string descr, string shape, byte[] data, bool fortran = false)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";
        int unpadded = 10 + dict.Length + 1;
        string header = dict + new string(' ', (64 - unpadded % 64) % 64) + "\n";
        var s = new MemoryStream();
        s.Write([0x93, .. "NUMPY"u8, 1, 0]);
        var len = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
        s.Write(len);
        s.Write(Encoding.ASCII.GetBytes(header));
        s.Write(data);
        return s.ToArray();
    }

    private static byte[] Doubles(params double[] v)
    {
        var b = new byte[8 * v.Length];
        for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(8 * i), v[i]);
        return b;
    }

    private static byte[] Longs(params long[] v)
    {
        var b = new byte[8 * v.Length];
        for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(8 * i), v[i]);
        return b;
    }

    private static MemoryStream Npz(params (string Name, byte[] Npy)[] entries)
    {
        var s = new MemoryStream();
        using (var zip = new ZipArchive(s, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, npy) in entries)
            {
                using var e = zip.CreateEntry(name + ".npy").Open();
                e.Write(npy);
            }
        s.Position = 0;
        return s;
    }

    [Fact]
    public void HandBuiltArraysReadWithTheirShapesAndValues()
    {
        var f8 = Nn.Layers.Npy.Read(new MemoryStream(Npy("<f8", "(2, 3)", Doubles(1.5, -2, 0.1, 3e-3, 7, -0.25))));
        Assert.Equal([2, 3], f8.Shape);
        Assert.Equal("<f8", f8.DType);
        Assert.Equal([1.5f, -2f, 0.1f, 3e-3f, 7f, -0.25f], f8.Values);

        var scalar = Nn.Layers.Npy.Read(new MemoryStream(Npy("<i8", "()", Longs(123456))));
        Assert.Empty(scalar.Shape);
        Assert.Equal([123456f], scalar.Values);

        var e = Assert.Throws<InvalidDataException>(() => Nn.Layers.Npy.Read(new MemoryStream(Npy("<f8", "(2,)", Doubles(1, 2), fortran: true)), "f.npy"));
        Assert.Contains("f.npy", e.Message);
        Assert.Contains("Fortran", e.Message);
        var e2 = Assert.Throws<InvalidDataException>(() => Nn.Layers.Npy.Read(new MemoryStream(Npy(">f4", "(1,)", [0, 0, 0, 0]))));
        Assert.Contains("'>f4'", e2.Message);
        var e3 = Assert.Throws<InvalidDataException>(() => Nn.Layers.Npy.Read(new MemoryStream(Npy("<f8", "(3,)", Doubles(1, 2)))));
        Assert.Contains("ends inside", e3.Message);
    }

    [Fact]
    public void TheCommittedNpzReadsAsItsRawBytesSay()
    {
        var arrays = Nn.Layers.Npy.ReadNpz(TinyAssets.State);
        Assert.Equal([10, 16], arrays["classifier.2.weight"].Shape);
        Assert.Equal("<f4", arrays["classifier.2.bias"].DType);
        Assert.Equal("<i8", arrays["features.1.num_batches_tracked"].DType);
        Assert.Equal([7f], arrays["features.1.num_batches_tracked"].Values);
        // Read another way: the data is the last 4·n bytes of the entry, float32 little-endian, whatever the header says.
        using var zip = ZipFile.OpenRead(TinyAssets.State);
        foreach (var (name, n) in new[] { ("classifier.2.bias", 10), ("features.5.running_var", 8), ("features.0.weight", 36) })
        {
            using var raw = new MemoryStream();
            zip.GetEntry(name + ".npy")!.Open().CopyTo(raw);
            var bytes = raw.ToArray().AsSpan(^(4 * n)..);
            for (int i = 0; i < n; i++)
                Assert.Equal(BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]), arrays[name].Values[i]);
        }
        // The script set running variances in [0.5, 1.5): non-trivial statistics were saved.
        Assert.All(arrays["features.5.running_var"].Values, v => Assert.InRange(v, 0.5f, 1.5f));
    }

    [Fact]
    public void LoadNpzCopiesEveryTensorOfTheStateDict()
    {
        var twin = TinyAssets.Twin();
        ParameterIO.LoadNpz(twin, TinyAssets.State);
        var arrays = Nn.Layers.Npy.ReadNpz(TinyAssets.State);
        foreach (var (name, tensor) in twin.StateDict())
            Assert.Equal(arrays[name].Values, tensor.ToArray());
        Assert.Equal(16, twin.StateDict().Count()); // 4 weight-bias pairs and 2 × 4 BatchNorm tensors
    }

    [Fact]
    public void MismatchesAreAllListedInOneError()
    {
        // features.5 is a ReLU here instead of BatchNorm2d(8) (its four tensors are unexpected), the last layer has 12
        // classes (two shape mismatches), and an extra layer classifier.3 is missing from the file.
        var rng = new Rng(3);
        var wrong = new FeatureClassifier(
            new Sequential(
                new Conv2d(1, 4, 3, rng, padding: 2), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
                new Conv2d(4, 8, 3, rng), new ReLU(), new ReLU(), new MaxPool2d(2)),
            new Sequential(new Linear(32, 16, rng), new ReLU(), new Linear(16, 12, rng), new Linear(12, 3, rng)));
        var before = wrong.StateDict().Select(kv => kv.Value.ToArray()).ToList();
        var e = Assert.Throws<InvalidDataException>(() => ParameterIO.LoadNpz(wrong, TinyAssets.State));
        Assert.Contains("tiny_state.npz", e.Message);
        Assert.Contains("missing 'classifier.3.weight' [3, 12]", e.Message);
        Assert.Contains("missing 'classifier.3.bias' [3]", e.Message);
        Assert.Contains("unexpected 'features.5.running_mean' [8]", e.Message);
        Assert.Contains("unexpected 'features.5.weight' [8]", e.Message);
        Assert.Contains("'classifier.2.weight' has shape [10, 16] in the file but [12, 16] in the model", e.Message);
        Assert.Contains("'classifier.2.bias' has shape [10] in the file but [12] in the model", e.Message);
        Assert.DoesNotContain("num_batches_tracked", e.Message);
        // Nothing was copied.
        Assert.Equal(before, wrong.StateDict().Select(kv => kv.Value.ToArray()).ToList());
    }

    [Fact]
    public void IgnoredExtrasAreAnOption()
    {
        var twin = TinyAssets.Twin();
        var e = Assert.Throws<InvalidDataException>(() => ParameterIO.LoadNpz(twin, TinyAssets.State, ignore: []));
        Assert.Contains("unexpected 'features.1.num_batches_tracked' []", e.Message);
        Assert.Contains("unexpected 'features.5.num_batches_tracked' []", e.Message);

        var linear = new Linear(2, 1, new Rng(1));
        using var npz = Npz(("weight", Npy("<f8", "(1, 2)", Doubles(0.5, -1.5))), ("bias", Npy("<f4", "(1,)", BitConverter.GetBytes(2f))),
            ("step", Npy("<i8", "()", Longs(3))));
        ParameterIO.LoadNpz(linear, npz, "hand.npz", ignore: ["step"]);
        Assert.Equal([0.5f, -1.5f], linear.Weight.ToArray());
        Assert.Equal([2f], linear.Bias!.ToArray());
    }
}
