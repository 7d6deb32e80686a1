using System.Buffers.Binary;
using System.IO.Compression;

namespace Probabilistic.Nn.Data;

/// <summary>
/// Reads IDX files (LeCun's MNIST format, also used by FashionMNIST), raw or gzip-compressed. Compression is
/// detected from the gzip signature 1f 8b, not from the file name. Everything is validated before anything is
/// returned: the magic number (00 00, element type 08 = unsigned byte, dimension count), each dimension, and that
/// the payload is exactly the product of the dimensions, no byte more or less. Any violation, including a corrupt
/// gzip stream, is one <see cref="DataFormatException"/> naming the file.
/// </summary>
public static class IdxReader
{
    /// <summary>IDX element type code for unsigned bytes, the only one the reader accepts.</summary>
    public const byte UnsignedByteType = 0x08;

    /// <summary>Largest dimension count accepted (IDX allows 255; real files use 1 to 4).</summary>
    public const int MaxDimensions = 8;

    /// <summary>Reads and validates one IDX file of unsigned bytes.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The contents are not a complete, valid unsigned-byte IDX array.</exception>
    public static IdxArray Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file not found: {path}", path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        bool gzip = StartsWithGzipSignature(file);
        using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : file;
        try
        {
            return ReadValidated(stream, path, gzip);
        }
        catch (InvalidDataException e)
        {
            throw CorruptGzip(path, e);
        }
        catch (DataFormatException) when (gzip)
        {
            // Damaged deflate data can decompress to garbage that fails the IDX checks before the CRC is reached:
            // read the rest of the stream, so that a corrupt gzip is reported as such rather than as a bad header.
            try { CountRemainingBytes(stream); }
            catch (InvalidDataException e) { throw CorruptGzip(path, e); }
            throw;
        }
    }

    private static DataFormatException CorruptGzip(string path, InvalidDataException e) =>
        new(path, $"corrupt gzip stream ({e.Message.TrimEnd('.')}); expected a valid gzip-compressed IDX file", e);

    /// <summary>True when the stream starts with the gzip signature; the stream is rewound either way.</summary>
    private static bool StartsWithGzipSignature(FileStream file)
    {
        Span<byte> head = stackalloc byte[2];
        int n = file.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return n == 2 && head[0] == 0x1f && head[1] == 0x8b;
    }

    private static IdxArray ReadValidated(Stream stream, string path, bool gzip)
    {
        string what = gzip ? "decompressed stream" : "file";
        string endedEarly = gzip ? " (the gzip data end early: is the file truncated?)" : "";
        Span<byte> magic = stackalloc byte[4];
        int got = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        if (got < 4)
            throw new DataFormatException(path, $"{what} is {got} bytes long; expected at least the 4-byte IDX magic number{endedEarly}");
        if (magic[0] != 0 || magic[1] != 0)
            throw new DataFormatException(path, $"magic number starts with 0x{magic[0]:X2} 0x{magic[1]:X2}; expected 0x00 0x00 (not an IDX file)");
        if (magic[2] != UnsignedByteType)
            throw new DataFormatException(path, $"element type is 0x{magic[2]:X2} ({TypeName(magic[2])}); expected 0x08 (unsigned byte), the only type supported");
        int rank = magic[3];
        if (rank < 1 || rank > MaxDimensions)
            throw new DataFormatException(path, $"dimension count is {rank}; expected 1 to {MaxDimensions}");

        Span<byte> dimBytes = stackalloc byte[4 * rank];
        got = stream.ReadAtLeast(dimBytes, dimBytes.Length, throwOnEndOfStream: false);
        if (got < dimBytes.Length)
            throw new DataFormatException(path, $"header is truncated: {rank} dimensions need {dimBytes.Length} bytes after the magic number but the {what} has {got}{endedEarly}");
        var shape = new int[rank];
        long size = 1;
        for (int i = 0; i < rank; i++)
        {
            int d = BinaryPrimitives.ReadInt32BigEndian(dimBytes.Slice(4 * i, 4));
            if (d <= 0)
                throw new DataFormatException(path, $"dimension {i} is {d}; expected a positive size");
            shape[i] = d;
            size *= d;
            if (size > Array.MaxLength)
                throw new DataFormatException(path, $"shape [{string.Join(", ", shape[..(i + 1)])}...] holds more than {Array.MaxLength} bytes; expected a payload that fits one array");
        }

        var data = GC.AllocateUninitializedArray<byte>((int)size);
        got = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (got < data.Length)
            throw new DataFormatException(path, $"payload is truncated: shape [{string.Join(", ", shape)}] needs {data.Length} bytes but the {what} holds {got}{endedEarly}");
        long extra = CountRemainingBytes(stream);
        if (extra > 0)
            throw new DataFormatException(path, $"{what} has {extra} bytes after the {data.Length}-byte payload of shape [{string.Join(", ", shape)}]; expected none");
        return new IdxArray(shape, data, path);
    }

    private static long CountRemainingBytes(Stream stream)
    {
        Span<byte> sink = stackalloc byte[4096];
        long total = 0;
        int n;
        while ((n = stream.Read(sink)) > 0) total += n;
        return total;
    }

    private static string TypeName(byte code) => code switch
    {
        0x08 => "unsigned byte",
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "unknown type",
    };
}
