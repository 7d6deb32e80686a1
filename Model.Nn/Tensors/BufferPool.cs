namespace Probabilistic.Nn.Tensors;

/// <summary>
/// Per-thread pool of float arrays keyed by exact length. A training step allocates the same activation and
/// gradient sizes every time, so after the first step every buffer comes from here and no large array reaches the
/// garbage collector (large arrays would land on the large-object heap and force gen-2 collections).
/// Only <see cref="TensorScope"/> returns buffers; tensors made outside a scope are ordinary GC arrays.
/// </summary>
internal static class BufferPool
{
    [ThreadStatic] private static Dictionary<int, Stack<float[]>>? _free;
    [ThreadStatic] private static long _retainedBytes;

    /// <summary>
    /// Most bytes one thread's pool keeps for reuse (default 256 MiB). Returns beyond it are left to the garbage
    /// collector, so a one-off large pass (say, evaluating with batches of 1,000) does not pin its buffers forever.
    /// </summary>
    public static long MaxRetainedBytes { get; set; } = 256L << 20;

    /// <summary>Bytes currently kept by this thread's pool.</summary>
    public static long RetainedBytes => _retainedBytes;

    /// <summary>Drops every buffer this thread's pool keeps.</summary>
    public static void Clear()
    {
        _free?.Clear();
        _retainedBytes = 0;
    }

    /// <summary>An array of exactly <paramref name="length"/> floats, zeroed when <paramref name="clear"/>.</summary>
    public static float[] Rent(int length, bool clear)
    {
        var free = _free ??= new Dictionary<int, Stack<float[]>>();
        if (free.TryGetValue(length, out var stack) && stack.Count > 0)
        {
            var array = stack.Pop();
            _retainedBytes -= (long)array.Length * sizeof(float);
            if (clear) Array.Clear(array);
            return array;
        }
        return clear ? new float[length] : GC.AllocateUninitializedArray<float>(length);
    }

    /// <summary>Gives an array back for reuse by a later <see cref="Rent"/> of the same length.</summary>
    public static void Return(float[] array)
    {
        long bytes = (long)array.Length * sizeof(float);
        if (_retainedBytes + bytes > MaxRetainedBytes) return;
        _retainedBytes += bytes;
        var free = _free ??= new Dictionary<int, Stack<float[]>>();
        if (!free.TryGetValue(array.Length, out var stack))
            free[array.Length] = stack = new Stack<float[]>();
        stack.Push(array);
    }
}
