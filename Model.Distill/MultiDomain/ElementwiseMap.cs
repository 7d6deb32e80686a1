using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.MultiDomain;

/// <summary>
/// φ applied to every input value alone, φ(x)_j = f(x_j) (e.g. the regression experiment's sin domain); the shape is
/// kept. <paramref name="Function"/> should be injective on the inputs' range for the teacher's domain to carry the
/// same information (methods.md §3.1's definition of a close population).
/// </summary>
/// <param name="Name">The map's name in tables (e.g. "sin").</param>
/// <param name="Function">f, applied value by value.</param>
public sealed record ElementwiseMap(string Name, Func<float, float> Function) : IDomainMap
{
    /// <summary>φ(x) = sin(x) element by element.</summary>
    public static ElementwiseMap Sine { get; } = new("sin", MathF.Sin);

    /// <inheritdoc/>
    public int[] OutputSampleShape(ReadOnlySpan<int> inputSampleShape) => inputSampleShape.ToArray();

    /// <inheritdoc/>
    public Tensor Apply(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var result = new float[batch.Length];
        var source = batch.Span;
        for (int i = 0; i < result.Length; i++) result[i] = Function(source[i]);
        return new Tensor(result, batch.Shape.ToArray());
    }
}
