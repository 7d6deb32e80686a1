using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Probabilistic.Core.Random;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Autograd;

public static partial class Ops
{
    /// <summary>max(x, 0).</summary>
    public static Tensor Relu(Tensor x)
    {
        var y = NewLike(x);
        TensorPrimitives.Max(x.Span, 0f, y.Span);
        return Node.ShouldRecord(x) ? new ReluNode().Record(y, x) : y;
    }

    private sealed class ReluNode : Node
    {
        public override string OpName => "Relu";
        internal override void Backward(Tensor g)
        {
            var dst = GradBuffer(A!, out bool fresh);
            VectorKernels.MaskPositive(Output.Span, g.Span, dst, accumulate: !fresh);
        }
    }

    /// <summary>x for x &gt; 0, slope · x otherwise (PyTorch's default slope is 0.01).</summary>
    public static Tensor LeakyRelu(Tensor x, float slope = 0.01f)
    {
        var y = NewLike(x);
        var xs = x.Span;
        var ys = y.Span;
        for (int i = 0; i < xs.Length; i++) ys[i] = xs[i] > 0 ? xs[i] : slope * xs[i];
        return Node.ShouldRecord(x) ? new LeakyReluNode(slope).Record(y, x) : y;
    }

    private sealed class LeakyReluNode(float slope) : Node
    {
        public override string OpName => "LeakyRelu";
        internal override void Backward(Tensor g)
        {
            var dst = GradBuffer(A!, out bool fresh);
            var x = A!.Span;
            var gs = g.Span;
            for (int i = 0; i < dst.Length; i++)
                dst[i] = (fresh ? 0f : dst[i]) + (x[i] > 0 ? gs[i] : slope * gs[i]);
        }
    }

    /// <summary>1 / (1 + exp(−x)).</summary>
    public static Tensor Sigmoid(Tensor x)
    {
        var y = NewLike(x);
        TensorPrimitives.Sigmoid(x.Span, y.Span);
        return Node.ShouldRecord(x) ? new SigmoidNode().Record(y, x) : y;
    }

    private sealed class SigmoidNode : Node
    {
        public override string OpName => "Sigmoid";
        internal override void Backward(Tensor g)
        {
            var dst = GradBuffer(A!, out bool fresh);
            var s = Output.Span;
            var gs = g.Span;
            for (int i = 0; i < dst.Length; i++)
                dst[i] = (fresh ? 0f : dst[i]) + gs[i] * s[i] * (1f - s[i]);
        }
    }

    /// <summary>Hyperbolic tangent.</summary>
    public static Tensor Tanh(Tensor x)
    {
        var y = NewLike(x);
        TensorPrimitives.Tanh(x.Span, y.Span);
        return Node.ShouldRecord(x) ? new TanhNode().Record(y, x) : y;
    }

    private sealed class TanhNode : Node
    {
        public override string OpName => "Tanh";
        internal override void Backward(Tensor g)
        {
            var dst = GradBuffer(A!, out bool fresh);
            var t = Output.Span;
            var gs = g.Span;
            for (int i = 0; i < dst.Length; i++)
                dst[i] = (fresh ? 0f : dst[i]) + gs[i] * (1f - t[i] * t[i]);
        }
    }

    /// <summary>
    /// log(1 + exp(β·x)) / β, computed stably as max(z,0) + log1p(exp(−|z|)) with z = β·x; like PyTorch it returns
    /// x itself where β·x exceeds <paramref name="threshold"/>.
    /// </summary>
    public static Tensor Softplus(Tensor x, float beta = 1f, float threshold = 20f)
    {
        var y = NewLike(x);
        var xs = x.Span;
        var ys = y.Span;
        for (int i = 0; i < xs.Length; i++)
        {
            float z = beta * xs[i];
            ys[i] = z > threshold ? xs[i] : (MathF.Max(z, 0f) + Log1p(MathF.Exp(-MathF.Abs(z)))) / beta;
        }
        return Node.ShouldRecord(x) ? new SoftplusNode(beta, threshold).Record(y, x) : y;
    }

    /// <summary>
    /// log(1 + e) for 0 ≤ e ≤ 1 without losing e when it is small: float's 1 + e drops e below about 6e-8, so softplus
    /// of z &lt; −17 would read 0. Below 1e-3 the series e − e²/2 + e³/3 is exact to float precision.
    /// </summary>
    private static float Log1p(float e) => e < 1e-3f ? e * (1f - e * (0.5f - e / 3f)) : MathF.Log(1f + e);

    private sealed class SoftplusNode(float beta, float threshold) : Node
    {
        public override string OpName => "Softplus";
        internal override void Backward(Tensor g)
        {
            var dst = GradBuffer(A!, out bool fresh);
            var x = A!.Span;
            var gs = g.Span;
            for (int i = 0; i < dst.Length; i++)
            {
                float z = beta * x[i];
                float d = z > threshold ? 1f : 1f / (1f + MathF.Exp(-z));
                dst[i] = (fresh ? 0f : dst[i]) + gs[i] * d;
            }
        }
    }

    /// <summary>
    /// Inverted dropout: in training, zeroes each element with probability <paramref name="p"/> and scales the
    /// survivors by 1/(1−p); otherwise the identity. Draws from <paramref name="rng"/>.
    /// </summary>
    public static Tensor Dropout(Tensor x, float p, bool training, Rng rng)
    {
        if (p < 0 || p >= 1) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout: p must be in [0, 1).");
        if (!training || p == 0) return x;
        var mask = NewLike(x);
        var m = mask.Span;
        float keep = 1f / (1f - p);
        for (int i = 0; i < m.Length; i++) m[i] = rng.NextFloat() < p ? 0f : keep;
        var y = NewLike(x);
        TensorPrimitives.Multiply(x.Span, m, y.Span);
        return Node.ShouldRecord(x) ? new MulNode().Record(y, x, mask) : y;
    }
}
