using System.Buffers.Binary;
using System.IO.Compression;

namespace Probabilistic.Plots.Raster;

/// <summary>
/// Minimal PNG writer: 8-bit RGBA, no interlace, one IDAT. Each row is filtered with None, Sub or Up, whichever
/// gives the smallest sum of absolute (signed) bytes, the usual heuristic for good zlib compression.
/// </summary>
public static class PngEncoder
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Encodes <paramref name="rgba"/> (row-major, 4 bytes per pixel, straight alpha) as a PNG file.</summary>
    public static byte[] Encode(int width, int height, ReadOnlySpan<byte> rgba)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"PngEncoder.Encode: size {width}×{height} must be positive.");
        if (rgba.Length != checked(width * height * 4))
            throw new ArgumentException($"PngEncoder.Encode: {width}×{height} RGBA needs {width * height * 4} bytes, got {rgba.Length}.");

        using var file = new MemoryStream();
        file.Write(Signature);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], height);
        ihdr[8] = 8;  // bit depth
        ihdr[9] = 6;  // colour type: RGBA
        ihdr[10] = 0; // compression: deflate
        ihdr[11] = 0; // filter method 0
        ihdr[12] = 0; // no interlace
        WriteChunk(file, "IHDR", ihdr);
        WriteChunk(file, "IDAT", Compress(width, height, rgba));
        WriteChunk(file, "IEND", []);
        return file.ToArray();
    }

    private static byte[] Compress(int width, int height, ReadOnlySpan<byte> rgba)
    {
        int stride = width * 4;
        using var deflated = new MemoryStream();
        using (var z = new ZLibStream(deflated, CompressionLevel.Optimal, leaveOpen: true))
        {
            var row = new byte[1 + stride];
            var sub = new byte[stride];
            var up = new byte[stride];
            for (int y = 0; y < height; y++)
            {
                var cur = rgba.Slice(y * stride, stride);
                var prev = y > 0 ? rgba.Slice((y - 1) * stride, stride) : default;
                long costNone = 0, costSub = 0, costUp = 0;
                for (int i = 0; i < stride; i++)
                {
                    byte left = i >= 4 ? cur[i - 4] : (byte)0, above = y > 0 ? prev[i] : (byte)0;
                    sub[i] = (byte)(cur[i] - left);
                    up[i] = (byte)(cur[i] - above);
                    costNone += Math.Abs((int)(sbyte)cur[i]);
                    costSub += Math.Abs((int)(sbyte)sub[i]);
                    costUp += Math.Abs((int)(sbyte)up[i]);
                }
                if (costSub <= costNone && costSub <= costUp) { row[0] = 1; sub.CopyTo(row, 1); }
                else if (costUp < costNone) { row[0] = 2; up.CopyTo(row, 1); }
                else { row[0] = 0; cur.CopyTo(row.AsSpan(1)); }
                z.Write(row);
            }
        }
        return deflated.ToArray();
    }

    private static void WriteChunk(Stream s, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(head, data.Length);
        for (int i = 0; i < 4; i++) head[4 + i] = (byte)type[i];
        s.Write(head);
        s.Write(data);
        uint crc = Crc32.Update(Crc32.Compute(head[4..]), data); // CRC covers type and data, not the length
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(tail, crc);
        s.Write(tail);
    }
}
