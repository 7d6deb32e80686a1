using Probabilistic.Nn.Data;

namespace Probabilistic.Nn.Tests.Data;

/// <summary>Tests that change environment variables run alone, after the parallel tests, so no other test sees them.</summary>
[CollectionDefinition(nameof(EnvironmentCollection), DisableParallelization = true)]
public sealed class EnvironmentCollection;

[Collection(nameof(EnvironmentCollection))]
public sealed class DataLocationsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void WithVariable(string name, string? value, Action action)
    {
        string? saved = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
        try { action(); }
        finally { Environment.SetEnvironmentVariable(name, saved); }
    }

    [Fact]
    public void RepositoryRootIsFoundFromTheTestBinaries()
    {
        string? root = DataLocations.FindRepositoryRoot();
        Assert.NotNull(root);
        Assert.True(File.Exists(Path.Combine(root, "Probabilistic.sln")));
        Assert.StartsWith(root, AppContext.BaseDirectory);
    }

    [Fact]
    public void ExplicitFolderBeatsTheVariableWhichBeatsTheDefault()
    {
        WithVariable(DataLocations.FashionMnistVariable, null, () =>
            Assert.Equal(DataLocations.FashionMnistDefault, DataLocations.FashionMnistDirectory()));
        WithVariable(DataLocations.FashionMnistVariable, _dir.Path, () =>
        {
            Assert.Equal(_dir.Path, DataLocations.FashionMnistDirectory());
            Assert.Equal("/somewhere/else", DataLocations.FashionMnistDirectory("/somewhere/else"));
        });
        WithVariable(DataLocations.MnistVariable, null, () =>
            Assert.Equal(Path.Combine(DataLocations.FindRepositoryRoot()!, "data", "mnist"), DataLocations.MnistDirectory()));
        WithVariable(DataLocations.MnistVariable, _dir.Path, () =>
        {
            Assert.Equal(_dir.Path, DataLocations.MnistDirectory());
            Assert.Equal("/other", DataLocations.MnistDirectory("/other"));
        });
    }

    [Fact]
    public void LoadersFollowTheVariables()
    {
        // A one-image FashionMNIST folder and a one-digit-per-class MNIST folder, found through the variables alone.
        foreach (var (stem, shape) in new[] { ("train-images-idx3-ubyte", new[] { 1, 28, 28 }), ("train-labels-idx1-ubyte", new[] { 1 }),
                                             ("t10k-images-idx3-ubyte", new[] { 1, 28, 28 }), ("t10k-labels-idx1-ubyte", new[] { 1 }) })
            IdxWriter.Write(_dir.File(stem), new IdxArray(shape, new byte[shape.Aggregate(1, (a, b) => a * b)]), gzip: false);
        Directory.CreateDirectory(_dir.File("digits"));
        string oneDigit = "{\"data\": [" + string.Join(",", Enumerable.Repeat("0.5", 784)) + "]}";
        for (int d = 0; d < 10; d++) File.WriteAllText(Path.Combine(_dir.Path, "digits", $"{d}.json"), oneDigit);

        WithVariable(DataLocations.FashionMnistVariable, _dir.Path, () => Assert.Equal(1, FashionMnist.Load().Train.Count));
        WithVariable(DataLocations.MnistVariable, _dir.Path, () => Assert.Equal(10, MnistDigits.Load().Count));
    }
}
