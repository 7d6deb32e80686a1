using System.Text;

namespace Probabilistic.Onnx;

/// <summary>
/// The few parts of ONNX's protobuf messages the teacher reads or writes, with a minimal wire-format reader and
/// writer (no protobuf library): ModelProto.graph (field 7); GraphProto.node (1), initializer (5), input (11),
/// output (12), value_info (13); NodeProto.output (2); ValueInfoProto.name (1); TensorProto.name (8).
/// </summary>
internal static class OnnxProto
{
    private const int Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5;

    /// <summary>What the teacher needs to know of a graph: its node outputs and its declared inputs and outputs.</summary>
    internal sealed record Graph(IReadOnlyList<string> NodeOutputs, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);

    /// <summary>Reads a serialised ModelProto; throws <see cref="InvalidDataException"/> when it is not one.</summary>
    internal static Graph ReadGraph(ReadOnlySpan<byte> model)
    {
        var nodeOutputs = new List<string>();
        var inputs = new List<string>();
        var outputs = new List<string>();
        var initializers = new HashSet<string>(StringComparer.Ordinal);
        bool sawGraph = false;
        int pos = 0;
        // Repeated field-7 records merge, as protobuf parsers merge them.
        while (pos < model.Length)
        {
            var (field, wire) = ReadTag(model, ref pos);
            if (field == 7 && wire == LengthDelimited)
            {
                sawGraph = true;
                ReadGraphMessage(ReadBytes(model, ref pos), nodeOutputs, inputs, outputs, initializers);
            }
            else Skip(model, ref pos, wire);
        }
        if (!sawGraph) throw new InvalidDataException("no graph in the model message");
        if (nodeOutputs.Count == 0 && outputs.Count == 0) throw new InvalidDataException("the graph has no nodes and no outputs");
        return new Graph(nodeOutputs, [.. inputs.Where(i => !initializers.Contains(i))], outputs);
    }

    /// <summary>
    /// The model with <paramref name="names"/> added as graph outputs: one more ModelProto.graph record holding only
    /// ValueInfoProto entries with a name, which a protobuf parser merges into the graph (repeated fields append).
    /// </summary>
    internal static byte[] AddOutputs(byte[] model, IReadOnlyCollection<string> names)
    {
        if (names.Count == 0) return model;
        var graph = new MemoryStream();
        foreach (var name in names)
        {
            var valueInfo = new MemoryStream();
            WriteBytesField(valueInfo, 1, Encoding.UTF8.GetBytes(name));
            WriteBytesField(graph, 12, valueInfo.ToArray());
        }
        var result = new MemoryStream(model.Length + (int)graph.Length + 16);
        result.Write(model);
        WriteBytesField(result, 7, graph.ToArray());
        return result.ToArray();
    }

    private static void ReadGraphMessage(ReadOnlySpan<byte> graph, List<string> nodeOutputs, List<string> inputs, List<string> outputs, HashSet<string> initializers)
    {
        int pos = 0;
        while (pos < graph.Length)
        {
            var (field, wire) = ReadTag(graph, ref pos);
            if (wire != LengthDelimited) { Skip(graph, ref pos, wire); continue; }
            var body = ReadBytes(graph, ref pos);
            switch (field)
            {
                case 1: ReadStrings(body, 2, nodeOutputs); break;
                case 5: ReadStrings(body, 8, initializers); break;
                case 11: ReadStrings(body, 1, inputs); break;
                case 12: ReadStrings(body, 1, outputs); break;
            }
        }
    }

    // Appends every non-empty string of field `wanted` in a message.
    private static void ReadStrings(ReadOnlySpan<byte> message, int wanted, ICollection<string> into)
    {
        int pos = 0;
        while (pos < message.Length)
        {
            var (field, wire) = ReadTag(message, ref pos);
            if (field == wanted && wire == LengthDelimited)
            {
                var s = Encoding.UTF8.GetString(ReadBytes(message, ref pos));
                if (s.Length > 0) into.Add(s);
            }
            else Skip(message, ref pos, wire);
        }
    }

    private static (int Field, int Wire) ReadTag(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong tag = ReadVarint(data, ref pos);
        int field = (int)(tag >> 3), wire = (int)(tag & 7);
        if (field < 1 || tag >> 3 > int.MaxValue) throw new InvalidDataException($"bad protobuf field number at byte {pos}");
        return (field, wire);
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length) throw new InvalidDataException("the protobuf message ends inside a varint");
            byte b = data[pos++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new InvalidDataException($"a protobuf varint is longer than 10 bytes at byte {pos}");
    }

    private static ReadOnlySpan<byte> ReadBytes(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong length = ReadVarint(data, ref pos);
        if (length > (ulong)(data.Length - pos)) throw new InvalidDataException($"a protobuf field of {length} bytes runs past the end at byte {pos}");
        var slice = data.Slice(pos, (int)length);
        pos += (int)length;
        return slice;
    }

    private static void Skip(ReadOnlySpan<byte> data, ref int pos, int wire)
    {
        switch (wire)
        {
            case Varint: ReadVarint(data, ref pos); break;
            case Fixed64: Advance(data, ref pos, 8); break;
            case LengthDelimited: ReadBytes(data, ref pos); break;
            case Fixed32: Advance(data, ref pos, 4); break;
            default: throw new InvalidDataException($"protobuf wire type {wire} at byte {pos} is not used by ONNX");
        }
    }

    private static void Advance(ReadOnlySpan<byte> data, ref int pos, int count)
    {
        if (data.Length - pos < count) throw new InvalidDataException("the protobuf message ends inside a fixed-width field");
        pos += count;
    }

    private static void WriteBytesField(Stream s, int field, ReadOnlySpan<byte> bytes)
    {
        WriteVarint(s, ((ulong)field << 3) | LengthDelimited);
        WriteVarint(s, (ulong)bytes.Length);
        s.Write(bytes);
    }

    private static void WriteVarint(Stream s, ulong value)
    {
        while (value >= 0x80)
        {
            s.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        s.WriteByte((byte)value);
    }
}
