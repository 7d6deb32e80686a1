using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
/// Each (channel, ky, kx, output row) copies one contiguous run of valid input pixels (an inline vector copy when
/// the horizontal stride is 1: runs are only 3–28 floats long) and zero-fills only the padded ends, so the inner
/// loop has no per-element bounds tests. The batched forms split the images over the cores.
/// </remarks>
public static class Im2Col
{
    /// <summary>Unfolds one image [C, H, W] into columns [C·KH·KW, OH·OW].</summary>
    public static unsafe void ImageToColumns(ReadOnlySpan<float> input, int channels, int height, int width, ConvGeometry g, Span<float> columns)
    {
        int spatial = Check(nameof(ImageToColumns), input.Length, columns.Length, 1, channels, height, width, g);
        fixed (float* image = input, cols = columns)
            Unfold(image, channels, height, width, g, cols, spatial);
    }

    /// <summary>Adds each column entry back into the image position it came from (the adjoint of <see cref="ImageToColumns"/>).</summary>
    public static unsafe void ColumnsToImage(ReadOnlySpan<float> columns, int channels, int height, int width, ConvGeometry g, Span<float> image)
    {
        int spatial = Check(nameof(ColumnsToImage), image.Length, columns.Length, 1, channels, height, width, g);
        fixed (float* cols = columns, img = image)
            Fold(cols, channels, height, width, g, img, spatial);
    }

    /// <summary>
    /// Unfolds a batch [N, C, H, W] into columns [C·KH·KW, N·OH·OW] (image n owns columns n·OH·OW …).
    /// Images are split over the cores in fixed ranges; each writes only its own columns.
    /// </summary>
    public static unsafe void ImageToColumnsBatch(ReadOnlySpan<float> input, int batch, int channels, int height, int width, ConvGeometry g, Span<float> columns)
    {
        int spatial = Check(nameof(ImageToColumnsBatch), input.Length, columns.Length, batch, channels, height, width, g);
        int imageSize = channels * height * width;
        fixed (float* images = input, cols = columns)
        {
            float* imagesAt = images, colsAt = cols; // fixed locals cannot be captured by the lambda
            Parallelism.For(batch, Parallelism.PartitionsFor(batch, MinImagesPerPartition), (_, start, end) =>
            {
                for (int n = start; n < end; n++)
                    Unfold(imagesAt + (long)n * imageSize, channels, height, width, g, colsAt + (long)n * spatial, batch * spatial);
            });
        }
    }

    /// <summary>
    /// The adjoint of <see cref="ImageToColumnsBatch"/>: accumulates columns [C·KH·KW, N·OH·OW] into images [N, C, H, W].
    /// Each image is accumulated by one thread in a fixed order, so results do not depend on the split.
    /// </summary>
    public static unsafe void ColumnsToImageBatch(ReadOnlySpan<float> columns, int batch, int channels, int height, int width, ConvGeometry g, Span<float> images)
    {
        int spatial = Check(nameof(ColumnsToImageBatch), images.Length, columns.Length, batch, channels, height, width, g);
        int imageSize = channels * height * width;
        fixed (float* cols = columns, imgs = images)
        {
            float* colsAt = cols, imagesAt = imgs;
            Parallelism.For(batch, Parallelism.PartitionsFor(batch, MinImagesPerPartition), (_, start, end) =>
            {
                for (int n = start; n < end; n++)
                    Fold(colsAt + (long)n * spatial, channels, height, width, g, imagesAt + (long)n * imageSize, batch * spatial);
            });
        }
    }

    /// <summary>Fewer images than this per core are not worth a thread hand-off (also used by the convolution ops).</summary>
    internal const int MinImagesPerPartition = 4;

    /// <summary>
    /// Writes the unfolded image into columns whose rows are <paramref name="rowStride"/> long
    /// (<paramref name="columns"/> points at this image's first column). No checks: callers validate sizes.
    /// </summary>
    private static unsafe void Unfold(float* image, int channels, int height, int width, ConvGeometry g, float* columns, int rowStride)
    {
        int oh = g.OutHeight(height), ow = g.OutWidth(width);
        int row = 0;
        for (int c = 0; c < channels; c++)
        for (int ky = 0; ky < g.KernelH; ky++)
        for (int kx = 0; kx < g.KernelW; kx++, row++)
        {
            (int x0, int x1, int shift) = ValidColumns(kx, width, ow, g);
            float* dst = columns + (long)row * rowStride;
            for (int y = 0; y < oh; y++, dst += ow)
            {
                int iy = y * g.StrideH - g.PadH + ky * g.DilationH;
                if ((uint)iy >= (uint)height || x0 >= x1)
                {
                    new Span<float>(dst, ow).Clear();
                    continue;
                }
                for (int x = 0; x < x0; x++) dst[x] = 0f;
                for (int x = x1; x < ow; x++) dst[x] = 0f;
                float* src = image + (c * height + iy) * width;
                if (g.StrideW == 1)
                    Copy(src + x0 + shift, dst + x0, x1 - x0);
                else
                    for (int x = x0, ix = x0 * g.StrideW + shift; x < x1; x++, ix += g.StrideW) dst[x] = src[ix];
            }
        }
    }

    /// <summary>
    /// Adds columns (rows <paramref name="rowStride"/> long, starting at this image's first column) into the image.
    /// No checks: callers validate sizes.
    /// </summary>
    private static unsafe void Fold(float* columns, int channels, int height, int width, ConvGeometry g, float* image, int rowStride)
    {
        int oh = g.OutHeight(height), ow = g.OutWidth(width);
        int row = 0;
        for (int c = 0; c < channels; c++)
        for (int ky = 0; ky < g.KernelH; ky++)
        for (int kx = 0; kx < g.KernelW; kx++, row++)
        {
            (int x0, int x1, int shift) = ValidColumns(kx, width, ow, g);
            if (x0 >= x1) continue;
            float* line = columns + (long)row * rowStride;
            for (int y = 0; y < oh; y++, line += ow)
            {
                int iy = y * g.StrideH - g.PadH + ky * g.DilationH;
                if ((uint)iy >= (uint)height) continue;
                float* dst = image + (c * height + iy) * width;
                if (g.StrideW == 1)
                    AddInto(line + x0, dst + x0 + shift, x1 - x0);
                else
                    for (int x = x0, ix = x0 * g.StrideW + shift; x < x1; x++, ix += g.StrideW) dst[ix] += line[x];
            }
        }
    }

    /// <summary>dst[0..n) = src[0..n): image rows are short (3 to 28 floats), too short for a memmove call to pay.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Copy(float* src, float* dst, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= n; i += 8) Vector256.Store(Vector256.Load(src + i), dst + i);
        for (; i < n; i++) dst[i] = src[i];
    }

    /// <summary>dst[0..n) += src[0..n), element by element (the same sums whether a lane is vector or scalar).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AddInto(float* src, float* dst, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= n; i += 8) Vector256.Store(Vector256.Load(dst + i) + Vector256.Load(src + i), dst + i);
        for (; i < n; i++) dst[i] += src[i];
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
        // Built only when a check fails: the per-image convolution path calls this once per image.
        string where() => $"Im2Col.{operation}";
        if (batch < 0 || channels < 0 || height < 1 || width < 1)
            throw new ArgumentException($"{where()}: need batch ≥ 0, channels ≥ 0, height ≥ 1, width ≥ 1; got {batch}, {channels}, {height}, {width}.");
        if (g.KernelH < 1 || g.KernelW < 1 || g.StrideH < 1 || g.StrideW < 1 || g.DilationH < 1 || g.DilationW < 1 || g.PadH < 0 || g.PadW < 0)
            throw new ArgumentException($"{where()}: invalid geometry {g} (kernel, stride, dilation ≥ 1; padding ≥ 0).", nameof(g));
        int oh = g.OutHeight(height), ow = g.OutWidth(width);
        if (height + 2 * g.PadH < g.DilationH * (g.KernelH - 1) + 1 || width + 2 * g.PadW < g.DilationW * (g.KernelW - 1) + 1)
            throw new ArgumentException($"{where()}: the window of {g} does not fit the padded {height}×{width} image.", nameof(g));
        long imageNeeded = (long)batch * channels * height * width;
        long columnsNeeded = (long)channels * g.KernelH * g.KernelW * batch * oh * ow;
        if (imageLength < imageNeeded)
            throw new ArgumentException($"{where()}: the image span has {imageLength} elements, need {imageNeeded} = {batch}×{channels}×{height}×{width}.");
        if (columnsLength < columnsNeeded)
            throw new ArgumentException(
                $"{where()}: the columns span has {columnsLength} elements, need {columnsNeeded} = ({channels}·{g.KernelH}·{g.KernelW})×({batch}·{oh}·{ow}).");
        return oh * ow;
    }
}
