using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Probabilistic.Nn.Tensors;

/// <summary>
/// AVX2 kernels for the common 2×2, stride-2, unpadded max pool on one [H, W] plane, 8 outputs per step.
/// Same rule as the general pool: the first maximum of (top-left, top-right, bottom-left, bottom-right) wins and a
/// later NaN replaces the winner; winners are stored as float positions within the plane (exact below 2²⁴).
/// Branch-free: on real activations the scalar comparisons mispredict about half the time, which made the pool
/// cost as much as a convolution.
/// </summary>
internal static unsafe class MaxPool2x2
{
    /// <summary>Whether the kernels can run on this processor.</summary>
    public static bool IsSupported => Avx2.IsSupported;

    /// <summary>y[oy, ox] = max of the window at (2oy, 2ox); argmax[oy, ox] = its position in the plane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(float* plane, int w, int oh, int ow, float* y, float* argmax)
    {
        for (int oy = 0; oy < oh; oy++)
        {
            float* top = plane + 2 * oy * w, bottom = top + w;
            for (int ox = 0; ox < ow; ox += 8)
            {
                int count = Math.Min(8, ow - ox);
                var (topEven, topOdd) = LoadPairs(top + 2 * ox, count);
                var (bottomEven, bottomOdd) = LoadPairs(bottom + 2 * ox, count);
                Vector256<float> best = topEven, offset = Vector256<float>.Zero;
                Challenge(ref best, ref offset, topOdd, 1f);
                Challenge(ref best, ref offset, bottomEven, w);
                Challenge(ref best, ref offset, bottomOdd, w + 1);
                // Position of the window's top-left cell: 2oy·w + 2(ox + lane).
                Vector256<float> corner = Vector256.ConvertToSingle(
                    Vector256.Create(2 * oy * w + 2 * ox) + Vector256<int>.Indices * 2);
                Store(y + oy * ow + ox, best, count);
                Store(argmax + oy * ow + ox, corner + offset, count);
            }
        }
    }

    /// <summary>
    /// Writes the whole gradient plane gx[H, W] (not accumulating): each window's winner gets its output gradient,
    /// every other cell zero, including a last row or column that no window covers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(float* g, float* argmax, int h, int w, int oh, int ow, float* gx)
    {
        for (int oy = 0; oy < oh; oy++)
        {
            float* top = gx + 2 * oy * w, bottom = top + w;
            for (int ox = 0; ox < ow; ox += 8)
            {
                int count = Math.Min(8, ow - ox);
                Vector256<float> grad = Load(g + oy * ow + ox, count);
                Vector256<float> corner = Vector256.ConvertToSingle(
                    Vector256.Create(2 * oy * w + 2 * ox) + Vector256<int>.Indices * 2);
                Vector256<float> offset = Load(argmax + oy * ow + ox, count) - corner;
                StorePairs(top + 2 * ox, Winner(grad, offset, 0f), Winner(grad, offset, 1f), count);
                StorePairs(bottom + 2 * ox, Winner(grad, offset, w), Winner(grad, offset, w + 1), count);
            }
            if ((w & 1) != 0) top[w - 1] = bottom[w - 1] = 0f;
        }
        if ((h & 1) != 0) new Span<float>(gx + (h - 1) * w, w).Clear();
    }

    /// <summary>A challenger replaces the best when greater, or when it is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Challenge(ref Vector256<float> best, ref Vector256<float> offset, Vector256<float> challenger, float at)
    {
        Vector256<float> wins = Avx.CompareGreaterThan(challenger, best) | Avx.CompareUnordered(challenger, challenger);
        best = Avx.BlendVariable(best, challenger, wins);
        offset = Avx.BlendVariable(offset, Vector256.Create(at), wins);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Winner(Vector256<float> grad, Vector256<float> offset, float at) =>
        grad & Vector256.Equals(offset, Vector256.Create(at));

    /// <summary>Loads 2·count consecutive floats and splits them into even and odd positions (lane j = pair j).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Even, Vector256<float> Odd) LoadPairs(float* p, int count)
    {
        Vector256<float> lo = Load(p, 2 * count), hi = Load(p + 8, 2 * count - 8);
        // shuffle gives [lo0 lo2 hi0 hi2 | lo4 lo6 hi4 hi6]; the 64-bit permute puts the pairs in order.
        Vector256<float> even = Avx.Shuffle(lo, hi, 0b10_00_10_00), odd = Avx.Shuffle(lo, hi, 0b11_01_11_01);
        return (Avx2.Permute4x64(even.AsDouble(), 0b11_01_10_00).AsSingle(),
                Avx2.Permute4x64(odd.AsDouble(), 0b11_01_10_00).AsSingle());
    }

    /// <summary>Interleaves even and odd lanes back into 2·count consecutive floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePairs(float* p, Vector256<float> even, Vector256<float> odd, int count)
    {
        Vector256<float> low = Avx.UnpackLow(even, odd), high = Avx.UnpackHigh(even, odd);
        Store(p, Avx.Permute2x128(low, high, 0x20), 2 * count);
        Store(p + 8, Avx.Permute2x128(low, high, 0x31), 2 * count - 8);
    }

    /// <summary>Loads the first <paramref name="valid"/> lanes (others zero) without touching memory beyond them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Load(float* p, int valid) =>
        valid >= 8 ? Avx.LoadVector256(p) : valid <= 0 ? Vector256<float>.Zero : Avx.MaskLoad(p, Mask(valid));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* p, Vector256<float> v, int valid)
    {
        if (valid >= 8) Avx.Store(p, v);
        else if (valid > 0) Avx.MaskStore(p, Mask(valid), v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Mask(int valid) =>
        Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(valid)).AsSingle();
}
