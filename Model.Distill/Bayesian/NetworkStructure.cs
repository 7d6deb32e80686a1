namespace Probabilistic.Distill.Bayesian;

/// <summary>
/// Layer widths (n_0, n_1, …, n_T) of a bias-free fully connected network f(x) = σ∘U_T … σ∘U_1 x with
/// U_t ∈ R^{n_t × n_{t−1}} (methods.md §2.1). Parameters are vectorised one layer at a time, U_1 first, each
/// matrix row-major (neuron, then input) (methods.md §0.2). Layers are numbered 1..T as in the paper.
/// </summary>
public sealed class NetworkStructure : IEquatable<NetworkStructure>
{
    private readonly int[] _widths;
    private readonly int[] _offsets; // _offsets[t − 1] = first parameter index of U_t; last entry = N

    /// <summary>Creates a structure from n_0..n_T (at least one layer, every width ≥ 1).</summary>
    public NetworkStructure(IReadOnlyList<int> widths)
    {
        ArgumentNullException.ThrowIfNull(widths);
        if (widths.Count < 2)
            throw new ArgumentException($"NetworkStructure needs at least an input and an output width, got {widths.Count} widths.", nameof(widths));
        for (int i = 0; i < widths.Count; i++)
            if (widths[i] < 1)
                throw new ArgumentException($"NetworkStructure: width n_{i} = {widths[i]} must be ≥ 1 (widths {Format(widths)}).", nameof(widths));
        _widths = widths.ToArray();
        _offsets = new int[_widths.Length];
        long total = 0;
        for (int t = 1; t < _widths.Length; t++)
        {
            _offsets[t - 1] = (int)total;
            total += (long)_widths[t] * _widths[t - 1];
            if (total > int.MaxValue)
                throw new ArgumentException($"NetworkStructure {Format(widths)} has more than {int.MaxValue} parameters.", nameof(widths));
        }
        _offsets[^1] = (int)total;
    }

    /// <summary>Widths n_0..n_T.</summary>
    public IReadOnlyList<int> Widths => _widths;

    /// <summary>Number of weight matrices T.</summary>
    public int LayerCount => _widths.Length - 1;

    /// <summary>n_0.</summary>
    public int InputSize => _widths[0];

    /// <summary>n_T.</summary>
    public int OutputSize => _widths[^1];

    /// <summary>N = Σ_t n_t n_{t−1}.</summary>
    public int ParameterCount => _offsets[^1];

    /// <summary>Index of the first entry of U_t (t = 1..T) in the parameter vector.</summary>
    public int LayerOffset(int layer)
    {
        CheckLayer(layer, nameof(LayerOffset));
        return _offsets[layer - 1];
    }

    /// <summary>Index of U_t[neuron, input] in the parameter vector.</summary>
    public int ParameterIndex(int layer, int neuron, int input)
    {
        CheckLayer(layer, nameof(ParameterIndex));
        if ((uint)neuron >= (uint)_widths[layer] || (uint)input >= (uint)_widths[layer - 1])
            throw new ArgumentOutOfRangeException(nameof(neuron),
                $"ParameterIndex: U_{layer} is {_widths[layer]}×{_widths[layer - 1]}, got entry ({neuron}, {input}).");
        return _offsets[layer - 1] + neuron * _widths[layer - 1] + input;
    }

    /// <summary>The structure after removing <paramref name="count"/> neurons of hidden layer t (1 ≤ t ≤ T−1).</summary>
    public NetworkStructure WithoutNeurons(int layer, int count)
    {
        CheckHiddenLayer(layer, nameof(WithoutNeurons));
        if (count < 1 || count >= _widths[layer])
            throw new ArgumentOutOfRangeException(nameof(count), count,
                $"WithoutNeurons: hidden layer {layer} of {this} has {_widths[layer]} neurons; remove 1..{_widths[layer] - 1}.");
        var widths = (int[])_widths.Clone();
        widths[layer] -= count;
        return new NetworkStructure(widths);
    }

    /// <summary>
    /// The structure after removing the square layer U_t (2 ≤ t ≤ T). Layer 1 is excluded: it acts on the raw input,
    /// where σ(x) ≠ x, so U_1 = I would not be an identity map.
    /// </summary>
    public NetworkStructure WithoutLayer(int layer)
    {
        CheckRemovableLayer(layer, nameof(WithoutLayer));
        var widths = new List<int>(_widths);
        widths.RemoveAt(layer);
        return new NetworkStructure(widths);
    }

    /// <summary>
    /// Parameter partition for removing neurons of hidden layer t (Theorem B1): <c>Conditioned</c> = their outgoing
    /// columns of U_{t+1} (conditioned to 0), <c>Marginalised</c> = their incoming rows of U_t, <c>Kept</c> = the rest
    /// in ascending order, which is exactly the vectorisation order of <see cref="WithoutNeurons"/>.
    /// </summary>
    public ParameterPartition NeuronRemovalPartition(int layer, IReadOnlyCollection<int> neurons)
    {
        CheckHiddenLayer(layer, nameof(NeuronRemovalPartition));
        ArgumentNullException.ThrowIfNull(neurons);
        int width = _widths[layer];
        var removed = new bool[width];
        foreach (int j in neurons)
        {
            if ((uint)j >= (uint)width)
                throw new ArgumentOutOfRangeException(nameof(neurons), $"NeuronRemovalPartition: neuron {j} is not in hidden layer {layer} of {this} (width {width}).");
            if (removed[j])
                throw new ArgumentException($"NeuronRemovalPartition: neuron {j} listed twice.", nameof(neurons));
            removed[j] = true;
        }
        if (neurons.Count == 0 || neurons.Count >= width)
            throw new ArgumentException($"NeuronRemovalPartition: remove 1..{width - 1} neurons of layer {layer} of {this}, got {neurons.Count}.", nameof(neurons));

        var role = new byte[ParameterCount]; // 0 kept, 1 conditioned, 2 marginalised
        int fanIn = _widths[layer - 1], fanOut = _widths[layer + 1];
        for (int j = 0; j < width; j++)
        {
            if (!removed[j]) continue;
            for (int i = 0; i < fanIn; i++) role[ParameterIndex(layer, j, i)] = 2;
            for (int r = 0; r < fanOut; r++) role[ParameterIndex(layer + 1, r, j)] = 1;
        }
        return ParameterPartition.FromRoles(role);
    }

    /// <summary>
    /// Parameter partition for removing square layer t (Theorem B2): <c>Conditioned</c> = vec(U_t) (conditioned to
    /// vec(I)), nothing marginalised, <c>Kept</c> = the rest in the order of <see cref="WithoutLayer"/>.
    /// </summary>
    public ParameterPartition LayerRemovalPartition(int layer)
    {
        CheckRemovableLayer(layer, nameof(LayerRemovalPartition));
        var role = new byte[ParameterCount];
        for (int p = _offsets[layer - 1]; p < _offsets[layer]; p++) role[p] = 1;
        return ParameterPartition.FromRoles(role);
    }

    /// <summary>vec(I_{n_t}) for square layer t: ones at k(n_t + 1).</summary>
    public double[] IdentityLayerValues(int layer)
    {
        CheckRemovableLayer(layer, nameof(IdentityLayerValues));
        int n = _widths[layer];
        var values = new double[n * n];
        for (int k = 0; k < n; k++) values[k * (n + 1)] = 1.0;
        return values;
    }

    /// <inheritdoc />
    public bool Equals(NetworkStructure? other) => other is not null && _widths.AsSpan().SequenceEqual(other._widths);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as NetworkStructure);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (int w in _widths) hash.Add(w);
        return hash.ToHashCode();
    }

    /// <summary>Widths as "[n_0, …, n_T]".</summary>
    public override string ToString() => Format(_widths);

    private static string Format(IEnumerable<int> widths) => "[" + string.Join(", ", widths) + "]";

    private void CheckLayer(int layer, string operation)
    {
        if (layer < 1 || layer > LayerCount)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"{operation}: {this} has layers 1..{LayerCount}.");
    }

    private void CheckHiddenLayer(int layer, string operation)
    {
        if (layer < 1 || layer >= LayerCount)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"{operation}: {this} has hidden layers 1..{LayerCount - 1}.");
    }

    private void CheckRemovableLayer(int layer, string operation)
    {
        if (layer < 2 || layer > LayerCount)
            throw new ArgumentOutOfRangeException(nameof(layer), layer,
                $"{operation}: only layers 2..{LayerCount} of {this} can be removed (layer 1 sees the raw input).");
        if (_widths[layer] != _widths[layer - 1])
            throw new ArgumentException($"{operation}: layer {layer} of {this} is {_widths[layer]}×{_widths[layer - 1]}, not square.", nameof(layer));
    }
}

/// <summary>A split of parameter indices into conditioned, marginalised and kept sets (each ascending).</summary>
public sealed record ParameterPartition(int[] Conditioned, int[] Marginalised, int[] Kept)
{
    internal static ParameterPartition FromRoles(byte[] role)
    {
        var conditioned = new List<int>();
        var marginalised = new List<int>();
        var kept = new List<int>();
        for (int p = 0; p < role.Length; p++)
            (role[p] switch { 1 => conditioned, 2 => marginalised, _ => kept }).Add(p);
        return new ParameterPartition(conditioned.ToArray(), marginalised.ToArray(), kept.ToArray());
    }
}
