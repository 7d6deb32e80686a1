using System.Numerics.Tensors;

namespace Probabilistic.Nn.Tensors;

/// <summary>Geometry of a 2-D convolution or pooling window: kernel, stride, padding, dilation.</summary>
public readonly record struct ConvGeometry(
    int KernelH, int KernelW, int StrideH = 1, int StrideW = 1, int PadH = 0, int PadW = 0, int DilationH = 1, int DilationW = 1)
{
    /// <summary>Output height for an input of height <paramref name="height"/>.</summary>
    public int OutHeight(int height) => (height + 2 * PadH - DilationH * (KernelH - 1) - 1) / StrideH + 1;

    /// <summary>Output width for an input of width <paramref name="width"/>.</summary>
    public int OutWidth(int width) => (width + 2 * PadW - DilationW * (KernelW - 1) - 1) / StrideW + 1;
}

/// <summary>
/// im2col / col2im: input [C, H, W] ↔ columns [C·KH·KW, OH·OW] (row-major), so a convolution
/// becomes one GEMM. <see cref="ColumnsToImage"/> is the adjoint of <see cref="ImageToColumns"/> (it accumulates).
/// The batched forms lay a whole batch [N, C, H, W] out as columns [C·KH·KW, N·OH·OW], so that
/// weights [OC, C·KH·KW] · columns is a single GEMM for the batch.
/// </summary>
/// <remarks>
/// Each (channel, ky, kx, output row) copies one contiguous run of valid input pixels (a span copy when the
/// horizontal stride is 1) and zero-fills only the padded ends, so the inner loop has no per-element bounds tests.
/// </remarks>
public static class Im2Col
{
    /// <summary>Unfolds one image [C, H, W] into columns [C·KH·KW, OH·OW].</summary>
    public static void ImageToColumns(ReadOnlySpan<float> input, int channels, int height, int width, ConvGeometry g, Span<float> columns)
    {
        int spatial = Check(nameof(ImageToColumns), input.Length, columns.Length, 1, channels, height, width, g);
        Unfold(input, channels, height, width, g, columns, spatial, 0);
    }

    /// <summary>Adds each column entry back into the image position it came from (the adjoint of <see cref="ImageToColumns"/>).</summary>
    public static void ColumnsToImage(ReadOnlySpan<float> columns, int channels, int height, int width, ConvGeometry g, Span<float> image)
    {
        int spatial = Check(nameof(ColumnsToImage), image.Length, columns.Length, 1, channels, height, width, g);
        Fold(columns, channels, height, width, g, image, spatial, 0);
    }

    /// <summary>Unfolds a batch [N, C, H, W] into columns [C·KH·KW, N·OH·OW] (image n owns columns n·OH·OW …).</summary>
    public static void ImageToColumnsBatch(ReadOnlySpan<float> input, int batch, int channels, int height, int width, ConvGeometry g, Span<float> columns)
    {
        int spatial = Check(nameof(ImageToColumnsBatch), input.Length, columns.Length, batch, channels, height, width, g);
        int imageSize = channels * height * width;
        for (int n = 0; n < batch; n++)
            Unfold(input.Slice(n * imageSize, imageSize), channels, height, width, g, columns, batch * spatial, n * spatial);
    }

    /// <summary>The adjoint of <see cref="ImageToColumnsBatch"/>: accumulates columns [C·KH·KW, N·OH·OW] into images [N, C, H, W].</summary>
    public static void ColumnsToImageBatch(ReadOnlySpan<float> columns, int batch, int channels, int height, int width, ConvGeometry g, Span<float> images)
    {
        int spatial = Check(nameof(ColumnsToImageBatch), images.Length, columns.Length, batch, channels, height, width, g);
        int imageSize = channels * height * width;
        for (int n = 0; n < batch; n++)
            Fold(columns, channels, height, width, g, images.Slice(n * imageSize, imageSize), batch * spatial, n * spatial);
    }

    /// <summary>
    /// Writes the unfolded image into columns whose rows are <paramref name="rowStride"/> long, starting at
    /// column <paramref name="offset"/> of each row.
    /// </summary>
    private static void Unfold(ReadOnlySpan<float> image, int channels, int height, int width, ConvGeometry g, Span<float> columns, int rowStride, int offset)
    {
        int oh = g.OutHeight(height), ow = g.OutWidth(width);
        int row = 0;
        for (int c = 0; c < channels; c++)
        for (int ky = 0; ky < g.KernelH; ky++)
        for (int kx = 0; kx < g.KernelW; kx++, row++)
        {
            (int x0, int x1, int shift) = ValidColumns(kx, width, ow, g);
            Span<float> dst = columns.Slice(row * rowStride + offset, oh * ow);
            for (int y = 0; y < oh; y++)
            {
                Span<float> line = dst.Slice(y * ow, ow);
                int iy = y * g.StrideH - g.PadH + ky * g.DilationH;
                if ((uint)iy >= (uint)height || x0 >= x1)
                {
                    line.Clear();
                    continue;
                }
                line[..x0].Clear();
                line[x1..].Clear();
                ReadOnlySpan<float> src = image.Slice((c * height + iy) * width, width);
                if (g.StrideW == 1)
                    src.Slice(x0 + shift, x1 - x0).CopyTo(line[x0..x1]);
                else
                    for (int x = x0, ix = x0 * g.StrideW + shift; x < x1; x++, ix += g.StrideW) line[x] = src[ix];
            }
        }
    }

    /// <summary>Adds columns (rows <paramref name="rowStride"/> long, from column <paramref name="offset"/>) into the image.</summary>
    private static void Fold(ReadOnlySpan<float> columns, int channels, int height, int width, ConvGeometry g, Span<float> image, int rowStride, int offset)
    {
        int oh = g.OutHeight(height), ow = g.OutWidth(width);
        int row = 0;
        for (int c = 0; c < channels; c++)
        for (int ky = 0; ky < g.KernelH; ky++)
        for (int kx = 0; kx < g.KernelW; kx++, row++)
        {
            (int x0, int x1, int shift) = ValidColumns(kx, width, ow, g);
            if (x0 >= x1) continue;
            ReadOnlySpan<float> src = columns.Slice(row * rowStride + offset, oh * ow);
            for (int y = 0; y < oh; y++)
            {
                int iy = y * g.StrideH - g.PadH + ky * g.DilationH;
                if ((uint)iy >= (uint)height) continue;
                ReadOnlySpan<float> line = src.Slice(y * ow, ow);
                Span<float> dst = image.Slice((c * height + iy) * width, width);
                if (g.StrideW == 1)
                {
                    Span<float> target = dst.Slice(x0 + shift, x1 - x0);
                    TensorPrimitives.Add(target, line[x0..x1], target);
                }
                else
                    for (int x = x0, ix = x0 * g.StrideW + shift; x < x1; x++, ix += g.StrideW) dst[ix] += line[x];
            }
        }
    }

    /// <summary>
    /// For kernel column kx: the output columns [x0, x1) whose input column ix = x·strideW + shift lies inside
    /// [0, width), with shift = kx·dilationW − padW.
    /// </summary>
    private static (int X0, int X1, int Shift) ValidColumns(int kx, int width, int ow, ConvGeometry g)
    {
        int shift = kx * g.DilationW - g.PadW;
        // x0 = ceil(-shift / s) clamped at 0; x1 = floor((width - 1 - shift) / s) + 1 clamped at ow.
        int x0 = shift >= 0 ? 0 : (-shift + g.StrideW - 1) / g.StrideW;
        int x1 = width - 1 - shift < 0 ? 0 : Math.Min(ow, (width - 1 - shift) / g.StrideW + 1);
        return (Math.Min(x0, ow), Math.Max(x1, Math.Min(x0, ow)), shift);
    }

    /// <summary>Validates geometry and span lengths; returns OH·OW.</summary>
    private static int Check(string operation, int imageLength, int columnsLength, int batch, int channels, int height, int width, ConvGeometry g)
    {
        string where = $"Im2Col.{operation}";
        if (batch < 0 || channels < 0 || height < 1 || width < 1)
            throw new ArgumentException($"{where}: need batch ≥ 0, channels ≥ 0, height ≥ 1, width ≥ 1; got {batch}, {channels}, {height}, {width}.");
        if (g.KernelH < 1 || g.KernelW < 1 || g.StrideH < 1 || g.StrideW < 1 || g.DilationH < 1 || g.DilationW < 1 || g.PadH < 0 || g.PadW < 0)
            throw new ArgumentException($"{where}: invalid geometry {g} (kernel, stride, dilation ≥ 1; padding ≥ 0).", nameof(g));
        int oh = g.OutHeight(height), ow = g.OutWidth(width);
        if (height + 2 * g.PadH < g.DilationH * (g.KernelH - 1) + 1 || width + 2 * g.PadW < g.DilationW * (g.KernelW - 1) + 1)
            throw new ArgumentException($"{where}: the window of {g} does not fit the padded {height}×{width} image.", nameof(g));
        long imageNeeded = (long)batch * channels * height * width;
        long columnsNeeded = (long)channels * g.KernelH * g.KernelW * batch * oh * ow;
        if (imageLength < imageNeeded)
            throw new ArgumentException($"{where}: the image span has {imageLength} elements, need {imageNeeded} = {batch}×{channels}×{height}×{width}.");
        if (columnsLength < columnsNeeded)
            throw new ArgumentException(
                $"{where}: the columns span has {columnsLength} elements, need {columnsNeeded} = ({channels}·{g.KernelH}·{g.KernelW})×({batch}·{oh}·{ow}).");
        return oh * ow;
    }
}
