using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Tests.Autograd;

/// <summary>
/// The 2×2, stride-2 max pool (a vectorised kernel with masked tails) against the definition: the first maximum of
/// (top-left, top-right, bottom-left, bottom-right) wins, a NaN replaces the winner, the winner gets the gradient.
/// </summary>
public class MaxPoolTests
{
    [Theory]
    [InlineData(2, 2)]
    [InlineData(5, 6)]
    [InlineData(11, 11)]
    [InlineData(26, 26)]
    [InlineData(7, 33)]
    [InlineData(4, 17)]
    public void PairWindowMatchesTheDefinitionWithTiesAndNaN(int height, int width)
    {
        var rng = new Rng((ulong)(height * 100 + width));
        var x = Tensor.Zeros(2, 3, height, width);
        // Few distinct values make ties common; a sprinkle of NaN checks the NaN rule.
        for (int i = 0; i < x.Length; i++)
            x[i] = rng.NextDouble() < 0.05 ? float.NaN : rng.NextInt(4) - 1.5f;
        x.RequiresGrad = true;
        var y = Ops.MaxPool2d(x, 2);
        var upstream = Tensor.Zeros(y.ShapeArray);
        for (int i = 0; i < upstream.Length; i++) upstream[i] = 1f + i;
        Ops.Sum(Ops.Mul(y, upstream)).Backward();

        int oh = height / 2, ow = width / 2;
        Assert.Equal([2, 3, oh, ow], y.ShapeArray);
        var expectedGrad = new float[x.Length];
        var xs = x.ToArray();
        var ys = y.ToArray();
        for (int plane = 0; plane < 6; plane++)
        for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
        {
            int corner = plane * height * width + 2 * oy * width + 2 * ox;
            int best = corner;
            foreach (int at in new[] { corner + 1, corner + width, corner + width + 1 })
                if (xs[at] > xs[best] || float.IsNaN(xs[at])) best = at;
            int o = (plane * oh + oy) * ow + ox;
            Assert.Equal(BitConverter.SingleToInt32Bits(xs[best]), BitConverter.SingleToInt32Bits(ys[o]));
            expectedGrad[best] = upstream[o];
        }
        Assert.Equal(expectedGrad, x.Grad!.ToArray());
    }
}
