using System.Globalization;
using Probabilistic.Core.Random;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.MultiDomain;

/// <summary>
/// The noise link of methods.md §3.2: φ(x) = clip(x + σ·ε, 0, 1) with ε ~ N(0, I) drawn afresh on every call (the
/// seed's σ = 0.1; the slides' "N(0, 1/10)" is a standard deviation of 0.1, and the older code used 0.08). The draws
/// come from the map's own <see cref="Rng"/>, so two maps built with one seed give the same sequence of outputs, while
/// consecutive calls of one map differ. Any sample shape; the output has the input's shape. Calls are serialised (the
/// generator is not thread-safe).
/// </summary>
public sealed class NoiseMap : IDomainMap
{
    /// <summary>The seed used when none is given.</summary>
    public const ulong DefaultSeed = 2022;

    private readonly Rng _rng;
    private readonly object _gate = new();

    /// <summary>The noise's standard deviation σ before clipping.</summary>
    public double Sigma { get; }

    /// <summary>The seed of the map's generator.</summary>
    public ulong Seed { get; }

    /// <summary>A noise map with standard deviation <paramref name="sigma"/> (finite, ≥ 0) and its own generator seeded with <paramref name="seed"/>.</summary>
    public NoiseMap(double sigma = 0.1, ulong seed = DefaultSeed)
    {
        if (!(sigma >= 0 && double.IsFinite(sigma)))
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "NoiseMap: σ must be finite and ≥ 0.");
        Sigma = sigma;
        Seed = seed;
        _rng = new Rng(seed);
    }

    /// <inheritdoc/>
    public string Name => string.Create(CultureInfo.InvariantCulture, $"noise σ={Sigma:G4}");

    /// <inheritdoc/>
    public int[] OutputSampleShape(ReadOnlySpan<int> inputSampleShape) => inputSampleShape.ToArray();

    /// <inheritdoc/>
    public Tensor Apply(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ReadOnlySpan<float> x = batch.Span;
        var y = GC.AllocateUninitializedArray<float>(x.Length);
        float sigma = (float)Sigma;
        lock (_gate)
        {
            for (int i = 0; i < y.Length; i++)
                y[i] = Math.Clamp(x[i] + sigma * (float)_rng.Normal(), 0f, 1f);
        }
        return new Tensor(y, batch.Shape.ToArray());
    }
}
