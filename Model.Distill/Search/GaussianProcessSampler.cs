using Probabilistic.Core.Random;

namespace Probabilistic.Distill.Search;

/// <summary>Settings of a <see cref="GaussianProcessSampler"/>.</summary>
/// <param name="Kernel">The GP kernel on the flat encoding.</param>
/// <param name="InitialRandomTrials">How many first trials are uniform draws from the space, before the GP is used (at least 1).</param>
/// <param name="Candidates">How many candidate points each proposal scores by expected improvement.</param>
/// <param name="LocalFraction">The share of candidates drawn near the best point so far (the rest uniformly from the space).</param>
/// <param name="LengthScales">The length scales tried; the one with the largest marginal likelihood is used (one value: fixed).
/// Null: 0.05, 0.1, 0.2, 0.4, 0.8, 1.6.</param>
/// <param name="NoiseVariance">The observation noise variance, relative to the standardised scores.</param>
/// <param name="Xi">The margin of the expected improvement, on the standardised scale.</param>
public sealed record GaussianProcessSamplerOptions(
    GpKernel Kernel = GpKernel.Matern52,
    int InitialRandomTrials = 5,
    int Candidates = 1000,
    double LocalFraction = 0.5,
    IReadOnlyList<double>? LengthScales = null,
    double NoiseVariance = 1e-6,
    double Xi = 0.0);

/// <summary>
/// Model-based search: a Gaussian process on the flat encoding of the points scored so far (scores standardised to
/// mean 0 and variance 1, signal variance 1, the length scale chosen from a grid by the marginal likelihood), and the
/// next point is the candidate of largest expected improvement over the best score. Candidates are uniform draws from
/// the space and, for <see cref="GaussianProcessSamplerOptions.LocalFraction"/> of them, perturbations of the best point
/// (Dirichlet(κ·best + 0.01) per simplex block, best + N(0, s²) clipped to [0, 1] per box entry, with κ and s drawn from
/// three scales). The first <see cref="GaussianProcessSamplerOptions.InitialRandomTrials"/> points are uniform draws.
/// Deterministic under the generator passed to <see cref="Propose"/>.
/// </summary>
public sealed class GaussianProcessSampler : ITrialSampler
{
    private static readonly double[] DefaultLengthScales = [0.05, 0.1, 0.2, 0.4, 0.8, 1.6];
    private static readonly double[] Concentrations = [10, 50, 250];
    private static readonly double[] BoxSteps = [0.2, 0.05, 0.01];

    /// <summary>A sampler with the given settings (defaults when null).</summary>
    public GaussianProcessSampler(GaussianProcessSamplerOptions? options = null)
    {
        Options = options ?? new GaussianProcessSamplerOptions();
        if (Options.InitialRandomTrials < 1)
            throw new ArgumentOutOfRangeException(nameof(options), Options.InitialRandomTrials, "GaussianProcessSampler: InitialRandomTrials must be >= 1.");
        if (Options.Candidates < 1)
            throw new ArgumentOutOfRangeException(nameof(options), Options.Candidates, "GaussianProcessSampler: Candidates must be >= 1.");
        if (!(Options.LocalFraction >= 0 && Options.LocalFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(options), Options.LocalFraction, "GaussianProcessSampler: LocalFraction must be in [0, 1].");
        if (!(Options.NoiseVariance > 0) || !double.IsFinite(Options.NoiseVariance))
            throw new ArgumentOutOfRangeException(nameof(options), Options.NoiseVariance, "GaussianProcessSampler: NoiseVariance must be finite and > 0.");
        var scales = Options.LengthScales ?? DefaultLengthScales;
        if (scales.Count == 0 || scales.Any(l => !(l > 0) || !double.IsFinite(l)))
            throw new ArgumentException("GaussianProcessSampler: LengthScales must be non-empty, finite and > 0.", nameof(options));
        LengthScales = scales.ToArray();
    }

    /// <summary>The settings.</summary>
    public GaussianProcessSamplerOptions Options { get; }

    /// <summary>The length-scale grid in use.</summary>
    public IReadOnlyList<double> LengthScales { get; }

    /// <summary>The length scale chosen by the last model-based proposal (NaN before one).</summary>
    public double LastLengthScale { get; private set; } = double.NaN;

    /// <inheritdoc />
    public double[] Propose(SearchSpace space, IReadOnlyList<ScoredPoint> history, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(rng);
        if (history.Count < Options.InitialRandomTrials) return space.Sample(rng);

        var gp = Fit(history, Options.Kernel, LengthScales, Options.NoiseVariance);
        LastLengthScale = gp.LengthScale;
        int bestIndex = 0;
        for (int i = 1; i < history.Count; i++)
            if (history[i].Score > history[bestIndex].Score) bestIndex = i;
        double[] best = history[bestIndex].Point;
        // The incumbent is the best observed score, standardised as the model saw it.
        double bestStandardised = StandardisedScores(history)[bestIndex];

        int local = (int)Math.Round(Options.LocalFraction * Options.Candidates);
        var candidate = new double[space.Dimension];
        var chosen = new double[space.Dimension];
        var alpha = new double[space.Blocks.Max(b => b.Size)];
        double bestEi = double.NegativeInfinity;
        for (int c = 0; c < Options.Candidates; c++)
        {
            if (c < local) Perturb(space, best, rng, alpha, candidate);
            else space.Sample(rng, candidate);
            var (mean, variance) = gp.Predict(candidate);
            double ei = ExpectedImprovement.Of(mean, Math.Sqrt(variance), bestStandardised, Options.Xi);
            if (ei > bestEi)
            {
                bestEi = ei;
                candidate.CopyTo(chosen, 0);
            }
        }
        return chosen;
    }

    /// <summary>The GP on standardised scores whose length scale (from <paramref name="lengthScales"/>) has the largest
    /// marginal likelihood.</summary>
    public static GaussianProcess Fit(IReadOnlyList<ScoredPoint> history, GpKernel kernel, IReadOnlyList<double> lengthScales, double noiseVariance)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(lengthScales);
        if (history.Count == 0) throw new ArgumentException("GaussianProcessSampler.Fit: the history is empty.", nameof(history));
        var inputs = new double[history.Count][];
        var y = StandardisedScores(history);
        for (int i = 0; i < history.Count; i++) inputs[i] = history[i].Point;
        GaussianProcess? best = null;
        foreach (double l in lengthScales)
        {
            var gp = new GaussianProcess(inputs, y, kernel, l, 1.0, noiseVariance);
            if (best is null || gp.LogMarginalLikelihood > best.LogMarginalLikelihood) best = gp;
        }
        return best ?? throw new ArgumentException("GaussianProcessSampler.Fit: no length scales.", nameof(lengthScales));
    }

    private static double[] StandardisedScores(IReadOnlyList<ScoredPoint> history)
    {
        double mean = 0;
        foreach (var p in history) mean += p.Score;
        mean /= history.Count;
        double var = 0;
        foreach (var p in history) var += (p.Score - mean) * (p.Score - mean);
        double std = Math.Sqrt(var / history.Count);
        var y = new double[history.Count];
        for (int i = 0; i < y.Length; i++) y[i] = std > 0 ? (history[i].Score - mean) / std : 0.0;
        return y;
    }

    private static void Perturb(SearchSpace space, double[] best, Rng rng, double[] alpha, double[] destination)
    {
        int scale = rng.NextInt(Concentrations.Length);
        for (int b = 0; b < space.Blocks.Count; b++)
        {
            var block = space.Blocks[b];
            int offset = space.Offset(b);
            var target = destination.AsSpan(offset, block.Size);
            if (block.Kind == SearchBlockKind.Box)
            {
                for (int i = 0; i < block.Size; i++)
                    target[i] = Math.Clamp(best[offset + i] + BoxSteps[scale] * rng.Normal(), 0.0, 1.0);
            }
            else
            {
                for (int i = 0; i < block.Size; i++) alpha[i] = Concentrations[scale] * best[offset + i] + 0.01;
                rng.Dirichlet(alpha.AsSpan(0, block.Size), target);
            }
        }
    }
}
