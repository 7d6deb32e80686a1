using Probabilistic.Distill.Bayesian;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.Tests.Bayesian;

/// <summary>
/// The hand-written forward and backward passes of a <see cref="NetworkModule"/> layout (explicit GEMMs, per-sample
/// squared gradients, the output Jacobian): an independent reference the tests hold the module + autograd route to.
/// The library runs the network as a <see cref="NetworkModule"/>.
/// </summary>
internal static class ReferenceMlp
{
    /// <summary>Index of b_t[0]: all weights first, then b_1, b_2, … (computed from the widths, not read from the module).</summary>
    private static int BiasOffset(NetworkModule net, int t)
    {
        int offset = net.Structure.ParameterCount;
        for (int s = 1; s < t; s++) offset += net.Structure.Widths[s];
        return offset;
    }

    /// <summary>Buffers for one batch size (activations and back-propagated errors of every layer).</summary>
    public static Workspace CreateWorkspace(this NetworkModule net, int batchCapacity) => new(net, batchCapacity);

    /// <summary>
    /// Forward pass of <paramref name="batch"/> rows of <paramref name="x"/> (row-major, n_0 per row). Returns the
    /// outputs (batch × n_T, a view into the workspace valid until the next pass).
    /// </summary>
    public static ReadOnlySpan<float> Forward(this NetworkModule net, ReadOnlySpan<float> parameters, ReadOnlySpan<float> x, int batch, Workspace ws)
    {
        Check(net, parameters, x, batch, ws, nameof(Forward));
        var widths = net.Structure.Widths;
        int layers = net.Structure.LayerCount;
        for (int t = 1; t <= layers; t++)
        {
            int nIn = widths[t - 1], nOut = widths[t];
            ReadOnlySpan<float> input = t == 1 ? x : ws.Post[t - 1].AsSpan(0, batch * nIn);
            Span<float> z = ws.Pre[t].AsSpan(0, batch * nOut);
            Gemm.Sgemm(false, true, batch, nOut, nIn, 1f, input, nIn, parameters.Slice(net.Structure.LayerOffset(t), nOut * nIn), nIn, 0f, z, nOut);
            if (net.HasBiases)
            {
                var b = parameters.Slice(BiasOffset(net, t), nOut);
                for (int i = 0; i < batch; i++) System.Numerics.Tensors.TensorPrimitives.Add(z.Slice(i * nOut, nOut), b, z.Slice(i * nOut, nOut));
            }
            Span<float> a = ws.Post[t].AsSpan(0, batch * nOut);
            if (t == layers) z.CopyTo(a);
            else if (net.Activation == HiddenActivation.Relu) System.Numerics.Tensors.TensorPrimitives.Max(z, 0f, a);
            else for (int k = 0; k < a.Length; k++) a[k] = z[k] > 0 ? z[k] : NetworkModule.LeakySlope * z[k];
        }
        return ws.Post[layers].AsSpan(0, batch * widths[layers]);
    }

    /// <summary>
    /// Back-propagates ∂L/∂output (<paramref name="dOutput"/>, batch × n_T) through the last <see cref="Forward"/>
    /// of the same batch and ADDS ∂L/∂parameters to <paramref name="gradient"/>. With <paramref name="squared"/>
    /// it instead adds Σ_i (∂ℓ_i/∂θ)², the per-sample squared gradients summed over the batch (for a diagonal
    /// Gauss–Newton matrix): for a weight matrix that is (δ∘δ)ᵀ(a∘a), one GEMM.
    /// </summary>
    public static void Backward(this NetworkModule net, ReadOnlySpan<float> parameters, ReadOnlySpan<float> x, int batch, ReadOnlySpan<float> dOutput, Workspace ws,
        Span<float> gradient, bool squared = false)
    {
        Check(net, parameters, x, batch, ws, nameof(Backward));
        if (gradient.Length != net.ParameterCount)
            throw new ArgumentException($"ReferenceMlp.Backward: gradient has {gradient.Length} entries, the network {net.ParameterCount}.", nameof(gradient));
        var widths = net.Structure.Widths;
        int layers = net.Structure.LayerCount;
        if (dOutput.Length < batch * widths[layers])
            throw new ArgumentException($"ReferenceMlp.Backward: dOutput has {dOutput.Length} entries, expected {batch}×{widths[layers]}.", nameof(dOutput));
        dOutput[..(batch * widths[layers])].CopyTo(ws.Delta[layers]);
        for (int t = layers; t >= 1; t--)
        {
            int nIn = widths[t - 1], nOut = widths[t];
            Span<float> delta = ws.Delta[t].AsSpan(0, batch * nOut);
            ReadOnlySpan<float> input = t == 1 ? x[..(batch * nIn)] : ws.Post[t - 1].AsSpan(0, batch * nIn);
            ReadOnlySpan<float> dUse = delta, aUse = input;
            if (squared)
            {
                var d2 = ws.Square1.AsSpan(0, delta.Length);
                var a2 = ws.Square2.AsSpan(0, input.Length);
                System.Numerics.Tensors.TensorPrimitives.Multiply(delta, delta, d2);
                System.Numerics.Tensors.TensorPrimitives.Multiply(input, input, a2);
                dUse = d2;
                aUse = a2;
            }
            Gemm.Sgemm(true, false, nOut, nIn, batch, 1f, dUse, nOut, aUse, nIn, 1f, gradient.Slice(net.Structure.LayerOffset(t), nOut * nIn), nIn);
            if (net.HasBiases)
            {
                var gb = gradient.Slice(BiasOffset(net, t), nOut);
                for (int i = 0; i < batch; i++) System.Numerics.Tensors.TensorPrimitives.Add(gb, dUse.Slice(i * nOut, nOut), gb);
            }
            if (t == 1) break;
            Span<float> below = ws.Delta[t - 1].AsSpan(0, batch * nIn);
            Gemm.Sgemm(false, false, batch, nIn, nOut, 1f, delta, nOut, parameters.Slice(net.Structure.LayerOffset(t), nOut * nIn), nIn, 0f, below, nIn);
            MultiplyByActivationDerivative(net, ws.Pre[t - 1].AsSpan(0, batch * nIn), below);
        }
    }

    /// <summary>
    /// Per-sample gradients of a scalar output (n_T = 1) with respect to every parameter, after a
    /// <see cref="Forward"/> of the same batch: row i of <paramref name="jacobian"/> (batch × P) is ∂f(x_i)/∂θ.
    /// </summary>
    public static void OutputJacobian(this NetworkModule net, ReadOnlySpan<float> parameters, ReadOnlySpan<float> x, int batch, Workspace ws, Span<float> jacobian)
    {
        if (net.Structure.OutputSize != 1)
            throw new InvalidOperationException($"ReferenceMlp.OutputJacobian: needs a scalar output, the network {net.Structure} has {net.Structure.OutputSize}.");
        if (jacobian.Length < batch * net.ParameterCount)
            throw new ArgumentException($"ReferenceMlp.OutputJacobian: jacobian has {jacobian.Length} entries, expected {batch}×{net.ParameterCount}.", nameof(jacobian));
        var ones = ws.Square1.AsSpan(0, batch);
        ones.Fill(1f);
        // Propagate δ for all samples at once (gradient accumulation into a scratch vector is discarded).
        var scratch = new float[net.ParameterCount];
        net.Backward(parameters, x, batch, ones, ws, scratch);
        var widths = net.Structure.Widths;
        for (int t = 1; t <= net.Structure.LayerCount; t++)
        {
            int nIn = widths[t - 1], nOut = widths[t], w0 = net.Structure.LayerOffset(t);
            var delta = ws.Delta[t];
            for (int i = 0; i < batch; i++)
            {
                var row = jacobian.Slice(i * net.ParameterCount, net.ParameterCount);
                ReadOnlySpan<float> a = t == 1 ? x.Slice(i * nIn, nIn) : ws.Post[t - 1].AsSpan(i * nIn, nIn);
                for (int r = 0; r < nOut; r++)
                    System.Numerics.Tensors.TensorPrimitives.Multiply(a, delta[i * nOut + r], row.Slice(w0 + r * nIn, nIn));
                if (net.HasBiases)
                    for (int r = 0; r < nOut; r++) row[BiasOffset(net, t) + r] = delta[i * nOut + r];
            }
        }
    }

    private static void MultiplyByActivationDerivative(NetworkModule net, ReadOnlySpan<float> pre, Span<float> delta)
    {
        float negative = net.Activation == HiddenActivation.Relu ? 0f : NetworkModule.LeakySlope;
        for (int k = 0; k < delta.Length; k++)
            if (pre[k] <= 0) delta[k] *= negative;
    }

    private static void Check(NetworkModule net, ReadOnlySpan<float> parameters, ReadOnlySpan<float> x, int batch, Workspace ws, string operation)
    {
        if (parameters.Length != net.ParameterCount)
            throw new ArgumentException($"ReferenceMlp.{operation}: {parameters.Length} parameters given, the network {net.Structure} (biases: {net.HasBiases}) has {net.ParameterCount}.", nameof(parameters));
        if (batch < 1 || batch > ws.Capacity)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"ReferenceMlp.{operation}: batch must be 1..{ws.Capacity} (workspace capacity).");
        if (x.Length < batch * net.Structure.InputSize)
            throw new ArgumentException($"ReferenceMlp.{operation}: x has {x.Length} values, expected {batch}×{net.Structure.InputSize}.", nameof(x));
        if (!ReferenceEquals(ws.Owner, net))
            throw new ArgumentException($"ReferenceMlp.{operation}: the workspace belongs to another network.", nameof(ws));
    }

    /// <summary>Per-layer buffers of a <see cref="NetworkModule"/> for batches up to <see cref="Capacity"/>.</summary>
    internal sealed class Workspace
    {
        public Workspace(NetworkModule owner, int capacity)
        {
            if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "NetworkModule.Workspace: capacity must be ≥ 1.");
            Owner = owner;
            Capacity = capacity;
            var widths = owner.Structure.Widths;
            int layers = widths.Count - 1;
            Pre = new float[layers + 1][];
            Post = new float[layers + 1][];
            Delta = new float[layers + 1][];
            int widest = widths.Max();
            for (int t = 1; t <= layers; t++)
            {
                Pre[t] = new float[capacity * widths[t]];
                Post[t] = new float[capacity * widths[t]];
                Delta[t] = new float[capacity * widths[t]];
            }
            Pre[0] = Post[0] = Delta[0] = [];
            Square1 = new float[capacity * widest];
            Square2 = new float[capacity * widest];
        }

        public NetworkModule Owner { get; }

        /// <summary>Largest batch these buffers hold.</summary>
        public int Capacity { get; }

        public float[][] Pre { get; }
        public float[][] Post { get; }
        public float[][] Delta { get; }
        public float[] Square1 { get; }
        public float[] Square2 { get; }
    }
}
