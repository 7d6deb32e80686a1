using System.Buffers.Binary;
using System.IO.Compression;

namespace Probabilistic.Nn.Data;

/// <summary>Writes unsigned-byte IDX files, raw or gzip-compressed (the counterpart of <see cref="IdxReader"/>).</summary>
public static class IdxWriter
{
    /// <summary>Writes <paramref name="array"/> to <paramref name="path"/>; gzip-compressed when <paramref name="gzip"/>.</summary>
    public static void Write(string path, IdxArray array, bool gzip)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Shape.Length > IdxReader.MaxDimensions)
            throw new ArgumentException($"IdxWriter: {array.Shape.Length} dimensions; at most {IdxReader.MaxDimensions} are supported.", nameof(array));
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using Stream stream = gzip ? new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true) : file;
        Span<byte> header = stackalloc byte[4 + 4 * array.Shape.Length];
        header[0] = 0;
        header[1] = 0;
        header[2] = IdxReader.UnsignedByteType;
        header[3] = (byte)array.Shape.Length;
        for (int i = 0; i < array.Shape.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(header.Slice(4 + 4 * i, 4), array.Shape[i]);
        stream.Write(header);
        stream.Write(array.Data);
    }
}
