using System.Globalization;
using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.MultiDomain;

/// <summary>
/// The "dilation" link of methods.md §3.2: a fixed, never-trained single-channel 2-D convolution (cross-correlation,
/// as PyTorch's Conv2d) of square images, stride 1, no padding, a k×k kernel with dilation d and an optional bias, so
/// a side-s image becomes a side s − d·(k − 1) one. Images come as flat rows [B, s²] (or [B, 1, s, s]) and leave as
/// flat rows [B, (s − d·(k − 1))²]. Deterministic: the same map gives the same output on every call. Two presets:
/// <see cref="SeededRandom"/> (the code's 5×5 map behind the thesis table) and <see cref="XKernelDilation2"/> (the
/// slides' older 3×3 X-kernel with dilation 2).
/// </summary>
public sealed class FixedConvolutionMap : IDomainMap
{
    private readonly Tensor _weight;      // [1, 1, k, k]
    private readonly Tensor? _bias;       // [1]
    private readonly ConvGeometry _geometry;

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>k: the kernel's side.</summary>
    public int KernelSize { get; }

    /// <summary>d: the spacing of the kernel's taps (1 = a plain convolution).</summary>
    public int Dilation { get; }

    /// <summary>The image side the map requires, or null when it takes any square image large enough.</summary>
    public int? Side { get; }

    /// <summary>A copy of the kernel, k×k, [row, column] as applied (cross-correlation, not flipped).</summary>
    public float[,] Kernel
    {
        get
        {
            var k = new float[KernelSize, KernelSize];
            var w = _weight.Span;
            for (int r = 0; r < KernelSize; r++)
                for (int c = 0; c < KernelSize; c++) k[r, c] = w[r * KernelSize + c];
            return k;
        }
    }

    /// <summary>The bias added to every output pixel, or null when the map has none.</summary>
    public float? Bias => _bias?.Span[0];

    /// <summary>
    /// A convolution with the given square <paramref name="kernel"/> (copied), <paramref name="dilation"/> ≥ 1, an
    /// optional <paramref name="bias"/>; <paramref name="side"/> fixes the input image side (null: any square image
    /// at least as large as the dilated kernel).
    /// </summary>
    public FixedConvolutionMap(float[,] kernel, int dilation = 1, float? bias = null, int? side = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        int k = kernel.GetLength(0);
        if (k < 1 || kernel.GetLength(1) != k)
            throw new ArgumentException($"FixedConvolutionMap: the kernel must be square and non-empty, got {kernel.GetLength(0)}×{kernel.GetLength(1)}.", nameof(kernel));
        if (dilation < 1) throw new ArgumentOutOfRangeException(nameof(dilation), dilation, "FixedConvolutionMap: the dilation must be ≥ 1.");
        var weight = new float[k * k];
        for (int r = 0; r < k; r++)
            for (int c = 0; c < k; c++)
            {
                if (!float.IsFinite(kernel[r, c])) throw new ArgumentException($"FixedConvolutionMap: kernel entry [{r}, {c}] is {kernel[r, c]}.", nameof(kernel));
                weight[r * k + c] = kernel[r, c];
            }
        if (bias is { } b && !float.IsFinite(b)) throw new ArgumentOutOfRangeException(nameof(bias), b, "FixedConvolutionMap: the bias must be finite.");
        KernelSize = k;
        Dilation = dilation;
        _geometry = new ConvGeometry(k, k, DilationH: dilation, DilationW: dilation);
        int extent = dilation * (k - 1) + 1;
        if (side is { } s && s < extent)
            throw new ArgumentOutOfRangeException(nameof(side), s, $"FixedConvolutionMap: side {s} is smaller than the dilated kernel's extent {extent}.");
        Side = side;
        _weight = new Tensor(weight, 1, 1, k, k);
        _bias = bias is { } bb ? new Tensor([bb], 1) : null;
        Name = name ?? string.Create(CultureInfo.InvariantCulture, $"conv {k}×{k}{(dilation == 1 ? "" : $" dilation {dilation}")}{(bias is null ? "" : " +bias")}");
    }

    /// <summary>
    /// The code's map: a 5×5 (<paramref name="kernel"/>) convolution, dilation 1, with bias, drawn as PyTorch's
    /// default Conv2d initialisation draws it (weights and bias ~ U(−1/√fan_in, 1/√fan_in), fan_in = k²) but from our
    /// <see cref="Rng"/> seeded with <paramref name="seed"/>. PyTorch's own numbers after torch.manual_seed(42) cannot
    /// be reproduced here, so the map is a different draw of the same distribution; side 28 → 24 for k = 5.
    /// </summary>
    public static FixedConvolutionMap SeededRandom(ulong seed, int kernel = 5, int side = 28)
    {
        if (kernel < 1) throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "FixedConvolutionMap.SeededRandom: the kernel size must be ≥ 1.");
        var rng = new Rng(seed);
        int fanIn = kernel * kernel;
        var w = Tensor.Zeros(kernel * kernel);
        var b = Tensor.Zeros(1);
        Init.KaimingUniformDefault(w, fanIn, rng);
        Init.BiasDefault(b, fanIn, rng);
        var k = new float[kernel, kernel];
        for (int r = 0; r < kernel; r++)
            for (int c = 0; c < kernel; c++) k[r, c] = w[r * kernel + c];
        return new FixedConvolutionMap(k, dilation: 1, bias: b[0], side: side,
            name: string.Create(CultureInfo.InvariantCulture, $"conv {kernel}×{kernel} random seed {seed}"));
    }

    /// <summary>
    /// The slides' older map: the fixed X-shaped kernel [[1,0,1],[0,1,0],[1,0,1]] with dilation 2 and no bias (each
    /// output pixel is the sum of five input pixels 0, 2 or 4 apart), side 28 → 24.
    /// </summary>
    public static FixedConvolutionMap XKernelDilation2(int side = 28) =>
        new(new float[,] { { 1, 0, 1 }, { 0, 1, 0 }, { 1, 0, 1 } }, dilation: 2, bias: null, side: side, name: "conv X 3×3 dilation 2");

    /// <summary>The output side for an input side <paramref name="inputSide"/>: s − d·(k − 1); throws when the image is too small or not the map's side.</summary>
    public int OutputSide(int inputSide)
    {
        int extent = Dilation * (KernelSize - 1) + 1;
        if (Side is { } s && inputSide != s)
            throw new ArgumentException($"{Name}: takes {s}×{s} images, got side {inputSide}.");
        if (inputSide < extent)
            throw new ArgumentException($"{Name}: a {inputSide}×{inputSide} image is smaller than the dilated kernel's extent {extent}.");
        return inputSide - extent + 1;
    }

    /// <summary>[s²] or [1, s, s] → [(s − d·(k − 1))²]; throws for any other shape, a non-square or a too-small image.</summary>
    public int[] OutputSampleShape(ReadOnlySpan<int> inputSampleShape)
    {
        int o = OutputSide(InputSide(inputSampleShape));
        return [o * o];
    }

    private int InputSide(ReadOnlySpan<int> shape)
    {
        if (shape.Length == 3 && shape[0] == 1 && shape[1] == shape[2] && shape[1] > 0) return shape[1];
        if (shape.Length == 1 && shape[0] > 0)
        {
            int s = (int)Math.Round(Math.Sqrt(shape[0]));
            if (s * s == shape[0]) return s;
        }
        throw new ArgumentException($"{Name}: needs square single-channel images, [side²] or [1, side, side], got {Tensor.Format(shape)}.");
    }

    /// <inheritdoc/>
    public Tensor Apply(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Rank < 2) throw new ArgumentException($"{Name}: expected a batch [B, side²] or [B, 1, side, side], got {batch.ShapeString}.");
        int side = InputSide(batch.Shape[1..]);
        int o = OutputSide(side);
        int n = batch.Dim(0);
        using var noGrad = GradMode.NoGrad();
        var y = Ops.Conv2d(Ops.Reshape(batch, n, 1, side, side), _weight, _bias, _geometry);
        return Ops.Reshape(y, n, o * o);
    }
}
