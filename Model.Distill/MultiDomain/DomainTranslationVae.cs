using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Losses;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;
using NnLoss = Probabilistic.Nn.Losses.Loss;

namespace Probabilistic.Distill.MultiDomain;

/// <summary>
/// Settings of <see cref="DomainTranslationVae.Train"/> (methods.md §3.2 "VAE details": d = 64, 200 hidden units,
/// Adam lr 1e-3, batch 64, 50 epochs).
/// </summary>
/// <param name="Latent">The latent size d.</param>
/// <param name="Hidden">Hidden units of the encoder and of each decoder.</param>
/// <param name="Epochs">Passes over the pairs.</param>
/// <param name="BatchSize">Pairs per Adam step.</param>
/// <param name="LearningRate">Adam's learning rate.</param>
/// <param name="Seed">Seeds the initialisation, the pairing, the per-epoch shuffles and the reparameterisation noise.</param>
public sealed record VaeTrainingSettings(int Latent = 64, int Hidden = 200, int Epochs = 50, int BatchSize = 64,
    double LearningRate = 1e-3, ulong Seed = 0);

/// <summary>
/// The VAE domain translator φ_VAE of multi-domain distillation (methods.md §3.2, §3.5): one encoder q(z|x) of the
/// target domain (the student's, e.g. FashionMNIST) and two Bernoulli decoders, <c>source</c> (the domain the teacher
/// knows, e.g. MNIST) and <c>target</c> (the encoder's own domain). Trained on pairs (x, y) of a target image and a
/// source image of the same class, the source decoder learns to draw a source image of x's class from z ~ q(z|x).
/// <list type="bullet">
/// <item>Encoder: input → hidden, LeakyReLU(0.01), then μ = Linear(hidden → d) and σ = softplus(Linear(hidden → d)).</item>
/// <item>Each decoder: d → hidden, LeakyReLU(0.01), → input size, sigmoid clamped to [0.01, 0.99]; computed as the
/// logits clamped to ±ln 99, which is the same function (the sigmoid is monotone) with the same zero gradient where
/// clipped, and gives the Bernoulli log-likelihood through <see cref="NnLoss.BernoulliNllWithLogits"/>.</item>
/// </list>
/// Rows are flat ([B, input size]); an input of rank above 2 is flattened per row.
/// </summary>
public sealed class DomainTranslationVae : Module
{
    /// <summary>The decoders' logit bound ln 99: sigmoid(±ln 99) = 0.99 / 0.01, the clamp of the Bernoulli means.</summary>
    public static readonly float LogitBound = MathF.Log(99f);

    private readonly Linear _encoder, _mean, _scale, _sourceHidden, _sourceOut, _targetHidden, _targetOut;

    /// <summary>Pixels per image (input and decoder output width).</summary>
    public int InputSize { get; }

    /// <summary>Hidden units of the encoder and of each decoder.</summary>
    public int HiddenSize { get; }

    /// <summary>The latent size d.</summary>
    public int LatentSize { get; }

    /// <summary>An untrained translator with PyTorch's default initialisation of every linear layer, drawn from <paramref name="rng"/>.</summary>
    public DomainTranslationVae(Rng rng, int inputSize = 784, int hiddenSize = 200, int latentSize = 64)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (inputSize < 1 || hiddenSize < 1 || latentSize < 1)
            throw new ArgumentException($"DomainTranslationVae: sizes must be positive, got input {inputSize}, hidden {hiddenSize}, latent {latentSize}.");
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        LatentSize = latentSize;
        _encoder = RegisterModule("encoder", new Linear(inputSize, hiddenSize, rng));
        _mean = RegisterModule("mean", new Linear(hiddenSize, latentSize, rng));
        _scale = RegisterModule("scale", new Linear(hiddenSize, latentSize, rng));
        _sourceHidden = RegisterModule("source_hidden", new Linear(latentSize, hiddenSize, rng));
        _sourceOut = RegisterModule("source_out", new Linear(hiddenSize, inputSize, rng));
        _targetHidden = RegisterModule("target_hidden", new Linear(latentSize, hiddenSize, rng));
        _targetOut = RegisterModule("target_out", new Linear(hiddenSize, inputSize, rng));
    }

    /// <summary>The posterior q(z|x) = N(μ, diag σ²) of each row of <paramref name="x"/>: μ and σ, both [B, d].</summary>
    public (Tensor Mean, Tensor Std) Encode(Tensor x)
    {
        var h = Ops.LeakyRelu(_encoder.Forward(Rows(x, nameof(Encode))), 0.01f);
        return (_mean.Forward(h), Ops.Softplus(_scale.Forward(h)));
    }

    /// <summary>The source decoder's logits for latents [B, d], clamped to ±<see cref="LogitBound"/>: [B, input size].</summary>
    public Tensor DecodeSourceLogits(Tensor z) => Decode(_sourceHidden, _sourceOut, z);

    /// <summary>The target decoder's logits for latents [B, d], clamped to ±<see cref="LogitBound"/>: [B, input size].</summary>
    public Tensor DecodeTargetLogits(Tensor z) => Decode(_targetHidden, _targetOut, z);

    private Tensor Decode(Linear hidden, Linear output, Tensor z)
    {
        if (z.Rank != 2 || z.Dim(1) != LatentSize)
            throw new ArgumentException($"DomainTranslationVae: latents must be [B, {LatentSize}], got {z.ShapeString}.");
        return Ops.Clamp(output.Forward(Ops.LeakyRelu(hidden.Forward(z), 0.01f)), -LogitBound, LogitBound);
    }

    /// <summary>
    /// The reparameterised sample z = μ + σ ⊙ ε with ε ~ N(0, I) drawn from <paramref name="rng"/> (a constant, so the
    /// gradient flows to μ and σ).
    /// </summary>
    public static Tensor Sample(Tensor mean, Tensor std, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        ArgumentNullException.ThrowIfNull(rng);
        var eps = Tensor.Normal(rng, 0f, 1f, mean.Shape.ToArray());
        return Ops.Add(mean, Ops.Mul(std, eps));
    }

    /// <summary>
    /// Σ over all entries of KL(N(μ, σ²) ‖ N(0, 1)) = ½(μ² + σ² − 1) − log σ, i.e. the sum over the rows of
    /// KL(q(z|x_i) ‖ N(0, I)) for a diagonal Gaussian, as a differentiable [1] tensor.
    /// </summary>
    public static Tensor KlToStandardNormal(Tensor mean, Tensor std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        var perEntry = Ops.Sub(Ops.Add(Ops.Square(mean), Ops.Square(std)), Ops.Scale(Ops.Log(std), 2f));
        return Ops.Scale(Ops.AddScalar(Ops.Sum(perEntry), -mean.Length), 0.5f);
    }

    /// <summary>
    /// The negative ELBO of a paired batch, averaged over its rows:
    /// −mean_i[log p(y_i | dec_source(z_i)) + log p(x_i | dec_target(z'_i)) − KL(q(z|x_i) ‖ N(0, I))], with z and z'
    /// independent reparameterised samples of q(z|x_i) drawn from <paramref name="rng"/> (z first) and the Bernoulli
    /// log-likelihoods summed over pixels. <paramref name="x"/> holds target-domain rows, <paramref name="y"/> the
    /// paired source-domain rows.
    /// </summary>
    public Tensor Loss(Tensor x, Tensor y, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var xs = Rows(x, nameof(Loss));
        var ys = Rows(y, nameof(Loss));
        if (ys.Dim(0) != xs.Dim(0))
            throw new ArgumentException($"DomainTranslationVae.Loss: {xs.Dim(0)} target rows but {ys.Dim(0)} source rows.");
        var (mean, std) = Encode(xs);
        var z = Sample(mean, std, rng);
        var zPrime = Sample(mean, std, rng);
        var nll = Ops.Add(
            NnLoss.BernoulliNllWithLogits(DecodeSourceLogits(z), ys, Reduction.Sum),
            NnLoss.BernoulliNllWithLogits(DecodeTargetLogits(zPrime), xs, Reduction.Sum));
        return Ops.Scale(Ops.Add(nll, KlToStandardNormal(mean, std)), 1f / xs.Dim(0));
    }

    /// <summary>
    /// The translation of target-domain rows into the source domain: the source decoder's Bernoulli means
    /// dec_source(z), [B, input size], with z = μ(x) when <paramref name="meanLatent"/>, else one sample of q(z|x) per
    /// row drawn from <paramref name="rng"/> (unused, and may be null, for the mean).
    /// </summary>
    public Tensor Translate(Tensor x, bool meanLatent, Rng? rng) => Ops.Sigmoid(DecodeSourceLogits(Latent(x, meanLatent, rng, nameof(Translate))));

    /// <summary>The reconstruction dec_target(z) of target-domain rows (Bernoulli means), z as in <see cref="Translate"/>.</summary>
    public Tensor Reconstruct(Tensor x, bool meanLatent, Rng? rng) => Ops.Sigmoid(DecodeTargetLogits(Latent(x, meanLatent, rng, nameof(Reconstruct))));

    /// <summary>The deterministic translation <see cref="Translate"/>(input, meanLatent: true).</summary>
    protected override Tensor ForwardCore(Tensor input) => Translate(input, meanLatent: true, rng: null);

    private Tensor Latent(Tensor x, bool meanLatent, Rng? rng, string caller)
    {
        if (!meanLatent && rng is null)
            throw new ArgumentNullException(nameof(rng), $"DomainTranslationVae.{caller}: a sampled latent needs a generator.");
        var (mean, std) = Encode(x);
        return meanLatent ? mean : Sample(mean, std, rng!);
    }

    private Tensor Rows(Tensor x, string caller)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < 2 || x.Length / x.Dim(0) != InputSize)
            throw new ArgumentException($"DomainTranslationVae.{caller}: expected rows of {InputSize} values, got {x.ShapeString}.");
        return x.Rank == 2 ? x : Ops.Reshape(x, x.Dim(0), InputSize);
    }

    /// <summary>
    /// For every row of <paramref name="target"/>, the index of a row of <paramref name="source"/> with the same class
    /// index, drawn uniformly from that class by a generator seeded with <paramref name="seed"/> (drawn once, as the
    /// code pairs the training set once). Throws when a class present in the target has no source row.
    /// </summary>
    public static int[] PairByClass(LabeledDataset target, LabeledDataset source, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        int classes = Math.Max(target.ClassCount, source.ClassCount);
        var byClass = new List<int>[classes];
        for (int c = 0; c < classes; c++) byClass[c] = new List<int>();
        for (int i = 0; i < source.Count; i++) byClass[source.Labels[i]].Add(i);
        var rng = new Rng(seed);
        var pairs = new int[target.Count];
        for (int i = 0; i < pairs.Length; i++)
        {
            var pool = byClass[target.Labels[i]];
            if (pool.Count == 0)
                throw new ArgumentException($"DomainTranslationVae.PairByClass: class {target.Labels[i]} of '{target.Name}' has no images in '{source.Name}'.");
            pairs[i] = pool[rng.NextInt(pool.Count)];
        }
        return pairs;
    }

    /// <summary>
    /// Trains a translator (methods.md §3.2): every row of <paramref name="target"/> is paired once with a random row of
    /// <paramref name="source"/> of the same class (<see cref="PairByClass"/>), then Adam minimises <see cref="Loss"/>
    /// over the pairs, reshuffled every epoch. Returns the model (in evaluation mode) and the mean loss per pair of
    /// every epoch, also reported to <paramref name="onEpoch"/> (epoch numbered from 1, mean loss).
    /// </summary>
    public static (DomainTranslationVae Model, double[] EpochLosses) Train(LabeledDataset target, LabeledDataset source,
        VaeTrainingSettings settings, Action<int, double>? onEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Epochs < 0 || settings.BatchSize < 1 || !(settings.LearningRate > 0))
            throw new ArgumentException($"DomainTranslationVae.Train: need epochs ≥ 0, batch ≥ 1 and a positive learning rate, got {settings}.");
        if (target.FeatureSize != source.FeatureSize)
            throw new ArgumentException($"DomainTranslationVae.Train: '{target.Name}' has {target.FeatureSize} values per image but '{source.Name}' has {source.FeatureSize}.");
        if (target.Count == 0)
            throw new ArgumentException($"DomainTranslationVae.Train: '{target.Name}' is empty.");

        var root = new Rng(settings.Seed);
        var model = new DomainTranslationVae(root.Split(), target.FeatureSize, settings.Hidden, settings.Latent);
        int[] pairs = PairByClass(target, source, root.NextUInt64());
        var noise = root.Split();
        var loader = new BatchLoader(target, settings.BatchSize, root.NextUInt64());
        var optimizer = new Adam(model.Parameters(), settings.LearningRate);

        int d = target.FeatureSize;
        var pairIndices = new int[settings.BatchSize];
        Tensor? xFull = null, yFull = null, xLast = null, yLast = null;
        var losses = new double[settings.Epochs];
        model.Train();
        for (int epoch = 0; epoch < settings.Epochs; epoch++)
        {
            double total = 0;
            for (int b = 0; b < loader.BatchCount; b++)
            {
                var indices = loader.BatchIndices(epoch, b);
                int n = indices.Length;
                bool full = n == settings.BatchSize;
                var x = full ? xFull ??= Tensor.Zeros(n, d) : xLast ??= Tensor.Zeros(n, d);
                var y = full ? yFull ??= Tensor.Zeros(n, d) : yLast ??= Tensor.Zeros(n, d);
                for (int r = 0; r < n; r++) pairIndices[r] = pairs[indices[r]];
                target.GatherFeatures(indices, x.Span);
                source.GatherFeatures(pairIndices.AsSpan(0, n), y.Span);
                using var scope = TensorScope.Begin();
                optimizer.ZeroGrad();
                var loss = model.Loss(x, y, noise);
                total += (double)loss.Item() * n;
                loss.Backward();
                optimizer.Step();
            }
            losses[epoch] = total / target.Count;
            onEpoch?.Invoke(epoch + 1, losses[epoch]);
        }
        model.Eval();
        return (model, losses);
    }
}
