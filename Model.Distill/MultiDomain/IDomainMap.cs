using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.MultiDomain;

/// <summary>
/// A link φ from the student's (target) domain to the teacher's (source) domain (methods.md §3.1): the teacher
/// answers on φ(x) for a student input x. A map is fixed while a student trains (nothing of it is learned, no
/// gradient is recorded through it); a stochastic map draws fresh randomness on every call from its own seeded
/// stream, so a run is deterministic under its seed.
/// </summary>
public interface IDomainMap
{
    /// <summary>A short name for listings and result tables (e.g. "identity", "noise σ=0.1").</summary>
    string Name { get; }

    /// <summary>
    /// The shape of one output sample for one input sample of shape <paramref name="inputSampleShape"/> (without the
    /// batch dimension, e.g. [784] → [576] for a 5×5 valid convolution of 28×28 images); throws, naming the map and
    /// the shape, when the map cannot take such inputs.
    /// </summary>
    int[] OutputSampleShape(ReadOnlySpan<int> inputSampleShape);

    /// <summary>
    /// φ of a batch [B, …input sample shape] as [B, …output sample shape]. The result may be a temporary of the
    /// current <see cref="TensorScope"/>, or the input itself for the identity; it never requires a gradient.
    /// </summary>
    Tensor Apply(Tensor batch);
}

/// <summary>φ(x) = x: the teacher sees the student's inputs unchanged (the rows without a map).</summary>
public sealed class IdentityMap : IDomainMap
{
    /// <summary>The one identity map.</summary>
    public static IdentityMap Instance { get; } = new();

    private IdentityMap() { }

    /// <inheritdoc/>
    public string Name => "identity";

    /// <inheritdoc/>
    public int[] OutputSampleShape(ReadOnlySpan<int> inputSampleShape) => inputSampleShape.ToArray();

    /// <inheritdoc/>
    public Tensor Apply(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return batch;
    }
}

/// <summary>φ = second ∘ first: applies <see cref="First"/>, then <see cref="Second"/> to its result.</summary>
/// <param name="First">The map applied first.</param>
/// <param name="Second">The map applied to the first one's output.</param>
public sealed record ComposedMap(IDomainMap First, IDomainMap Second) : IDomainMap
{
    /// <inheritdoc/>
    public string Name => $"{Second.Name} ∘ {First.Name}";

    /// <inheritdoc/>
    public int[] OutputSampleShape(ReadOnlySpan<int> inputSampleShape) => Second.OutputSampleShape(First.OutputSampleShape(inputSampleShape));

    /// <inheritdoc/>
    public Tensor Apply(Tensor batch) => Second.Apply(First.Apply(batch));
}
