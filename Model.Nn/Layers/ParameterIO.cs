using System.Text;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Layers;

/// <summary>
/// Saves and loads a module's state (parameters then buffers, <see cref="Module.StateDict"/>) in a small
/// binary format, all integers and floats little-endian:
/// <code>
/// magic   4 bytes  "PNN1"
/// count   int32    number of tensors
/// count × { nameLength int32, name UTF-8 bytes, rank int32, dims int32 × rank, values float32 × Π dims }
/// </code>
/// Loading requires exactly the module's names with exactly its shapes and reports every mismatch.
/// <para>
/// <see cref="LoadNpz(Module, string, IReadOnlyCollection{string}?)"/> loads a PyTorch <c>state_dict</c> saved as a
/// NumPy <c>.npz</c> (<c>np.savez(path, **{k: v.numpy() for k, v in model.state_dict().items()})</c>) into a module
/// whose names are PyTorch's. Model.Nn's layers keep PyTorch's names and layouts: Conv2d <c>weight</c>
/// [out, in, kh, kw] and <c>bias</c> [out]; Linear <c>weight</c> [out, in] and <c>bias</c> [out]; BatchNorm
/// <c>weight</c>, <c>bias</c>, <c>running_mean</c>, <c>running_var</c> [C] (PyTorch's <c>num_batches_tracked</c> is
/// not kept, so it is ignored by default). Why NumPy and not safetensors: NumPy is installed wherever PyTorch is,
/// <c>torch.Tensor.numpy()</c> and <c>np.savez</c> need nothing more, while the <c>safetensors</c> package is a
/// separate install (Debian's python3-torch 1.13 comes without it), and the format is simple to read exactly.
/// </para>
/// </summary>
public static class ParameterIO
{
    private static readonly byte[] Magic = "PNN1"u8.ToArray();

    /// <summary>Writes the module's state to a file.</summary>
    public static void Save(Module module, string path)
    {
        using var stream = File.Create(path);
        Save(module, stream);
    }

    /// <summary>Writes the module's state to a stream.</summary>
    public static void Save(Module module, Stream stream)
    {
        var state = module.StateDict().ToList();
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(state.Count);
        foreach (var (name, t) in state)
        {
            var bytes = Encoding.UTF8.GetBytes(name);
            w.Write(bytes.Length);
            w.Write(bytes);
            w.Write(t.Rank);
            foreach (int d in t.Shape) w.Write(d);
            w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.Span));
        }
    }

    /// <summary>Reads a state saved by <see cref="Save(Module, string)"/> into the module (copying values).</summary>
    public static void Load(Module module, string path)
    {
        using var stream = File.OpenRead(path);
        Load(module, stream, path);
    }

    /// <summary>Reads a state from a stream into the module; <paramref name="source"/> names it in errors.</summary>
    public static void Load(Module module, Stream stream, string source = "stream")
    {
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        var magic = r.ReadBytes(4);
        if (!magic.AsSpan().SequenceEqual(Magic))
            throw new InvalidDataException($"ParameterIO.Load: {source} is not a parameter file (bad magic).");
        int count = r.ReadInt32();
        var loaded = new Dictionary<string, (int[] Shape, float[] Values)>();
        for (int i = 0; i < count; i++)
        {
            string name = Encoding.UTF8.GetString(r.ReadBytes(r.ReadInt32()));
            var shape = new int[r.ReadInt32()];
            for (int d = 0; d < shape.Length; d++) shape[d] = r.ReadInt32();
            var values = new float[Tensor.Product(shape)];
            var bytes = r.ReadBytes(values.Length * sizeof(float));
            if (bytes.Length != values.Length * sizeof(float))
                throw new InvalidDataException($"ParameterIO.Load: {source} ends inside tensor '{name}'.");
            Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
            loaded[name] = (shape, values);
        }

        Assign(module, loaded, "ParameterIO.Load", source, ignored: []);
    }

    /// <summary>
    /// Loads a PyTorch <c>state_dict</c> saved as NumPy <c>.npz</c> into <paramref name="module"/> (copying values;
    /// float64 is rounded to float32). Entries whose full name or last dotted part is in <paramref name="ignore"/>
    /// (default: <c>num_batches_tracked</c>) are skipped when the module has no such name. Throws one
    /// <see cref="InvalidDataException"/> that lists every name missing from the file, every unexpected name in it and
    /// every shape mismatch; nothing is copied then.
    /// </summary>
    public static void LoadNpz(Module module, string path, IReadOnlyCollection<string>? ignore = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        var arrays = Npy.ReadNpz(path);
        LoadState(module, arrays, path, ignore);
    }

    /// <summary>As <see cref="LoadNpz(Module, string, IReadOnlyCollection{string}?)"/>, from a stream; <paramref name="source"/> names it in errors.</summary>
    public static void LoadNpz(Module module, Stream stream, string source = "stream", IReadOnlyCollection<string>? ignore = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        var arrays = Npy.ReadNpz(stream, source);
        LoadState(module, arrays, source, ignore);
    }

    /// <summary>The names ignored by default when a file has them and the module does not.</summary>
    public static IReadOnlyList<string> DefaultIgnored { get; } = ["num_batches_tracked"];

    private static void LoadState(Module module, IReadOnlyDictionary<string, NpyArray> arrays, string source, IReadOnlyCollection<string>? ignore)
    {
        var loaded = new Dictionary<string, (int[] Shape, float[] Values)>(StringComparer.Ordinal);
        foreach (var (name, array) in arrays) loaded[name] = (array.Shape, array.Values);
        Assign(module, loaded, "ParameterIO.LoadNpz", source, ignore ?? DefaultIgnored);
    }

    // Checks names and shapes against the module's state dict, reports every problem in one exception, then copies.
    private static void Assign(Module module, Dictionary<string, (int[] Shape, float[] Values)> loaded, string method, string source,
        IReadOnlyCollection<string> ignored)
    {
        var state = module.StateDict().ToList();
        var problems = new List<string>();
        foreach (var (name, t) in state)
        {
            if (!loaded.TryGetValue(name, out var entry)) problems.Add($"missing '{name}' {t.ShapeString}");
            else if (!entry.Shape.AsSpan().SequenceEqual(t.Shape))
                problems.Add($"'{name}' has shape {Tensor.Format(entry.Shape)} in the file but {t.ShapeString} in the model");
        }
        var expected = state.Select(s => s.Key).ToHashSet();
        foreach (var name in loaded.Keys)
            if (!expected.Contains(name) && !IsIgnored(name, ignored))
                problems.Add($"unexpected '{name}' {Tensor.Format(loaded[name].Shape)}");
        if (problems.Count > 0)
            throw new InvalidDataException($"{method}: {source} does not match {module.GetType().Name}: {string.Join("; ", problems)}.");
        foreach (var (name, t) in state) loaded[name].Values.CopyTo(t.Span);
    }

    private static bool IsIgnored(string name, IReadOnlyCollection<string> ignored)
    {
        int dot = name.LastIndexOf('.');
        string last = dot < 0 ? name : name[(dot + 1)..];
        return ignored.Contains(name) || ignored.Contains(last);
    }
}
