namespace Probabilistic.Nn.Data;

/// <summary>A regression data set: features plus a real target vector of <see cref="TargetSize"/> values per sample.</summary>
public sealed class RegressionDataset : Dataset
{
    /// <summary>Targets, row-major N × <see cref="TargetSize"/>.</summary>
    public float[] Targets { get; }

    /// <summary>Target values per sample (1 for scalar regression).</summary>
    public int TargetSize { get; }

    /// <summary>Samples with <paramref name="targetSize"/> real targets each (checked).</summary>
    public RegressionDataset(string name, float[] features, int[] sampleShape, float[] targets, int targetSize = 1)
        : base(name, features, sampleShape)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (targetSize <= 0) throw new ArgumentOutOfRangeException(nameof(targetSize), targetSize, $"Dataset '{name}': the target size must be positive.");
        if (targets.Length != (long)Count * targetSize)
            throw new ArgumentException($"Dataset '{name}': {targets.Length} target values for {Count} samples of {targetSize} targets each.", nameof(targets));
        Targets = targets;
        TargetSize = targetSize;
    }

    /// <inheritdoc/>
    public override int OutputSize => TargetSize;

    /// <summary>Mean and population standard deviation of target component <paramref name="component"/> (in double).</summary>
    public (double Mean, double Std) TargetMoments(int component = 0)
    {
        if ((uint)component >= (uint)TargetSize)
            throw new ArgumentOutOfRangeException(nameof(component), component, $"Dataset '{Name}' has {TargetSize} target components.");
        if (Count == 0) return (double.NaN, double.NaN);
        double sum = 0;
        for (int i = 0; i < Count; i++) sum += Targets[i * TargetSize + component];
        double mean = sum / Count, ss = 0;
        for (int i = 0; i < Count; i++)
        {
            double e = Targets[i * TargetSize + component] - mean;
            ss += e * e;
        }
        return (mean, Math.Sqrt(ss / Count));
    }

    /// <summary>A new data set holding the samples <paramref name="indices"/>, in that order (copies).</summary>
    public RegressionDataset Subset(ReadOnlySpan<int> indices, string? name = null)
    {
        var targets = new float[indices.Length * TargetSize];
        GatherTargets(indices, targets);
        return new RegressionDataset(name ?? $"{Name}[{indices.Length}]", GatherFeatures(indices), SampleShape, targets, TargetSize);
    }

    /// <summary>Copies the targets of <paramref name="indices"/> into <paramref name="destination"/> (row-major).</summary>
    public void GatherTargets(ReadOnlySpan<int> indices, Span<float> destination)
    {
        int t = TargetSize;
        if (destination.Length < indices.Length * t)
            throw new ArgumentException($"GatherTargets on '{Name}': {indices.Length} rows of {t} targets do not fit a destination of {destination.Length}.", nameof(destination));
        for (int r = 0; r < indices.Length; r++)
        {
            int i = indices[r];
            if ((uint)i >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), i, $"GatherTargets on '{Name}': index {i} at position {r} is outside 0..{Count - 1}.");
            Targets.AsSpan(i * t, t).CopyTo(destination.Slice(r * t, t));
        }
    }

    internal override void GatherOutputs(ReadOnlySpan<int> indices, Batch batch) => GatherTargets(indices, batch.Targets);
}
