namespace Probabilistic.Nn.Data;

/// <summary>
/// Reusable buffers for one minibatch: the sample indices, their features (row-major Size × D) and their outputs
/// (labels for a <see cref="LabeledDataset"/>, targets for a <see cref="RegressionDataset"/>). The arrays are
/// allocated once at full batch capacity; only the first <see cref="Size"/> rows are valid (the last batch of an
/// epoch may be smaller). Use the span properties, which are trimmed to the valid rows.
/// </summary>
public sealed class Batch
{
    /// <summary>Features per sample (D).</summary>
    public int FeatureSize { get; }

    /// <summary>Rows the buffers can hold.</summary>
    public int Capacity { get; }

    /// <summary>Valid rows in the current fill.</summary>
    public int Size { get; internal set; }

    /// <summary>Index buffer (Capacity); the first Size entries are the batch's sample indices.</summary>
    public int[] Indices { get; }

    /// <summary>Feature buffer (Capacity × D).</summary>
    public float[] Features { get; }

    /// <summary>Label buffer (Capacity) for classification; empty for regression.</summary>
    public int[] Labels { get; }

    /// <summary>Target buffer (Capacity × target size) for regression; empty for classification.</summary>
    public float[] Targets { get; }

    /// <summary>Allocates buffers for batches of up to <paramref name="capacity"/> samples of <paramref name="dataset"/>.</summary>
    public Batch(Dataset dataset, int capacity)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (capacity <= 0) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "Batch capacity must be positive.");
        FeatureSize = dataset.FeatureSize;
        Capacity = capacity;
        Indices = new int[capacity];
        Features = new float[checked(capacity * dataset.FeatureSize)];
        Labels = dataset is LabeledDataset ? new int[capacity] : [];
        Targets = dataset is RegressionDataset r ? new float[checked(capacity * r.TargetSize)] : [];
    }

    /// <summary>The batch's sample indices.</summary>
    public ReadOnlySpan<int> IndexSpan => Indices.AsSpan(0, Size);

    /// <summary>The batch's features, Size × D row-major.</summary>
    public Span<float> FeatureSpan => Features.AsSpan(0, Size * FeatureSize);

    /// <summary>The batch's labels (classification).</summary>
    public Span<int> LabelSpan => Labels.AsSpan(0, Labels.Length == 0 ? 0 : Size);

    /// <summary>The batch's targets, Size × target size (regression).</summary>
    public Span<float> TargetSpan => Targets.AsSpan(0, Targets.Length == 0 ? 0 : Targets.Length / Capacity * Size);

    /// <summary>Fills the buffers with the samples <paramref name="indices"/> of <paramref name="dataset"/>.</summary>
    public void Fill(Dataset dataset, ReadOnlySpan<int> indices)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (indices.Length > Capacity)
            throw new ArgumentException($"Batch.Fill: {indices.Length} indices exceed the capacity {Capacity}.", nameof(indices));
        bool outputsFit = dataset is LabeledDataset ? Labels.Length == Capacity : Targets.Length == Capacity * dataset.OutputSize;
        if (dataset.FeatureSize != FeatureSize || !outputsFit)
            throw new ArgumentException($"Batch.Fill: data set '{dataset.Name}' ({dataset.GetType().Name}, D = {dataset.FeatureSize}, {dataset.OutputSize} outputs per sample) does not match this batch's buffers (D = {FeatureSize}, {Labels.Length} label and {Targets.Length} target slots for {Capacity} rows).", nameof(dataset));
        indices.CopyTo(Indices);
        dataset.GatherFeatures(indices, Features);
        Size = indices.Length;
        dataset.GatherOutputs(indices, this);
    }
}
