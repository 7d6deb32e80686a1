using Probabilistic.Nn.Data;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Training;

/// <summary>A mini-batch as the trainer consumes it: inputs [N, …] and their integer labels.</summary>
public sealed record LabelledBatch(Tensor Inputs, int[] Labels);

/// <summary>Turns the data layer's <see cref="BatchLoader"/> batches into tensors without copying full batches.</summary>
public static class BatchLoaderExtensions
{
    /// <summary>
    /// The batches of epoch <paramref name="epoch"/> (0-based, as <see cref="BatchLoader.Epoch"/>) as
    /// <see cref="LabelledBatch"/>es shaped [N, sample shape…]. Full batches wrap the loader's reused buffers (no
    /// copy), so consume each batch before advancing; a smaller last batch is copied.
    /// </summary>
    public static IEnumerable<LabelledBatch> LabelledBatches(this BatchLoader loader, int epoch)
    {
        if (loader.Dataset is not LabeledDataset)
            throw new ArgumentException($"LabelledBatches: data set '{loader.Dataset.Name}' has no labels.");
        var sampleShape = loader.Dataset.SampleShape;
        LabelledBatch? full = null;
        foreach (var batch in loader.Epoch(epoch))
        {
            if (batch.Size == batch.Capacity)
            {
                full ??= new LabelledBatch(new Tensor(batch.Features, Shape(batch.Capacity, sampleShape)), batch.Labels);
                yield return full;
            }
            else
                yield return new LabelledBatch(Tensor.FromArray(batch.FeatureSpan, Shape(batch.Size, sampleShape)), batch.LabelSpan.ToArray());
        }
    }

    /// <summary>
    /// The batches of <paramref name="data"/> in their stored order, without shuffling (for evaluation and for
    /// mapping a data set batch by batch).
    /// </summary>
    public static IEnumerable<LabelledBatch> OrderedBatches(this LabeledDataset data, int batchSize = 1000) =>
        new BatchLoader(data, batchSize, seed: 0, shuffle: false).LabelledBatches(0);

    private static int[] Shape(int n, int[] sampleShape)
    {
        var shape = new int[sampleShape.Length + 1];
        shape[0] = n;
        sampleShape.CopyTo(shape, 1);
        return shape;
    }
}
