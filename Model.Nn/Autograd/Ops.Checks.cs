using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Autograd;

public static partial class Ops
{
    private static void SameShape(string op, Tensor a, Tensor b)
    {
        if (!a.Shape.SequenceEqual(b.Shape))
            throw new ArgumentException($"{op}: shapes must match, got {a.Describe()} and {b.Describe()}.");
    }

    private static void RankIs(string op, Tensor t, int rank, string meaning)
    {
        if (t.Rank != rank)
            throw new ArgumentException($"{op}: expected a rank-{rank} tensor {meaning}, got {t.Describe()}.");
    }

    private static Tensor NewLike(Tensor t, bool clear = false) => Tensor.CreateTemporary(t.ShapeArray, clear);
}
