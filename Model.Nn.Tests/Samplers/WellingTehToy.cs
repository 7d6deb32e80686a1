namespace Probabilistic.Nn.Tests.Samplers;

/// <summary>
/// The Welling–Teh (2011, §5.1) two-mode posterior: θ1 ~ N(0, 10), θ2 ~ N(0, 1), x_i ~ ½N(θ1, 2) + ½N(θ1 + θ2, 2)
/// (all VARIANCES), 100 points drawn with (θ1, θ2) = (0, 1). The likelihood is symmetric under
/// (θ1, θ2) ↦ (θ1 + θ2, −θ2), so the posterior has a mode near (0, 1) and its mirror near (1, −1); only the prior
/// tells them apart, and for many data draws the two merge. <see cref="DataSeed"/> = 182 was picked offline among
/// seeds 1…300: it is one whose exact posterior has two separate interior maxima, (−0.11, 1.30) and (1.18, −1.30),
/// the closest to the paper's (0, 1) and (1, −1) of all such seeds, with 48% of the mass at θ2 &lt; 0 and a saddle on the
/// segment between the modes at 0.32 of the lower peak's density (a clear valley, shallow enough that a chain can
/// cross it). Everything here is in double and written from the model's definition, independently of Model.Nn.
/// </summary>
internal static class WellingTehToy
{
    public const ulong DataSeed = 182;
    public const int N = 100;
    public const double PriorVariance1 = 10, PriorVariance2 = 1, NoiseVariance = 2;

    /// <summary>The grid of the check: θ1 ∈ [−1.5, 2.5], θ2 ∈ [−3, 3] (holds all but ~1e-5 of the posterior mass), 50 × 50 cells.</summary>
    public const double Min1 = -1.5, Max1 = 2.5, Min2 = -3, Max2 = 3;
    public const int Cells = 50;

    /// <summary>The 100 points: the library's generator of this toy (Model.Nn's WellingTehMixture) at seed 182.</summary>
    public static readonly double[] Data = Probabilistic.Nn.Data.WellingTehMixture.Generate(N, theta1: 0, theta2: 1, seed: DataSeed).Data;

    /// <summary>log p(x | θ) of one point, up to the constant −log √(2π·2).</summary>
    public static double LogLikelihood(double x, double t1, double t2)
    {
        double u = x - t1, v = x - t1 - t2;
        double a = -u * u / (2 * NoiseVariance), b = -v * v / (2 * NoiseVariance);
        double m = Math.Max(a, b);
        return m + Math.Log(0.5 * Math.Exp(a - m) + 0.5 * Math.Exp(b - m));
    }

    /// <summary>log prior + Σ log-likelihood, up to a constant.</summary>
    public static double LogPosterior(double t1, double t2)
    {
        double s = -t1 * t1 / (2 * PriorVariance1) - t2 * t2 / (2 * PriorVariance2);
        foreach (double x in Data) s += LogLikelihood(x, t1, t2);
        return s;
    }

    /// <summary>The exact posterior's cell probabilities on the grid (density at cell centres, normalised), [i1 * Cells + i2].</summary>
    public static double[] GridPosterior()
    {
        var logp = new double[Cells * Cells];
        double max = double.NegativeInfinity;
        for (int i = 0; i < Cells; i++)
            for (int j = 0; j < Cells; j++)
            {
                double t1 = Min1 + (i + 0.5) * (Max1 - Min1) / Cells, t2 = Min2 + (j + 0.5) * (Max2 - Min2) / Cells;
                logp[i * Cells + j] = LogPosterior(t1, t2);
                max = Math.Max(max, logp[i * Cells + j]);
            }
        double total = 0;
        for (int k = 0; k < logp.Length; k++) total += logp[k] = Math.Exp(logp[k] - max);
        for (int k = 0; k < logp.Length; k++) logp[k] /= total;
        return logp;
    }

    /// <summary>The grid cell of θ, or −1 outside the grid.</summary>
    public static int Cell(double t1, double t2)
    {
        int i = (int)Math.Floor((t1 - Min1) / (Max1 - Min1) * Cells), j = (int)Math.Floor((t2 - Min2) / (Max2 - Min2) * Cells);
        return i < 0 || i >= Cells || j < 0 || j >= Cells ? -1 : i * Cells + j;
    }

    /// <summary>
    /// Total variation ½ Σ |p̂ − p| between a histogram of samples (counts per cell plus those outside the grid, whose
    /// exact mass is taken as 0) and the grid posterior.
    /// </summary>
    public static double TotalVariation(long[] counts, long outside, double[] exact)
    {
        double total = outside;
        foreach (long c in counts) total += c;
        double tv = outside / total;
        for (int k = 0; k < exact.Length; k++) tv += Math.Abs(counts[k] / total - exact[k]);
        return tv / 2;
    }

    /// <summary>Fraction of the histogram at θ2 &gt; 0.3 and at θ2 &lt; −0.3 (the two modes' sides).</summary>
    public static (double Upper, double Lower) ModeShares(long[] counts, long outside)
    {
        double total = outside, upper = 0, lower = 0;
        for (int i = 0; i < Cells; i++)
            for (int j = 0; j < Cells; j++)
            {
                long c = counts[i * Cells + j];
                total += c;
                double t2 = Min2 + (j + 0.5) * (Max2 - Min2) / Cells;
                if (t2 > 0.3) upper += c;
                else if (t2 < -0.3) lower += c;
            }
        return (upper / total, lower / total);
    }
}
