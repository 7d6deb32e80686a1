using Probabilistic.Core.Random;

namespace Probabilistic.Nn.Data;

/// <summary>
/// The mixture toy of Welling and Teh (2011, §5.1), used to test SGLD (methods.md §5.2): prior θ1 ~ N(0, 10),
/// θ2 ~ N(0, 1); data x_i ~ ½ N(θ1, 2) + ½ N(θ1 + θ2, 2) (all second arguments are variances), 100 points drawn with
/// (θ1, θ2) = (0, 1). The likelihood is symmetric under (θ1, θ2) → (θ1 + θ2, −θ2); whether the posterior splits
/// into two modes depends on the draw (on the sample variance). The paper's draw is unknown and gave modes near
/// (0, 1) and (1, −1); <see cref="DefaultSeed"/> is a seed whose draw does the same (grid modes at (−0.08, 0.92) and
/// (0.84, −0.92)). Of seeds 0..15, seven give such a bimodal posterior and the others one mode near θ2 = 0.
/// </summary>
public sealed record WellingTehMixture(double[] Data, double Theta1, double Theta2)
{
    /// <summary>Prior variance of θ1.</summary>
    public const double PriorVariance1 = 10;

    /// <summary>Prior variance of θ2.</summary>
    public const double PriorVariance2 = 1;

    /// <summary>Variance of each mixture component.</summary>
    public const double NoiseVariance = 2;

    /// <summary>The default seed: its 100 points give the paper's bimodal posterior (see the summary).</summary>
    public const ulong DefaultSeed = 7;

    /// <summary>Draws <paramref name="count"/> points: each picks a component with probability ½, then adds N(0, 2) noise.</summary>
    public static WellingTehMixture Generate(int count = 100, double theta1 = 0, double theta2 = 1, ulong seed = DefaultSeed)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "WellingTehMixture: the count must be positive.");
        var rng = new Rng(seed);
        var data = new double[count];
        double std = Math.Sqrt(NoiseVariance);
        for (int i = 0; i < count; i++)
        {
            double mean = rng.NextDouble() < 0.5 ? theta1 : theta1 + theta2;
            data[i] = mean + std * rng.Normal();
        }
        return new WellingTehMixture(data, theta1, theta2);
    }

    /// <summary>
    /// log p(θ1, θ2, x) = log prior + Σ_i log(½ N(x_i | θ1, 2) + ½ N(x_i | θ1 + θ2, 2)), with all constants
    /// (the unnormalised log posterior; grid it and normalise to get the exact posterior).
    /// </summary>
    public double LogJoint(double theta1, double theta2)
    {
        double logPrior = Probabilistic.Core.Numerics.NormalDensity.Log(theta1, 0, PriorVariance1) + Probabilistic.Core.Numerics.NormalDensity.Log(theta2, 0, PriorVariance2);
        double logLik = 0;
        foreach (double x in Data)
        {
            double a = Probabilistic.Core.Numerics.NormalDensity.Log(x, theta1, NoiseVariance), b = Probabilistic.Core.Numerics.NormalDensity.Log(x, theta1 + theta2, NoiseVariance);
            double m = Math.Max(a, b);
            logLik += m + Math.Log(0.5 * Math.Exp(a - m) + 0.5 * Math.Exp(b - m));
        }
        return logPrior + logLik;
    }
}
