using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Autograd;

/// <summary>
/// Differentiable operations on tensors (PyTorch's torch.* and torch.nn.functional). Each records a node with
/// its backward rule when gradients are enabled and an input requires one.
/// </summary>
public static partial class Ops
{
    /// <summary>a + b (same shapes).</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        SameShape("Add", a, b);
        var y = NewLike(a);
        TensorPrimitives.Add(a.Span, b.Span, y.Span);
        return Node.ShouldRecord(a, b) ? new AddNode(1f).Record(y, a, b) : y;
    }

    /// <summary>a − b (same shapes).</summary>
    public static Tensor Sub(Tensor a, Tensor b)
    {
        SameShape("Sub", a, b);
        var y = NewLike(a);
        TensorPrimitives.Subtract(a.Span, b.Span, y.Span);
        return Node.ShouldRecord(a, b) ? new AddNode(-1f).Record(y, a, b) : y;
    }

    private sealed class AddNode(float signB) : Node
    {
        public override string OpName => signB > 0 ? "Add" : "Sub";
        internal override void Backward(Tensor g)
        {
            if (A!.RequiresGrad) Accumulate(A, g.Span);
            if (B!.RequiresGrad) ScaledAccumulate(B, g.Span, signB);
        }
    }

    /// <summary>Element-wise a · b (same shapes).</summary>
    public static Tensor Mul(Tensor a, Tensor b)
    {
        SameShape("Mul", a, b);
        var y = NewLike(a);
        TensorPrimitives.Multiply(a.Span, b.Span, y.Span);
        return Node.ShouldRecord(a, b) ? new MulNode().Record(y, a, b) : y;
    }

    private sealed class MulNode : Node
    {
        public override string OpName => "Mul";
        internal override void Backward(Tensor g)
        {
            if (A!.RequiresGrad) ProductAccumulate(A, g.Span, B!.Span);
            if (B!.RequiresGrad) ProductAccumulate(B, g.Span, A.Span);
        }
    }

    /// <summary>s · a for a constant s.</summary>
    public static Tensor Scale(Tensor a, float s)
    {
        var y = NewLike(a);
        TensorPrimitives.Multiply(a.Span, s, y.Span);
        return Node.ShouldRecord(a) ? new ScaleNode(s).Record(y, a) : y;
    }

    private sealed class ScaleNode(float s) : Node
    {
        public override string OpName => "Scale";
        internal override void Backward(Tensor g) => ScaledAccumulate(A!, g.Span, s);
    }

    /// <summary>a + s for a constant s.</summary>
    public static Tensor AddScalar(Tensor a, float s)
    {
        var y = NewLike(a);
        TensorPrimitives.Add(a.Span, s, y.Span);
        return Node.ShouldRecord(a) ? new ScaleNode(1f).Record(y, a) : y;
    }

    /// <summary>Element-wise a².</summary>
    public static Tensor Square(Tensor a)
    {
        var y = NewLike(a);
        TensorPrimitives.Multiply(a.Span, a.Span, y.Span);
        return Node.ShouldRecord(a) ? new SquareNode().Record(y, a) : y;
    }

    private sealed class SquareNode : Node
    {
        public override string OpName => "Square";
        internal override void Backward(Tensor g)
        {
            var dst = GradBuffer(A!, out bool fresh);
            var x = A!.Span;
            var gs = g.Span;
            for (int i = 0; i < dst.Length; i++)
                dst[i] = (fresh ? 0f : dst[i]) + 2f * x[i] * gs[i];
        }
    }

    /// <summary>Element-wise exp(a).</summary>
    public static Tensor Exp(Tensor a)
    {
        var y = NewLike(a);
        TensorPrimitives.Exp(a.Span, y.Span);
        return Node.ShouldRecord(a) ? new ExpNode().Record(y, a) : y;
    }

    private sealed class ExpNode : Node
    {
        public override string OpName => "Exp";
        internal override void Backward(Tensor g) => ProductAccumulate(A!, g.Span, Output.Span);
    }

    /// <summary>Element-wise natural logarithm.</summary>
    public static Tensor Log(Tensor a)
    {
        var y = NewLike(a);
        TensorPrimitives.Log(a.Span, y.Span);
        return Node.ShouldRecord(a) ? new LogNode().Record(y, a) : y;
    }

    private sealed class LogNode : Node
    {
        public override string OpName => "Log";
        internal override void Backward(Tensor g)
        {
            var dst = GradBuffer(A!, out bool fresh);
            var x = A!.Span;
            var gs = g.Span;
            for (int i = 0; i < dst.Length; i++)
                dst[i] = (fresh ? 0f : dst[i]) + gs[i] / x[i];
        }
    }

    /// <summary>
    /// Element-wise min(max(a, <paramref name="min"/>), <paramref name="max"/>) (torch.clamp): the gradient passes where
    /// min ≤ a ≤ max and is zero where the value was clipped.
    /// </summary>
    public static Tensor Clamp(Tensor a, float min, float max)
    {
        if (!(min <= max)) throw new ArgumentException($"Ops.Clamp: need min ≤ max, got [{min}, {max}].");
        var y = NewLike(a);
        TensorPrimitives.Min(a.Span, max, y.Span);
        TensorPrimitives.Max(y.Span, min, y.Span);
        return Node.ShouldRecord(a) ? new ClampNode(min, max).Record(y, a) : y;
    }

    private sealed class ClampNode(float min, float max) : Node
    {
        public override string OpName => "Clamp";
        internal override void Backward(Tensor g)
        {
            var dst = GradBuffer(A!, out bool fresh);
            var x = A!.Span;
            var gs = g.Span;
            for (int i = 0; i < dst.Length; i++)
            {
                float v = x[i] >= min && x[i] <= max ? gs[i] : 0f;
                dst[i] = fresh ? v : dst[i] + v;
            }
        }
    }

    /// <summary>dst(input) += s · g.</summary>
    private static void ScaledAccumulate(Tensor input, ReadOnlySpan<float> g, float s)
    {
        var dst = Node.GradBuffer(input, out bool fresh);
        if (fresh) TensorPrimitives.Multiply(g, s, dst);
        else TensorPrimitives.MultiplyAdd(g, s, dst, dst);
    }

    /// <summary>dst(input) += g ⊙ f.</summary>
    private static void ProductAccumulate(Tensor input, ReadOnlySpan<float> g, ReadOnlySpan<float> f)
    {
        var dst = Node.GradBuffer(input, out bool fresh);
        if (fresh) TensorPrimitives.Multiply(g, f, dst);
        else TensorPrimitives.MultiplyAdd(g, f, dst, dst);
    }
}
