using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.MultiDomain;

/// <summary>
/// Settings of <see cref="StyleTransfer"/> (methods.md §3.2 "Style transfer details"): the total loss is
/// ContentWeight·content + StyleWeight·style, minimised over the image by Adam for a few steps from x̂ = x. The
/// defaults are the authors' (8, 70, 3 steps, lr 0.04).
/// </summary>
/// <param name="ContentWeight">Weight of the content loss (finite, ≥ 0).</param>
/// <param name="StyleWeight">Weight of the style loss (finite, ≥ 0).</param>
/// <param name="Steps">Adam steps on the image (≥ 0; 0 returns the input).</param>
/// <param name="LearningRate">Adam's learning rate on the image (finite, &gt; 0).</param>
/// <param name="ClampToUnit">
/// Clamp the image to [0, 1] after every step. The authors' description does not say whether they clamp; this
/// implementation does by default, so φ keeps images in the [0, 1] range the teacher was trained on.
/// </param>
public sealed record StyleTransferSettings(double ContentWeight = 8, double StyleWeight = 70, int Steps = 3,
    double LearningRate = 0.04, bool ClampToUnit = true)
{
    /// <summary>Throws, naming the setting, when one is out of range.</summary>
    public void Validate()
    {
        if (!(ContentWeight >= 0 && double.IsFinite(ContentWeight))) throw new ArgumentOutOfRangeException(nameof(ContentWeight), $"StyleTransferSettings: the content weight must be finite and ≥ 0 (got {ContentWeight}).");
        if (!(StyleWeight >= 0 && double.IsFinite(StyleWeight))) throw new ArgumentOutOfRangeException(nameof(StyleWeight), $"StyleTransferSettings: the style weight must be finite and ≥ 0 (got {StyleWeight}).");
        if (Steps < 0) throw new ArgumentOutOfRangeException(nameof(Steps), $"StyleTransferSettings: the number of steps must be ≥ 0 (got {Steps}).");
        if (!(LearningRate > 0 && double.IsFinite(LearningRate))) throw new ArgumentOutOfRangeException(nameof(LearningRate), $"StyleTransferSettings: the learning rate must be finite and > 0 (got {LearningRate}).");
    }
}

/// <summary>The losses of <see cref="StyleTransfer"/> at one image.</summary>
/// <param name="Content">Σ_l mean((F_l(x̂) − F_l(x))²).</param>
/// <param name="Style">Σ_l mean((G_l(x̂) − G_l(s))²).</param>
/// <param name="Total">ContentWeight·Content + StyleWeight·Style.</param>
public sealed record StyleTransferLosses(double Content, double Style, double Total);

/// <summary>The result of <see cref="StyleTransfer.Run"/>.</summary>
/// <param name="Images">The stylised batch x̂, shaped like the input (an ordinary tensor that requires no gradient).</param>
/// <param name="Losses">
/// The losses at x̂ after t Adam steps, t = 0, 1, …: entry 0 is at x̂ = x (content loss 0); there are Steps + 1 entries
/// when the final image was evaluated, else Steps.
/// </param>
public sealed record StyleTransferResult(Tensor Images, IReadOnlyList<StyleTransferLosses> Losses);

/// <summary>
/// Gatys-style transfer as the seed's φ (methods.md §3.2): features F_l of a frozen network at named layers,
/// content loss Σ_l mean((F_l(x̂) − F_l(x))²), style loss Σ_l mean((G_l(x̂) − G_l(s))²) with the unnormalised
/// per-sample Gram matrix G = F Fᵀ (<see cref="Ops.Gram"/>: F is channels × positions for a map [B, C, H, W], D × 1
/// for a vector [B, D]), total ContentWeight·content + StyleWeight·style, minimised by Adam on the image from x̂ = x.
/// The authors use ImageNet VGG-19 at conv1_1 … conv5_1 (pre-ReLU); any <see cref="Module"/> and layer paths may be
/// given here (captured with <see cref="FeatureCapture"/>). The network is frozen while this runs: its parameters
/// receive no gradient, it runs in evaluation mode, and its parameters' gradient flags and modules' modes are
/// restored afterwards. Deterministic (no randomness). Not thread-safe: the network is shared state.
/// </summary>
public sealed class StyleTransfer
{
    private readonly Module _features;
    private readonly string[] _layers;
    private readonly Tensor[] _styleGrams; // per layer, [1, C, C]
    private readonly int[] _sampleShape;

    /// <summary>The layer paths whose outputs are the features.</summary>
    public IReadOnlyList<string> Layers => _layers;

    /// <summary>The weights, steps and learning rate.</summary>
    public StyleTransferSettings Settings { get; }

    /// <summary>The shape of one image (the style image's shape without its batch dimension).</summary>
    public ReadOnlySpan<int> SampleShape => _sampleShape;

    /// <summary>
    /// A transfer towards the style image <paramref name="styleImage"/> ([1, …sample shape], the shape the network takes)
    /// with the features of <paramref name="features"/> at the dotted module paths <paramref name="layers"/>.
    /// The style's Gram matrices are computed here, once.
    /// </summary>
    public StyleTransfer(Module features, IReadOnlyList<string> layers, Tensor styleImage, StyleTransferSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(styleImage);
        settings ??= new StyleTransferSettings();
        settings.Validate();
        if (layers.Count == 0) throw new ArgumentException("StyleTransfer: no feature layers given.", nameof(layers));
        var known = new HashSet<string>(features.NamedModules().Select(m => m.Key));
        foreach (var layer in layers)
            if (layer is null || !known.Contains(layer))
                throw new ArgumentException($"StyleTransfer: the network {features.GetType().Name} has no layer '{layer}' (known: {string.Join(", ", known.Where(k => k.Length > 0))}).", nameof(layers));
        if (styleImage.Rank < 2 || styleImage.Dim(0) != 1)
            throw new ArgumentException($"StyleTransfer: the style image must be one image [1, …], got {styleImage.ShapeString}.", nameof(styleImage));
        _features = features;
        _layers = layers.ToArray();
        Settings = settings;
        _sampleShape = styleImage.Shape[1..].ToArray();
        _styleGrams = new Tensor[_layers.Length];
        using var frozen = new Frozen(features);
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var maps = Features(styleImage, "StyleTransfer");
        for (int l = 0; l < maps.Length; l++)
        {
            if (maps[l].Rank < 2)
                throw new ArgumentException($"StyleTransfer: layer '{_layers[l]}' gives {maps[l].ShapeString}; features must be [B, C, …].", nameof(layers));
            _styleGrams[l] = Ops.Gram(maps[l]).Clone();
        }
    }

    /// <summary>
    /// Stylises the batch <paramref name="contentImages"/> [B, …sample shape]: Adam from x̂ = x for
    /// <see cref="StyleTransferSettings.Steps"/> steps (clamped to [0, 1] after each when asked). With
    /// <paramref name="evaluateFinal"/> the losses at the final image are evaluated too (one more forward pass).
    /// Works under an outer NoGrad region (the gradient with respect to the image is recorded internally).
    /// </summary>
    public StyleTransferResult Run(Tensor contentImages, bool evaluateFinal = true)
    {
        CheckImages(contentImages, "StyleTransfer.Run");
        using var frozen = new Frozen(_features);
        var targets = ContentTargets(contentImages);
        var image = contentImages.Clone();
        image.RequiresGrad = true;
        var adam = new Adam([image], Settings.LearningRate);
        var losses = new List<StyleTransferLosses>(Settings.Steps + 1);
        for (int step = 0; step < Settings.Steps; step++)
        {
            image.Grad = null;
            losses.Add(Evaluate(image, targets, withGradient: true));
            adam.Step();
            if (Settings.ClampToUnit) ClampToUnit(image.Span);
        }
        if (evaluateFinal) losses.Add(Evaluate(image, targets, withGradient: false));
        image.Grad = null;
        image.RequiresGrad = false;
        return new StyleTransferResult(image, losses);
    }

    /// <summary>The content, style and total losses of the images <paramref name="images"/> for the content <paramref name="contentImages"/>.</summary>
    public StyleTransferLosses Losses(Tensor images, Tensor contentImages)
    {
        CheckImages(images, "StyleTransfer.Losses");
        CheckImages(contentImages, "StyleTransfer.Losses");
        if (images.Dim(0) != contentImages.Dim(0))
            throw new ArgumentException($"StyleTransfer.Losses: {images.Dim(0)} images for {contentImages.Dim(0)} content images.");
        using var frozen = new Frozen(_features);
        return Evaluate(images, ContentTargets(contentImages), withGradient: false);
    }

    /// <summary>
    /// The total loss as a [1] tensor, differentiable with respect to <paramref name="images"/> (recorded as one fused
    /// node, <see cref="Ops.ScalarWithGradient"/>; the network's parameters are never part of the graph).
    /// </summary>
    public Tensor TotalLoss(Tensor images, Tensor contentImages)
    {
        CheckImages(images, "StyleTransfer.TotalLoss");
        CheckImages(contentImages, "StyleTransfer.TotalLoss");
        if (images.Dim(0) != contentImages.Dim(0))
            throw new ArgumentException($"StyleTransfer.TotalLoss: {images.Dim(0)} images for {contentImages.Dim(0)} content images.");
        var buffer = Ops.PrecomputedGradientBuffer(images);
        using var frozen = new Frozen(_features);
        var targets = ContentTargets(contentImages);
        var leaf = images.Clone();
        leaf.RequiresGrad = buffer is not null;
        var losses = Evaluate(leaf, targets, withGradient: buffer is not null);
        if (buffer is not null) leaf.Grad!.Span.CopyTo(buffer.Span);
        return Ops.ScalarWithGradient("StyleTransfer", images, losses.Total, buffer);
    }

    private void CheckImages(Tensor images, string where)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rank != _sampleShape.Length + 1 || !images.Shape[1..].SequenceEqual(_sampleShape))
            throw new ArgumentException($"{where}: images {images.ShapeString} do not match [B, {string.Join(", ", _sampleShape)}], the style image's sample shape.");
    }

    /// <summary>F_l(x) per layer, copied out of any scope (constants of the optimisation).</summary>
    private Tensor[] ContentTargets(Tensor contentImages)
    {
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        return Features(contentImages, "StyleTransfer").Select(f => f.Clone()).ToArray();
    }

    /// <summary>The captured outputs of the layers after one forward pass (temporaries of the current scope).</summary>
    private Tensor[] Features(Tensor images, string where)
    {
        using var capture = new FeatureCapture(_features, _layers);
        _features.Forward(images);
        var maps = new Tensor[_layers.Length];
        for (int l = 0; l < _layers.Length; l++)
        {
            try { maps[l] = capture[_layers[l]]; }
            catch (InvalidOperationException)
            {
                throw new InvalidOperationException($"{where}: layer '{_layers[l]}' did not run in the network's forward pass.");
            }
        }
        return maps;
    }

    /// <summary>
    /// The losses at <paramref name="image"/>; with <paramref name="withGradient"/> (the image a leaf that requires a
    /// gradient) d total / d image is left in image.Grad.
    /// </summary>
    private StyleTransferLosses Evaluate(Tensor image, Tensor[] contentTargets, bool withGradient)
    {
        using var scope = TensorScope.Begin();
        using var mode = withGradient ? GradMode.EnableGrad() : GradMode.NoGrad();
        var maps = Features(image, "StyleTransfer");
        int batch = image.Dim(0);
        Tensor? content = null, style = null;
        for (int l = 0; l < maps.Length; l++)
        {
            if (!maps[l].Shape.SequenceEqual(contentTargets[l].Shape))
                throw new InvalidOperationException($"StyleTransfer: layer '{_layers[l]}' gave {maps[l].ShapeString} for the image but {contentTargets[l].ShapeString} for the content.");
            var c = Nn.Losses.Loss.Mse(maps[l], contentTargets[l]);
            var gram = Ops.Gram(maps[l]);
            var s = Nn.Losses.Loss.Mse(gram, StyleTarget(l, batch));
            content = content is null ? c : Ops.Add(content, c);
            style = style is null ? s : Ops.Add(style, s);
        }
        var total = Ops.Add(Ops.Scale(content!, (float)Settings.ContentWeight), Ops.Scale(style!, (float)Settings.StyleWeight));
        if (withGradient) total.Backward();
        return new StyleTransferLosses(content!.Item(), style!.Item(), total.Item());
    }

    /// <summary>The style Gram of layer <paramref name="l"/> repeated for a batch of <paramref name="batch"/> (a constant).</summary>
    private Tensor StyleTarget(int l, int batch)
    {
        var g = _styleGrams[l];
        if (batch == 1) return g;
        var t = Tensor.Zeros(batch, g.Dim(1), g.Dim(2));
        var src = g.Span;
        var dst = t.Span;
        for (int b = 0; b < batch; b++) src.CopyTo(dst.Slice(b * src.Length, src.Length));
        return t;
    }

    private static void ClampToUnit(Span<float> values)
    {
        TensorPrimitives.Max(values, 0f, values);
        TensorPrimitives.Min(values, 1f, values);
    }

    /// <summary>
    /// Freezes a network while alive: its parameters stop requiring gradients (so none is recorded or accumulated) and
    /// every module runs in evaluation mode; disposing restores each parameter's flag and each module's mode.
    /// </summary>
    private sealed class Frozen : IDisposable
    {
        private readonly List<(Tensor Parameter, bool RequiresGrad)> _parameters = new();
        private readonly List<(Module Module, bool Training)> _modes = new();

        public Frozen(Module network)
        {
            foreach (var (_, p) in network.NamedParameters())
            {
                _parameters.Add((p, p.RequiresGrad));
                p.RequiresGrad = false;
            }
            foreach (var (_, m) in network.NamedModules()) _modes.Add((m, m.IsTraining));
            network.Eval();
        }

        public void Dispose()
        {
            foreach (var (p, flag) in _parameters) p.RequiresGrad = flag;
            // NamedModules lists parents before their descendants, and Train(flag) sets a module's whole subtree,
            // so setting them in that order leaves every module with its own saved mode.
            foreach (var (m, training) in _modes) m.Train(training);
        }
    }
}
