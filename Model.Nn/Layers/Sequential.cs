using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Layers;

/// <summary>Modules applied in order; children are named "0", "1", … as in torch.nn.Sequential.</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers = new();

    /// <summary>A sequence of the given modules.</summary>
    public Sequential(params Module[] layers)
    {
        foreach (var layer in layers) Add(layer);
    }

    /// <summary>Appends a module (named by its index).</summary>
    public Sequential Add(Module layer)
    {
        _layers.Add(RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer));
        return this;
    }

    /// <summary>Number of modules.</summary>
    public int Count => _layers.Count;

    /// <summary>The module at <paramref name="index"/>.</summary>
    public Module this[int index] => _layers[index];

    /// <inheritdoc/>
    protected override Tensor ForwardCore(Tensor input)
    {
        var x = input;
        foreach (var layer in _layers) x = layer.Forward(x);
        return x;
    }
}
