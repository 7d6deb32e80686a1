using Probabilistic.Core.Random;

namespace Probabilistic.Nn.Data;

/// <summary>
/// A 2-D two-class toy set for the Bayesian-dark-knowledge experiment (methods.md §5.2). The paper's exact toy set
/// is unknown, so this is our documented stand-in: two interleaving half-moons, the shape used for such toys.
/// Class 0: (cos t, sin t); class 1: (1 − cos t, 1/2 − sin t); t ~ U(0, π) per point; then isotropic Gaussian
/// noise of standard deviation <c>noise</c> on both coordinates. Labels alternate 0, 1, 0, … so every prefix is
/// balanced. The classes overlap for noise ≳ 0.2, which leaves the predictive uncertainty a Bayesian teacher
/// should capture.
/// </summary>
public static class TwoMoons
{
    /// <summary>Default number of points.</summary>
    public const int DefaultCount = 200;

    /// <summary>Default noise standard deviation.</summary>
    public const double DefaultNoise = 0.2;

    /// <summary>Draws <paramref name="count"/> points with the given seed.</summary>
    public static LabeledDataset Generate(int count = DefaultCount, double noise = DefaultNoise, ulong seed = 0)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "TwoMoons: the count must be positive.");
        if (!(noise >= 0)) throw new ArgumentOutOfRangeException(nameof(noise), noise, "TwoMoons: the noise must be a non-negative standard deviation.");
        var rng = new Rng(seed);
        var features = new float[2 * count];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int label = i % 2;
            double t = Math.PI * rng.NextDouble();
            double x = label == 0 ? Math.Cos(t) : 1 - Math.Cos(t);
            double y = label == 0 ? Math.Sin(t) : 0.5 - Math.Sin(t);
            features[2 * i] = (float)(x + noise * rng.Normal());
            features[2 * i + 1] = (float)(y + noise * rng.Normal());
            labels[i] = label;
        }
        return new LabeledDataset("two-moons", features, [2], labels, 2);
    }
}
