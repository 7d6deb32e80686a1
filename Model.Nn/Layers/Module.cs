using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Layers;

/// <summary>
/// A network building block, as torch.nn.Module: named parameters (trainable leaves), named buffers (state such
/// as BatchNorm's running statistics), named child modules, a train/eval mode, and forward hooks.
/// Names compose with dots in registration order, as in PyTorch (<c>features.0.weight</c>, <c>fc1.bias</c>).
/// </summary>
public abstract class Module
{
    private readonly List<KeyValuePair<string, Tensor>> _parameters = new();
    private readonly List<KeyValuePair<string, Tensor>> _buffers = new();
    private readonly List<KeyValuePair<string, Module>> _children = new();
    private List<Action<Module, Tensor, Tensor>>? _hooks;

    /// <summary>True in training mode (dropout active, BatchNorm uses batch statistics); the default.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>The computation, without hooks. Call <see cref="Forward"/> instead.</summary>
    protected abstract Tensor ForwardCore(Tensor input);

    /// <summary>Runs the module on <paramref name="input"/>, then its forward hooks.</summary>
    public Tensor Forward(Tensor input)
    {
        var output = ForwardCore(input);
        if (_hooks is not null)
            foreach (var hook in _hooks) hook(this, input, output);
        return output;
    }

    /// <summary>
    /// Adds a hook called with (module, input, output) after every forward pass; dispose the result to remove it.
    /// </summary>
    public IDisposable RegisterForwardHook(Action<Module, Tensor, Tensor> hook)
    {
        (_hooks ??= new()).Add(hook);
        return new HookHandle(this, hook);
    }

    private sealed class HookHandle(Module owner, Action<Module, Tensor, Tensor> hook) : IDisposable
    {
        public void Dispose() => owner._hooks?.Remove(hook);
    }

    /// <summary>Registers a trainable parameter (sets <see cref="Tensor.RequiresGrad"/>).</summary>
    protected Tensor RegisterParameter(string name, Tensor value)
    {
        CheckNewName(name);
        value.RequiresGrad = true;
        value.Name = name;
        _parameters.Add(new(name, value));
        return value;
    }

    /// <summary>Registers non-trainable state that is saved and loaded with the parameters.</summary>
    protected Tensor RegisterBuffer(string name, Tensor value)
    {
        CheckNewName(name);
        value.Name = name;
        _buffers.Add(new(name, value));
        return value;
    }

    /// <summary>Registers a child module under <paramref name="name"/>.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckNewName(name);
        _children.Add(new(name, module));
        return module;
    }

    private void CheckNewName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"Module: invalid name '{name}' (non-empty, no dots).");
        if (_parameters.Exists(p => p.Key == name) || _buffers.Exists(p => p.Key == name) || _children.Exists(p => p.Key == name))
            throw new ArgumentException($"Module {GetType().Name}: name '{name}' is already registered.");
    }

    /// <summary>Direct children in registration order.</summary>
    public IEnumerable<KeyValuePair<string, Module>> NamedChildren() => _children;

    /// <summary>This module and all descendants with dotted names ("" for this one).</summary>
    public IEnumerable<KeyValuePair<string, Module>> NamedModules(string prefix = "")
    {
        yield return new(prefix, this);
        foreach (var (name, child) in _children)
            foreach (var m in child.NamedModules(Join(prefix, name))) yield return m;
    }

    /// <summary>All parameters with dotted names, depth first in registration order.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedParameters(string prefix = "")
    {
        foreach (var (name, p) in _parameters) yield return new(Join(prefix, name), p);
        foreach (var (name, child) in _children)
            foreach (var p in child.NamedParameters(Join(prefix, name))) yield return p;
    }

    /// <summary>All buffers with dotted names.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedBuffers(string prefix = "")
    {
        foreach (var (name, b) in _buffers) yield return new(Join(prefix, name), b);
        foreach (var (name, child) in _children)
            foreach (var b in child.NamedBuffers(Join(prefix, name))) yield return b;
    }

    /// <summary>Parameters then buffers, as PyTorch's state_dict (what <see cref="ParameterIO"/> saves).</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> StateDict() => NamedParameters().Concat(NamedBuffers());

    /// <summary>The parameters as a list (for optimizers).</summary>
    public List<Tensor> Parameters()
    {
        var list = new List<Tensor>();
        foreach (var (_, p) in NamedParameters()) list.Add(p);
        return list;
    }

    /// <summary>Total number of trainable scalars.</summary>
    public long ParameterCount()
    {
        long n = 0;
        foreach (var (_, p) in NamedParameters()) n += p.Length;
        return n;
    }

    /// <summary>The descendant at a dotted path such as "features.3"; throws naming the known modules if absent.</summary>
    public Module GetSubmodule(string path)
    {
        foreach (var (name, m) in NamedModules())
            if (name == path) return m;
        var known = string.Join(", ", NamedModules().Select(m => m.Key == "" ? "(root)" : m.Key));
        throw new ArgumentException($"Module {GetType().Name}: no submodule '{path}'. Known: {known}.");
    }

    /// <summary>Sets training (true) or evaluation (false) mode on this module and its descendants.</summary>
    public Module Train(bool training = true)
    {
        foreach (var (_, m) in NamedModules()) m.IsTraining = training;
        return this;
    }

    /// <summary>Evaluation mode (as Train(false)).</summary>
    public Module Eval() => Train(false);

    /// <summary>Zeroes the gradient of every parameter.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p) in NamedParameters()) p.ZeroGrad();
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;
}
