using Probabilistic.Core.Random;
using Probabilistic.Distill.MultiDomain;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.Tests.MultiDomain;

/// <summary>
/// The fixed convolution map against a naive valid cross-correlation written here (double loops), hand-computed
/// pixels of the X-kernel, and the moments of PyTorch's default initialisation U(±1/√fan_in).
/// </summary>
public class FixedConvolutionMapTests
{
    private static readonly float[,] XKernel = { { 1, 0, 1 }, { 0, 1, 0 }, { 1, 0, 1 } };

    /// <summary>out[n, i, j] = bias + Σ_{a,c} K[a, c]·x[n, i + d·a, j + d·c] over flat rows of side <paramref name="side"/>.</summary>
    internal static double[] NaiveConvolution(float[] x, int batch, int side, float[,] kernel, int dilation, float? bias)
    {
        int k = kernel.GetLength(0), o = side - dilation * (k - 1);
        var y = new double[batch * o * o];
        for (int n = 0; n < batch; n++)
            for (int i = 0; i < o; i++)
                for (int j = 0; j < o; j++)
                {
                    double s = bias ?? 0;
                    for (int a = 0; a < k; a++)
                        for (int c = 0; c < k; c++)
                            s += kernel[a, c] * (double)x[n * side * side + (i + dilation * a) * side + j + dilation * c];
                    y[(n * o + i) * o + j] = s;
                }
        return y;
    }

    private static float[] RandomImages(ulong seed, int batch, int side)
    {
        var rng = new Rng(seed);
        var x = new float[batch * side * side];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextFloat();
        return x;
    }

    private static void AssertClose(double[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"entry {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void SeededRandomIsTheNaiveValidConvolution()
    {
        var map = FixedConvolutionMap.SeededRandom(42);
        var x = RandomImages(1, 3, 28);
        var y = map.Apply(new Tensor(x, 3, 784));
        Assert.Equal(new[] { 3, 576 }, y.Shape.ToArray());
        Assert.Equal(new[] { 576 }, map.OutputSampleShape([784]));
        Assert.NotNull(map.Bias);
        AssertClose(NaiveConvolution(x, 3, 28, map.Kernel, 1, map.Bias), y.ToArray(), 1e-5);
    }

    [Fact]
    public void XKernelIsTheNaiveDilatedConvolutionWithoutBias()
    {
        var map = FixedConvolutionMap.XKernelDilation2();
        Assert.Equal(XKernel, map.Kernel);
        Assert.Null(map.Bias);
        Assert.Equal(2, map.Dilation);
        var x = RandomImages(2, 2, 28);
        var y = map.Apply(new Tensor(x, 2, 784));
        Assert.Equal(new[] { 2, 576 }, y.Shape.ToArray()); // 24×24
        AssertClose(NaiveConvolution(x, 2, 28, XKernel, 2, null), y.ToArray(), 1e-5);
    }

    [Fact]
    public void XKernelAtHandCheckedPixels()
    {
        var map = FixedConvolutionMap.XKernelDilation2();
        // Ramp x[r, c] = (28r + c)/1000: out(3, 5) = x(3,5) + x(3,9) + x(5,7) + x(7,5) + x(7,9) = (89+93+147+201+205)/1000.
        var ramp = new float[784];
        for (int i = 0; i < 784; i++) ramp[i] = i / 1000f;
        var y = map.Apply(new Tensor(ramp, 1, 784));
        Assert.Equal(0.735, y[3 * 24 + 5], 5);
        Assert.Equal(0.290, y[0], 5); // 0 + 4 + 58 + 112 + 116
        // One lit pixel at (10, 10) reaches exactly the outputs (10,10), (10,6), (8,8), (6,10), (6,6).
        var dot = new float[784];
        dot[10 * 28 + 10] = 1;
        var z = map.Apply(new Tensor(dot, 1, 784)).ToArray();
        int[] lit = [10 * 24 + 10, 10 * 24 + 6, 8 * 24 + 8, 6 * 24 + 10, 6 * 24 + 6];
        for (int i = 0; i < z.Length; i++) Assert.Equal(lit.Contains(i) ? 1f : 0f, z[i]);
    }

    [Fact]
    public void SameMapGivesTheSameOutputOnEveryCallAndTakesImageShapedInput()
    {
        var map = FixedConvolutionMap.SeededRandom(5);
        var x = RandomImages(3, 4, 28);
        float[] first = map.Apply(new Tensor(x, 4, 784)).ToArray();
        float[] second = map.Apply(new Tensor(x, 4, 784)).ToArray();
        Assert.Equal(first, second);
        var imageShaped = map.Apply(new Tensor(x, 4, 1, 28, 28));
        Assert.Equal(new[] { 4, 576 }, imageShaped.Shape.ToArray());
        Assert.Equal(first, imageShaped.ToArray());
        Assert.Equal(new[] { 576 }, map.OutputSampleShape([1, 28, 28]));
        // Never records a gradient, even for an input that wants one.
        var wanting = new Tensor(x, 4, 784) { RequiresGrad = true };
        Assert.False(map.Apply(wanting).RequiresGrad);
    }

    [Fact]
    public void SeedFixesTheWeightsAndDifferentSeedsDiffer()
    {
        FixedConvolutionMap a = FixedConvolutionMap.SeededRandom(42), b = FixedConvolutionMap.SeededRandom(42), c = FixedConvolutionMap.SeededRandom(43);
        Assert.Equal(a.Kernel, b.Kernel);
        Assert.Equal(a.Bias, b.Bias);
        Assert.NotEqual(a.Kernel, c.Kernel);
        Assert.NotEqual(a.Bias, c.Bias);
        // The kernel property is a copy: writing to it does not change the map.
        var k = a.Kernel;
        k[0, 0] += 1;
        Assert.Equal(b.Kernel, a.Kernel);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(3)]
    public void WeightsFollowPyTorchsDefaultInitialisation(int kernel)
    {
        // U(−a, a), a = 1/√(k²) = 1/k: every draw inside; pooled over 60 seeds the variance is a²/3 (SE from
        // Var(X²) = 4a⁴/45) and the mean 0 (SE a/√(3n)); both within 5 SE, and both ends of the range are reached.
        double bound = 1.0 / kernel;
        var values = new List<double>();
        for (ulong seed = 0; seed < 60; seed++)
        {
            var map = FixedConvolutionMap.SeededRandom(seed, kernel);
            foreach (float w in map.Kernel) values.Add(w);
            values.Add(map.Bias!.Value);
        }
        Assert.All(values, v => Assert.InRange(v, -bound, bound));
        int n = values.Count;
        double mean = values.Average(), meanSquare = values.Average(v => v * v);
        Assert.True(Math.Abs(mean) < 5 * bound / Math.Sqrt(3 * n), $"mean {mean}");
        Assert.True(Math.Abs(meanSquare - bound * bound / 3) < 5 * Math.Sqrt(4.0 / 45) * bound * bound / Math.Sqrt(n), $"E w² {meanSquare} vs {bound * bound / 3}");
        Assert.True(values.Max() > 0.9 * bound && values.Min() < -0.9 * bound);
    }

    [Fact]
    public void RejectsShapesItCannotTakeWithOneLineErrors()
    {
        var preset = FixedConvolutionMap.SeededRandom(1);
        var any = new FixedConvolutionMap(new float[5, 5], side: null);
        void OneLine(Action act)
        {
            var e = Assert.Throws<ArgumentException>(act);
            Assert.DoesNotContain('\n', e.Message);
        }
        OneLine(() => preset.OutputSampleShape([783]));        // not a square
        OneLine(() => preset.OutputSampleShape([1, 28, 27]));  // not a square
        OneLine(() => preset.OutputSampleShape([3, 28, 28]));  // three channels
        OneLine(() => preset.OutputSampleShape([900]));        // 30×30, the map takes 28×28
        OneLine(() => any.OutputSampleShape([16]));            // 4×4 < the 5×5 kernel
        OneLine(() => preset.Apply(Tensor.Zeros(2, 783)));
        Assert.Equal(new[] { 1 }, any.OutputSampleShape([25]));
        Assert.Equal(new[] { 4 }, FixedConvolutionMap.XKernelDilation2(side: 6).OutputSampleShape([36]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FixedConvolutionMap(XKernel, dilation: 0));
        Assert.Throws<ArgumentException>(() => new FixedConvolutionMap(new float[2, 3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => FixedConvolutionMap.XKernelDilation2(side: 4));
    }
}
