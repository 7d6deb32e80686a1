using System.Text;
using Probabilistic.Nn.Autograd;

namespace Probabilistic.Nn.Tensors;

/// <summary>
/// A dense float32 tensor: a shape and a contiguous row-major buffer. Tensors that take part in automatic
/// differentiation carry <see cref="RequiresGrad"/>, the node that produced them, and (for leaves such as
/// parameters) an accumulated <see cref="Grad"/>. Differentiable operations live in <see cref="Ops"/>.
/// </summary>
public sealed class Tensor
{
    private readonly int[] _shape;
    private float[]? _data;
    private readonly bool _pooled;

    /// <summary>Number of elements (product of the shape).</summary>
    public int Length { get; }

    /// <summary>Whether gradients flow to this tensor. Set it on leaves (parameters); ops set it on results.</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>Accumulated gradient of a leaf, same shape; null until a backward pass reaches it.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The operation that produced this tensor when it was recorded for differentiation.</summary>
    internal Node? GradFn { get; set; }

    /// <summary>Optional name used in error messages (modules name their parameters).</summary>
    public string? Name { get; set; }

    private Tensor(int[] shape, float[] data, int length, bool pooled)
    {
        _shape = shape;
        _data = data;
        Length = length;
        _pooled = pooled;
    }

    /// <summary>A tensor over <paramref name="data"/> (not copied) with the given shape.</summary>
    public Tensor(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        _shape = CheckShape(shape, "Tensor");
        Length = Product(_shape);
        if (data.Length != Length)
            throw new ArgumentException($"Tensor: data has {data.Length} elements but shape {Format(shape)} needs {Length}.");
        _data = data;
    }

    /// <summary>A zero tensor of the given shape (never pooled: safe to keep anywhere).</summary>
    public static Tensor Zeros(params int[] shape)
    {
        var s = CheckShape(shape, "Tensor.Zeros");
        return new Tensor(new float[Product(s)], s);
    }

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params int[] shape)
    {
        var t = Zeros(shape);
        Array.Fill(t.Data, value);
        return t;
    }

    /// <summary>A copy of <paramref name="values"/> with the given shape.</summary>
    public static Tensor FromArray(ReadOnlySpan<float> values, params int[] shape)
    {
        var t = Zeros(shape);
        if (values.Length != t.Length)
            throw new ArgumentException($"Tensor.FromArray: {values.Length} values for shape {Format(shape)} ({t.Length} elements).");
        values.CopyTo(t.Data);
        return t;
    }

    /// <summary>Independent N(mean, std²) draws from a seeded generator (e.g. reparameterisation noise).</summary>
    public static Tensor Normal(Probabilistic.Core.Random.Rng rng, float mean, float std, params int[] shape)
    {
        var t = Zeros(shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = (float)rng.Normal(mean, std);
        return t;
    }

    /// <summary>Independent U(low, high) draws from a seeded generator.</summary>
    public static Tensor Uniform(Probabilistic.Core.Random.Rng rng, float low, float high, params int[] shape)
    {
        var t = Zeros(shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = (float)rng.Uniform(low, high);
        return t;
    }

    /// <summary>A one-element tensor of shape [1].</summary>
    public static Tensor Scalar(float value) => FromArray([value], 1);

    /// <summary>
    /// A result buffer for an operation: rented from the pool and released with the current
    /// <see cref="TensorScope"/> when one is open, otherwise an ordinary array. Zeroed only when asked.
    /// </summary>
    internal static Tensor CreateTemporary(int[] shape, bool clear)
    {
        int length = Product(shape);
        var scope = TensorScope.Current;
        if (scope is null)
            return new Tensor(shape, clear ? new float[length] : GC.AllocateUninitializedArray<float>(length), length, false);
        var t = new Tensor(shape, BufferPool.Rent(length, clear), length, true);
        scope.Own(t);
        return t;
    }

    /// <summary>A tensor sharing this one's storage with another shape of the same size (a view).</summary>
    internal Tensor ViewAs(int[] shape)
    {
        var view = new Tensor(shape, Data, Length, false);
        // A view of pooled storage must die with it: register it in the current scope too.
        if (_pooled) TensorScope.Current?.Own(view);
        return view;
    }

    /// <summary>Returns pooled storage; any later use of this tensor throws.</summary>
    internal void Release()
    {
        var data = _data;
        if (data is null) return;
        _data = null;
        if (_pooled) BufferPool.Return(data);
        Grad = null;
        GradFn = null;
    }

    /// <summary>Whether the storage was released by the end of its <see cref="TensorScope"/>.</summary>
    public bool IsReleased => _data is null;

    /// <summary>The storage (row-major). Throws if the tensor's scope has ended.</summary>
    public float[] Data => _data ?? throw new ObjectDisposedException(nameof(Tensor),
        $"Tensor {Describe()} was released when its TensorScope ended; copy it (Clone/ToArray) inside the scope to keep it.");

    /// <summary>The elements as a span.</summary>
    public Span<float> Span => Data.AsSpan(0, Length);

    /// <summary>The shape (do not modify).</summary>
    public ReadOnlySpan<int> Shape => _shape;

    internal int[] ShapeArray => _shape;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public int Dim(int dim) => _shape[dim < 0 ? _shape.Length + dim : dim];

    /// <summary>Element at a flat (row-major) index.</summary>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public float this[int flatIndex]
    {
        get => Data[flatIndex];
        set => Data[flatIndex] = value;
    }

    /// <summary>Element at a multi-index (slow; for tests and inspection).</summary>
    public float At(params int[] index)
    {
        if (index.Length != _shape.Length)
            throw new ArgumentException($"Tensor.At: {index.Length} indices for shape {ShapeString}.");
        int flat = 0;
        for (int i = 0; i < index.Length; i++)
        {
            if ((uint)index[i] >= (uint)_shape[i])
                throw new IndexOutOfRangeException($"Tensor.At: index {index[i]} out of range for dimension {i} of shape {ShapeString}.");
            flat = flat * _shape[i] + index[i];
        }
        return Data[flat];
    }

    /// <summary>The single value of a one-element tensor.</summary>
    public float Item()
    {
        if (Length != 1) throw new InvalidOperationException($"Tensor.Item: tensor of shape {ShapeString} has {Length} elements, expected 1.");
        return Data[0];
    }

    /// <summary>A copy of the elements.</summary>
    public float[] ToArray() => Span.ToArray();

    /// <summary>An independent copy (never pooled), without gradient history.</summary>
    public Tensor Clone() => FromArray(Span, _shape);

    /// <summary>This tensor's values without gradient history (shares storage).</summary>
    public Tensor Detach()
    {
        var t = new Tensor(_shape, Data, Length, false);
        if (_pooled) TensorScope.Current?.Own(t);
        return t;
    }

    /// <summary>Sets the gradient to zero (keeping its buffer), as PyTorch's zero_grad(set_to_none=False).</summary>
    public void ZeroGrad()
    {
        if (Grad is not null) Grad.Span.Clear();
    }

    /// <summary>Back-propagates from this scalar: accumulates d(this)/d(leaf) into every leaf's <see cref="Grad"/>.</summary>
    public void Backward() => Backprop.Run(this);

    /// <summary>The shape as text, e.g. [64, 1, 28, 28].</summary>
    public string ShapeString => Format(_shape);

    /// <inheritdoc/>
    public override string ToString()
    {
        if (_data is null) return $"Tensor{ShapeString} (released)";
        var sb = new StringBuilder($"Tensor{ShapeString} [");
        int n = Math.Min(Length, 8);
        for (int i = 0; i < n; i++) sb.Append(i == 0 ? "" : ", ").Append(_data[i].ToString("G6", System.Globalization.CultureInfo.InvariantCulture));
        if (Length > n) sb.Append(", …");
        return sb.Append(']').ToString();
    }

    internal string Describe() => Name is null ? ShapeString : $"'{Name}' {ShapeString}";

    /// <summary>Formats a shape as [a, b, c].</summary>
    public static string Format(ReadOnlySpan<int> shape)
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < shape.Length; i++) sb.Append(i == 0 ? "" : ", ").Append(shape[i]);
        return sb.Append(']').ToString();
    }

    internal static int Product(ReadOnlySpan<int> shape)
    {
        long p = 1;
        foreach (int d in shape) p *= d;
        if (p > int.MaxValue) throw new ArgumentException($"Tensor: shape {Format(shape)} has more than {int.MaxValue} elements.");
        return (int)p;
    }

    private static int[] CheckShape(int[] shape, string op)
    {
        ArgumentNullException.ThrowIfNull(shape);
        foreach (int d in shape)
            if (d < 0) throw new ArgumentException($"{op}: negative dimension in shape {Format(shape)}.");
        return (int[])shape.Clone();
    }
}
