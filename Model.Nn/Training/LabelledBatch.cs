using Probabilistic.Core.Random;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Training;

/// <summary>A mini-batch: inputs [N, …] and their integer labels.</summary>
public sealed record LabelledBatch(Tensor Inputs, int[] Labels);

/// <summary>
/// Mini-batches over examples already in memory (features row-major, one example per row), reshuffled each epoch
/// by a seeded generator when one is given. The batch tensors are reused from batch to batch to avoid per-step
/// allocation: consume each batch before asking for the next, and copy it if it must be kept.
/// </summary>
public sealed class InMemoryBatches
{
    private readonly float[] _features;
    private readonly int[] _labels;
    private readonly int[] _exampleShape;
    private readonly int _exampleLength;
    private readonly Rng? _shuffle;

    /// <summary>Number of examples.</summary>
    public int Count => _labels.Length;
    /// <summary>Examples per batch (the last batch may be smaller).</summary>
    public int BatchSize { get; }
    /// <summary>Batches per epoch.</summary>
    public int BatchesPerEpoch => (Count + BatchSize - 1) / BatchSize;

    /// <summary>Batches of <paramref name="batchSize"/> examples of shape <paramref name="exampleShape"/>.</summary>
    public InMemoryBatches(float[] features, int[] labels, int[] exampleShape, int batchSize, Rng? shuffle = null)
    {
        _exampleLength = Tensor.Product(exampleShape);
        if (features.Length != labels.Length * _exampleLength)
            throw new ArgumentException($"InMemoryBatches: {features.Length} feature values for {labels.Length} examples of shape {Tensor.Format(exampleShape)}.");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "InMemoryBatches: batch size must be positive.");
        _features = features;
        _labels = labels;
        _exampleShape = (int[])exampleShape.Clone();
        BatchSize = batchSize;
        _shuffle = shuffle;
    }

    /// <summary>The batches of one epoch (a fresh permutation per call when shuffling).</summary>
    public IEnumerable<LabelledBatch> Epoch()
    {
        int[] order = _shuffle is null ? IdentityOrder() : _shuffle.Permutation(Count);
        LabelledBatch? full = null;
        for (int start = 0; start < Count; start += BatchSize)
        {
            int n = Math.Min(BatchSize, Count - start);
            var batch = n == BatchSize ? full ??= NewBatch(n) : NewBatch(n);
            var x = batch.Inputs.Span;
            for (int i = 0; i < n; i++)
            {
                int src = order[start + i];
                _features.AsSpan(src * _exampleLength, _exampleLength).CopyTo(x.Slice(i * _exampleLength, _exampleLength));
                batch.Labels[i] = _labels[src];
            }
            yield return batch;
        }
    }

    private LabelledBatch NewBatch(int n)
    {
        var shape = new int[_exampleShape.Length + 1];
        shape[0] = n;
        _exampleShape.CopyTo(shape, 1);
        return new LabelledBatch(Tensor.Zeros(shape), new int[n]);
    }

    private int[] IdentityOrder()
    {
        var order = new int[Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        return order;
    }
}
