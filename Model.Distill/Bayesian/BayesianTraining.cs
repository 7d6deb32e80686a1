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
        var steps = new double[distilled.Steps.Length];
        var difference = new double[steps.Length];
        for (int k = 0; k < steps.Length; k++)
        {
            steps[k] = distilled.Steps[k];
            difference[k] = distilled.TestLogLikelihood[k] - student.TestLogLikelihood[k];
        }
        return Probabilistic.Core.Numerics.Trapezoid.Integrate(steps, difference);
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
/// Each trainer writes the initial parameters into the given <see cref="NetworkModule"/> and trains it in place: on
/// return the module holds the trained weights (q's mean).
/// </summary>
public static class BayesianTraining
{
    /// <summary>MAP training: minimises (1/B) Σ −log p + (α/2N)‖w‖² per step. Adam works on the module's own
    /// parameter tensors.</summary>
    public static TrainedNetwork TrainMap(NetworkModule network, float[] initial, double priorPrecision, SupervisedData train, SupervisedData test,
        Likelihood likelihood, TrainingSettings settings)
    {
        var run = new Run(network, initial, train, test, likelihood, settings);
        // The prior's gradient (α/N) w is Adam's L2 weight decay.
        var adam = new Adam(run.Module.View.Segments.Select(s => s.Parameter), settings.LearningRate, weightDecay: priorPrecision / train.Count);
        for (int step = 1; step <= settings.Steps; step++)
        {
            run.Backward(metricLoss: false);
            adam.Step();
            run.MaybeEvaluate(step);
        }
        return new TrainedNetwork(run.Module.View.ToArray(), null, run.Curve());
    }

    /// <summary>
    /// Mean-field variational training with reparameterised sampling (one weight sample per step). μ and ln s² are
    /// flat tensors; each step writes the sample w = μ + s∘ε straight into the module's parameter tensors and reads
    /// ∂L/∂w from their gradients.
    /// </summary>
    public static TrainedNetwork TrainVariational(NetworkModule network, float[] initialMean, IGaussianPrior prior, SupervisedData train, SupervisedData test,
        Likelihood likelihood, TrainingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(prior);
        if (prior.Dimension != network.ParameterCount)
            throw new ArgumentException($"BayesianTraining.TrainVariational: the prior has {prior.Dimension} parameters, the network {network.Structure} {network.ParameterCount}.");
        var run = new Run(network, initialMean, train, test, likelihood, settings);
        var segments = run.Module.View.Segments;
        int n = network.ParameterCount;
        var mu = new Tensor((float[])initialMean.Clone(), n) { RequiresGrad = true, Grad = Tensor.Zeros(n) };
        var logVar = new Tensor(Enumerable.Repeat((float)settings.InitialLogVariance, n).ToArray(), n) { RequiresGrad = true, Grad = Tensor.Zeros(n) };
        var adam = new Adam([mu, logVar], settings.LearningRate);
        var noise = new Rng(settings.Seed ^ 0x9E3779B97F4A7C15UL);
        var eps = new float[n];
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
            foreach (var segment in segments)
                Reparameterisation.Sample(m.Slice(segment.Offset, segment.Length), lv.Slice(segment.Offset, segment.Length),
                    eps.AsSpan(segment.Offset, segment.Length), segment.Parameter.Span);
            run.Backward(metricLoss: false);
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
            foreach (var segment in segments)
            {
                int o = segment.Offset, len = segment.Length;
                Reparameterisation.Backward(segment.Parameter.Grad!.Span, lv.Slice(o, len), eps.AsSpan(o, len), gm.Slice(o, len), glv.Slice(o, len));
            }
            for (int p = 0; p < n; p++)
            {
                gm[p] += (float)gMuD[p];
                glv[p] += (float)gLogVarD[p];
            }
            adam.Step();
            if (run.EvaluatesAt(step))
            {
                run.Module.View.CopyFrom(mu.Span);
                run.MaybeEvaluate(step);
            }
        }
        run.Module.View.CopyFrom(mu.Span);
        return new TrainedNetwork(mu.ToArray(), logVar.ToArray().Select(v => (double)v).ToArray(), run.Curve());
    }

    /// <summary>
    /// The authors' code (code-compat mode): q's mean = the network weights (the module's own parameter tensors, on
    /// which Adam works), q's ln-variance starts at 0, prior N(priorMean, diag priorVariance) learnable with
    /// <see cref="TrainingSettings.PriorLearningRate"/>.
    /// </summary>
    public static TrainedNetwork TrainCodeFaithful(NetworkModule network, float[] initial, IReadOnlyList<double> priorMean, IReadOnlyList<double> priorVariance,
        SupervisedData train, SupervisedData test, Likelihood likelihood, TrainingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(network);
        int n = network.ParameterCount;
        if (priorMean.Count != n || priorVariance.Count != n)
            throw new ArgumentException($"BayesianTraining.TrainCodeFaithful: prior has {priorMean.Count}/{priorVariance.Count} entries, the network {n}.");
        var run = new Run(network, initial, train, test, likelihood, settings);
        var segments = run.Module.View.Segments;
        var logVar = new Tensor(new float[n], n) { RequiresGrad = true, Grad = Tensor.Zeros(n) };
        var pMu = new Tensor(priorMean.Select(v => (float)v).ToArray(), n) { RequiresGrad = true, Grad = Tensor.Zeros(n) };
        var pLogVar = new Tensor(priorVariance.Select(v => (float)Math.Log(v)).ToArray(), n) { RequiresGrad = true, Grad = Tensor.Zeros(n) };
        var adamQ = new Adam([.. segments.Select(s => s.Parameter), logVar], settings.LearningRate);
        var adamP = new Adam([pMu, pLogVar], settings.PriorLearningRate);
        var kl = new GaussianKl.DiagonalGradients(n);
        float alpha = (float)settings.KlWeight;
        void ComputeKl()
        {
            foreach (var segment in segments)
            {
                int o = segment.Offset, len = segment.Length;
                kl.Compute(o, segment.Parameter.Span, logVar.Span.Slice(o, len), pMu.Span.Slice(o, len), pLogVar.Span.Slice(o, len), alpha);
            }
        }
        for (int step = 1; step <= settings.Steps; step++)
        {
            int batch = run.Backward(metricLoss: true);
            // −ℓ = (mean batch loss)/B: the per-sample gradients are divided by B twice (the mean loss did once).
            ComputeKl();
            foreach (var segment in segments)
            {
                var g = segment.Parameter.Grad!.Span;
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(g, 1f / batch, kl.MuQ.AsSpan(segment.Offset, segment.Length), g);
            }
            kl.LogVarQ.CopyTo(logVar.Grad!.Span);
            adamQ.Step();
            // The prior's step sees the KL at the updated q, as the code recomputes the loss before it.
            ComputeKl();
            kl.MuP.CopyTo(pMu.Grad!.Span);
            kl.LogVarP.CopyTo(pLogVar.Grad!.Span);
            adamP.Step();
            run.MaybeEvaluate(step);
        }
        return new TrainedNetwork(run.Module.View.ToArray(), logVar.ToArray().Select(v => (double)v).ToArray(), run.Curve(),
            pMu.ToArray().Select(v => (double)v).ToArray(), pLogVar.ToArray().Select(v => (double)v).ToArray());
    }

    /// <summary>The test ℓ (mean over the set) of <paramref name="module"/> with <paramref name="parameters"/> written into it.</summary>
    public static double TestLogLikelihood(NetworkModule module, ReadOnlySpan<float> parameters, SupervisedData test, Likelihood likelihood, int batchSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(module);
        module.View.CopyFrom(parameters);
        return TestLogLikelihood(module, test, likelihood, batchSize);
    }

    /// <summary>The test ℓ (mean over the set) of <paramref name="module"/> at its current parameters.</summary>
    private static double TestLogLikelihood(NetworkModule module, SupervisedData test, Likelihood likelihood, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(likelihood);
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
            var output = module.Model.Forward(new Tensor(b == capacity ? x : x[..(b * test.FeatureSize)], b, test.FeatureSize));
            sum += likelihood.MetricSum(output, test, indices.AsSpan(0, b));
        }
        return sum / test.Count;
    }

    /// <summary>
    /// Minibatch iteration (reshuffled every epoch), the backward pass and the logged learning curve. The network is an
    /// ordinary module (<see cref="NetworkModule"/>) that holds the current weights: each step runs its forward pass
    /// and back-propagates the likelihood's autograd loss into its parameters' gradients.
    /// </summary>
    private sealed class Run
    {
        private readonly SupervisedData _train, _test;
        private readonly Likelihood _likelihood;
        private readonly TrainingSettings _settings;
        private readonly int[] _order;
        private readonly float[] _x;
        private readonly Tensor _xFull;
        private readonly Rng _shuffle;
        private readonly List<int> _steps = [];
        private readonly List<double> _values = [];
        private int _position;

        public Run(NetworkModule network, float[] initial, SupervisedData train, SupervisedData test, Likelihood likelihood, TrainingSettings settings)
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
            Module = network;
            Module.View.CopyFrom(initial);
            _train = train;
            _test = test;
            _likelihood = likelihood;
            _settings = settings;
            _order = Enumerable.Range(0, train.Count).ToArray();
            _x = new float[settings.BatchSize * train.FeatureSize];
            _xFull = new Tensor(_x, settings.BatchSize, train.FeatureSize);
            _shuffle = new Rng(settings.Seed);
            _position = train.Count; // forces a shuffle before the first batch
        }

        /// <summary>The network, holding the current weights.</summary>
        public NetworkModule Module { get; }

        /// <summary>Sets the parameters' gradients to ∂/∂θ of the next minibatch's mean −log p (or mean −ℓ with
        /// <paramref name="metricLoss"/>) at the module's current weights; returns the batch size B.</summary>
        public int Backward(bool metricLoss)
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
            foreach (var segment in Module.View.Segments) segment.Parameter.ZeroGrad();
            using var scope = TensorScope.Begin();
            using var grad = GradMode.EnableGrad();
            var output = Module.Model.Forward(b == _settings.BatchSize ? _xFull : new Tensor(_x[..(b * _train.FeatureSize)], b, _train.FeatureSize));
            var loss = metricLoss ? _likelihood.MetricLoss(output, _train, indices) : _likelihood.NegLogLikelihood(output, _train, indices);
            loss.Backward();
            return b;
        }

        /// <summary>True when the test ℓ is logged after <paramref name="step"/>.</summary>
        public bool EvaluatesAt(int step) => step % _settings.EvaluateEvery == 0;

        /// <summary>Logs the test ℓ of the module's current weights when <see cref="EvaluatesAt"/>.</summary>
        public void MaybeEvaluate(int step)
        {
            if (!EvaluatesAt(step)) return;
            _steps.Add(step);
            _values.Add(TestLogLikelihood(Module, _test, _likelihood, 1000));
        }

        public LearningCurve Curve() => new(_steps.ToArray(), _values.ToArray());
    }
}
