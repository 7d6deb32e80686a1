using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.TestSupport;

namespace Probabilistic.Nn.Tests.Autograd;

/// <summary>
/// The few-output linear kernels against a double-precision reference, with the worst-case bound of a length-k
/// float FMA dot product plus one add, (k + 2)·u·Σ|terms| (u = 2⁻²⁴): an indexing bug (an O(1) error) fails.
/// Shapes cover the 4-row and 2-output blocks, their remainders, 8-lane tails and the parallel split.
/// Skipped (not passed) on a CPU without AVX2 and FMA, where the kernels never run.
/// </summary>
public sealed class NarrowLinearKernelsTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 4, 2, 8 }, { 5, 3, 7 }, { 7, 11, 37 }, { 64, 10, 784 }, { 13, 16, 50 }, { 3000, 10, 300 }, { 10, 3000, 300 },
    };

    private static float[] Random(Rng rng, int length)
    {
        var v = new float[length];
        for (int i = 0; i < length; i++) v[i] = (float)rng.Uniform(-1, 1);
        return v;
    }

    private static void AssertClose(double expected, double magnitude, int depth, float actual, string what)
    {
        double bound = (depth + 2) * Math.Pow(2, -24) * magnitude;
        Assert.True(Math.Abs(actual - expected) <= bound, $"{what}: {actual} vs {expected} (bound {bound})");
    }

    [TheoryWhen(typeof(NarrowLinearKernels), nameof(NarrowLinearKernels.IsSupported), "AVX2 and FMA")]
    [MemberData(nameof(Shapes))]
    public void DotsMatchTheReference(int rows, int outs, int depth)
    {
        var rng = new Rng((ulong)(rows * 7919 + outs * 31 + depth));
        float[] x = Random(rng, rows * depth), w = Random(rng, outs * depth), bias = Random(rng, outs);
        foreach (bool withBias in new[] { false, true })
        {
            var y = new float[rows * outs];
            NarrowLinearKernels.Dots(x, w, withBias ? bias : default, y, rows, outs, depth);
            for (int r = 0; r < rows; r++)
            for (int o = 0; o < outs; o++)
            {
                double sum = withBias ? bias[o] : 0, magnitude = withBias ? Math.Abs(bias[o]) : 0;
                for (int q = 0; q < depth; q++) { sum += (double)x[r * depth + q] * w[o * depth + q]; magnitude += Math.Abs((double)x[r * depth + q] * w[o * depth + q]); }
                AssertClose(sum, magnitude, depth, y[r * outs + o], $"y[{r},{o}] bias={withBias}");
            }
        }
    }

    [TheoryWhen(typeof(NarrowLinearKernels), nameof(NarrowLinearKernels.IsSupported), "AVX2 and FMA")]
    [Trait(Category.Name, Category.Slow)]
    [MemberData(nameof(Shapes))]
    public void CombineRowsMatchesTheReferenceForBothLayoutsOfA(int rows, int width, int depth)
    {
        var rng = new Rng((ulong)(rows * 104729 + width * 17 + depth));
        float[] a = Random(rng, rows * depth), b = Random(rng, depth * width), c0 = Random(rng, rows * width);
        // a(i, q) stored row-major [rows, depth] (input gradient) or transposed [depth, rows] (weight gradient).
        foreach (bool transposed in new[] { false, true })
        foreach (bool accumulate in new[] { false, true })
        {
            int rowStride = transposed ? 1 : depth, depthStride = transposed ? rows : 1;
            var c = (float[])c0.Clone();
            NarrowLinearKernels.CombineRows(a, rowStride, depthStride, b, c, rows, width, depth, accumulate);
            for (int i = 0; i < rows; i++)
            for (int j = 0; j < width; j++)
            {
                double sum = accumulate ? c0[i * width + j] : 0, magnitude = Math.Abs(sum);
                for (int q = 0; q < depth; q++)
                {
                    double term = (double)a[i * rowStride + q * depthStride] * b[q * width + j];
                    sum += term;
                    magnitude += Math.Abs(term);
                }
                AssertClose(sum, magnitude, depth, c[i * width + j], $"c[{i},{j}] transposed={transposed} accumulate={accumulate}");
            }
        }
    }

    [FactWhen(typeof(NarrowLinearKernels), nameof(NarrowLinearKernels.IsSupported), "AVX2 and FMA")]
    public void ARowsResultDoesNotDependOnTheBatchAroundIt()
    {
        var rng = new Rng(5);
        const int rows = 9, outs = 5, depth = 45;
        float[] x = Random(rng, rows * depth), w = Random(rng, outs * depth);
        var all = new float[rows * outs];
        NarrowLinearKernels.Dots(x, w, default, all, rows, outs, depth);
        for (int r = 0; r < rows; r++)
        {
            var one = new float[outs];
            NarrowLinearKernels.Dots(x.AsSpan(r * depth, depth), w, default, one, 1, outs, depth);
            Assert.Equal(all.AsSpan(r * outs, outs).ToArray(), one);
        }
    }
}
