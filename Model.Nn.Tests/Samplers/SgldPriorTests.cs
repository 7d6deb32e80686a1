using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Tests.Samplers;

/// <summary><see cref="Sgld"/> with no likelihood, and <see cref="PolynomialDecay.Between"/>'s end points.</summary>
public class SgldPriorTests
{
    [Fact]
    public void FlatLikelihoodSamplesThePriorUpToTheStepSizeBias()
    {
        // Zero likelihood gradient, prior precision λ, constant η: θ ← (1 − ηλ/2)θ + √η z is an AR(1) chain whose
        // stationary variance is 1/(λ(1 − ηλ/4)), i.e. the prior's 1/λ with an O(η) bias (+1% here). 2000 coordinates
        // × 1500 recorded steps after a burn-in of 500 (the chain forgets its start in ~2/(ηλ) = 50 steps).
        const int d = 2000;
        const double lambda = 4, eta = 0.01;
        var theta = Tensor.Full(3f, d); // far from the prior's bulk
        theta.RequiresGrad = true;
        theta.Grad = Tensor.Zeros(d);
        var sgld = new Sgld([theta], eta, lambda, datasetSize: 1000, seed: 3);
        double sum = 0, squares = 0;
        long n = 0;
        for (int t = 0; t < 2000; t++)
        {
            sgld.Step();
            if (t < 500) continue;
            foreach (float v in theta.Span) { sum += v; squares += (double)v * v; n++; }
        }
        double mean = sum / n, variance = squares / n;
        double stationary = 1 / (lambda * (1 - eta * lambda / 4));
        // Successive steps are correlated (AR(1) with φ = 1 − ηλ/2): the variance estimate's sd ≈ var·√(2/n_eff),
        // n_eff = n(1 − φ²)/(1 + φ²) for the squares.
        double phi = 1 - eta * lambda / 2, nEff = n * (1 - phi * phi) / (1 + phi * phi);
        double sd = stationary * Math.Sqrt(2 / nEff);
        Assert.True(Math.Abs(mean) < 4 * Math.Sqrt(stationary / nEff), $"mean {mean}");
        Assert.True(Math.Abs(variance - stationary) < 4 * sd, $"variance {variance}, stationary {stationary} ± {sd}");
        Assert.True(Math.Abs(variance * lambda - 1) < 0.03, $"λ·variance {variance * lambda}, prior 1");
        Assert.Equal(2000, sgld.Steps);
    }

    [Fact]
    public void OneStepHasTheLangevinDriftAndVarianceInEveryCoordinate()
    {
        // θ' = θ + (η/2)(−λθ − N·g) + N(0, η): with the same θ and g in 100,003 coordinates (the vector path and a
        // scalar tail), the residuals θ' − θ − drift are N(0, η) draws: mean 0 (sd √(η/d)) and variance η (sd η√(2/d)).
        const int d = 100_003;
        const double eta = 1e-3, lambda = 2, n = 50;
        const float theta0 = 0.7f, g0 = -0.3f;
        var theta = Tensor.Full(theta0, d);
        theta.RequiresGrad = true;
        theta.Grad = Tensor.Full(g0, d);
        new Sgld([theta], eta, lambda, n, seed: 9).Step();
        double drift = eta / 2 * (-lambda * theta0 - n * g0);
        double sum = 0, squares = 0;
        foreach (float v in theta.Span)
        {
            double r = v - theta0 - drift;
            sum += r;
            squares += r * r;
        }
        double mean = sum / d, variance = squares / d - mean * mean;
        Assert.InRange(mean, -5 * Math.Sqrt(eta / d), 5 * Math.Sqrt(eta / d));
        Assert.InRange(variance, eta * (1 - 5 * Math.Sqrt(2.0 / d)), eta * (1 + 5 * Math.Sqrt(2.0 / d)));
        // The tail coordinates (past the last whole vector) get noise too.
        Assert.NotEqual(theta.Span[d - 1], theta.Span[d - 2]);
    }

    [Theory]
    [InlineData(0.01, 1e-4, 1_000_000, 0.55)]
    [InlineData(0.5, 0.2, 37, 1.0)]
    public void BetweenHitsBothEndPoints(double first, double last, long steps, double gamma)
    {
        var p = Tensor.Zeros(1);
        p.RequiresGrad = true;
        var sgld = new Sgld([p], 1, 0, 1, 1);
        var schedule = PolynomialDecay.Between(sgld, first, last, steps, gamma);
        Assert.Equal(first, sgld.Groups[0].LearningRate, first * 1e-12);
        double previous = first;
        for (long t = 1; t <= steps; t++)
        {
            schedule.Step();
            Assert.True(sgld.Groups[0].LearningRate < previous);
            previous = sgld.Groups[0].LearningRate;
        }
        Assert.Equal(last, sgld.Groups[0].LearningRate, last * 1e-9);
        Assert.Equal(gamma, schedule.Exponent);
    }
}
