using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Autograd;

public static partial class Ops
{
    /// <summary>
    /// For a scalar computed outside the generic ops together with its closed-form gradient (a fused loss): a buffer
    /// shaped like <paramref name="input"/>, holding garbage, to fill completely with d value / d input, or null when an
    /// op on <paramref name="input"/> would not be recorded (no gradient is needed then). Pass it to
    /// <see cref="ScalarWithGradient"/>. The buffer is released with the current <see cref="TensorScope"/>.
    /// </summary>
    /// <param name="input">The tensor the value will be differentiated with respect to.</param>
    public static Tensor? PrecomputedGradientBuffer(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Node.ShouldRecord(input) ? Tensor.CreateTemporary(input.ShapeArray, clear: false) : null;
    }

    /// <summary>
    /// The scalar <paramref name="value"/> as a [1] tensor, recorded (when <paramref name="gradient"/> is not null) as
    /// one node whose backward adds the incoming gradient times <paramref name="gradient"/> into the gradient of
    /// <paramref name="input"/>.
    /// </summary>
    /// <param name="op">The op's name, for error messages and the tape.</param>
    /// <param name="input">The tensor the value was differentiated with respect to.</param>
    /// <param name="value">The value.</param>
    /// <param name="gradient">d value / d input from <see cref="PrecomputedGradientBuffer"/>, or null.</param>
    public static Tensor ScalarWithGradient(string op, Tensor input, double value, Tensor? gradient)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (gradient is not null && !gradient.Shape.SequenceEqual(input.Shape))
            throw new ArgumentException($"{op}: the gradient {gradient.ShapeString} does not match the input {input.ShapeString}.");
        var y = Tensor.CreateTemporary([1], clear: false);
        y.Span[0] = (float)value;
        return gradient is null ? y : new PrecomputedGradientNode(op, gradient).Record(y, input);
    }

    /// <summary>A scalar node whose input gradient was computed with the value: backward only scales it.</summary>
    private sealed class PrecomputedGradientNode(string name, Tensor gradient) : Node
    {
        public override string OpName => name;

        internal override void Backward(Tensor g)
        {
            float scale = g.Span[0];
            var dst = GradBuffer(A!, out bool fresh);
            var src = gradient.Span;
            if (fresh) TensorPrimitives.Multiply(src, scale, dst);
            else TensorPrimitives.MultiplyAdd(src, scale, dst, dst);
        }
    }
}
