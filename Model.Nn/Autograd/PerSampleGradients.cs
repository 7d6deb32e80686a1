using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Autograd;

/// <summary>
/// Per-sample gradients of any <see cref="Module"/> with respect to a <see cref="ParameterVector"/>, from one forward
/// and one backward pass over the batch (as BackPACK and Opacus do for PyTorch): each Linear and Conv2d layer
/// combines its saved input a and its output gradient δ into per-sample weight and bias gradients instead of their
/// batch sum. What the Gauss–Newton Laplace approximation needs:
/// <list type="bullet">
/// <item><see cref="Jacobian"/>: J (B × P), row i = ∂f(x_i)/∂θ for a model with one output per sample, so the GGN
/// of a Gaussian likelihood is JᵀJ/σ².</item>
/// <item><see cref="Gradients"/>: row i = Σ_o g_io ∂f_o(x_i)/∂θ for given output gradients g (B × outputs), the
/// per-sample gradient of a loss ℓ_i with ∂ℓ_i/∂f(x_i) = g_i; with g a column of a factor of the output Hessian,
/// the rows are that column's share of J_iᵀ L_i.</item>
/// <item><see cref="SquaredSum"/>: adds Σ_i (∂ℓ_i/∂θ)² (element-wise) without forming the rows (for a Linear
/// weight, (δ∘δ)ᵀ(a∘a), one GEMM); summed over the columns of the output-Hessian factor it is diag(GGN).</item>
/// </list>
/// <para>
/// Supported parameters: the weights and biases of Linear and Conv2d layers, anywhere in the graph (activations,
/// pooling, reshapes, dropout and evaluation-mode BatchNorm may sit between them; a Linear layer must see one row
/// per sample). A view parameter used by any other op (a BatchNorm scale, a parameter in an elementwise op) is
/// refused with a message naming the op and the parameter; so is BatchNorm in training mode, which mixes samples.
/// Parameters outside the view are held fixed: their gradients are neither computed nor accumulated.
/// </para>
/// <para>
/// For several backward passes over one forward (one per output-Hessian column, or the rows and the squares),
/// open a <see cref="PerSamplePass"/> with <see cref="Begin"/>; the static methods are one-pass shorthands.
/// Each call runs the model's own forward (the module's current mode: call <c>Eval()</c> first for a deterministic
/// network). No cost to ordinary training: the ops check one thread-static field per backward call.
/// </para>
/// </summary>
public static class PerSampleGradients
{
    /// <summary>
    /// Runs <paramref name="model"/> on <paramref name="input"/> (batch first) recording what per-sample backward
    /// passes need; dispose the result to release the recorded activations.
    /// </summary>
    public static PerSamplePass Begin(Module model, Tensor input, ParameterVector view) => new(model, input, view);

    /// <summary>
    /// The Jacobian of a model with one output per sample: row i (of B × P, row-major, B = input.Dim(0),
    /// P = view.Count) of <paramref name="jacobian"/> is ∂f(x_i)/∂θ. Only the first B·P entries are written.
    /// </summary>
    public static void Jacobian(Module model, Tensor input, ParameterVector view, Span<float> jacobian)
    {
        using var pass = Begin(model, input, view);
        pass.Jacobian(jacobian);
    }

    /// <summary>
    /// Per-sample gradients for output gradients <paramref name="outputGradients"/> (B × outputs per sample,
    /// row-major): row i of <paramref name="rows"/> (B × P) is Σ_o g_io ∂f_o(x_i)/∂θ. Only the first B·P entries are written.
    /// </summary>
    public static void Gradients(Module model, Tensor input, ReadOnlySpan<float> outputGradients, ParameterVector view, Span<float> rows)
    {
        using var pass = Begin(model, input, view);
        pass.Gradients(outputGradients, rows);
    }

    /// <summary>
    /// Adds Σ_i (Σ_o g_io ∂f_o(x_i)/∂θ)² to <paramref name="sum"/> (length P), element-wise, where g =
    /// <paramref name="outputGradients"/> (B × outputs per sample). Each view parameter must be used once in the graph.
    /// </summary>
    public static void SquaredSum(Module model, Tensor input, ReadOnlySpan<float> outputGradients, ParameterVector view, Span<float> sum)
    {
        using var pass = Begin(model, input, view);
        pass.AddSquaredGradients(outputGradients, sum);
    }
}

/// <summary>
/// One recorded forward pass of a model over a batch, for any number of per-sample backward passes (see
/// <see cref="PerSampleGradients"/>). The recorded activations live in a <see cref="TensorScope"/> that the pass
/// opens and <see cref="Dispose"/> closes: use it on the thread that made it, and dispose it after any scope opened
/// while it was alive. The model's parameters must not change while the pass is open.
/// </summary>
public sealed class PerSamplePass : IDisposable
{
    private readonly Tensor[] _parameters;
    private readonly bool[] _inView;
    private readonly bool[] _saved;
    private readonly TensorScope _scope;
    private readonly PerSampleCapture _capture;
    private readonly int _thread;
    private bool _disposed;

    internal PerSamplePass(Module model, Tensor input, ParameterVector view)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(view);
        if (input.Rank < 1 || input.Dim(0) < 1)
            throw new ArgumentException($"PerSampleGradients: the input {input.ShapeString} needs a batch dimension with at least one sample.", nameof(input));
        _parameters = model.Parameters().ToArray();
        var modelParameters = new HashSet<Tensor>(_parameters, ReferenceEqualityComparer.Instance);
        foreach (var segment in view.Segments)
            if (!modelParameters.Contains(segment.Parameter))
                throw new ArgumentException($"PerSampleGradients: the view's parameter '{segment.Name}' is not a parameter of the {model.GetType().Name} given.", nameof(view));
        _inView = Array.ConvertAll(_parameters, p => view.IndexOf(p) >= 0);
        _saved = new bool[_parameters.Length];
        View = view;
        BatchSize = input.Dim(0);
        _thread = Environment.CurrentManagedThreadId;
        _scope = TensorScope.Begin();
        try
        {
            using (GradMode.EnableGrad())
            {
                HoldOutsideViewFixed();
                try
                {
                    Output = model.Forward(input.Detach());
                }
                finally
                {
                    RestoreRequiresGrad();
                }
            }
            if (Output.Rank < 1 || Output.Dim(0) != BatchSize)
                throw new ArgumentException($"PerSampleGradients: the model's output {Output.ShapeString} does not have one row per sample of the input {input.ShapeString}.", nameof(input));
        }
        catch
        {
            _scope.Dispose();
            throw;
        }
        OutputsPerSample = Output.Length / BatchSize;
        _capture = new PerSampleCapture(view, BatchSize);
    }

    /// <summary>The parameters the gradients are taken with respect to (P = View.Count columns).</summary>
    public ParameterVector View { get; }

    /// <summary>B, the number of samples (the input's first dimension).</summary>
    public int BatchSize { get; }

    /// <summary>Outputs per sample (the output's length over B).</summary>
    public int OutputsPerSample { get; }

    /// <summary>The model's output f(x) for the batch, batch first (valid until <see cref="Dispose"/>).</summary>
    public Tensor Output { get; }

    /// <summary>
    /// For one output per sample: row i of <paramref name="jacobian"/> (B × P, row-major) = ∂f(x_i)/∂θ.
    /// Only the first B·P entries are written.
    /// </summary>
    public void Jacobian(Span<float> jacobian)
    {
        CheckOpen(nameof(Jacobian));
        if (OutputsPerSample != 1)
            throw new InvalidOperationException($"PerSamplePass.Jacobian: the model has {OutputsPerSample} outputs per sample; call Gradients with output gradients (one call per output or direction).");
        var ones = BufferPool.Rent(BatchSize, clear: false);
        try
        {
            Array.Fill(ones, 1f);
            Gradients(ones.AsSpan(0, BatchSize), jacobian);
        }
        finally
        {
            BufferPool.Return(ones);
        }
    }

    /// <summary>
    /// Row i of <paramref name="rows"/> (B × P, row-major) = Σ_o g_io ∂f_o(x_i)/∂θ, the gradient of sample i's loss when
    /// ∂ℓ_i/∂f(x_i) is row i of <paramref name="outputGradients"/> (B × outputs per sample). Only the first B·P entries are written.
    /// </summary>
    public void Gradients(ReadOnlySpan<float> outputGradients, Span<float> rows)
    {
        CheckOpen(nameof(Gradients));
        CheckOutputGradients(outputGradients, nameof(Gradients));
        long needed = (long)BatchSize * View.Count;
        if (rows.Length < needed)
            throw new ArgumentException($"PerSamplePass.Gradients: the destination has {rows.Length} entries, B × P = {BatchSize} × {View.Count} are needed.", nameof(rows));
        Run(outputGradients, rows[..(int)needed], squares: false);
    }

    /// <summary>
    /// Adds Σ_i (Σ_o g_io ∂f_o(x_i)/∂θ)² element-wise to <paramref name="sum"/> (length P), g =
    /// <paramref name="outputGradients"/> (B × outputs per sample). Each view parameter must be used once in the graph.
    /// </summary>
    public void AddSquaredGradients(ReadOnlySpan<float> outputGradients, Span<float> sum)
    {
        CheckOpen(nameof(AddSquaredGradients));
        CheckOutputGradients(outputGradients, nameof(AddSquaredGradients));
        if (sum.Length != View.Count)
            throw new ArgumentException($"PerSamplePass.AddSquaredGradients: the sum has {sum.Length} entries, the view {View.Count}.", nameof(sum));
        Run(outputGradients, sum, squares: true);
    }

    /// <summary>Releases the recorded activations (closes the pass's <see cref="TensorScope"/>).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _scope.Dispose();
    }

    private void Run(ReadOnlySpan<float> seed, Span<float> destination, bool squares)
    {
        HoldOutsideViewFixed();
        try
        {
            _capture.Run(Output, seed, destination, squares);
        }
        finally
        {
            RestoreRequiresGrad();
        }
    }

    /// <summary>View parameters require gradients, the others not (so nothing is accumulated into them); saves the flags.</summary>
    private void HoldOutsideViewFixed()
    {
        for (int k = 0; k < _parameters.Length; k++)
        {
            _saved[k] = _parameters[k].RequiresGrad;
            _parameters[k].RequiresGrad = _inView[k];
        }
    }

    private void RestoreRequiresGrad()
    {
        for (int k = 0; k < _parameters.Length; k++) _parameters[k].RequiresGrad = _saved[k];
    }

    private void CheckOutputGradients(ReadOnlySpan<float> outputGradients, string operation)
    {
        if (outputGradients.Length != Output.Length)
            throw new ArgumentException($"PerSamplePass.{operation}: {outputGradients.Length} output gradients for an output {Output.ShapeString} ({BatchSize} × {OutputsPerSample}).", nameof(outputGradients));
    }

    private void CheckOpen(string operation)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Environment.CurrentManagedThreadId != _thread)
            throw new InvalidOperationException($"PerSamplePass.{operation}: a pass must be used on the thread that began it.");
    }
}
