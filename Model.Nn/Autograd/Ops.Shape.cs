using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Autograd;

public static partial class Ops
{
    /// <summary>The same elements with another shape (one dimension may be −1 and is then inferred). Shares storage.</summary>
    public static Tensor Reshape(Tensor x, params int[] shape)
    {
        var resolved = (int[])shape.Clone();
        int infer = -1, known = 1;
        for (int i = 0; i < resolved.Length; i++)
        {
            if (resolved[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"Reshape: only one dimension may be -1 in {Tensor.Format(shape)}.");
                infer = i;
            }
            else if (resolved[i] < 0) throw new ArgumentException($"Reshape: invalid dimension in {Tensor.Format(shape)}.");
            else known *= resolved[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || x.Length % known != 0)
                throw new ArgumentException($"Reshape: cannot reshape {x.Describe()} ({x.Length} elements) to {Tensor.Format(shape)}.");
            resolved[infer] = x.Length / known;
        }
        else if (known != x.Length)
            throw new ArgumentException($"Reshape: cannot reshape {x.Describe()} ({x.Length} elements) to {Tensor.Format(shape)}.");
        var y = x.ViewAs(resolved);
        return Node.ShouldRecord(x) ? new ReshapeNode().Record(y, x) : y;
    }

    /// <summary>Flattens every dimension after the first: [N, …] → [N, product of the rest].</summary>
    public static Tensor Flatten(Tensor x)
    {
        if (x.Rank < 1) throw new ArgumentException($"Flatten: expected at least one dimension, got {x.Describe()}.");
        return x.Rank == 2 ? x : Reshape(x, x.Dim(0), -1);
    }

    private sealed class ReshapeNode : Node
    {
        public override string OpName => "Reshape";
        internal override void Backward(Tensor g) => Accumulate(A!, g.Span);
    }
}
