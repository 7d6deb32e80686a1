using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Autograd;

/// <summary>
/// One recorded operation: its inputs (up to three tensors, so no per-op array is allocated), its output, and
/// the rule that turns the output's gradient into gradient contributions for its inputs.
/// </summary>
public abstract class Node
{
    private static long _counter;

    /// <summary>Creation order; every node is created after the nodes of its inputs, so sorting by it is topological.</summary>
    internal long Sequence;
    internal long VisitMark;
    internal Tensor Output = null!;
    internal Tensor? A, B, C;

    /// <summary>Operation name for error messages.</summary>
    public abstract string OpName { get; }

    /// <summary>Adds this op's input gradients given <paramref name="gradOutput"/>, the gradient of the output.</summary>
    internal abstract void Backward(Tensor gradOutput);

    /// <summary>
    /// True when the op computes per-sample gradients of its parameters (inputs B and C, input A being the
    /// batch-first activation) for <see cref="PerSampleGradients"/>.
    /// </summary>
    internal virtual bool HasPerSampleRule => false;

    /// <summary>True when one sample's output depends on other samples (BatchNorm in training mode).</summary>
    internal virtual bool MixesSamples => false;

    /// <summary>True when an op on these inputs must be recorded.</summary>
    internal static bool ShouldRecord(Tensor? a, Tensor? b = null, Tensor? c = null) =>
        GradMode.IsEnabled && ((a?.RequiresGrad ?? false) || (b?.RequiresGrad ?? false) || (c?.RequiresGrad ?? false));

    /// <summary>Attaches this node to <paramref name="output"/> and returns the output.</summary>
    internal Tensor Record(Tensor output, Tensor? a, Tensor? b = null, Tensor? c = null)
    {
        Sequence = Interlocked.Increment(ref _counter);
        Output = output;
        A = a; B = b; C = c;
        output.RequiresGrad = true;
        output.GradFn = this;
        return output;
    }

    /// <summary>
    /// The gradient buffer of <paramref name="input"/> to add into. When <paramref name="fresh"/> is true the
    /// buffer was just created and holds garbage: the caller must overwrite it instead of adding.
    /// Leaves (parameters) get persistent buffers; intermediates get pooled, scoped ones.
    /// </summary>
    internal static Span<float> GradBuffer(Tensor input, out bool fresh)
    {
        if (input.Grad is { IsReleased: false } g)
        {
            fresh = false;
            return g.Span;
        }
        fresh = true;
        input.Grad = input.GradFn is null
            ? new Tensor(GC.AllocateUninitializedArray<float>(input.Length), input.ShapeArray)
            : Tensor.CreateTemporary(input.ShapeArray, clear: false);
        return input.Grad.Span;
    }

    /// <summary>Adds <paramref name="contribution"/> into the gradient of <paramref name="input"/>.</summary>
    internal static void Accumulate(Tensor input, ReadOnlySpan<float> contribution)
    {
        var g = GradBuffer(input, out bool fresh);
        if (fresh) contribution.CopyTo(g);
        else System.Numerics.Tensors.TensorPrimitives.Add(g, contribution, g);
    }
}
