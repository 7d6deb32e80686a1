using System.Buffers.Binary;
using System.IO.Compression;
using Probabilistic.Nn.Data;

namespace Probabilistic.Nn.Tests.Data;

public sealed class IdxTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static IdxArray Sample(params int[] shape)
    {
        int size = shape.Aggregate(1, (a, b) => a * b);
        var data = new byte[size];
        for (int i = 0; i < size; i++) data[i] = (byte)(i * 37 + 11);
        return new IdxArray(shape, data);
    }

    private static byte[] RawBytes(IdxArray array)
    {
        using var ms = new MemoryStream();
        Span<byte> word = stackalloc byte[4];
        ms.Write([0, 0, 0x08, (byte)array.Shape.Length]);
        foreach (int d in array.Shape)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, d);
            ms.Write(word);
        }
        ms.Write(array.Data);
        return ms.ToArray();
    }

    private static byte[] Gzip(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(raw);
        return ms.ToArray();
    }

    private static DataFormatException AssertFormatError(string path, string expectedFragment)
    {
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expectedFragment, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RoundTripPreservesShapeAndBytes(bool gzip)
    {
        foreach (int[] shape in new[] { new[] { 7 }, new[] { 5, 4, 3 }, new[] { 2, 3, 4, 5 } })
        {
            IdxArray original = Sample(shape);
            string path = _dir.File($"a{shape.Length}{(gzip ? ".gz" : "")}");
            IdxWriter.Write(path, original, gzip);
            Assert.Equal(RawBytes(original), gzip ? Decompress(path) : File.ReadAllBytes(path));
            IdxArray read = IdxReader.Read(path);
            Assert.Equal(shape, read.Shape);
            Assert.Equal(original.Data, read.Data);
            Assert.Equal(path, read.SourcePath);
        }
    }

    private static byte[] Decompress(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    [Fact]
    public void CompressionIsDetectedFromTheSignatureNotTheName()
    {
        IdxArray original = Sample(6, 2);
        string gzipNamedRaw = _dir.File("compressed-without-extension");
        string rawNamedGz = _dir.File("raw-with-extension.gz");
        File.WriteAllBytes(gzipNamedRaw, Gzip(RawBytes(original)));
        File.WriteAllBytes(rawNamedGz, RawBytes(original));
        Assert.Equal(original.Data, IdxReader.Read(gzipNamedRaw).Data);
        Assert.Equal(original.Data, IdxReader.Read(rawNamedGz).Data);
    }

    [Fact]
    public void TruncatedPayloadIsRejected()
    {
        byte[] raw = RawBytes(Sample(10, 3));
        string path = _dir.File("truncated");
        File.WriteAllBytes(path, raw[..^5]);
        AssertFormatError(path, "payload is truncated: shape [10, 3] needs 30 bytes but the file holds 25");
    }

    [Fact]
    public void TruncatedHeaderIsRejected()
    {
        string path = _dir.File("header");
        File.WriteAllBytes(path, RawBytes(Sample(10, 3))[..9]);
        AssertFormatError(path, "header is truncated");
        File.WriteAllBytes(path, [0, 0]);
        AssertFormatError(path, "is 2 bytes long");
    }

    [Fact]
    public void TruncatedGzipIsRejected()
    {
        byte[] compressed = Gzip(RawBytes(Sample(200, 50)));
        string path = _dir.File("truncated.gz");
        File.WriteAllBytes(path, compressed[..(compressed.Length / 2)]);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(path));
        Assert.StartsWith(path + ": ", e.Message);
    }

    [Fact]
    public void CorruptGzipIsRejected()
    {
        byte[] raw = RawBytes(Sample(200, 50));
        byte[] compressed = Gzip(raw);
        // Flip bits inside the deflate data (after the 10-byte gzip header, before the 8-byte CRC/size trailer).
        for (int i = 12; i < compressed.Length - 10; i += 7) compressed[i] ^= 0x5A;
        string path = _dir.File("corrupt.gz");
        File.WriteAllBytes(path, compressed);
        AssertFormatError(path, "gzip");

        // A stream whose data decompress but whose CRC trailer is wrong must be rejected too.
        compressed = Gzip(raw);
        compressed[^6] ^= 0xFF;
        File.WriteAllBytes(path, compressed);
        AssertFormatError(path, "corrupt gzip stream");
    }

    [Fact]
    public void WrongMagicIsRejected()
    {
        byte[] raw = RawBytes(Sample(4, 4));
        raw[0] = 0x50; // "PK": a zip file, say
        raw[1] = 0x4B;
        string path = _dir.File("magic");
        File.WriteAllBytes(path, raw);
        AssertFormatError(path, "magic number starts with 0x50 0x4B; expected 0x00 0x00");
    }

    [Fact]
    public void UnsupportedElementTypeIsRejected()
    {
        byte[] raw = RawBytes(Sample(4, 4));
        raw[2] = 0x0D;
        string path = _dir.File("float");
        File.WriteAllBytes(path, raw);
        AssertFormatError(path, "element type is 0x0D (float32); expected 0x08 (unsigned byte)");
    }

    [Fact]
    public void BadDimensionsAreRejected()
    {
        string path = _dir.File("dims");
        byte[] raw = RawBytes(Sample(4, 4));
        raw[3] = 0;
        File.WriteAllBytes(path, raw);
        AssertFormatError(path, "dimension count is 0");

        raw = RawBytes(Sample(4, 4));
        BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(8, 4), 0);
        File.WriteAllBytes(path, raw);
        AssertFormatError(path, "dimension 1 is 0; expected a positive size");

        raw = RawBytes(Sample(4, 4));
        BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(4, 4), -3);
        File.WriteAllBytes(path, raw);
        AssertFormatError(path, "dimension 0 is -3");
    }

    [Fact]
    public void ExtraBytesAreRejected()
    {
        string path = _dir.File("extra.gz");
        File.WriteAllBytes(path, Gzip([.. RawBytes(Sample(3, 3)), 1, 2, 3]));
        AssertFormatError(path, "decompressed stream has 3 bytes after the 9-byte payload");
    }

    [Fact]
    public void MissingFileIsFileNotFound() =>
        Assert.Throws<FileNotFoundException>(() => IdxReader.Read(_dir.File("nothing-here")));
}
