using Probabilistic.Core.Random;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Tests.Tensors;

/// <summary>im2col/col2im against a direct per-element definition, the adjoint identity, and the batched layout.</summary>
public sealed class Im2ColTests
{
    /// <summary>(channels, height, width, geometry): plain, strided, padded, dilated, asymmetric, 1×1, window = padded image.</summary>
    public static TheoryData<int, int, int, ConvGeometry> Cases => new()
    {
        { 1, 5, 5, new ConvGeometry(3, 3) },
        { 2, 6, 7, new ConvGeometry(3, 3, PadH: 1, PadW: 1) },
        { 3, 9, 8, new ConvGeometry(3, 3, 2, 2, 1, 1) },
        { 2, 10, 11, new ConvGeometry(2, 3, 2, 1, 0, 2, 2, 1) },
        { 1, 12, 13, new ConvGeometry(5, 5, 3, 3, 2, 2, 2, 2) },
        { 4, 4, 4, new ConvGeometry(1, 1) },
        { 2, 3, 2, new ConvGeometry(3, 4, 1, 1, 1, 2) },
        { 1, 7, 9, new ConvGeometry(2, 2, 2, 2) },
        { 2, 8, 8, new ConvGeometry(3, 3, 1, 3, 4, 4, 1, 3) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ImageToColumnsMatchesTheDefinition(int channels, int height, int width, ConvGeometry g)
    {
        float[] x = Random(new Rng(1), channels * height * width);
        int rows = channels * g.KernelH * g.KernelW, cols = g.OutHeight(height) * g.OutWidth(width);
        float[] columns = new float[rows * cols];
        Array.Fill(columns, float.NaN); // every entry must be written, padding included
        Im2Col.ImageToColumns(x, channels, height, width, g, columns);
        Assert.Equal(Reference(x, channels, height, width, g), columns);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ColumnsToImageIsTheAdjointAndAccumulates(int channels, int height, int width, ConvGeometry g)
    {
        var rng = new Rng(2);
        int size = channels * height * width, rows = channels * g.KernelH * g.KernelW, cols = g.OutHeight(height) * g.OutWidth(width);
        float[] x = Random(rng, size), y = Random(rng, rows * cols), start = Random(rng, size);
        float[] columns = new float[rows * cols];
        Im2Col.ImageToColumns(x, channels, height, width, g, columns);
        float[] folded = (float[])start.Clone();
        Im2Col.ColumnsToImage(y, channels, height, width, g, folded);

        // <im2col(x), y> = <x, col2im(y)>, with col2im(y) = folded − start; both sides summed in double.
        double left = 0, right = 0, scale = 0;
        for (int i = 0; i < columns.Length; i++) { left += (double)columns[i] * y[i]; scale += Math.Abs((double)columns[i] * y[i]); }
        for (int i = 0; i < size; i++) right += (double)x[i] * ((double)folded[i] - start[i]);
        // Each image entry sums at most KH·KW column entries in float: relative error ≤ (KH·KW + 1)·2⁻²⁴ each,
        // doubled for the subtraction of the start value (|start| ≤ 1, |x| ≤ 1).
        double tolerance = 2 * (g.KernelH * g.KernelW + 2) * Math.Pow(2, -24) * (scale + size);
        Assert.InRange(left - right, -tolerance, tolerance);

        // The fold itself against the definition: scatter-add in double.
        double[] expected = start.Select(v => (double)v).ToArray();
        int oh = g.OutHeight(height), ow = g.OutWidth(width);
        ForEachTap(channels, height, width, g, (row, col, index) => { if (index >= 0) expected[index] += y[row * oh * ow + col]; });
        for (int i = 0; i < size; i++)
            Assert.True(Math.Abs(folded[i] - expected[i]) <= 1e-5 * (1 + Math.Abs(expected[i])) * g.KernelH * g.KernelW,
                $"image[{i}] = {folded[i]}, expected {expected[i]}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BatchedLayoutPutsImageNInItsOwnColumnBlock(int channels, int height, int width, ConvGeometry g)
    {
        const int batch = 3;
        var rng = new Rng(3);
        int size = channels * height * width, rows = channels * g.KernelH * g.KernelW, cols = g.OutHeight(height) * g.OutWidth(width);
        float[] images = Random(rng, batch * size);
        float[] batched = new float[rows * batch * cols];
        Im2Col.ImageToColumnsBatch(images, batch, channels, height, width, g, batched);
        float[] y = Random(rng, rows * batch * cols);
        float[] foldedBatch = new float[batch * size];
        Im2Col.ColumnsToImageBatch(y, batch, channels, height, width, g, foldedBatch);
        for (int n = 0; n < batch; n++)
        {
            float[] single = new float[rows * cols], ySingle = new float[rows * cols], folded = new float[size];
            Im2Col.ImageToColumns(images.AsSpan(n * size, size), channels, height, width, g, single);
            for (int r = 0; r < rows; r++)
            {
                Assert.Equal(single.AsSpan(r * cols, cols).ToArray(), batched.AsSpan(r * batch * cols + n * cols, cols).ToArray());
                y.AsSpan(r * batch * cols + n * cols, cols).CopyTo(ySingle.AsSpan(r * cols));
            }
            Im2Col.ColumnsToImage(ySingle, channels, height, width, g, folded);
            Assert.Equal(folded, foldedBatch.AsSpan(n * size, size).ToArray());
        }
    }

    [Fact]
    public void BadShapesAreRejected()
    {
        var g = new ConvGeometry(3, 3);
        var e = Assert.Throws<ArgumentException>(() => Im2Col.ImageToColumns(new float[24], 1, 5, 5, g, new float[81]));
        Assert.Contains("ImageToColumns", e.Message);
        Assert.Contains("24", e.Message);
        e = Assert.Throws<ArgumentException>(() => Im2Col.ColumnsToImage(new float[80], 1, 5, 5, g, new float[25]));
        Assert.Contains("80", e.Message);
        Assert.Throws<ArgumentException>(() => Im2Col.ImageToColumns(new float[4], 1, 2, 2, g, new float[9]));
        Assert.Throws<ArgumentException>(() => Im2Col.ImageToColumns(new float[25], 1, 5, 5, g with { StrideH = 0 }, new float[81]));
    }

    /// <summary>Calls tap(row, column, input index or −1 for padding) for every entry of the column matrix.</summary>
    private static void ForEachTap(int channels, int height, int width, ConvGeometry g, Action<int, int, int> tap)
    {
        int oh = g.OutHeight(height), ow = g.OutWidth(width);
        for (int c = 0; c < channels; c++)
        for (int ky = 0; ky < g.KernelH; ky++)
        for (int kx = 0; kx < g.KernelW; kx++)
        for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++)
        {
            int iy = y * g.StrideH - g.PadH + ky * g.DilationH, ix = x * g.StrideW - g.PadW + kx * g.DilationW;
            bool inside = iy >= 0 && iy < height && ix >= 0 && ix < width;
            tap((c * g.KernelH + ky) * g.KernelW + kx, y * ow + x, inside ? (c * height + iy) * width + ix : -1);
        }
    }

    private static float[] Reference(float[] x, int channels, int height, int width, ConvGeometry g)
    {
        int cols = g.OutHeight(height) * g.OutWidth(width);
        var columns = new float[channels * g.KernelH * g.KernelW * cols];
        ForEachTap(channels, height, width, g, (row, col, index) => columns[row * cols + col] = index >= 0 ? x[index] : 0f);
        return columns;
    }

    private static float[] Random(Rng rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = 2f * rng.NextFloat() - 1f;
        return x;
    }
}
