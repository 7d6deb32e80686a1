namespace Probabilistic.Nn.Data;

/// <summary>
/// The contents of one IDX file of unsigned bytes: its shape (first dimension = item count) and its payload in
/// row-major order. <see cref="IdxReader"/> guarantees Data.Length = product of Shape.
/// </summary>
public sealed class IdxArray
{
    /// <summary>Dimensions as stored in the file, e.g. [60000, 28, 28] for images or [60000] for labels.</summary>
    public int[] Shape { get; }

    /// <summary>The payload, row-major, one byte per element.</summary>
    public byte[] Data { get; }

    /// <summary>The file this array was read from (used in error messages); empty for arrays built in memory.</summary>
    public string SourcePath { get; }

    /// <summary>An IDX array of the given shape over raw bytes (checked for length); <paramref name="sourcePath"/> is for messages.</summary>
    public IdxArray(int[] shape, byte[] data, string sourcePath = "")
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        if (shape.Length == 0) throw new ArgumentException("IdxArray: shape needs at least one dimension.", nameof(shape));
        long size = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"IdxArray: shape [{string.Join(", ", shape)}] has a negative dimension.", nameof(shape));
            size *= d;
        }
        if (size != data.Length)
            throw new ArgumentException($"IdxArray: shape [{string.Join(", ", shape)}] holds {size} elements but data has {data.Length}.", nameof(data));
        Shape = shape;
        Data = data;
        SourcePath = sourcePath;
    }

    /// <summary>Number of items (the first dimension).</summary>
    public int Count => Shape[0];

    /// <summary>Elements per item (product of the dimensions after the first).</summary>
    public int ItemSize => Count == 0 ? 0 : Data.Length / Count;

    /// <summary>The shape of one item (the dimensions after the first).</summary>
    public int[] ItemShape => Shape[1..];

    /// <summary>
    /// Throws <see cref="DataFormatException"/> naming the file unless the item shape is exactly
    /// <paramref name="itemShape"/> (empty for a vector of labels).
    /// </summary>
    public void RequireItemShape(params int[] itemShape)
    {
        if (!ItemShape.AsSpan().SequenceEqual(itemShape))
            throw new DataFormatException(SourcePath,
                $"expected items of shape [{string.Join(", ", itemShape)}] (a {itemShape.Length + 1}-dimensional IDX file) " +
                $"but the header gives shape [{string.Join(", ", Shape)}]");
    }
}
