using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;
using static Probabilistic.Nn.Tests.Autograd.GradCheck;

namespace Probabilistic.Nn.Tests.Autograd;

/// <summary>
/// <see cref="Ops.UpsampleBilinear"/> against PyTorch's align_corners=False definition, written here point by point
/// in double, against hand-computed values, and its backward against finite differences.
/// </summary>
public class UpsampleBilinearTests
{
    /// <summary>The definition, one output point at a time: weights from the clamped source coordinate per axis.</summary>
    private static double[] Naive(float[] x, int planes, int h, int w, int oh, int ow)
    {
        var y = new double[planes * oh * ow];
        for (int p = 0; p < planes; p++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            double sy = Math.Max((i + 0.5) * h / oh - 0.5, 0), sx = Math.Max((j + 0.5) * w / ow - 0.5, 0);
            int y0 = (int)Math.Floor(sy), x0 = (int)Math.Floor(sx);
            int y1 = Math.Min(y0 + 1, h - 1), x1 = Math.Min(x0 + 1, w - 1);
            double fy = sy - y0, fx = sx - x0;
            double At(int r, int c) => x[(p * h + r) * w + c];
            y[(p * oh + i) * ow + j] =
                (1 - fy) * ((1 - fx) * At(y0, x0) + fx * At(y0, x1)) + fy * ((1 - fx) * At(y1, x0) + fx * At(y1, x1));
        }
        return y;
    }

    [Theory]
    [InlineData(3, 4, 3, 4)]   // identity size
    [InlineData(2, 2, 4, 4)]   // 2×
    [InlineData(3, 5, 7, 8)]   // non-integer scales
    [InlineData(5, 4, 6, 11)]
    [InlineData(1, 3, 4, 5)]   // a single row
    [InlineData(4, 6, 3, 4)]   // downscaling
    public void MatchesTheDefinition(int h, int w, int oh, int ow)
    {
        var rng = new Rng((ulong)(h * 1000 + w * 100 + oh * 10 + ow));
        var x = Random(rng, 1f, 2, 3, h, w);
        var y = Ops.UpsampleBilinear(x, oh, ow);
        Assert.Equal([2, 3, oh, ow], y.ShapeArray);
        var expected = Naive(x.ToArray(), 6, h, w, oh, ow);
        var got = y.ToArray();
        for (int i = 0; i < got.Length; i++) Assert.Equal(expected[i], got[i], 5e-6);
    }

    [Fact]
    public void IdentitySizeReturnsTheInputExactly()
    {
        var x = Random(new Rng(7), 1f, 1, 2, 3, 5);
        Assert.Equal(x.ToArray(), Ops.UpsampleBilinear(x, 3, 5).ToArray());
    }

    [Fact]
    public void DoublesATwoByTwoMapAsPyTorchDoes()
    {
        // F.interpolate(torch.tensor([[[[1., 2.], [3., 4.]]]]), size=(4, 4), mode='bilinear', align_corners=False).
        var x = Tensor.FromArray([1f, 2f, 3f, 4f], 1, 1, 2, 2);
        float[] expected =
        [
            1.0f, 1.25f, 1.75f, 2.0f,
            1.5f, 1.75f, 2.25f, 2.5f,
            2.5f, 2.75f, 3.25f, 3.5f,
            3.0f, 3.25f, 3.75f, 4.0f,
        ];
        Assert.Equal(expected, Ops.UpsampleBilinear(x, 4, 4).ToArray());
    }

    [Fact] public void GradientUpsampling() { var r = new Rng(2024); Check(t => Ops.UpsampleBilinear(t[0], 5, 7), Random(r, 1, 2, 2, 3, 4)); }
    [Fact] public void GradientIdentityAndDownscaling() { var r = new Rng(2025); Check(t => Ops.UpsampleBilinear(t[0], 4, 2), Random(r, 1, 1, 2, 4, 5)); }

    [Fact]
    public void RejectsBadInput()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.UpsampleBilinear(Tensor.Zeros(1, 1, 2, 2), 0, 3));
        Assert.Contains("UpsampleBilinear", ex.Message);
        Assert.Contains("UpsampleBilinear", Assert.ThrowsAny<ArgumentException>(() => Ops.UpsampleBilinear(Tensor.Zeros(2, 2), 3, 3)).Message);
    }
}
