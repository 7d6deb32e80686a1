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
            if (!expected.Contains(name)) problems.Add($"unexpected '{name}'");
        if (problems.Count > 0)
            throw new InvalidDataException($"ParameterIO.Load: {source} does not match {module.GetType().Name}: {string.Join("; ", problems)}.");
        foreach (var (name, t) in state) loaded[name].Values.CopyTo(t.Span);
    }
}
