using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.Bayesian;

/// <summary>Optimisation settings shared by the MAP, variational and code-faithful trainers.</summary>
/// <param name="Steps">Adam iterations (one minibatch each).</param>
/// <param name="BatchSize">Minibatch size (8 in the authors' code); the last batch of an epoch may be smaller, as in PyTorch.</param>
/// <param name="LearningRate">Adam learning rate for the network (and q's variances).</param>
/// <param name="EvaluateEvery">Test ℓ is logged every this many steps, starting at this step.</param>
/// <param name="Seed">Shuffling and reparameterisation noise.</param>
/// <param name="InitialLogVariance">Initial ln s² of q (variational mode; code-faithful mode uses 0 like the code).</param>
/// <param name="KlWeight">α of the code-faithful loss α·KL − ℓ (1 synthetic, 0.2 FashionMNIST).</param>
/// <param name="PriorLearningRate">Adam learning rate of the prior's mean and log-variance in code-faithful mode.</param>
public sealed record TrainingSettings(int Steps, int BatchSize = 8, double LearningRate = 1e-3, int EvaluateEvery = 100, ulong Seed = 0,
    double InitialLogVariance = -9.21, double KlWeight = 1, double PriorLearningRate = 1e-5);

/// <summary>Test ℓ (mean −squared error or −cross-entropy at the posterior mean) logged during training.</summary>
public sealed record LearningCurve(int[] Steps, double[] TestLogLikelihood)
{
    /// <summary>The last logged value.</summary>
    public double Final => TestLogLikelihood.Length > 0 ? TestLogLikelihood[^1] : double.NaN;

    /// <summary>
    /// The area metric of P2 (methods.md §2.5, corrected sign): S = ∫ (ℓ_distilled − ℓ_student) d(step) by the trapezoid
    /// rule over the logged steps. Both curves must be logged at the same steps.
    /// </summary>
    public static double Area(LearningCurve distilled, LearningCurve student)
    {
        ArgumentNullException.ThrowIfNull(distilled);
        ArgumentNullException.ThrowIfNull(student);
        if (!distilled.Steps.AsSpan().SequenceEqual(student.Steps))
            throw new ArgumentException("LearningCurve.Area: the two curves are logged at different steps.");
        double area = 0;
        for (int k = 1; k < distilled.Steps.Length; k++)
        {
            double d0 = distilled.TestLogLikelihood[k - 1] - student.TestLogLikelihood[k - 1];
            double d1 = distilled.TestLogLikelihood[k] - student.TestLogLikelihood[k];
            area += 0.5 * (d0 + d1) * (distilled.Steps[k] - distilled.Steps[k - 1]);
        }
        return area;
    }
}

/// <summary>The reparameterisation w = μ + exp(½ ln s²) ∘ ε of a mean-field Gaussian and its backward pass.</summary>
public static class Reparameterisation
{
    /// <summary>w = μ + s∘ε.</summary>
    public static void Sample(ReadOnlySpan<float> mu, ReadOnlySpan<float> logVar, ReadOnlySpan<float> eps, Span<float> w)
    {
        for (int p = 0; p < w.Length; p++) w[p] = mu[p] + MathF.Exp(0.5f * logVar[p]) * eps[p];
    }

    /// <summary>Adds ∂L/∂μ = ∂L/∂w and ∂L/∂ln s² = ∂L/∂w · ½ s ε for one sample.</summary>
    public static void Backward(ReadOnlySpan<float> gradW, ReadOnlySpan<float> logVar, ReadOnlySpan<float> eps, Span<float> gradMu, Span<float> gradLogVar)
    {
        for (int p = 0; p < gradW.Length; p++)
        {
            gradMu[p] += gradW[p];
            gradLogVar[p] += gradW[p] * eps[p] * 0.5f * MathF.Exp(0.5f * logVar[p]);
        }
    }
}

/// <summary>A trained network: q's mean (the weights), q's log-variances if any, the learning curve, and the
/// (possibly learned) prior of the code-faithful mode.</summary>
public sealed record TrainedNetwork(float[] Mean, double[]? LogVariance, LearningCurve Curve, double[]? PriorMean = null, double[]? PriorLogVariance = null);

/// <summary>
/// Trainers for the teacher and the students of Bayesian distillation (methods.md §2.1, §2.5):
/// <list type="bullet">
/// <item><see cref="TrainMap"/>: point estimate under N(0, α^{-1}I) (the Laplace teacher's mode).</item>
/// <item><see cref="TrainVariational"/>: mean-field q(w) = N(μ, diag s²) on the ELBO with the reparameterisation
/// w = μ + s∘ε (Bayes by backprop), KL to any <see cref="IGaussianPrior"/> in closed form. The minimised loss
/// per step is the per-datum negative ELBO estimate (1/B) Σ_batch −log p(y|x, w) + KL/N.</item>
/// <item><see cref="TrainCodeFaithful"/>: the authors' procedure, clearly not a posterior: deterministic forward at
/// μ, loss α·KL − ℓ with ℓ = −(mean loss)/B (the double division by B), Adam on (μ, ln s²), then Adam with the
/// prior learning rate on the diagonal prior's (mean, ln variance).</item>
/// </list>
/// </summary>
public static class BayesianTraining
{
    /// <summary>MAP training: minimises (1/B) Σ −log p + (α/2N)‖w‖² per step.</summary>
    public static TrainedNetwork TrainMap(FlatMlp network, float[] initial, double priorPrecision, SupervisedData train, SupervisedData test,
        Likelihood likelihood, TrainingSettings settings)
    {
        var run = new Run(network, initial, train, test, likelihood, settings);
        var weights = new Tensor((float[])initial.Clone(), initial.Length) { RequiresGrad = true };
        weights.Grad = Tensor.Zeros(initial.Length);
        var adam = new Adam([weights], settings.LearningRate);
        double decay = priorPrecision / train.Count;
        for (int step = 1; step <= settings.Steps; step++)
        {
            var g = weights.Grad.Span;
            g.Clear();
            run.DataGradient(weights.Span, g, metricLoss: false);
            for (int p = 0; p < g.Length; p++) g[p] += (float)(decay * weights.Span[p]);
            adam.Step();
            run.MaybeEvaluate(step, weights.Span);
        }
        return new TrainedNetwork(weights.ToArray(), null, run.Curve());
    }

    /// <summary>Mean-field variational training with reparameterised sampling (one weight sample per step).</summary>
    public static TrainedNetwork TrainVariational(FlatMlp network, float[] initialMean, IGaussianPrior prior, SupervisedData train, SupervisedData test,
        Likelihood likelihood, TrainingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(prior);
        if (prior.Dimension != network.ParameterCount)
            throw new ArgumentException($"BayesianTraining.TrainVariational: the prior has {prior.Dimension} parameters, the network {network.Structure} {network.ParameterCount}.");
        var run = new Run(network, initialMean, train, test, likelihood, settings);
        int n = network.ParameterCount;
        var mu = new Tensor((float[])initialMean.Clone(), n) { RequiresGrad = true, Grad = Tensor.Zeros(n) };
        var logVar = new Tensor(Enumerable.Repeat((float)settings.InitialLogVariance, n).ToArray(), n) { RequiresGrad = true, Grad = Tensor.Zeros(n) };
        var adam = new Adam([mu, logVar], settings.LearningRate);
        var noise = new Rng(settings.Seed ^ 0x9E3779B97F4A7C15UL);
        var eps = new float[n];
        var sample = new float[n];
        var gradW = new float[n];
        var muD = new double[n];
        var logVarD = new double[n];
        var gMuD = new double[n];
        var gLogVarD = new double[n];
        double klScale = 1.0 / train.Count;
        for (int step = 1; step <= settings.Steps; step++)
        {
            var m = mu.Span;
            var lv = logVar.Span;
            for (int p = 0; p < n; p++) eps[p] = (float)noise.Normal();
            Reparameterisation.Sample(m, lv, eps, sample);
            Array.Clear(gradW);
            run.DataGradient(sample, gradW, metricLoss: false);
            for (int p = 0; p < n; p++)
            {
                muD[p] = m[p];
                logVarD[p] = lv[p];
            }
            Array.Clear(gMuD);
            Array.Clear(gLogVarD);
            prior.KlDivergence(muD, logVarD, gMuD, gLogVarD, klScale);
            var gm = mu.Grad!.Span;
            var glv = logVar.Grad!.Span;
            gm.Clear();
            glv.Clear();
            Reparameterisation.Backward(gradW, lv, eps, gm, glv);
            for (int p = 0; p < n; p++)
            {
                gm[p] += (float)gMuD[p];
                glv[p] += (float)gLogVarD[p];
            }
            adam.Step();
            run.MaybeEvaluate(step, mu.Span);
        }
        return new TrainedNetwork(mu.ToArray(), logVar.ToArray().Select(v => (double)v).ToArray(), run.Curve());
    }

    /// <summary>
    /// The authors' code (code-compat mode): q's mean = the network weights, q's ln-variance starts at 0, prior
    /// N(priorMean, diag priorVariance) learnable with <see cref="TrainingSettings.PriorLearningRate"/>.
    /// </summary>
    public static TrainedNetwork TrainCodeFaithful(FlatMlp network, float[] initial, IReadOnlyList<double> priorMean, IReadOnlyList<double> priorVariance,
        SupervisedData train, SupervisedData test, Likelihood likelihood, TrainingSettings settings)
    {
        int n = network.ParameterCount;
        if (priorMean.Count != n || priorVariance.Count != n)
            throw new ArgumentException($"BayesianTraining.TrainCodeFaithful: prior has {priorMean.Count}/{priorVariance.Count} entries, the network {n}.");
        var run = new Run(network, initial, train, test, likelihood, settings);
        var mu = new Tensor((float[])initial.Clone(), n) { RequiresGrad = true, Grad = Tensor.Zeros(n) };
        var logVar = new Tensor(new float[n], n) { RequiresGrad = true, Grad = Tensor.Zeros(n) };
        var pMu = new Tensor(priorMean.Select(v => (float)v).ToArray(), n) { RequiresGrad = true, Grad = Tensor.Zeros(n) };
        var pLogVar = new Tensor(priorVariance.Select(v => (float)Math.Log(v)).ToArray(), n) { RequiresGrad = true, Grad = Tensor.Zeros(n) };
        var adamQ = new Adam([mu, logVar], settings.LearningRate);
        var adamP = new Adam([pMu, pLogVar], settings.PriorLearningRate);
        var gradW = new float[n];
        var kl = new GaussianKl.DiagonalGradients(n);
        float alpha = (float)settings.KlWeight;
        for (int step = 1; step <= settings.Steps; step++)
        {
            Array.Clear(gradW);
            int batch = run.DataGradient(mu.Span, gradW, metricLoss: true);
            // −ℓ = (mean batch loss)/B: the per-sample gradients are divided by B twice (Run.DataGradient did once).
            var gm = mu.Grad!.Span;
            kl.Compute(mu.Span, logVar.Span, pMu.Span, pLogVar.Span, alpha);
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(gradW, 1f / batch, kl.MuQ, gm);
            kl.LogVarQ.CopyTo(logVar.Grad!.Span);
            adamQ.Step();
            // The prior's step sees the KL at the updated q, as the code recomputes the loss before it.
            kl.Compute(mu.Span, logVar.Span, pMu.Span, pLogVar.Span, alpha);
            kl.MuP.CopyTo(pMu.Grad!.Span);
            kl.LogVarP.CopyTo(pLogVar.Grad!.Span);
            adamP.Step();
            run.MaybeEvaluate(step, mu.Span);
        }
        return new TrainedNetwork(mu.ToArray(), logVar.ToArray().Select(v => (double)v).ToArray(), run.Curve(),
            pMu.ToArray().Select(v => (double)v).ToArray(), pLogVar.ToArray().Select(v => (double)v).ToArray());
    }

    /// <summary>The test ℓ (mean over the set) of the network at <paramref name="parameters"/>.</summary>
    public static double TestLogLikelihood(FlatMlp network, ReadOnlySpan<float> parameters, SupervisedData test, Likelihood likelihood, int batchSize = 1000) =>
        TestLogLikelihood(NetworkModule.Of(network), parameters, test, likelihood, batchSize);

    /// <summary>The test ℓ (mean over the set) of <paramref name="module"/> with <paramref name="parameters"/> written into it.</summary>
    public static double TestLogLikelihood(NetworkModule module, ReadOnlySpan<float> parameters, SupervisedData test, Likelihood likelihood, int batchSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(likelihood);
        var model = module.With(parameters);
        int capacity = Math.Min(batchSize, test.Count);
        var x = new float[capacity * test.FeatureSize];
        var indices = new int[capacity];
        double sum = 0;
        using var noGrad = GradMode.NoGrad();
        for (int start = 0; start < test.Count; start += capacity)
        {
            int b = Math.Min(capacity, test.Count - start);
            for (int i = 0; i < b; i++) indices[i] = start + i;
            test.GatherFeatures(indices.AsSpan(0, b), x);
            using var scope = TensorScope.Begin();
            var output = model.Forward(new Tensor(b == capacity ? x : x[..(b * test.FeatureSize)], b, test.FeatureSize));
            sum += likelihood.MetricSum(output.Span, test, indices.AsSpan(0, b));
        }
        return sum / test.Count;
    }

    /// <summary>
    /// Minibatch iteration (reshuffled every epoch), data gradients and the logged learning curve. The network is an
    /// ordinary module (<see cref="NetworkModule"/>): each step writes the flat parameters into it, runs its forward
    /// pass, and back-propagates the likelihood's output gradient through the autograd core.
    /// </summary>
    private sealed class Run
    {
        private readonly NetworkModule _module;
        private readonly SupervisedData _train, _test;
        private readonly Likelihood _likelihood;
        private readonly TrainingSettings _settings;
        private readonly int[] _order;
        private readonly float[] _x;
        private readonly Tensor _xFull, _seedFull;
        private readonly Rng _shuffle;
        private readonly List<int> _steps = [];
        private readonly List<double> _values = [];
        private int _position;

        public Run(FlatMlp network, float[] initial, SupervisedData train, SupervisedData test, Likelihood likelihood, TrainingSettings settings)
        {
            ArgumentNullException.ThrowIfNull(network);
            ArgumentNullException.ThrowIfNull(initial);
            ArgumentNullException.ThrowIfNull(train);
            ArgumentNullException.ThrowIfNull(test);
            ArgumentNullException.ThrowIfNull(likelihood);
            ArgumentNullException.ThrowIfNull(settings);
            if (initial.Length != network.ParameterCount)
                throw new ArgumentException($"BayesianTraining: {initial.Length} initial parameters for {network.Structure} with {network.ParameterCount}.");
            if (train.FeatureSize != network.Structure.InputSize)
                throw new ArgumentException($"BayesianTraining: data has {train.FeatureSize} features, the network {network.Structure} expects {network.Structure.InputSize}.");
            if (settings.Steps < 1 || settings.BatchSize < 1 || settings.EvaluateEvery < 1)
                throw new ArgumentException($"BayesianTraining: steps, batch size and evaluation period must be ≥ 1 ({settings}).");
            _module = NetworkModule.Of(network);
            _train = train;
            _test = test;
            _likelihood = likelihood;
            _settings = settings;
            _order = Enumerable.Range(0, train.Count).ToArray();
            _x = new float[settings.BatchSize * train.FeatureSize];
            _xFull = new Tensor(_x, settings.BatchSize, train.FeatureSize);
            _seedFull = Tensor.Zeros(settings.BatchSize, network.Structure.OutputSize);
            _shuffle = new Rng(settings.Seed);
            _position = train.Count; // forces a shuffle before the first batch
        }

        /// <summary>Adds (1/B) Σ_batch ∂(−log p or −metric)/∂θ at <paramref name="parameters"/>; returns B.</summary>
        public int DataGradient(ReadOnlySpan<float> parameters, Span<float> gradient, bool metricLoss)
        {
            if (_position >= _order.Length)
            {
                _shuffle.Shuffle<int>(_order);
                _position = 0;
            }
            int b = Math.Min(_settings.BatchSize, _order.Length - _position);
            var indices = _order.AsSpan(_position, b);
            _position += b;
            _train.GatherFeatures(indices, _x);
            var model = _module.With(parameters);
            var view = _module.View;
            foreach (var segment in view.Segments) segment.Parameter.ZeroGrad();
            int k = _module.Structure.OutputSize;
            bool full = b == _settings.BatchSize;
            using (var scope = TensorScope.Begin())
            using (GradMode.EnableGrad())
            {
                var output = model.Forward(full ? _xFull : new Tensor(_x[..(b * _train.FeatureSize)], b, _train.FeatureSize));
                var seed = full ? _seedFull : Tensor.Zeros(b, k);
                var dOut = seed.Span;
                if (metricLoss) _likelihood.MetricLossGradient(output.Span, _train, indices, dOut);
                else _likelihood.NegLogLikelihood(output.Span, _train, indices, dOut);
                System.Numerics.Tensors.TensorPrimitives.Multiply(dOut, 1f / b, dOut);
                // ⟨output, g⟩ with g held constant: its gradient with respect to the output is exactly g.
                Ops.Sum(Ops.Mul(output, seed)).Backward();
            }
            foreach (var segment in view.Segments)
            {
                var g = segment.Parameter.Grad;
                if (g is null) continue;
                System.Numerics.Tensors.TensorPrimitives.Add(gradient.Slice(segment.Offset, segment.Length), g.Span, gradient.Slice(segment.Offset, segment.Length));
            }
            return b;
        }

        public void MaybeEvaluate(int step, ReadOnlySpan<float> parameters)
        {
            if (step % _settings.EvaluateEvery != 0) return;
            _steps.Add(step);
            _values.Add(TestLogLikelihood(_module, parameters, _test, _likelihood));
        }

        public LearningCurve Curve() => new(_steps.ToArray(), _values.ToArray());
    }
}
