namespace Probabilistic.Nn.Data;

/// <summary>A classification data set: features plus one integer label in 0..ClassCount-1 per sample.</summary>
public sealed class LabeledDataset : Dataset
{
    /// <summary>One label per sample, each in 0..<see cref="ClassCount"/>-1.</summary>
    public int[] Labels { get; }

    /// <summary>K: number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>Optional class names (length K), e.g. FashionMNIST's "T-shirt/top", ...</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>Samples with one label in [0, <paramref name="classCount"/>) each (checked).</summary>
    public LabeledDataset(string name, float[] features, int[] sampleShape, int[] labels, int classCount, IReadOnlyList<string>? classNames = null)
        : base(name, features, sampleShape)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (classCount <= 0) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, $"Dataset '{name}': the class count must be positive.");
        if (labels.Length != Count)
            throw new ArgumentException($"Dataset '{name}': {labels.Length} labels for {Count} samples.", nameof(labels));
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classCount)
                throw new ArgumentException($"Dataset '{name}': label {labels[i]} of sample {i} is outside 0..{classCount - 1}.", nameof(labels));
        if (classNames is not null && classNames.Count != classCount)
            throw new ArgumentException($"Dataset '{name}': {classNames.Count} class names for {classCount} classes.", nameof(classNames));
        Labels = labels;
        ClassCount = classCount;
        ClassNames = classNames;
    }

    /// <inheritdoc/>
    public override int OutputSize => 1;

    /// <summary>Number of samples of each class (length K).</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassCount];
        foreach (int y in Labels) counts[y]++;
        return counts;
    }

    /// <summary>A new data set holding the samples <paramref name="indices"/>, in that order (copies).</summary>
    public LabeledDataset Subset(ReadOnlySpan<int> indices, string? name = null)
    {
        var labels = new int[indices.Length];
        GatherLabels(indices, labels);
        return new LabeledDataset(name ?? $"{Name}[{indices.Length}]", GatherFeatures(indices), SampleShape, labels, ClassCount, ClassNames);
    }

    /// <summary>
    /// The same samples viewed with another sample shape of equal size (e.g. [784] for a flattened [1, 28, 28]);
    /// the arrays are shared, not copied.
    /// </summary>
    public LabeledDataset WithSampleShape(params int[] sampleShape)
    {
        if (sampleShape.Aggregate(1L, (a, d) => a * d) != FeatureSize)
            throw new ArgumentException($"WithSampleShape on '{Name}': shape [{string.Join(", ", sampleShape)}] does not hold the {FeatureSize} features of shape [{string.Join(", ", SampleShape)}].", nameof(sampleShape));
        return new LabeledDataset(Name, Features, sampleShape, Labels, ClassCount, ClassNames);
    }

    /// <summary>Copies the labels of <paramref name="indices"/> into <paramref name="destination"/>.</summary>
    public void GatherLabels(ReadOnlySpan<int> indices, Span<int> destination)
    {
        if (destination.Length < indices.Length)
            throw new ArgumentException($"GatherLabels on '{Name}': {indices.Length} labels do not fit a destination of {destination.Length}.", nameof(destination));
        for (int r = 0; r < indices.Length; r++)
        {
            int i = indices[r];
            if ((uint)i >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), i, $"GatherLabels on '{Name}': index {i} at position {r} is outside 0..{Count - 1}.");
            destination[r] = Labels[i];
        }
    }

    internal override void GatherOutputs(ReadOnlySpan<int> indices, Batch batch) => GatherLabels(indices, batch.Labels);
}
