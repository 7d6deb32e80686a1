using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.Bayesian;

/// <summary>Hidden-layer non-linearity of a <see cref="FlatMlp"/>. The output layer is always linear.</summary>
public enum HiddenActivation
{
    /// <summary>max(0, z): σ∘σ = σ, so Theorem B2 (identity layer) holds exactly.</summary>
    Relu,

    /// <summary>max(0.01 z, z), as in the authors' code (code-compat mode only; B2's premise fails).</summary>
    LeakyRelu,
}

/// <summary>
/// A fully connected network whose parameters live in one flat float vector: the weights first, in the order of
/// <see cref="NetworkStructure"/> (U_1 first, each row-major), then, if present, the biases b_1..b_T. Keeping the
/// weights in exactly the posterior's vectorisation lets a <see cref="FullGaussianPosterior"/> mean be used as
/// network weights without any copy or permutation. Forward and backward passes are explicit GEMMs over batches,
/// so per-sample quantities (the Gauss–Newton Jacobian, squared gradients) are available too.
/// </summary>
public sealed class FlatMlp
{
    private readonly int[] _biasOffsets;

    /// <summary>A network of the given widths; biases are optional (the theory has none).</summary>
    public FlatMlp(NetworkStructure structure, bool hasBiases = false, HiddenActivation activation = HiddenActivation.Relu)
    {
        ArgumentNullException.ThrowIfNull(structure);
        Structure = structure;
        HasBiases = hasBiases;
        Activation = activation;
        _biasOffsets = new int[structure.LayerCount + 1];
        int offset = structure.ParameterCount;
        for (int t = 1; t <= structure.LayerCount; t++)
        {
            _biasOffsets[t - 1] = offset;
            if (hasBiases) offset += structure.Widths[t];
        }
        _biasOffsets[^1] = offset;
        ParameterCount = offset;
    }

    /// <summary>Slope of the negative part for <see cref="HiddenActivation.LeakyRelu"/> (PyTorch's default).</summary>
    public const float LeakySlope = 0.01f;

    /// <summary>Layer widths.</summary>
    public NetworkStructure Structure { get; }

    /// <summary>True when b_1..b_T follow the weights in the parameter vector.</summary>
    public bool HasBiases { get; }

    /// <summary>Hidden non-linearity.</summary>
    public HiddenActivation Activation { get; }

    /// <summary>Weights plus biases.</summary>
    public int ParameterCount { get; }

    /// <summary>Index of b_t[0] (t = 1..T) in the parameter vector; only meaningful with biases.</summary>
    public int BiasOffset(int layer) => _biasOffsets[layer - 1];

    /// <summary>PyTorch's default nn.Linear initialisation: weights and biases U(−1/√fan_in, 1/√fan_in).</summary>
    public float[] InitialParameters(Probabilistic.Core.Random.Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var p = new float[ParameterCount];
        for (int t = 1; t <= Structure.LayerCount; t++)
        {
            int fanIn = Structure.Widths[t - 1], fanOut = Structure.Widths[t];
            float bound = 1f / MathF.Sqrt(fanIn);
            int w0 = Structure.LayerOffset(t);
            for (int k = 0; k < fanIn * fanOut; k++) p[w0 + k] = (float)rng.Uniform(-bound, bound);
            if (HasBiases)
                for (int k = 0; k < fanOut; k++) p[BiasOffset(t) + k] = (float)rng.Uniform(-bound, bound);
        }
        return p;
    }

    /// <summary>Buffers for one batch size (activations and back-propagated errors of every layer).</summary>
    public Workspace CreateWorkspace(int batchCapacity) => new(this, batchCapacity);

    /// <summary>
    /// Forward pass of <paramref name="batch"/> rows of <paramref name="x"/> (row-major, n_0 per row). Returns the
    /// outputs (batch × n_T, a view into the workspace valid until the next pass).
    /// </summary>
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> x, int batch, Workspace ws)
    {
        Check(parameters, x, batch, ws, nameof(Forward));
        var widths = Structure.Widths;
        int layers = Structure.LayerCount;
        for (int t = 1; t <= layers; t++)
        {
            int nIn = widths[t - 1], nOut = widths[t];
            ReadOnlySpan<float> input = t == 1 ? x : ws.Post[t - 1].AsSpan(0, batch * nIn);
            Span<float> z = ws.Pre[t].AsSpan(0, batch * nOut);
            Gemm.Sgemm(false, true, batch, nOut, nIn, 1f, input, nIn, parameters.Slice(Structure.LayerOffset(t), nOut * nIn), nIn, 0f, z, nOut);
            if (HasBiases)
            {
                var b = parameters.Slice(BiasOffset(t), nOut);
                for (int i = 0; i < batch; i++) System.Numerics.Tensors.TensorPrimitives.Add(z.Slice(i * nOut, nOut), b, z.Slice(i * nOut, nOut));
            }
            Span<float> a = ws.Post[t].AsSpan(0, batch * nOut);
            if (t == layers) z.CopyTo(a);
            else if (Activation == HiddenActivation.Relu) System.Numerics.Tensors.TensorPrimitives.Max(z, 0f, a);
            else for (int k = 0; k < a.Length; k++) a[k] = z[k] > 0 ? z[k] : LeakySlope * z[k];
        }
        return ws.Post[layers].AsSpan(0, batch * widths[layers]);
    }

    /// <summary>
    /// Back-propagates ∂L/∂output (<paramref name="dOutput"/>, batch × n_T) through the last <see cref="Forward"/>
    /// of the same batch and ADDS ∂L/∂parameters to <paramref name="gradient"/>. With <paramref name="squared"/>
    /// it instead adds Σ_i (∂ℓ_i/∂θ)², the per-sample squared gradients summed over the batch (for a diagonal
    /// Gauss–Newton matrix): for a weight matrix that is (δ∘δ)ᵀ(a∘a), one GEMM.
    /// </summary>
    public void Backward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> x, int batch, ReadOnlySpan<float> dOutput, Workspace ws,
        Span<float> gradient, bool squared = false)
    {
        Check(parameters, x, batch, ws, nameof(Backward));
        if (gradient.Length != ParameterCount)
            throw new ArgumentException($"FlatMlp.Backward: gradient has {gradient.Length} entries, the network {ParameterCount}.", nameof(gradient));
        var widths = Structure.Widths;
        int layers = Structure.LayerCount;
        if (dOutput.Length < batch * widths[layers])
            throw new ArgumentException($"FlatMlp.Backward: dOutput has {dOutput.Length} entries, expected {batch}×{widths[layers]}.", nameof(dOutput));
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
            Gemm.Sgemm(true, false, nOut, nIn, batch, 1f, dUse, nOut, aUse, nIn, 1f, gradient.Slice(Structure.LayerOffset(t), nOut * nIn), nIn);
            if (HasBiases)
            {
                var gb = gradient.Slice(BiasOffset(t), nOut);
                for (int i = 0; i < batch; i++) System.Numerics.Tensors.TensorPrimitives.Add(gb, dUse.Slice(i * nOut, nOut), gb);
            }
            if (t == 1) break;
            Span<float> below = ws.Delta[t - 1].AsSpan(0, batch * nIn);
            Gemm.Sgemm(false, false, batch, nIn, nOut, 1f, delta, nOut, parameters.Slice(Structure.LayerOffset(t), nOut * nIn), nIn, 0f, below, nIn);
            MultiplyByActivationDerivative(ws.Pre[t - 1].AsSpan(0, batch * nIn), below);
        }
    }

    /// <summary>
    /// Per-sample gradients of a scalar output (n_T = 1) with respect to every parameter, after a
    /// <see cref="Forward"/> of the same batch: row i of <paramref name="jacobian"/> (batch × P) is ∂f(x_i)/∂θ.
    /// </summary>
    public void OutputJacobian(ReadOnlySpan<float> parameters, ReadOnlySpan<float> x, int batch, Workspace ws, Span<float> jacobian)
    {
        if (Structure.OutputSize != 1)
            throw new InvalidOperationException($"FlatMlp.OutputJacobian: needs a scalar output, the network {Structure} has {Structure.OutputSize}.");
        if (jacobian.Length < batch * ParameterCount)
            throw new ArgumentException($"FlatMlp.OutputJacobian: jacobian has {jacobian.Length} entries, expected {batch}×{ParameterCount}.", nameof(jacobian));
        var ones = ws.Square1.AsSpan(0, batch);
        ones.Fill(1f);
        // Propagate δ for all samples at once (gradient accumulation into a scratch vector is discarded).
        var scratch = new float[ParameterCount];
        Backward(parameters, x, batch, ones, ws, scratch);
        var widths = Structure.Widths;
        for (int t = 1; t <= Structure.LayerCount; t++)
        {
            int nIn = widths[t - 1], nOut = widths[t], w0 = Structure.LayerOffset(t);
            var delta = ws.Delta[t];
            for (int i = 0; i < batch; i++)
            {
                var row = jacobian.Slice(i * ParameterCount, ParameterCount);
                ReadOnlySpan<float> a = t == 1 ? x.Slice(i * nIn, nIn) : ws.Post[t - 1].AsSpan(i * nIn, nIn);
                for (int r = 0; r < nOut; r++)
                    System.Numerics.Tensors.TensorPrimitives.Multiply(a, delta[i * nOut + r], row.Slice(w0 + r * nIn, nIn));
                if (HasBiases)
                    for (int r = 0; r < nOut; r++) row[BiasOffset(t) + r] = delta[i * nOut + r];
            }
        }
    }

    private void MultiplyByActivationDerivative(ReadOnlySpan<float> pre, Span<float> delta)
    {
        float negative = Activation == HiddenActivation.Relu ? 0f : LeakySlope;
        for (int k = 0; k < delta.Length; k++)
            if (pre[k] <= 0) delta[k] *= negative;
    }

    private void Check(ReadOnlySpan<float> parameters, ReadOnlySpan<float> x, int batch, Workspace ws, string operation)
    {
        if (parameters.Length != ParameterCount)
            throw new ArgumentException($"FlatMlp.{operation}: {parameters.Length} parameters given, the network {Structure} (biases: {HasBiases}) has {ParameterCount}.", nameof(parameters));
        if (batch < 1 || batch > ws.Capacity)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"FlatMlp.{operation}: batch must be 1..{ws.Capacity} (workspace capacity).");
        if (x.Length < batch * Structure.InputSize)
            throw new ArgumentException($"FlatMlp.{operation}: x has {x.Length} values, expected {batch}×{Structure.InputSize}.", nameof(x));
        if (!ReferenceEquals(ws.Owner, this))
            throw new ArgumentException($"FlatMlp.{operation}: the workspace belongs to another network.", nameof(ws));
    }

    /// <summary>Per-layer buffers of a <see cref="FlatMlp"/> for batches up to <see cref="Capacity"/>.</summary>
    public sealed class Workspace
    {
        internal Workspace(FlatMlp owner, int capacity)
        {
            if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "FlatMlp.Workspace: capacity must be ≥ 1.");
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

        internal FlatMlp Owner { get; }

        /// <summary>Largest batch these buffers hold.</summary>
        public int Capacity { get; }

        internal float[][] Pre { get; }
        internal float[][] Post { get; }
        internal float[][] Delta { get; }
        internal float[] Square1 { get; }
        internal float[] Square2 { get; }
    }
}
