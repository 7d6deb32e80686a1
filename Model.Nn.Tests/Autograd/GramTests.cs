using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Tests.Autograd;

/// <summary><see cref="Ops.Gram"/>'s values against a naive triple loop over samples, channel pairs and positions.</summary>
public class GramTests
{
    private static Tensor RandomTensor(Rng rng, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Length; i++) t[i] = (float)rng.Normal();
        return t;
    }

    [Theory]
    [InlineData(new[] { 3, 4, 5, 6 })]   // conv map [B, C, H, W]: C × 30 per sample
    [InlineData(new[] { 2, 17, 40 })]    // [B, C, L]: enough to take the packed GEMM path
    [InlineData(new[] { 4, 6 })]         // vector [B, D]: D × 1, so G = f fᵀ
    public void MatchesNaiveLoop(int[] shape)
    {
        var x = RandomTensor(new Rng(11), shape);
        var g = Ops.Gram(x);
        int batch = shape[0], channels = shape[1], positions = x.Length / (batch * channels);
        Assert.Equal(new[] { batch, channels, channels }, g.Shape.ToArray());
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < channels; i++)
                for (int j = 0; j < channels; j++)
                {
                    double s = 0;
                    for (int p = 0; p < positions; p++)
                        s += (double)x[(b * channels + i) * positions + p] * x[(b * channels + j) * positions + p];
                    Assert.True(Math.Abs(g.At(b, i, j) - s) <= 1e-5 * (1 + Math.Abs(s)), $"G[{b},{i},{j}] = {g.At(b, i, j)} vs {s}");
                }
    }

    [Fact]
    public void RejectsRankOne() =>
        Assert.Contains("Gram", Assert.Throws<ArgumentException>(() => Ops.Gram(Tensor.Zeros(5))).Message);
}
