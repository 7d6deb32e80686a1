using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Autograd;

public static partial class Ops
{
    /// <summary>Sum of all elements, as a tensor of shape [1].</summary>
    public static Tensor Sum(Tensor a) => SumScaled(a, 1f);

    /// <summary>Mean of all elements, as a tensor of shape [1].</summary>
    public static Tensor Mean(Tensor a) => SumScaled(a, 1f / a.Length);

    private static Tensor SumScaled(Tensor a, float scale)
    {
        var y = Tensor.CreateTemporary([1], clear: false);
        y.Span[0] = (float)(VectorKernels.SumDouble(a.Span) * scale);
        return Node.ShouldRecord(a) ? new SumNode(scale).Record(y, a) : y;
    }

    private sealed class SumNode(float scale) : Node
    {
        public override string OpName => "Sum";
        internal override void Backward(Tensor g)
        {
            var dst = GradBuffer(A!, out bool fresh);
            float v = g.Span[0] * scale;
            if (fresh) dst.Fill(v);
            else TensorPrimitives.Add(dst, v, dst);
        }
    }
}
