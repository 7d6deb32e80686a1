using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Tests.Tensors;

public class TensorTests
{
    [Fact]
    public void ConstructionChecksShapeAgainstData()
    {
        var e = Assert.Throws<ArgumentException>(() => new Tensor(new float[5], 2, 3));
        Assert.Contains("[2, 3]", e.Message);
        var t = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        Assert.Equal(6f, t.At(1, 2));
        Assert.Equal(2, t.Rank);
        Assert.Equal(3, t.Dim(-1));
        Assert.Throws<InvalidOperationException>(() => t.Item());
    }

    [Fact]
    public void RandomFactoriesHaveTheRequestedMoments()
    {
        // n = 40,000: SE of the mean is 2/200 = 0.01 and of the variance ≈ 4·sqrt(2/n) ≈ 0.028; tolerances are 5 SE.
        var n = Tensor.Normal(new Probabilistic.Core.Random.Rng(1), 3f, 2f, 200, 200).ToArray();
        double mean = n.Average(v => (double)v), var = n.Average(v => (v - mean) * (v - mean));
        Assert.Equal(3, mean, 0.05);
        Assert.Equal(4, var, 0.15);
        var u = Tensor.Uniform(new Probabilistic.Core.Random.Rng(2), -1f, 3f, 1000).ToArray();
        Assert.All(u, v => Assert.InRange(v, -1f, 3f));
    }

    [Fact]
    public void ReshapeInfersOneDimensionAndSharesStorage()
    {
        var t = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        var r = Ops.Reshape(t, -1, 2);
        Assert.Equal([3, 2], r.Shape.ToArray());
        t[0] = 9;
        Assert.Equal(9f, r[0]);
        Assert.Throws<ArgumentException>(() => Ops.Reshape(t, 4, -1));
    }

    [Fact]
    public void ScopeReleasesTemporariesAndReusesTheirBuffers()
    {
        var x = Tensor.FromArray([1, -2, 3], 3);
        Tensor inside;
        float[] firstBuffer;
        using (TensorScope.Begin())
        {
            inside = Ops.Relu(x);
            firstBuffer = inside.Data;
            Assert.Equal([1f, 0f, 3f], inside.ToArray());
        }
        Assert.True(inside.IsReleased);
        var e = Assert.Throws<ObjectDisposedException>(() => inside.Data);
        Assert.Contains("TensorScope", e.Message);
        Assert.False(x.IsReleased);
        using (TensorScope.Begin())
        {
            var again = Ops.Relu(x);
            Assert.Same(firstBuffer, again.Data); // same size → pooled buffer reused
            Assert.Equal([1f, 0f, 3f], again.ToArray());
        }
        var outside = Ops.Relu(x); // no scope: an ordinary array that stays valid
        Assert.False(outside.IsReleased);
    }

    [Fact]
    public void PoolKeepsNoMoreThanItsCap()
    {
        long saved = TensorScope.MaxPooledBytes;
        try
        {
            TensorScope.TrimPool();
            TensorScope.MaxPooledBytes = 1000 * sizeof(float);
            using (TensorScope.Begin())
            {
                Ops.Relu(Tensor.Zeros(600));
                Ops.Relu(Tensor.Zeros(600));
            }
            Assert.Equal(600 * sizeof(float), TensorScope.PooledBytes); // the second 600-float buffer is dropped
            TensorScope.TrimPool();
            Assert.Equal(0, TensorScope.PooledBytes);
        }
        finally { TensorScope.MaxPooledBytes = saved; }
    }

    [Fact]
    public void ParameterGradientsSurviveTheScope()
    {
        var w = Tensor.FromArray([2f, 3f], 2);
        w.RequiresGrad = true;
        using (TensorScope.Begin()) Ops.Sum(Ops.Square(w)).Backward();
        Assert.Equal([4f, 6f], w.Grad!.ToArray());
    }
}

public class AutogradEngineTests
{
    [Fact]
    public void NoGradRecordsNothing()
    {
        var w = Tensor.FromArray([1f, 2f], 2);
        w.RequiresGrad = true;
        Tensor y;
        using (GradMode.NoGrad()) y = Ops.Square(w);
        Assert.False(y.RequiresGrad);
        Assert.True(GradMode.IsEnabled);
        Assert.Throws<InvalidOperationException>(() => Ops.Sum(y).Backward());
    }

    [Fact]
    public void GradientsAccumulateAcrossBackwardCallsUntilZeroed()
    {
        var w = Tensor.FromArray([1f, -2f], 2);
        w.RequiresGrad = true;
        Ops.Sum(Ops.Scale(w, 3f)).Backward();
        Ops.Sum(Ops.Scale(w, 3f)).Backward();
        Assert.Equal([6f, 6f], w.Grad!.ToArray());
        w.ZeroGrad();
        Assert.Equal([0f, 0f], w.Grad!.ToArray());
    }

    [Fact]
    public void SharedSubexpressionsSumTheirContributions()
    {
        // f(w) = Σ (w² + 2w²·… ) via a diamond: a = w², b = a + a·a ⇒ df/dw = 2w + 4w³.
        var w = Tensor.FromArray([0.5f, -1.5f], 2);
        w.RequiresGrad = true;
        var a = Ops.Square(w);
        Ops.Sum(Ops.Add(a, Ops.Mul(a, a))).Backward();
        Assert.Equal(2 * 0.5 + 4 * 0.125, w.Grad![0], 5);
        Assert.Equal(2 * -1.5 + 4 * -3.375, w.Grad![1], 5);
    }

    [Fact]
    public void BackwardNeedsAScalar()
    {
        var w = Tensor.FromArray([1f, 2f], 2);
        w.RequiresGrad = true;
        var e = Assert.Throws<InvalidOperationException>(() => Ops.Square(w).Backward());
        Assert.Contains("[2]", e.Message);
    }

    [Fact]
    public void InputsThatDoNotRequireGradGetNone()
    {
        var x = Tensor.FromArray([1f, 2f], 1, 2);
        var w = Tensor.FromArray([1f, 1f], 1, 2);
        w.RequiresGrad = true;
        Ops.Sum(Ops.Linear(x, w, null)).Backward();
        Assert.Null(x.Grad);
        Assert.Equal([1f, 2f], w.Grad!.ToArray());
    }
}
