using System.Numerics.Tensors;

namespace Probabilistic.Nn.Data;

/// <summary>
/// FashionMNIST (Xiao, Rasul, Vollgraf 2017): 28×28 grey images of 10 clothing classes, the official split of
/// 60,000 train / 10,000 test. Pixels are scaled to [0, 1] by /255 (as torchvision's ToTensor), with no
/// normalisation; each sample has shape [1, 28, 28].
/// </summary>
public sealed record FashionMnist(LabeledDataset Train, LabeledDataset Test)
{
    /// <summary>Image side length.</summary>
    public const int Side = 28;

    /// <summary>Number of classes.</summary>
    public const int ClassCount = 10;

    /// <summary>The official class names, by label.</summary>
    public static readonly IReadOnlyList<string> ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The four file stems; each may exist as <c>stem.gz</c> or as the raw <c>stem</c>.</summary>
    public static readonly IReadOnlyList<string> FileStems =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>What to run when the files are missing.</summary>
    public static readonly string InstallHint =
        $"'{DataLocations.SetupCommand}' (or 'sudo apt-get install dataset-fashion-mnist'; or point {DataLocations.FashionMnistVariable} or --fashion-mnist at a folder with the four idx files)";

    /// <summary>The seed of the Big/Small split (seed 002's <c>manual_seed(1234)</c>; the permutation itself is ours).</summary>
    public const ulong BigSmallSeed = 1234;

    /// <summary>
    /// Loads both splits from <paramref name="directory"/> (default: see <see cref="DataLocations.FashionMnistDirectory"/>).
    /// The four files are read in parallel; every file is validated before anything is returned.
    /// </summary>
    /// <exception cref="DataNotFoundException">A file is missing.</exception>
    /// <exception cref="DataFormatException">A file is corrupt or the files disagree (shape, counts, labels).</exception>
    public static FashionMnist Load(string? directory = null)
    {
        string dir = DataLocations.FashionMnistDirectory(directory);
        string[] paths = FileStems.Select(stem => Locate(dir, stem)).ToArray();
        var missing = FileStems.Where((_, i) => paths[i].Length == 0).ToArray();
        if (missing.Length > 0)
            throw new DataNotFoundException("FashionMNIST", dir, $"missing {string.Join(", ", missing.Select(m => m + "[.gz]"))}", InstallHint);

        // Decompression dominates; the two image files are the big ones, so read all four concurrently.
        Task<IdxArray>[] reads = paths.Select(p => Task.Run(() => IdxReader.Read(p))).ToArray();
        IdxArray[] files = reads.Select(t => t.GetAwaiter().GetResult()).ToArray();
        return new FashionMnist(
            ToDataset("FashionMNIST/train", files[0], files[1]),
            ToDataset("FashionMNIST/test", files[2], files[3]));
    }

    /// <summary>
    /// Seed 002's Big/Small split of the training set: <paramref name="smallCount"/> samples drawn at random (or
    /// stratified by class) form Small, the rest Big (59,000 / 1,000 by default).
    /// </summary>
    public static (LabeledDataset Big, LabeledDataset Small) BigSmall(LabeledDataset train, int smallCount = 1000, ulong seed = BigSmallSeed, bool stratified = false)
    {
        ArgumentNullException.ThrowIfNull(train);
        IndexSplit split = stratified
            ? Splits.Stratified(train.Labels, train.ClassCount, smallCount, seed)
            : Splits.Random(train.Count, smallCount, seed);
        return (train.Subset(split.Rest, $"{train.Name}/big"), train.Subset(split.Taken, $"{train.Name}/small"));
    }

    /// <summary>Turns an images file and a labels file into a data set, checking that they belong together.</summary>
    public static LabeledDataset ToDataset(string name, IdxArray images, IdxArray labels)
    {
        images.RequireItemShape(Side, Side);
        labels.RequireItemShape();
        if (images.Count != labels.Count)
            throw new DataFormatException(labels.SourcePath,
                $"holds {labels.Count} labels but {images.SourcePath} holds {images.Count} images; expected equal counts");
        int maxLabel = labels.Count == 0 ? 0 : TensorPrimitives.Max<byte>(labels.Data);
        if (maxLabel >= ClassCount)
        {
            int at = Array.FindIndex(labels.Data, b => b >= ClassCount);
            throw new DataFormatException(labels.SourcePath, $"label {labels.Data[at]} at item {at} is outside 0..{ClassCount - 1}");
        }

        var pixels = GC.AllocateUninitializedArray<float>(images.Data.Length);
        TensorPrimitives.ConvertTruncating<byte, float>(images.Data, pixels);
        TensorPrimitives.Divide(pixels, 255f, pixels); // divide, not multiply by 1/255: bit-equal to x/255 in PyTorch
        var labelValues = new int[labels.Count];
        TensorPrimitives.ConvertTruncating<byte, int>(labels.Data, labelValues);
        return new LabeledDataset(name, pixels, [1, Side, Side], labelValues, ClassCount, ClassNames);
    }

    private static string Locate(string dir, string stem)
    {
        foreach (string candidate in new[] { Path.Combine(dir, stem + ".gz"), Path.Combine(dir, stem) })
            if (File.Exists(candidate)) return candidate;
        return "";
    }
}
