namespace Probabilistic.Nn.Tensors;

/// <summary>
/// A region (typically one training step) whose temporary tensors — op outputs and intermediate gradients — are
/// released together when the scope is disposed, their storage going back to a pool for the next step.
/// Tensors made outside any scope (parameters, inputs, anything a caller keeps) are never released.
/// A released tensor throws on use, so a stale reference fails loudly instead of reading reused memory;
/// call <see cref="Tensor.Clone"/> after the scope, or <see cref="Tensor.ToArray"/> inside it, to keep values.
/// Scopes nest; each tensor belongs to the innermost scope open on its thread when it was made.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? _current;

    private readonly TensorScope? _outer;
    private readonly List<Tensor> _owned = new();
    private bool _disposed;

    private TensorScope()
    {
        _outer = _current;
        _current = this;
    }

    /// <summary>Opens a scope on this thread; dispose it to release what was made inside.</summary>
    public static TensorScope Begin() => new();

    internal static TensorScope? Current => _current;

    /// <summary>
    /// Most bytes of released buffers each thread keeps for reuse (default 256 MiB); beyond it they go to the
    /// garbage collector.
    /// </summary>
    public static long MaxPooledBytes
    {
        get => BufferPool.MaxRetainedBytes;
        set => BufferPool.MaxRetainedBytes = value;
    }

    /// <summary>Bytes of released buffers this thread keeps for reuse.</summary>
    public static long PooledBytes => BufferPool.RetainedBytes;

    /// <summary>Lets the garbage collector have every buffer this thread keeps for reuse.</summary>
    public static void TrimPool() => BufferPool.Clear();

    internal void Own(Tensor tensor) => _owned.Add(tensor);

    /// <summary>Releases every tensor made inside this scope and closes it.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        if (!ReferenceEquals(_current, this))
            throw new InvalidOperationException("TensorScope: scopes must be disposed innermost first.");
        _disposed = true;
        _current = _outer;
        foreach (var t in _owned) t.Release();
        _owned.Clear();
    }
}
