using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Layers;

/// <summary>
/// Records the latest outputs of named submodules through forward hooks, so a distillation method can read
/// intermediate features without editing the model: <c>using var f = new FeatureCapture(net, "features.2");</c>
/// then after <c>net.Forward(x)</c>, <c>f["features.2"]</c>. Outputs are the live tensors of that pass (with
/// their gradient history, so losses on them back-propagate into the model). Dispose to remove the hooks.
/// </summary>
public sealed class FeatureCapture : IDisposable
{
    private readonly Dictionary<string, Tensor?> _latest = new();
    private readonly List<IDisposable> _handles = new();

    /// <summary>Hooks the submodules at the given dotted paths of <paramref name="model"/>.</summary>
    public FeatureCapture(Module model, params string[] paths)
    {
        foreach (var path in paths)
        {
            var module = model.GetSubmodule(path);
            _latest[path] = null;
            string key = path;
            _handles.Add(module.RegisterForwardHook((_, _, output) => _latest[key] = output));
        }
    }

    /// <summary>The output of <paramref name="path"/> in the latest forward pass.</summary>
    public Tensor this[string path]
    {
        get
        {
            if (!_latest.TryGetValue(path, out var t))
                throw new KeyNotFoundException($"FeatureCapture: '{path}' is not captured (captured: {string.Join(", ", _latest.Keys)}).");
            return t ?? throw new InvalidOperationException($"FeatureCapture: '{path}' has not run a forward pass yet.");
        }
    }

    /// <summary>Removes the hooks.</summary>
    public void Dispose()
    {
        foreach (var h in _handles) h.Dispose();
        _handles.Clear();
    }
}
