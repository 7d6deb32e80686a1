using Probabilistic.Core.Random;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Layers;

/// <summary>Parameter initialisers matching PyTorch's defaults in distribution, drawn from a seeded <see cref="Rng"/>.</summary>
public static class Init
{
    /// <summary>Fills with U(−bound, bound).</summary>
    public static void Uniform(Tensor t, double bound, Rng rng)
    {
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = (float)rng.Uniform(-bound, bound);
    }

    /// <summary>
    /// PyTorch's default for Linear and Conv weights: kaiming_uniform_(a = √5), i.e. U(±gain·√(3/fan_in)) with
    /// gain = √(2/(1 + a²)) = √(1/3), which is U(±1/√fan_in).
    /// </summary>
    public static void KaimingUniformDefault(Tensor weight, int fanIn, Rng rng)
    {
        double gain = Math.Sqrt(2.0 / (1 + 5.0));
        Uniform(weight, gain * Math.Sqrt(3.0 / fanIn), rng);
    }

    /// <summary>PyTorch's default bias for Linear and Conv: U(±1/√fan_in).</summary>
    public static void BiasDefault(Tensor bias, int fanIn, Rng rng) => Uniform(bias, 1.0 / Math.Sqrt(fanIn), rng);
}
