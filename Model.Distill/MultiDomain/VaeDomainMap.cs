using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.MultiDomain;

/// <summary>
/// φ_VAE (methods.md §3.2): a trained <see cref="DomainTranslationVae"/> as a domain map, φ(x) = dec_source(z) (the
/// Bernoulli means, not binarised) with z ~ q(z|x) drawn afresh on every call from the map's own generator, seeded
/// once (the code's behaviour: one stochastic sample per call); or, with <c>meanLatent</c>, the deterministic
/// z = μ(x). The translator is used as it is (no gradient is recorded); its output is flat rows [B, input size].
/// </summary>
public sealed class VaeDomainMap : IDomainMap
{
    private readonly Rng _rng;

    /// <summary>The trained translator.</summary>
    public DomainTranslationVae Translator { get; }

    /// <summary>Whether φ uses the posterior mean instead of a sample.</summary>
    public bool MeanLatent { get; }

    /// <summary>A map through <paramref name="translator"/>; sampled latents come from a generator seeded with <paramref name="seed"/>.</summary>
    public VaeDomainMap(DomainTranslationVae translator, ulong seed = 0, bool meanLatent = false)
    {
        ArgumentNullException.ThrowIfNull(translator);
        Translator = translator;
        MeanLatent = meanLatent;
        _rng = new Rng(seed);
    }

    /// <inheritdoc/>
    public string Name => MeanLatent ? "VAE (mean z)" : "VAE";

    /// <inheritdoc/>
    public int[] OutputSampleShape(ReadOnlySpan<int> inputSampleShape)
    {
        long size = 1;
        foreach (int d in inputSampleShape) size *= d;
        if (inputSampleShape.Length == 0 || size != Translator.InputSize)
            throw new ArgumentException($"VaeDomainMap ({Name}): the translator takes samples of {Translator.InputSize} values, got shape {Tensor.Format(inputSampleShape)}.");
        return [Translator.InputSize];
    }

    /// <inheritdoc/>
    public Tensor Apply(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var noGrad = GradMode.NoGrad();
        return Translator.Translate(batch, MeanLatent, _rng);
    }
}
