using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Autograd;

/// <summary>
/// The per-sample mode of a backward pass (one per thread, active only inside <see cref="Run"/>). Ops with a
/// per-sample rule (<see cref="Node.HasPerSampleRule"/>: Linear, Conv2d) ask <see cref="Captures"/> whether a
/// parameter belongs to the view; if it does they hand their saved input a and output gradient δ to
/// <see cref="Linear"/> or <see cref="Conv2d"/> instead of summing the batch gradient into the parameter's
/// <c>Grad</c>. Per-sample gradients come from a and δ alone, as in BackPACK and Opacus: for a Linear layer sample
/// i's weight gradient is δ_i a_iᵀ and its bias gradient δ_i; Σ_i (δ_i a_iᵀ)∘(δ_i a_iᵀ) = (δ∘δ)ᵀ(a∘a) is one GEMM.
/// When no capture is active the ops pay one thread-static read per backward call.
/// </summary>
internal sealed unsafe class PerSampleCapture
{
    [ThreadStatic] private static PerSampleCapture? _current;

    /// <summary>The capture of the backward pass running on this thread, or null (ordinary backward).</summary>
    internal static PerSampleCapture? Current => _current;

    private readonly ParameterVector _view;
    private readonly int _batch;
    private readonly bool[] _written;
    private readonly int[] _uses;
    private bool _squares;
    private float* _destination;

    /// <summary>Partial sums the squared convolution gradients are split into, fixed so results do not depend on the core count.</summary>
    private const int SquarePartials = 8;

    internal PerSampleCapture(ParameterVector view, int batch)
    {
        _view = view;
        _batch = batch;
        _written = new bool[view.Segments.Count];
        _uses = new int[view.Segments.Count];
    }

    /// <summary>
    /// Back-propagates <paramref name="seed"/> (∂ℓ/∂output, one row per sample) from <paramref name="output"/> with
    /// this capture active. Rows mode writes sample i's gradient into row i of <paramref name="destination"/>
    /// (batch × P); squares mode adds Σ_i (per-sample gradient)² into it (length P).
    /// </summary>
    internal void Run(Tensor output, ReadOnlySpan<float> seed, Span<float> destination, bool squares)
    {
        Array.Clear(_written);
        fixed (float* d = destination)
        {
            _destination = d;
            _squares = squares;
            var previous = _current;
            _current = this;
            try
            {
                // An output that depends on no view parameter was not recorded: every gradient is zero.
                if (output.GradFn is not null) Backprop.Run(output, seed);
            }
            finally
            {
                _current = previous;
                _destination = null;
            }
        }
        if (squares) return;
        // Parameters the output does not depend on have zero gradient.
        int p = _view.Count;
        for (int s = 0; s < _written.Length; s++)
        {
            if (_written[s]) continue;
            var segment = _view.Segments[s];
            for (int i = 0; i < _batch; i++) destination.Slice(i * p + segment.Offset, segment.Length).Clear();
        }
    }

    /// <summary>True when <paramref name="parameter"/> is a leaf of the view (its gradient is captured, not accumulated).</summary>
    internal bool Captures(Tensor? parameter) => parameter is not null && parameter.GradFn is null && _view.IndexOf(parameter) >= 0;

    /// <summary>
    /// Refuses graphs whose per-sample gradients this capture cannot give: a view parameter used by an op without a
    /// per-sample rule, an op that mixes samples, a rule op whose input is not one row per sample, or (for the
    /// squared sum, where the square of a sum is not the sum of squares) a parameter used more than once.
    /// </summary>
    internal void CheckGraph(List<Node> order)
    {
        Array.Clear(_uses);
        foreach (var node in order)
        {
            if (node.MixesSamples)
                throw new NotSupportedException($"PerSampleGradients: {node.OpName} in training mode mixes the samples of a batch, so per-sample gradients are undefined; call Eval() on the model first.");
            bool usesView = CountUse(node, node.A, 0) | CountUse(node, node.B, 1) | CountUse(node, node.C, 2);
            if (usesView && node.A!.Dim(0) != _batch)
                throw new NotSupportedException($"PerSampleGradients: {node.OpName} sees an input {node.A.ShapeString} with {node.A.Dim(0)} rows for a batch of {_batch} samples; per-sample rules need one row per sample.");
        }
        if (!_squares) return;
        for (int s = 0; s < _uses.Length; s++)
            if (_uses[s] > 1)
                throw new NotSupportedException($"PerSampleGradients: parameter '{_view.Segments[s].Name}' is used {_uses[s]} times in the graph; the squared per-sample sum needs each parameter used once (per-sample gradient rows allow sharing).");
    }

    private bool CountUse(Node node, Tensor? input, int position)
    {
        if (input is null || input.GradFn is not null) return false;
        int s = _view.IndexOf(input);
        if (s < 0) return false;
        if (!node.HasPerSampleRule || position == 0)
            throw new NotSupportedException($"PerSampleGradients: parameter '{_view.Segments[s].Name}' is used by {node.OpName}{(position == 0 && node.HasPerSampleRule ? " as its input" : "")}, which has no per-sample rule (only the weights and biases of Linear and Conv2d have one); leave it out of the ParameterVector.");
        _uses[s]++;
        return true;
    }

    /// <summary>Whether segment <paramref name="s"/> was already written in this pass (then rows accumulate), marking it written.</summary>
    private bool Accumulates(int s)
    {
        bool before = _written[s];
        _written[s] = true;
        return before;
    }

    /// <summary>
    /// Per-sample gradients of y = x·Wᵀ + b from x [N, in] and g = ∂ℓ/∂y [N, out] for the captured
    /// <paramref name="weight"/> and/or <paramref name="bias"/> (null when not captured).
    /// </summary>
    internal void Linear(Tensor x, Tensor g, Tensor? weight, Tensor? bias)
    {
        int n = x.Dim(0), inF = x.Dim(1), outF = g.Dim(1);
        int sw = weight is null ? -1 : _view.IndexOf(weight), sb = bias is null ? -1 : _view.IndexOf(bias);
        int ow = sw < 0 ? 0 : _view.Segments[sw].Offset, ob = sb < 0 ? 0 : _view.Segments[sb].Offset;
        if (_squares)
        {
            var d2 = BufferPool.Rent(n * outF, clear: false);
            var g2 = d2.AsSpan(0, n * outF);
            TensorPrimitives.Multiply(g.Span, g.Span, g2);
            if (sw >= 0)
            {
                var a2 = BufferPool.Rent(n * inF, clear: false);
                TensorPrimitives.Multiply(x.Span, x.Span, a2.AsSpan(0, n * inF));
                // Σ_i δ_ir² a_ic² = ((δ∘δ)ᵀ(a∘a))_rc
                Gemm.Sgemm(true, false, outF, inF, n, 1f, g2, outF, a2.AsSpan(0, n * inF), inF, 1f,
                    new Span<float>(_destination + ow, outF * inF), inF);
                BufferPool.Return(a2);
            }
            if (sb >= 0)
            {
                var sum = new Span<float>(_destination + ob, outF);
                for (int i = 0; i < n; i++) Ops.AddRowInto(sum, g2.Slice(i * outF, outF));
            }
            BufferPool.Return(d2);
            return;
        }
        bool accumulateW = sw >= 0 && Accumulates(sw), accumulateB = sb >= 0 && Accumulates(sb);
        int p = _view.Count;
        nint destination = (nint)_destination;
        var xData = x.Data;
        var gData = g.Data;
        // Each sample writes its own row: split the samples over the cores when the rows are long enough.
        long work = (long)n * ((sw >= 0 ? outF * inF : 0) + (sb >= 0 ? outF : 0));
        int parts = work < 1 << 16 ? 1 : Parallelism.PartitionsFor(n);
        Parallelism.For(n, parts, (_, start, end) =>
        {
            for (int i = start; i < end; i++)
            {
                float* row = (float*)destination + (long)i * p;
                var gi = new ReadOnlySpan<float>(gData, i * outF, outF);
                if (sw >= 0)
                {
                    var xi = new ReadOnlySpan<float>(xData, i * inF, inF);
                    for (int r = 0; r < outF; r++)
                    {
                        var target = new Span<float>(row + ow + (long)r * inF, inF);
                        if (accumulateW) TensorPrimitives.MultiplyAdd(xi, gi[r], target, target);
                        else TensorPrimitives.Multiply(xi, gi[r], target);
                    }
                }
                if (sb >= 0)
                {
                    var target = new Span<float>(row + ob, outF);
                    if (accumulateB) Ops.AddRowInto(target, gi);
                    else gi.CopyTo(target);
                }
            }
        });
    }

    /// <summary>
    /// Per-sample gradients of a convolution from x [N, C, H, W] and g = ∂ℓ/∂y [N, OC, OH, OW]: sample i's weight
    /// gradient is g_i · columns(x_i)ᵀ (OC × C·KH·KW, the weight's row-major layout), its bias gradient the plane sums
    /// of g_i. Images are unfolded one at a time into per-core scratch.
    /// </summary>
    internal void Conv2d(Tensor x, Tensor g, Tensor? weight, Tensor? bias, ConvGeometry geometry)
    {
        int n = x.Dim(0), c = x.Dim(1), h = x.Dim(2), w = x.Dim(3);
        int outChannels = g.Dim(1), plane = g.Dim(2) * g.Dim(3);
        int patch = c * geometry.KernelH * geometry.KernelW, inImage = c * h * w, outImage = outChannels * plane;
        int weights = outChannels * patch;
        int sw = weight is null ? -1 : _view.IndexOf(weight), sb = bias is null ? -1 : _view.IndexOf(bias);
        int ow = sw < 0 ? 0 : _view.Segments[sw].Offset, ob = sb < 0 ? 0 : _view.Segments[sb].Offset;
        int p = _view.Count;
        nint destination = (nint)_destination;
        var xData = x.Data;
        var gData = g.Data;
        if (_squares)
        {
            var partialW = new float[SquarePartials][];
            var partialB = new double[SquarePartials][];
            for (int q = 0; q < SquarePartials; q++)
            {
                partialW[q] = sw >= 0 ? BufferPool.Rent(weights, clear: true) : [];
                partialB[q] = new double[sb >= 0 ? outChannels : 0];
            }
            Parallelism.For(n, Math.Min(SquarePartials, n), (q, start, end) =>
            {
                float[]? columns = sw >= 0 ? BufferPool.Rent(patch * plane, clear: false) : null;
                float[]? one = sw >= 0 ? BufferPool.Rent(weights, clear: false) : null;
                for (int i = start; i < end; i++)
                {
                    var gi = new ReadOnlySpan<float>(gData, i * outImage, outImage);
                    if (columns is not null)
                    {
                        var cols = columns.AsSpan(0, patch * plane);
                        var gw = one.AsSpan(0, weights);
                        Im2Col.ImageToColumns(xData.AsSpan(i * inImage, inImage), c, h, w, geometry, cols);
                        Gemm.SgemmOnCallingThread(false, true, outChannels, patch, plane, 1f, gi, plane, cols, plane, 0f, gw, patch);
                        TensorPrimitives.MultiplyAdd(gw, gw, partialW[q].AsSpan(0, weights), partialW[q].AsSpan(0, weights));
                    }
                    if (sb >= 0)
                        for (int oc = 0; oc < outChannels; oc++)
                        {
                            double s = VectorKernels.SumDouble(gi.Slice(oc * plane, plane));
                            partialB[q][oc] += s * s;
                        }
                }
                if (columns is not null) BufferPool.Return(columns);
                if (one is not null) BufferPool.Return(one);
            });
            if (sw >= 0)
            {
                var sum = new Span<float>(_destination + ow, weights);
                for (int q = 0; q < SquarePartials; q++)
                {
                    TensorPrimitives.Add(sum, partialW[q].AsSpan(0, weights), sum);
                    BufferPool.Return(partialW[q]);
                }
            }
            if (sb >= 0)
                for (int oc = 0; oc < outChannels; oc++)
                {
                    double s = 0;
                    for (int q = 0; q < SquarePartials; q++) s += partialB[q][oc];
                    _destination[ob + oc] += (float)s;
                }
            return;
        }
        bool accumulateW = sw >= 0 && Accumulates(sw), accumulateB = sb >= 0 && Accumulates(sb);
        Parallelism.For(n, Parallelism.PartitionsFor(n, Im2Col.MinImagesPerPartition), (_, start, end) =>
        {
            float[]? columns = sw >= 0 ? BufferPool.Rent(patch * plane, clear: false) : null;
            for (int i = start; i < end; i++)
            {
                float* row = (float*)destination + (long)i * p;
                var gi = new ReadOnlySpan<float>(gData, i * outImage, outImage);
                if (columns is not null)
                {
                    var cols = columns.AsSpan(0, patch * plane);
                    Im2Col.ImageToColumns(xData.AsSpan(i * inImage, inImage), c, h, w, geometry, cols);
                    Gemm.SgemmOnCallingThread(false, true, outChannels, patch, plane, 1f, gi, plane, cols, plane,
                        accumulateW ? 1f : 0f, new Span<float>(row + ow, weights), patch);
                }
                if (sb >= 0)
                    for (int oc = 0; oc < outChannels; oc++)
                    {
                        float s = (float)VectorKernels.SumDouble(gi.Slice(oc * plane, plane));
                        row[ob + oc] = accumulateB ? row[ob + oc] + s : s;
                    }
            }
            if (columns is not null) BufferPool.Return(columns);
        });
    }
}
