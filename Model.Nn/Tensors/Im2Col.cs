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
/// im2col / col2im for one image: input [C, H, W] ↔ columns [C·KH·KW, OH·OW] (row-major), so a convolution
/// becomes one GEMM. <see cref="ColumnsToImage"/> is the adjoint of <see cref="ImageToColumns"/> (it accumulates).
/// </summary>
public static class Im2Col
{
    /// <summary>Reference implementation (to be replaced by the optimised one).</summary>
    public static void ImageToColumns(ReadOnlySpan<float> input, int channels, int height, int width, ConvGeometry g, Span<float> columns)
    {
        int oh = g.OutHeight(height), ow = g.OutWidth(width);
        for (int c = 0; c < channels; c++)
        for (int ky = 0; ky < g.KernelH; ky++)
        for (int kx = 0; kx < g.KernelW; kx++)
        {
            int row = (c * g.KernelH + ky) * g.KernelW + kx;
            for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
            {
                int iy = y * g.StrideH - g.PadH + ky * g.DilationH, ix = x * g.StrideW - g.PadW + kx * g.DilationW;
                columns[row * oh * ow + y * ow + x] =
                    iy >= 0 && iy < height && ix >= 0 && ix < width ? input[(c * height + iy) * width + ix] : 0f;
            }
        }
    }

    /// <summary>Reference implementation: adds each column entry back into the image position it came from.</summary>
    public static void ColumnsToImage(ReadOnlySpan<float> columns, int channels, int height, int width, ConvGeometry g, Span<float> image)
    {
        int oh = g.OutHeight(height), ow = g.OutWidth(width);
        for (int c = 0; c < channels; c++)
        for (int ky = 0; ky < g.KernelH; ky++)
        for (int kx = 0; kx < g.KernelW; kx++)
        {
            int row = (c * g.KernelH + ky) * g.KernelW + kx;
            for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
            {
                int iy = y * g.StrideH - g.PadH + ky * g.DilationH, ix = x * g.StrideW - g.PadW + kx * g.DilationW;
                if (iy >= 0 && iy < height && ix >= 0 && ix < width)
                    image[(c * height + iy) * width + ix] += columns[row * oh * ow + y * ow + x];
            }
        }
    }
}
