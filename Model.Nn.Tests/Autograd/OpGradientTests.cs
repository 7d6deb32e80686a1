using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;
using Probabilistic.TestSupport;
using static Probabilistic.Nn.Tests.Autograd.GradCheck;

namespace Probabilistic.Nn.Tests.Autograd;

/// <summary>Every differentiable op's backward rule against central finite differences (see <see cref="GradCheck"/>).</summary>
public class OpGradientTests
{
    private static Rng NewRng() => new(2024);

    [Fact] public void Add() { var r = NewRng(); Check(x => Ops.Add(x[0], x[1]), Random(r, 1, 3, 4), Random(r, 1, 3, 4)); }
    [Fact] public void Sub() { var r = NewRng(); Check(x => Ops.Sub(x[0], x[1]), Random(r, 1, 3, 4), Random(r, 1, 3, 4)); }
    [Fact] public void Mul() { var r = NewRng(); Check(x => Ops.Mul(x[0], x[1]), Random(r, 1, 3, 4), Random(r, 1, 3, 4)); }
    [Fact] public void MulSameInputTwice() { var r = NewRng(); Check(x => Ops.Mul(x[0], x[0]), Random(r, 1, 5)); }
    [Fact] public void Scale() { var r = NewRng(); Check(x => Ops.Scale(x[0], -2.5f), Random(r, 1, 6)); }
    [Fact] public void AddScalar() { var r = NewRng(); Check(x => Ops.AddScalar(x[0], 3f), Random(r, 1, 6)); }
    [Fact] public void Square() { var r = NewRng(); Check(x => Ops.Square(x[0]), Random(r, 1, 6)); }
    [Fact] public void Exp() { var r = NewRng(); Check(x => Ops.Exp(x[0]), Random(r, 0.5f, 6)); }
    [Fact] public void Log() { var r = NewRng(); var t = Random(r, 0.2f, 6); for (int i = 0; i < 6; i++) t[i] = 1 + MathF.Abs(t[i]); Check(x => Ops.Log(x[0]), t); }
    [Fact]
    public void Clamp()
    {
        // Values at least 0.3 from either bound (farther than the largest step), on both sides and inside: the
        // clipped entries must get a zero gradient, the others the identity's.
        var t = Tensor.FromArray([-2.1f, -1.2f, -0.3f, 0.1f, 0.45f, 1.1f, 1.7f, -0.9f], 2, 4);
        t.RequiresGrad = true;
        Check(x => Ops.Clamp(x[0], -0.6f, 0.8f), t);
    }
    [Fact] public void Sum() { var r = NewRng(); Check(x => Ops.Sum(x[0]), Random(r, 1, 2, 3)); }
    [Fact] public void Mean() { var r = NewRng(); Check(x => Ops.Mean(x[0]), Random(r, 1, 2, 3)); }
    [Fact] public void Reshape() { var r = NewRng(); Check(x => Ops.Square(Ops.Reshape(x[0], 3, -1)), Random(r, 1, 2, 3, 2)); }
    [Fact] public void Relu() { var r = NewRng(); Check(x => Ops.Relu(x[0]), AwayFromZero(r, 0.3f, 4, 5)); }
    [Fact] public void LeakyRelu() { var r = NewRng(); Check(x => Ops.LeakyRelu(x[0], 0.1f), AwayFromZero(r, 0.3f, 4, 5)); }
    [Fact] public void Sigmoid() { var r = NewRng(); Check(x => Ops.Sigmoid(x[0]), Random(r, 2, 10)); }
    [Fact] public void Tanh() { var r = NewRng(); Check(x => Ops.Tanh(x[0]), Random(r, 1, 10)); }
    [Fact] public void Softplus() { var r = NewRng(); Check(x => Ops.Softplus(x[0]), Random(r, 3, 10)); }
    [Fact] public void SoftplusWithBeta() { var r = NewRng(); Check(x => Ops.Softplus(x[0], 2f), Random(r, 2, 10)); }
    [Fact] public void LogSoftmax() { var r = NewRng(); Check(x => Ops.LogSoftmax(x[0]), Random(r, 2, 3, 5)); }
    [Fact] public void Softmax() { var r = NewRng(); Check(x => Ops.Softmax(x[0]), Random(r, 2, 3, 5)); }
    [Fact] public void MatMul() { var r = NewRng(); Check(x => Ops.MatMul(x[0], x[1]), Random(r, 1, 3, 4), Random(r, 1, 4, 5)); }
    [Fact] public void Linear() { var r = NewRng(); Check(x => Ops.Linear(x[0], x[1], x[2]), Random(r, 1, 4, 3), Random(r, 1, 5, 3), Random(r, 1, 5)); }
    [Fact] public void LinearWithoutBias() { var r = NewRng(); Check(x => Ops.Linear(x[0], x[1], null), Random(r, 1, 4, 3), Random(r, 1, 5, 3)); }
    [Fact] public void GramOfFeatureMaps() { var r = NewRng(); Check(x => Ops.Gram(x[0]), Random(r, 1, 2, 3, 2, 3)); }
    [Fact] public void GramOfFeatureVectors() { var r = NewRng(); Check(x => Ops.Gram(x[0]), Random(r, 1, 3, 4)); }
    [Fact] public void GramUsedTwiceAccumulates() { var r = NewRng(); Check(x => Ops.Add(Ops.Gram(x[0]), Ops.Gram(Ops.Scale(x[0], 2f))), Random(r, 1, 2, 2, 5)); }

    [Fact] public void ExpandChannels() { var r = NewRng(); var like = Tensor.Zeros(2, 3, 2, 2); Check(x => Ops.Mul(Ops.ExpandChannels(x[0], like), x[1]), Random(r, 1, 3), Random(r, 1, 2, 3, 2, 2)); }
    [Fact] public void ExpandChannelsOfRows() { var r = NewRng(); var like = Tensor.Zeros(4, 3); Check(x => Ops.Square(Ops.ExpandChannels(x[0], like)), Random(r, 1, 3)); }

    [Fact]
    public void Dropout()
    {
        // With a fixed generator state the mask is a constant, so the op is linear and FD-checkable.
        var r = NewRng();
        Check(x => Ops.Dropout(x[0], 0.4f, training: true, new Rng(7)), Random(r, 1, 20));
    }

    [Theory]
    [InlineData(1, 0, 1)]
    [InlineData(2, 1, 1)]
    [InlineData(1, 2, 2)]
    [InlineData(2, 0, 2)]
    public void Conv2d(int stride, int padding, int dilation)
    {
        var r = NewRng();
        Check(x => Ops.Conv2d(x[0], x[1], x[2], stride, padding, dilation),
            Random(r, 1, 3, 2, 7, 6), Random(r, 0.5f, 4, 2, 3, 3), Random(r, 1, 4));
    }

    [Theory]
    [Trait(Category.Name, Category.Slow)]
    [InlineData(0)]
    [InlineData(1)]
    public void Conv2dOneImageAtATime(int padding)
    {
        // Output planes of 100+ cells take the per-image path; 8 images are split over the cores.
        var r = NewRng();
        Check(x => Ops.Conv2d(x[0], x[1], x[2], 1, padding, 1),
            Random(r, 1, 8, 2, 12, 11), Random(r, 0.5f, 3, 2, 3, 3), Random(r, 1, 3));
    }

    [Fact]
    public void Conv2dSharedWeightsAccumulateOneImageAtATime()
    {
        // The second use of the weights and bias adds onto the gradients the first one left.
        var r = NewRng();
        Check(x => Ops.Add(Ops.Conv2d(x[0], x[2], x[3]), Ops.Conv2d(x[1], x[2], x[3])),
            Random(r, 1, 5, 2, 12, 11), Random(r, 1, 5, 2, 12, 11), Random(r, 0.5f, 3, 2, 3, 3), Random(r, 1, 3));
    }

    [Fact]
    public void Conv2dRectangularWithoutBias()
    {
        var r = NewRng();
        var g = new ConvGeometry(2, 3, 1, 2, 1, 0, 1, 1);
        Check(x => Ops.Conv2d(x[0], x[1], null, g), Random(r, 1, 2, 3, 5, 7), Random(r, 0.5f, 2, 3, 2, 3));
    }

    [Theory]
    [InlineData(2, null, 0)]
    [InlineData(3, 2, 1)]
    [InlineData(2, 1, 0)]
    public void MaxPool2d(int kernel, int? stride, int padding)
    {
        // Distinct values 0.75 apart, so no window's winner changes within the largest FD steps (2·2⁻², two entries moving).
        var x = Tensor.Zeros(2, 2, 6, 5);
        var perm = new Rng(3).Permutation(x.Length);
        for (int i = 0; i < x.Length; i++) x[i] = perm[i] * 0.75f - 45f;
        x.RequiresGrad = true;
        Check(t => Ops.MaxPool2d(t[0], kernel, stride, padding), x);
    }

    [Theory]
    [InlineData(2, null, 0, true)]
    [InlineData(3, 2, 1, true)]
    [InlineData(3, 2, 1, false)]
    public void AvgPool2d(int kernel, int? stride, int padding, bool countIncludePad)
    {
        var r = NewRng();
        Check(t => Ops.AvgPool2d(t[0], kernel, stride, padding, countIncludePad), Random(r, 1, 2, 2, 6, 5));
    }

    [Fact]
    public void AdaptiveAvgPool2d()
    {
        var r = NewRng();
        Check(t => Ops.AdaptiveAvgPool2d(t[0], 3, 2), Random(r, 1, 2, 2, 7, 5));
    }

    [Theory]
    [InlineData(true, 2)]
    [InlineData(false, 2)]
    [InlineData(true, 4)]
    public void BatchNorm(bool training, int rank)
    {
        var r = NewRng();
        int[] shape = rank == 2 ? [6, 3] : [3, 3, 2, 2];
        var rm = Tensor.FromArray([0.1f, -0.2f, 0.3f], 3);
        var rv = Tensor.FromArray([1.5f, 0.7f, 1.1f], 3);
        Check(t => Ops.BatchNorm(t[0], t[1], t[2], rm.Clone(), rv.Clone(), training),
            Random(r, 1, shape), Random(r, 1, 3), Random(r, 1, 3));
    }
}
