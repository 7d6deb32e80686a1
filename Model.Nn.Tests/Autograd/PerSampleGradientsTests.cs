using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Tests.Autograd;

/// <summary>
/// Per-sample gradients (<see cref="PerSampleGradients"/>) and the flat parameter view (<see cref="ParameterVector"/>)
/// checked against independent oracles: B separate single-sample backward passes through the ordinary autograd
/// (a batch of one, the batch-sum rule), central finite differences with Richardson extrapolation on the float
/// network summed in double, and hand-indexed layouts.
/// </summary>
public class PerSampleGradientsTests
{
    // ---- models -------------------------------------------------------------------------------------------------

    private static Sequential SmoothMlp(ulong seed, int outputs = 1) => new(
        new Linear(3, 5, new Rng(seed)), new Tanh(),
        new Linear(5, 4, new Rng(seed + 1)), new Softplus(),
        new Linear(4, outputs, new Rng(seed + 2)));

    private static Sequential LeakyMlp(ulong seed, int outputs = 1) => new(
        new Linear(4, 6, new Rng(seed)), new LeakyReLU(),
        new Linear(6, 5, new Rng(seed + 1)), new LeakyReLU(),
        new Linear(5, outputs, new Rng(seed + 2)));

    // First convolution: 10×10 output plane (per-image lowering); second: 8×8 (whole-batch lowering).
    private static Sequential ConvNet(ulong seed) => new(
        new Conv2d(2, 3, 3, new Rng(seed), padding: 1), new Tanh(),
        new Conv2d(3, 2, 3, new Rng(seed + 1)), new LeakyReLU(),
        new Flatten(), new Linear(2 * 8 * 8, 2, new Rng(seed + 2)));

    private static Tensor Inputs(ulong seed, params int[] shape) => Tensor.Normal(new Rng(seed), 0f, 1f, shape);

    private static float[] RandomValues(ulong seed, int count)
    {
        var rng = new Rng(seed);
        var v = new float[count];
        for (int i = 0; i < count; i++) v[i] = (float)rng.Normal();
        return v;
    }

    // ---- oracles --------------------------------------------------------------------------------------------------

    /// <summary>Sample i alone as a batch of one.</summary>
    private static Tensor Sample(Tensor input, int i)
    {
        int per = input.Length / input.Dim(0);
        var shape = input.Shape.ToArray();
        shape[0] = 1;
        return Tensor.FromArray(input.Span.Slice(i * per, per), shape);
    }

    /// <summary>∂(gᵀ f(x_i))/∂θ by an ordinary backward pass over sample i alone, in view order.</summary>
    private static double[] SingleSampleGradient(Module model, ParameterVector view, Tensor input, int i, ReadOnlySpan<float> g)
    {
        foreach (var p in model.Parameters()) p.Grad = null;
        var y = model.Forward(Sample(input, i));
        Ops.Sum(Ops.Mul(y, Tensor.FromArray(g, y.Shape.ToArray()))).Backward();
        var result = new double[view.Count];
        foreach (var s in view.Segments)
            if (s.Parameter.Grad is { } grad)
                for (int k = 0; k < s.Length; k++) result[s.Offset + k] = grad[k];
        foreach (var p in model.Parameters()) p.Grad = null;
        return result;
    }

    private static double[] Outputs(Module model, Tensor input)
    {
        using (GradMode.NoGrad())
            return Array.ConvertAll(model.Forward(input).ToArray(), v => (double)v);
    }

    /// <summary>
    /// d/ds of the network outputs at θ + s·v, s = 0, per output: central differences at steps h and h/2 combined by
    /// Richardson extrapolation (error O(h⁴)), outputs read into double. Restores θ.
    /// </summary>
    private static double[] DirectionalDerivative(Module model, ParameterVector view, Tensor input, double[] v, double h)
    {
        var theta = view.ToArray();
        double[] At(double s)
        {
            var shifted = new float[theta.Length];
            for (int k = 0; k < theta.Length; k++) shifted[k] = (float)(theta[k] + s * v[k]);
            view.CopyFrom(shifted);
            return Outputs(model, input);
        }
        double[] plus = At(h), minus = At(-h), halfPlus = At(h / 2), halfMinus = At(-h / 2);
        view.CopyFrom(theta);
        var d = new double[plus.Length];
        for (int o = 0; o < d.Length; o++)
        {
            double coarse = (plus[o] - minus[o]) / (2 * h), fine = (halfPlus[o] - halfMinus[o]) / h;
            d[o] = (4 * fine - coarse) / 3;
        }
        return d;
    }

    private static double[] Unit(int count, int k)
    {
        var e = new double[count];
        e[k] = 1;
        return e;
    }

    /// <summary>
    /// Largest |a − b| / (|b| + floor · max |b|) over the entries: the relative error of every entry that is not
    /// negligible next to the largest.
    /// </summary>
    private static double MaxRelativeError(double[] a, double[] b, double floor = 1e-2)
    {
        double scale = floor * b.Max(Math.Abs), worst = 0;
        for (int k = 0; k < a.Length; k++) worst = Math.Max(worst, Math.Abs(a[k] - b[k]) / (Math.Abs(b[k]) + scale));
        return worst;
    }

    // ---- ParameterVector ------------------------------------------------------------------------------------------

    [Fact]
    public void Parameter_vector_follows_named_parameter_order_row_major_and_round_trips()
    {
        var model = LeakyMlp(1, outputs: 2);
        var view = new ParameterVector(model);
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"], view.Segments.Select(s => s.Name));
        Assert.Equal(model.ParameterCount(), view.Count);
        Assert.Equal([0, 24, 30, 60, 65, 75], view.Segments.Select(s => s.Offset));
        Assert.Equal([6, 4], view.Segment("0.weight").Shape);

        // Element (neuron r, input c) of layer 2's weight sits at offset + r·in + c.
        var flat = view.ToArray();
        var w2 = ((Linear)model[2]).Weight;
        for (int r = 0; r < 5; r++)
        for (int c = 0; c < 6; c++)
            Assert.Equal(w2.At(r, c), flat[30 + r * 6 + c]);

        var values = RandomValues(2, view.Count);
        view.CopyFrom(values);
        Assert.Equal(values[65], ((Linear)model[4]).Weight.At(0, 0));
        Assert.Equal(values[^1], ((Linear)model[4]).Bias!.At(1));
        Assert.Equal(values, view.ToArray());

        Assert.Throws<ArgumentException>(() => view.CopyFrom(new float[view.Count - 1]));
        Assert.Throws<ArgumentException>(() => new ParameterVector(model, ["0.weight", "nope"]));
        Assert.Throws<ArgumentException>(() => new ParameterVector(model, ["0.weight", "0.weight"]));
    }

    [Fact]
    public void Parameter_vector_with_names_picks_a_subset_in_the_given_order()
    {
        var model = LeakyMlp(3);
        var view = new ParameterVector(model, ["2.bias", "0.weight"]);
        Assert.Equal(5 + 24, view.Count);
        Assert.Equal(0, view.Segment("2.bias").Offset);
        Assert.Equal(5, view.Segment("0.weight").Offset);
        var values = RandomValues(4, view.Count);
        view.CopyFrom(values);
        Assert.Equal(values[0], ((Linear)model[2]).Bias!.At(0));
        Assert.Equal(values[5 + 7], ((Linear)model[0]).Weight.At(1, 3));
    }

    // ---- Jacobian against finite differences ----------------------------------------------------------------------

    /// <summary>
    /// The network of a Sequential of Linear layers and element-wise activations evaluated in double precision at
    /// parameters <paramref name="theta"/> (in <paramref name="view"/> order): an independent re-implementation,
    /// so finite differences of it are limited by truncation only, not by float32 rounding.
    /// </summary>
    private static double[] DoubleForward(Sequential model, ParameterVector view, double[] theta, Tensor input)
    {
        int batch = input.Dim(0);
        var x = Array.ConvertAll(input.ToArray(), v => (double)v);
        int width = x.Length / batch;
        for (int l = 0; l < model.Count; l++)
        {
            switch (model[l])
            {
                case Linear linear:
                {
                    int w0 = view.Segment($"{l}.weight").Offset, outF = linear.OutFeatures;
                    int? b0 = linear.Bias is null ? null : view.Segment($"{l}.bias").Offset;
                    var y = new double[batch * outF];
                    for (int i = 0; i < batch; i++)
                    for (int r = 0; r < outF; r++)
                    {
                        double z = b0 is int b ? theta[b + r] : 0;
                        for (int c = 0; c < width; c++) z += theta[w0 + r * width + c] * x[i * width + c];
                        y[i * outF + r] = z;
                    }
                    x = y;
                    width = outF;
                    break;
                }
                case Tanh: x = Array.ConvertAll(x, Math.Tanh); break;
                case Softplus: x = Array.ConvertAll(x, v => v > 20 ? v : Math.Log(1 + Math.Exp(v))); break;
                default: throw new ArgumentException($"DoubleForward: no double version of {model[l].GetType().Name}");
            }
        }
        return x;
    }

    [Fact]
    public void Jacobian_rows_match_Richardson_finite_differences_entry_by_entry()
    {
        var model = SmoothMlp(10);
        var view = new ParameterVector(model);
        const int batch = 5;
        var x = Inputs(11, batch, 3);
        var jacobian = new float[batch * view.Count];
        PerSampleGradients.Jacobian(model, x, view, jacobian);

        // The double network agrees with the float one (so its derivatives are the ones wanted).
        var theta = Array.ConvertAll(view.ToArray(), v => (double)v);
        var f64 = DoubleForward(model, view, theta, x);
        var f32 = Outputs(model, x);
        for (int i = 0; i < batch; i++) Assert.Equal(f64[i], f32[i], 1e-5);

        // Central differences at h and h/2, Richardson-extrapolated: truncation O(h⁴) ≈ 1e-12, rounding ≈ 1e-16/h.
        const double h = 1e-3;
        var fd = new double[batch * view.Count];
        for (int k = 0; k < view.Count; k++)
        {
            double[] At(double s)
            {
                var shifted = (double[])theta.Clone();
                shifted[k] += s;
                return DoubleForward(model, view, shifted, x);
            }
            double[] plus = At(h), minus = At(-h), halfPlus = At(h / 2), halfMinus = At(-h / 2);
            for (int i = 0; i < batch; i++)
                fd[i * view.Count + k] = (4 * (halfPlus[i] - halfMinus[i]) / h - (plus[i] - minus[i]) / (2 * h)) / 3;
        }
        var analytic = Array.ConvertAll(jacobian, v => (double)v);
        double error = MaxRelativeError(analytic, fd, floor: 1e-3);
        Assert.True(error < 1e-4, $"per-sample Jacobian vs finite differences: max relative error {error:G3}");
        // The comparison is sharp enough to see a 1e-3 relative error in the Jacobian.
        double perturbed = MaxRelativeError(Array.ConvertAll(analytic, v => v * (1 + 1e-3)), fd, floor: 1e-3);
        Assert.True(perturbed > 5e-4, $"a 1e-3 error gives only {perturbed:G3}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Jacobian_times_a_random_direction_matches_the_directional_derivative(bool leaky)
    {
        var model = leaky ? LeakyMlp(20) : SmoothMlp(20);
        var view = new ParameterVector(model);
        const int batch = 8;
        var x = Inputs(21, batch, leaky ? 4 : 3);
        var v = Array.ConvertAll(RandomValues(22, view.Count), f => (double)f);
        var jacobian = new float[batch * view.Count];
        PerSampleGradients.Jacobian(model, x, view, jacobian);

        // Piecewise-linear nets are polynomial in s along v while no pre-activation changes sign; Richardson is
        // exact for the cubic of a three-layer net, so only float rounding remains. The step stays inside the region.
        double h = leaky ? 2e-3 : 2e-2;
        if (leaky) AssertNoKinkCrossed(model, view, x, v, h);
        var fd = DirectionalDerivative(model, view, x, v, h);
        var jv = new double[batch];
        for (int i = 0; i < batch; i++)
            for (int k = 0; k < view.Count; k++) jv[i] += jacobian[i * view.Count + k] * v[k];
        for (int i = 0; i < batch; i++)
            Assert.True(Math.Abs(jv[i] - fd[i]) < 2e-4 * (Math.Abs(fd[i]) + 1e-2 * fd.Max(Math.Abs)),
                $"sample {i}: J·v = {jv[i]:G8}, finite difference {fd[i]:G8}");
    }

    /// <summary>The sign pattern of every LeakyReLU input is the same at θ and at θ ± h·v.</summary>
    private static void AssertNoKinkCrossed(Sequential model, ParameterVector view, Tensor x, double[] v, double h)
    {
        var theta = view.ToArray();
        string Pattern(double s)
        {
            var shifted = new float[theta.Length];
            for (int k = 0; k < theta.Length; k++) shifted[k] = (float)(theta[k] + s * v[k]);
            view.CopyFrom(shifted);
            var signs = new System.Text.StringBuilder();
            var hooks = new List<IDisposable>();
            for (int l = 0; l < model.Count; l++)
                if (model[l] is LeakyReLU)
                    hooks.Add(model[l].RegisterForwardHook((_, input, _) =>
                    {
                        foreach (var z in input.Span) signs.Append(z > 0 ? '+' : '-');
                    }));
            Outputs(model, x);
            foreach (var hook in hooks) hook.Dispose();
            return signs.ToString();
        }
        string at0 = Pattern(0), plus = Pattern(h), minus = Pattern(-h);
        view.CopyFrom(theta);
        Assert.True(at0 == plus && at0 == minus, "test setup: the finite-difference step crosses a LeakyReLU kink; choose another seed or step");
    }

    // ---- against single-sample backward passes --------------------------------------------------------------------

    public static TheoryData<string> Models => ["leaky", "smooth3", "conv"];

    private static (Sequential Model, Tensor Input) Build(string name) => name switch
    {
        "leaky" => (LeakyMlp(30), Inputs(31, 7, 4)),
        "smooth3" => (SmoothMlp(32, outputs: 3), Inputs(33, 6, 3)),
        "conv" => (ConvNet(34), Inputs(35, 5, 2, 10, 10)),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Gradient_rows_equal_separate_single_sample_backward_passes(string name)
    {
        var (model, x) = Build(name);
        var view = new ParameterVector(model);
        int batch = x.Dim(0);
        using var pass = PerSampleGradients.Begin(model, x, view);
        int outputs = pass.OutputsPerSample;
        var g = RandomValues(36, batch * outputs);
        var rows = new float[batch * view.Count];
        pass.Gradients(g, rows);
        for (int i = 0; i < batch; i++)
        {
            var expected = SingleSampleGradient(model, view, x, i, g.AsSpan(i * outputs, outputs));
            var actual = Array.ConvertAll(rows[(i * view.Count)..((i + 1) * view.Count)], v => (double)v);
            double error = MaxRelativeError(actual, expected);
            Assert.True(error < 1e-4, $"{name}, sample {i}: max relative error {error:G3}");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Squared_sum_equals_the_sum_of_squared_single_sample_gradients(string name)
    {
        var (model, x) = Build(name);
        var view = new ParameterVector(model);
        int batch = x.Dim(0);
        using var pass = PerSampleGradients.Begin(model, x, view);
        int outputs = pass.OutputsPerSample;
        var g = RandomValues(37, batch * outputs);
        var sum = RandomValues(38, view.Count); // it adds to what is there
        var start = Array.ConvertAll(sum, v => (double)v);
        pass.AddSquaredGradients(g, sum);
        var expected = (double[])start.Clone();
        for (int i = 0; i < batch; i++)
        {
            var gi = SingleSampleGradient(model, view, x, i, g.AsSpan(i * outputs, outputs));
            for (int k = 0; k < view.Count; k++) expected[k] += gi[k] * gi[k];
        }
        var added = new double[view.Count];
        var expectedAdded = new double[view.Count];
        for (int k = 0; k < view.Count; k++)
        {
            added[k] = sum[k] - start[k];
            expectedAdded[k] = expected[k] - start[k];
        }
        double error = MaxRelativeError(added, expectedAdded);
        Assert.True(error < 1e-4, $"{name}: max relative error {error:G3}");
    }

    [Fact]
    public void Jacobian_is_the_gradient_rows_of_unit_output_gradients_and_sums_to_the_batch_gradient()
    {
        var model = LeakyMlp(40);
        var view = new ParameterVector(model);
        var x = Inputs(41, 9, 4);
        var jacobian = new float[9 * view.Count];
        PerSampleGradients.Jacobian(model, x, view, jacobian);
        // Ordinary batch backward of Σ_i f(x_i): the column sums of J.
        foreach (var p in model.Parameters()) p.Grad = null;
        Ops.Sum(model.Forward(x)).Backward();
        var batchGradient = new float[view.Count];
        foreach (var s in view.Segments) s.Parameter.Grad!.Span.CopyTo(batchGradient.AsSpan(s.Offset, s.Length));
        for (int k = 0; k < view.Count; k++)
        {
            double columnSum = 0;
            for (int i = 0; i < 9; i++) columnSum += jacobian[i * view.Count + k];
            Assert.Equal(batchGradient[k], columnSum, 1e-5 * (1 + Math.Abs(columnSum)));
        }
    }

    // ---- views, sharing, refusals ---------------------------------------------------------------------------------

    [Fact]
    public void A_partial_view_gets_its_columns_and_leaves_every_gradient_and_flag_untouched()
    {
        var model = LeakyMlp(50);
        var frozen = ((Linear)model[2]).Weight;
        frozen.RequiresGrad = false; // a frozen parameter in the view still gets per-sample gradients
        var full = new ParameterVector(model);
        var part = new ParameterVector(model, ["4.bias", "2.weight"]);
        var x = Inputs(51, 6, 4);
        foreach (var p in model.Parameters()) p.Grad = null;
        var fullRows = new float[6 * full.Count];
        var partRows = new float[6 * part.Count];
        PerSampleGradients.Jacobian(model, x, full, fullRows);
        PerSampleGradients.Jacobian(model, x, part, partRows);
        for (int i = 0; i < 6; i++)
            foreach (var s in part.Segments)
            {
                var f = full.Segment(s.Name);
                for (int k = 0; k < s.Length; k++)
                    Assert.Equal(fullRows[i * full.Count + f.Offset + k], partRows[i * part.Count + s.Offset + k]);
            }
        Assert.All(model.Parameters(), p => Assert.Null(p.Grad));
        Assert.False(frozen.RequiresGrad);
        Assert.True(((Linear)model[0]).Weight.RequiresGrad);
    }

    [Fact]
    public void A_layer_used_twice_accumulates_its_rows_and_the_squared_sum_refuses_it()
    {
        var shared = new Linear(4, 4, new Rng(60));
        var model = new Sequential(shared, new Tanh(), shared, new Tanh(), new Linear(4, 1, new Rng(61)));
        var view = new ParameterVector(model, ["0.weight", "0.bias", "4.weight", "4.bias"]);
        var x = Inputs(62, 5, 4);
        var rows = new float[5 * view.Count];
        PerSampleGradients.Jacobian(model, x, view, rows);
        for (int i = 0; i < 5; i++)
        {
            var expected = SingleSampleGradient(model, view, x, i, [1f]);
            var actual = Array.ConvertAll(rows[(i * view.Count)..((i + 1) * view.Count)], v => (double)v);
            Assert.True(MaxRelativeError(actual, expected) < 1e-4, $"sample {i}");
        }
        var e = Assert.Throws<NotSupportedException>(() =>
            PerSampleGradients.SquaredSum(model, x, new float[5], view, new float[view.Count]));
        Assert.Contains("'0.weight' is used 2 times", e.Message);
    }

    [Fact]
    public void Unsupported_parameters_and_sample_mixing_ops_are_refused_by_name()
    {
        var model = new Sequential(new Linear(3, 4, new Rng(70)), new BatchNorm1d(4), new ReLU(), new Linear(4, 1, new Rng(71)));
        var x = Inputs(72, 6, 3);
        var all = new ParameterVector(model);
        var rows = new float[6 * all.Count];
        var training = Assert.Throws<NotSupportedException>(() => PerSampleGradients.Jacobian(model, x, all, rows));
        Assert.Contains("BatchNorm", training.Message);
        Assert.Contains("mixes the samples", training.Message);

        model.Eval();
        var scale = Assert.Throws<NotSupportedException>(() => PerSampleGradients.Jacobian(model, x, all, rows));
        Assert.Contains("'1.weight' is used by BatchNorm", scale.Message);

        // Without the BatchNorm parameters the evaluation-mode network is fine, and matches single-sample passes.
        var linear = new ParameterVector(model, ["0.weight", "0.bias", "3.weight", "3.bias"]);
        var linearRows = new float[6 * linear.Count];
        PerSampleGradients.Jacobian(model, x, linear, linearRows);
        for (int i = 0; i < 6; i++)
        {
            var expected = SingleSampleGradient(model, linear, x, i, [1f]);
            var actual = Array.ConvertAll(linearRows[(i * linear.Count)..((i + 1) * linear.Count)], v => (double)v);
            Assert.True(MaxRelativeError(actual, expected) < 1e-4, $"sample {i}");
        }
    }

    [Fact]
    public void Bad_arguments_get_one_line_messages()
    {
        var model = SmoothMlp(80, outputs: 2);
        var view = new ParameterVector(model);
        var x = Inputs(81, 4, 3);
        using var pass = PerSampleGradients.Begin(model, x, view);
        Assert.Contains("2 outputs per sample", Assert.Throws<InvalidOperationException>(() => pass.Jacobian(new float[4 * view.Count])).Message);
        Assert.Throws<ArgumentException>(() => pass.Gradients(new float[7], new float[4 * view.Count]));
        Assert.Throws<ArgumentException>(() => pass.Gradients(new float[8], new float[4 * view.Count - 1]));
        Assert.Throws<ArgumentException>(() => pass.AddSquaredGradients(new float[8], new float[view.Count + 1]));
        var other = new ParameterVector(SmoothMlp(82));
        Assert.Contains("not a parameter", Assert.Throws<ArgumentException>(() => PerSampleGradients.Begin(model, x, other)).Message);
    }
}
