using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Layers;

/// <summary>
/// One array read from a NumPy <c>.npy</c> file: its shape (empty for a 0-d scalar), its NumPy dtype string
/// (<c>&lt;f4</c>, <c>&lt;f8</c>, <c>&lt;i8</c>, <c>&lt;i4</c>) and its values in C order, converted to float32.
/// </summary>
/// <param name="Shape">The dimensions, C order; empty for a 0-d array.</param>
/// <param name="DType">The dtype as the file names it.</param>
/// <param name="Values">The values converted to float32 (float64 rounded, integers converted).</param>
public sealed record NpyArray(int[] Shape, string DType, float[] Values)
{
    /// <summary>The array as a tensor (a 0-d array becomes shape [1]); the values are shared, not copied.</summary>
    public Tensor ToTensor() => new(Values, Shape.Length == 0 ? [1] : Shape);
}

/// <summary>
/// Reads NumPy's <c>.npy</c> arrays and <c>.npz</c> archives (a zip of <c>name.npy</c> entries, stored or deflated,
/// as <c>np.savez</c> and <c>np.savez_compressed</c> write them). Format versions 1.0, 2.0 and 3.0; little-endian
/// float32, float64, int64 and int32; C order only (<c>fortran_order: False</c>). Anything else throws
/// <see cref="InvalidDataException"/> naming the source and the problem.
/// </summary>
public static class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private static readonly Regex DescrPattern = new(@"'descr'\s*:\s*'([^']*)'", RegexOptions.CultureInvariant);
    private static readonly Regex FortranPattern = new(@"'fortran_order'\s*:\s*(True|False)", RegexOptions.CultureInvariant);
    private static readonly Regex ShapePattern = new(@"'shape'\s*:\s*\(([^)]*)\)", RegexOptions.CultureInvariant);

    /// <summary>Reads one <c>.npy</c> file.</summary>
    public static NpyArray Read(string path)
    {
        using var stream = OpenOrThrow(path, "Npy.Read");
        return Read(stream, path);
    }

    /// <summary>Reads one <c>.npy</c> array from a stream; <paramref name="source"/> names it in errors.</summary>
    public static NpyArray Read(Stream stream, string source = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        var prefix = new byte[8];
        if (!TryReadExactly(stream, prefix) || !prefix.AsSpan(0, 6).SequenceEqual(Magic))
            throw new InvalidDataException($"Npy.Read: {source} is not a .npy array (bad magic).");
        int major = prefix[6];
        int headerLength;
        if (major == 1)
        {
            var len = new byte[2];
            if (!TryReadExactly(stream, len)) throw Truncated(source, "header length");
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(len);
        }
        else if (major is 2 or 3)
        {
            var len = new byte[4];
            if (!TryReadExactly(stream, len)) throw Truncated(source, "header length");
            headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(len));
        }
        else throw new InvalidDataException($"Npy.Read: {source} has .npy format version {major}.{prefix[7]}, only 1.0 to 3.0 are read.");
        var headerBytes = new byte[headerLength];
        if (!TryReadExactly(stream, headerBytes)) throw Truncated(source, "header");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);

        var descr = DescrPattern.Match(header);
        var fortran = FortranPattern.Match(header);
        var shapeMatch = ShapePattern.Match(header);
        if (!descr.Success || !fortran.Success || !shapeMatch.Success)
            throw new InvalidDataException($"Npy.Read: {source} has an unreadable header {header.Trim()}.");
        if (fortran.Groups[1].Value == "True")
            throw new InvalidDataException($"Npy.Read: {source} is in Fortran order; save it C-contiguous (np.ascontiguousarray).");
        var shape = ParseShape(shapeMatch.Groups[1].Value, source);
        string dtype = descr.Groups[1].Value;
        int itemSize = dtype switch
        {
            "<f4" => 4,
            "<f8" => 8,
            "<i8" => 8,
            "<i4" => 4,
            _ => throw new InvalidDataException($"Npy.Read: {source} has dtype '{dtype}'; only little-endian float32, float64, int64 and int32 ('<f4', '<f8', '<i8', '<i4') are read."),
        };
        long count = 1;
        foreach (int d in shape) count *= d;
        if (count > Array.MaxLength / 8)
            throw new InvalidDataException($"Npy.Read: {source} holds {count} values, too many for one tensor.");
        var raw = new byte[count * itemSize];
        if (!TryReadExactly(stream, raw)) throw Truncated(source, $"data ({count} values of '{dtype}')");
        var values = new float[count];
        var span = raw.AsSpan();
        switch (dtype)
        {
            case "<f4":
                if (BitConverter.IsLittleEndian) span.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
                else for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(span[(4 * i)..]);
                break;
            case "<f8":
                for (int i = 0; i < values.Length; i++) values[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(span[(8 * i)..]);
                break;
            case "<i8":
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt64LittleEndian(span[(8 * i)..]);
                break;
            default:
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt32LittleEndian(span[(4 * i)..]);
                break;
        }
        return new NpyArray(shape, dtype, values);
    }

    /// <summary>
    /// Reads every array of a <c>.npz</c> archive, keyed by entry name without the <c>.npy</c> suffix, in archive order.
    /// </summary>
    public static IReadOnlyDictionary<string, NpyArray> ReadNpz(string path)
    {
        using var stream = OpenOrThrow(path, "Npy.ReadNpz");
        return ReadNpz(stream, path);
    }

    /// <summary>Reads every array of a <c>.npz</c> archive from a stream; <paramref name="source"/> names it in errors.</summary>
    public static IReadOnlyDictionary<string, NpyArray> ReadNpz(Stream stream, string source = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ZipArchive zip;
        try { zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true); }
        catch (InvalidDataException e) { throw new InvalidDataException($"Npy.ReadNpz: {source} is not a .npz archive ({e.Message})", e); }
        using (zip)
        {
            var arrays = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries)
            {
                if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal))
                    throw new InvalidDataException($"Npy.ReadNpz: {source} holds '{entry.FullName}', which is not a .npy entry.");
                string name = entry.FullName[..^4];
                using var s = entry.Open();
                arrays[name] = Read(s, $"{source}:{entry.FullName}");
            }
            return arrays;
        }
    }

    private static int[] ParseShape(string text, string source)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var shape = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i].TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]))
                throw new InvalidDataException($"Npy.Read: {source} has an unreadable shape ({text}).");
        return shape;
    }

    private static bool TryReadExactly(Stream stream, byte[] buffer)
    {
        int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return read == buffer.Length;
    }

    private static InvalidDataException Truncated(string source, string what) =>
        new($"Npy.Read: {source} ends inside its {what}.");

    private static FileStream OpenOrThrow(string path, string method)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{method}: no file '{path}'.", path);
        return File.OpenRead(path);
    }
}
