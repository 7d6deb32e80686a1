using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Layers;

/// <summary>
/// One parameter tensor's place in a <see cref="ParameterVector"/>: its dotted name, its first index and length in
/// the flat vector, and its shape. Inside the segment the tensor's elements keep their row-major order (a Linear
/// weight [out, in]: output neuron, then input; a Conv2d weight [out, in, kh, kw]: output channel, then input
/// channel, kernel row, kernel column).
/// </summary>
public sealed class ParameterSegment
{
    internal ParameterSegment(string name, int offset, Tensor parameter)
    {
        Name = name;
        Offset = offset;
        Parameter = parameter;
        Shape = parameter.Shape.ToArray();
    }

    /// <summary>Dotted name as in <see cref="Module.NamedParameters"/>, e.g. <c>2.weight</c>.</summary>
    public string Name { get; }

    /// <summary>Index of the tensor's first element in the flat vector.</summary>
    public int Offset { get; }

    /// <summary>Number of elements (the product of <see cref="Shape"/>).</summary>
    public int Length => Parameter.Length;

    /// <summary>The tensor's shape.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>The module's own parameter tensor (not a copy).</summary>
    public Tensor Parameter { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {Tensor.Format(Parameter.Shape)} @ {Offset}";
}

/// <summary>
/// A flat view θ ∈ R^P of some or all of a module's parameters, for methods that treat the weights as one vector
/// (Laplace posteriors, per-sample gradients, flat optimisers). The view holds references to the module's tensors,
/// not copies: <see cref="CopyTo"/> reads their current values and <see cref="CopyFrom"/> writes into them.
/// <para>
/// Order: by default every parameter, in <see cref="Module.NamedParameters"/> order (a module's own parameters in
/// registration order, then its children's, depth first), each tensor row-major. For
/// <c>Sequential(Linear, act, Linear, …)</c> that is <c>0.weight, 0.bias, 2.weight, 2.bias, …</c>; for bias-free
/// Linear layers it is U_1, U_2, … with each U_t [n_t, n_{t−1}] row-major (neuron, then input), the vectorisation
/// of the Bayesian-distillation theory. The second constructor takes an explicit list of names, which picks a subset
/// (for example the weights only) and fixes any order (for example all weights, then all biases).
/// </para>
/// </summary>
public sealed class ParameterVector
{
    private readonly ParameterSegment[] _segments;
    private readonly Dictionary<Tensor, int> _segmentOf = new(ReferenceEqualityComparer.Instance);

    /// <summary>Every parameter of <paramref name="module"/>, in <see cref="Module.NamedParameters"/> order.</summary>
    public ParameterVector(Module module)
        : this(module, Names(module))
    {
    }

    /// <summary>
    /// The parameters of <paramref name="module"/> named in <paramref name="names"/> (dotted names as in
    /// <see cref="Module.NamedParameters"/>), in that order. Throws for an unknown or repeated name.
    /// </summary>
    public ParameterVector(Module module, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(names);
        Module = module;
        var byName = new Dictionary<string, Tensor>();
        foreach (var (name, p) in module.NamedParameters()) byName[name] = p;
        var segments = new List<ParameterSegment>();
        long offset = 0;
        foreach (var name in names)
        {
            if (!byName.TryGetValue(name, out var p))
                throw new ArgumentException($"ParameterVector: {module.GetType().Name} has no parameter '{name}'. Known: {string.Join(", ", byName.Keys)}.", nameof(names));
            if (!_segmentOf.TryAdd(p, segments.Count))
                throw new ArgumentException($"ParameterVector: parameter '{name}' is listed twice (or shares its tensor with '{segments[_segmentOf[p]].Name}').", nameof(names));
            if (offset + p.Length > int.MaxValue)
                throw new ArgumentException($"ParameterVector: more than {int.MaxValue} parameters.", nameof(names));
            segments.Add(new ParameterSegment(name, (int)offset, p));
            offset += p.Length;
        }
        _segments = segments.ToArray();
        Count = (int)offset;
    }

    private static IEnumerable<string> Names(Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.NamedParameters().Select(p => p.Key);
    }

    /// <summary>The module whose parameters this view covers.</summary>
    public Module Module { get; }

    /// <summary>P, the length of the flat vector.</summary>
    public int Count { get; }

    /// <summary>The parameters in vector order, each with its offset.</summary>
    public IReadOnlyList<ParameterSegment> Segments => _segments;

    /// <summary>The segment of the parameter named <paramref name="name"/>; throws if it is not in the view.</summary>
    public ParameterSegment Segment(string name)
    {
        foreach (var s in _segments)
            if (s.Name == name) return s;
        throw new ArgumentException($"ParameterVector: no parameter '{name}' in the view. Known: {string.Join(", ", _segments.Select(s => s.Name))}.", nameof(name));
    }

    /// <summary>Index into <see cref="Segments"/> of a parameter tensor, or −1 when it is not in the view.</summary>
    internal int IndexOf(Tensor parameter) => _segmentOf.TryGetValue(parameter, out int i) ? i : -1;

    /// <summary>Writes the current parameter values into <paramref name="destination"/> (exactly <see cref="Count"/> long).</summary>
    public void CopyTo(Span<float> destination)
    {
        CheckLength(destination.Length, nameof(CopyTo));
        foreach (var s in _segments) s.Parameter.Span.CopyTo(destination.Slice(s.Offset, s.Length));
    }

    /// <summary>The current parameter values as a new array.</summary>
    public float[] ToArray()
    {
        var values = new float[Count];
        CopyTo(values);
        return values;
    }

    /// <summary>Writes <paramref name="source"/> (exactly <see cref="Count"/> long) into the module's parameter tensors.</summary>
    public void CopyFrom(ReadOnlySpan<float> source)
    {
        CheckLength(source.Length, nameof(CopyFrom));
        foreach (var s in _segments) source.Slice(s.Offset, s.Length).CopyTo(s.Parameter.Span);
    }

    private void CheckLength(int length, string operation)
    {
        if (length != Count)
            throw new ArgumentException($"ParameterVector.{operation}: span has {length} elements, the view {Count}.");
    }
}
