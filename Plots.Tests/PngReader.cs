using System.Buffers.Binary;
using System.IO.Compression;

namespace Probabilistic.Plots.Tests;

/// <summary>
/// An independent PNG reader for the tests: checks the signature and every chunk CRC (bitwise CRC, not the
/// library's table), inflates IDAT with ZLibStream and undoes the row filters (all five PNG filter types).
/// </summary>
internal sealed class PngReader
{
    public int Width { get; private init; }
    public int Height { get; private init; }
    public byte[] Inflated { get; private init; } = [];
    public byte[] Rgba { get; private init; } = [];
    public List<string> ChunkTypes { get; } = [];
    public byte[] Ihdr { get; private set; } = [];

    public static uint BitwiseCrc(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (uint)-(int)(c & 1));
        }
        return ~c;
    }

    public static PngReader Read(byte[] png)
    {
        byte[] sig = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        Assert.Equal(sig, png[..8]);
        int pos = 8;
        var idat = new MemoryStream();
        var types = new List<string>();
        byte[] ihdr = [];
        while (pos < png.Length)
        {
            int len = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            string type = System.Text.Encoding.ASCII.GetString(png, pos + 4, 4);
            var typeAndData = png.AsSpan(pos + 4, 4 + len);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + len));
            Assert.True(stored == BitwiseCrc(typeAndData), $"CRC mismatch in chunk {type}");
            if (type == "IHDR") ihdr = png.AsSpan(pos + 8, len).ToArray();
            if (type == "IDAT") idat.Write(png, pos + 8, len);
            types.Add(type);
            pos += 12 + len;
        }
        Assert.Equal(png.Length, pos);
        Assert.Equal(13, ihdr.Length);
        int w = BinaryPrimitives.ReadInt32BigEndian(ihdr), h = BinaryPrimitives.ReadInt32BigEndian(ihdr.AsSpan(4));
        Assert.Equal(new byte[] { 8, 6, 0, 0, 0 }, ihdr[8..]);
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        var raw = new MemoryStream();
        z.CopyTo(raw);
        var inflated = raw.ToArray();
        var rgba = inflated.Length == h * (1 + 4 * w) ? Unfilter(inflated, w, h) : [];
        var r = new PngReader { Width = w, Height = h, Inflated = inflated, Rgba = rgba, Ihdr = ihdr };
        r.ChunkTypes.AddRange(types);
        return r;
    }

    private static byte[] Unfilter(byte[] data, int w, int h)
    {
        int stride = 4 * w;
        var outp = new byte[h * stride];
        for (int y = 0; y < h; y++)
        {
            byte f = data[y * (stride + 1)];
            for (int i = 0; i < stride; i++)
            {
                int x = data[y * (stride + 1) + 1 + i];
                int a = i >= 4 ? outp[y * stride + i - 4] : 0;
                int b = y > 0 ? outp[(y - 1) * stride + i] : 0;
                int c = i >= 4 && y > 0 ? outp[(y - 1) * stride + i - 4] : 0;
                int pred = f switch
                {
                    0 => 0, 1 => a, 2 => b, 3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"bad filter {f} in row {y}"),
                };
                outp[y * stride + i] = (byte)(x + pred);
            }
        }
        return outp;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    public Color Pixel(int x, int y)
    {
        int i = (y * Width + x) * 4;
        return new Color(Rgba[i], Rgba[i + 1], Rgba[i + 2], Rgba[i + 3]);
    }
}
