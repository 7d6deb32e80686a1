using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Autograd;

/// <summary>
/// The reverse-mode engine: finds the nodes reachable from a scalar loss, runs their backward rules from the
/// loss towards the leaves (decreasing creation order, a topological order), and frees each intermediate
/// gradient as soon as its node has consumed it.
/// </summary>
public static class Backprop
{
    private static long _pass;
    [ThreadStatic] private static List<Node>? _order;
    [ThreadStatic] private static Stack<Node>? _stack;

    private sealed class BySequenceDescending : IComparer<Node>
    {
        public static readonly BySequenceDescending Instance = new();
        public int Compare(Node? x, Node? y) => y!.Sequence.CompareTo(x!.Sequence);
    }

    /// <summary>Back-propagates from the one-element tensor <paramref name="loss"/> (seed gradient 1).</summary>
    public static void Run(Tensor loss)
    {
        if (loss.Length != 1)
            throw new InvalidOperationException($"Backward: the loss must have one element, got shape {loss.ShapeString}.");
        if (!loss.RequiresGrad || loss.GradFn is null)
            throw new InvalidOperationException("Backward: the loss does not depend on any tensor that requires a gradient (or was computed under NoGrad).");
        ReadOnlySpan<float> one = [1f];
        Run(loss, one);
    }

    /// <summary>
    /// Back-propagates from a recorded tensor <paramref name="root"/> of any shape with ∂L/∂root =
    /// <paramref name="seed"/> (root.Length values), i.e. the vector–Jacobian product seedᵀ·∂root/∂leaves.
    /// </summary>
    internal static void Run(Tensor root, ReadOnlySpan<float> seed)
    {
        if (root.GradFn is null)
            throw new InvalidOperationException("Backward: the output does not depend on any tensor that requires a gradient (or was computed under NoGrad).");
        if (seed.Length != root.Length)
            throw new ArgumentException($"Backward: the seed has {seed.Length} values, the output {root.ShapeString} {root.Length}.");
        var order = _order ??= new List<Node>();
        var stack = _stack ??= new Stack<Node>();
        order.Clear();
        long mark = Interlocked.Increment(ref _pass);
        stack.Push(root.GradFn);
        root.GradFn.VisitMark = mark;
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            order.Add(node);
            Visit(node.A, mark, stack);
            Visit(node.B, mark, stack);
            Visit(node.C, mark, stack);
        }
        order.Sort(BySequenceDescending.Instance);

        try
        {
            PerSampleCapture.Current?.CheckGraph(order);
            var seedTensor = Tensor.CreateTemporary(root.ShapeArray, clear: false);
            seed.CopyTo(seedTensor.Span);
            root.Grad = seedTensor;
            foreach (var node in order)
            {
                var g = node.Output.Grad;
                if (g is null || g.IsReleased) continue;
                node.Backward(g);
                // Intermediate gradients are not kept (as in PyTorch): free the buffer for the rest of the pass.
                node.Output.Grad = null;
                g.Release();
            }
        }
        finally
        {
            order.Clear();
        }
    }

    private static void Visit(Tensor? input, long mark, Stack<Node> stack)
    {
        var fn = input?.GradFn;
        if (fn is null || fn.VisitMark == mark) return;
        fn.VisitMark = mark;
        stack.Push(fn);
    }
}
