namespace Probabilistic.Nn.Data;

/// <summary>
/// The part every data set shares: a name and N samples of D features each, stored row-major in one float array
/// (sample i is Features[i*D .. (i+1)*D)), with the shape of one sample (e.g. [1, 28, 28] or [10]).
/// Plain arrays on purpose, so the data layer does not depend on the tensor type. Treat the arrays as read-only.
/// </summary>
public abstract class Dataset
{
    /// <summary>Display name, e.g. "FashionMNIST/train".</summary>
    public string Name { get; }

    /// <summary>All samples, row-major N × D.</summary>
    public float[] Features { get; }

    /// <summary>Shape of one sample; its product is <see cref="FeatureSize"/>.</summary>
    public int[] SampleShape { get; }

    /// <summary>D: features per sample.</summary>
    public int FeatureSize { get; }

    /// <summary>N: number of samples.</summary>
    public int Count { get; }

    /// <summary>N samples of shape <paramref name="sampleShape"/> stored row-major in <paramref name="features"/>.</summary>
    protected Dataset(string name, float[] features, int[] sampleShape)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Length == 0 || sampleShape.Any(d => d <= 0))
            throw new ArgumentException($"Dataset '{name}': sample shape [{string.Join(", ", sampleShape)}] must have positive dimensions.", nameof(sampleShape));
        int size = 1;
        foreach (int d in sampleShape) size = checked(size * d);
        if (features.Length % size != 0)
            throw new ArgumentException($"Dataset '{name}': {features.Length} feature values are not a whole number of samples of shape [{string.Join(", ", sampleShape)}] ({size} values each).", nameof(features));
        Name = name;
        Features = features;
        SampleShape = sampleShape;
        FeatureSize = size;
        Count = features.Length / size;
    }

    /// <summary>The features of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Row(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Dataset '{Name}' has {Count} samples.");
        return Features.AsSpan(index * FeatureSize, FeatureSize);
    }

    /// <summary>Copies the rows <paramref name="indices"/> into <paramref name="destination"/> (row-major, indices.Length × D).</summary>
    public void GatherFeatures(ReadOnlySpan<int> indices, Span<float> destination)
    {
        int d = FeatureSize;
        if (destination.Length < indices.Length * d)
            throw new ArgumentException($"GatherFeatures on '{Name}': {indices.Length} rows of {d} need {indices.Length * d} floats but the destination holds {destination.Length}.", nameof(destination));
        ReadOnlySpan<float> all = Features;
        for (int r = 0; r < indices.Length; r++)
        {
            int i = indices[r];
            if ((uint)i >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), i, $"GatherFeatures on '{Name}': index {i} at position {r} is outside 0..{Count - 1}.");
            all.Slice(i * d, d).CopyTo(destination.Slice(r * d, d));
        }
    }

    /// <summary>Elements of the per-sample output (1 for a class label, the target size for regression).</summary>
    public abstract int OutputSize { get; }

    /// <summary>Copies the outputs (labels or targets) of <paramref name="indices"/> into the batch's output buffer.</summary>
    internal abstract void GatherOutputs(ReadOnlySpan<int> indices, Batch batch);

    /// <summary>Gathers the features of <paramref name="indices"/> into a new array (for building subsets).</summary>
    protected float[] GatherFeatures(ReadOnlySpan<int> indices)
    {
        var features = GC.AllocateUninitializedArray<float>(checked(indices.Length * FeatureSize));
        GatherFeatures(indices, features);
        return features;
    }
}
