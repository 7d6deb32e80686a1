using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Tests.Autograd;

/// <summary>A scalar with a precomputed gradient against the same function built from generic ops.</summary>
public class PrecomputedGradientTests
{
    /// <summary>Σ x³ computed outside the ops, with its gradient 3x² when one is asked for.</summary>
    private static Tensor SumOfCubes(Tensor x)
    {
        var gradient = Ops.PrecomputedGradientBuffer(x);
        double value = 0;
        for (int i = 0; i < x.Length; i++)
        {
            value += (double)x[i] * x[i] * x[i];
            if (gradient is not null) gradient[i] = 3 * x[i] * x[i];
        }
        return Ops.ScalarWithGradient("SumOfCubes", x, value, gradient);
    }

    [Fact]
    public void BackwardScalesThePrecomputedGradientAndAccumulatesLikeAnyOp()
    {
        // 2·f(x) + f(x)·f(x) uses the node twice and scales the incoming gradient: (2 + 2 f) · 3x².
        var rng = new Rng(3);
        var x = Tensor.Zeros(2, 3);
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.Normal();
        x.RequiresGrad = true;
        Tensor Combine(Func<Tensor, Tensor> f)
        {
            var y = f(x);
            return Ops.Add(Ops.Scale(y, 2f), Ops.Mul(y, y));
        }
        var ours = Combine(SumOfCubes);
        ours.Backward();
        float[] fromNode = x.Grad!.ToArray();
        x.Grad = null;
        var reference = Combine(t => Ops.Sum(Ops.Mul(Ops.Mul(t, t), t)));
        reference.Backward();
        Assert.Equal(reference.Item(), ours.Item(), 5);
        float[] fromOps = x.Grad!.ToArray();
        for (int i = 0; i < fromOps.Length; i++) Assert.Equal(fromOps[i], fromNode[i], 4);
    }

    [Fact]
    public void NoBufferAndNoNodeWithoutGradients()
    {
        var x = Tensor.FromArray([1f, 2f], 2);
        Assert.Null(Ops.PrecomputedGradientBuffer(x));
        x.RequiresGrad = true;
        using (GradMode.NoGrad())
        {
            Assert.Null(Ops.PrecomputedGradientBuffer(x));
            Assert.False(SumOfCubes(x).RequiresGrad);
        }
        Assert.Equal(9f, SumOfCubes(x).Item());
    }

    [Fact]
    public void AGradientOfAnotherShapeIsRefused()
    {
        var x = Tensor.FromArray([1f, 2f], 2);
        x.RequiresGrad = true;
        var e = Assert.Throws<ArgumentException>(() => Ops.ScalarWithGradient("probe", x, 1, Tensor.Zeros(3)));
        Assert.Contains("probe", e.Message);
    }
}
