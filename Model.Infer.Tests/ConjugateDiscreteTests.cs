using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Graph;
using Range = Probabilistic.Infer.Graph.Range;

namespace Probabilistic.Infer.Tests;

/// <summary>
/// Beta–Bernoulli and Dirichlet–Discrete, the factors added in their own files: EP and VMP are exact here, so the
/// posterior must be Beta(a + heads, b + tails) / Dirichlet(α + counts) and the log evidence the beta-binomial /
/// Dirichlet-multinomial marginal likelihood of the sequence, checked two ways: log-gamma sums, and the Pólya-urn
/// chain rule Σᵢ log P(xᵢ | x₁, …, xᵢ₋₁) accumulated observation by observation.
/// </summary>
public class ConjugateDiscreteTests
{
    private static InferenceEngine Engine(bool ep) => new(ep ? new ExpectationPropagation() : new VariationalMessagePassing());

    private static bool[] Flips(int n, double p, ulong seed)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, n).Select(_ => rng.NextDouble() < p).ToArray();
    }

    /// <summary>log B(a + h, b + t) − log B(a, b) by log-gamma sums.</summary>
    private static double BetaBinomialLogGamma(double a, double b, int heads, int tails) =>
        SpecialFunctions.GammaLn(a + heads) + SpecialFunctions.GammaLn(b + tails) - SpecialFunctions.GammaLn(a + b + heads + tails)
        - SpecialFunctions.GammaLn(a) - SpecialFunctions.GammaLn(b) + SpecialFunctions.GammaLn(a + b);

    /// <summary>The Pólya urn: P(xᵢ = 1 | past) = (a + heads so far)/(a + b + i).</summary>
    private static double BetaBinomialUrn(double a, double b, bool[] flips)
    {
        double s = 0, h = 0;
        for (int i = 0; i < flips.Length; i++)
        {
            double pTrue = (a + h) / (a + b + i);
            s += Math.Log(flips[i] ? pTrue : 1 - pTrue);
            if (flips[i]) h++;
        }
        return s;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BetaBernoulliArrayIsExact(bool ep)
    {
        const double a = 2.5, b = 1.5;
        var flips = Flips(40, 0.3, 1);
        int heads = flips.Count(f => f), tails = flips.Length - heads;
        var p = Variable.Beta(a, b).Named("p");
        var r = new Range(flips.Length).Named("r");
        var x = Variable.Array<bool>(r).Named("x");
        x[r] = Variable.Bernoulli(p);
        x.ObservedValue = flips;
        var engine = Engine(ep);
        var post = engine.Infer<Beta>(p);
        Assert.Equal(a + heads, post.TrueCount, 10);
        Assert.Equal(b + tails, post.FalseCount, 10);
        double logEvidence = engine.LogEvidence(p);
        Assert.Equal(BetaBinomialLogGamma(a, b, heads, tails), logEvidence, 9);
        Assert.Equal(BetaBinomialUrn(a, b, flips), logEvidence, 9);
        Assert.True(engine.LastResult!.Converged);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BetaBernoulliScalarFlipsAndPredictiveAreExact(bool ep)
    {
        const double a = 1, b = 3;
        var flips = new[] { true, false, true, true };
        var p = Variable.Beta(a, b);
        foreach (bool f in flips) Variable.Bernoulli(p).ObservedValue = f;
        var next = Variable.Bernoulli(p);   // unobserved: the predictive
        var engine = Engine(ep);
        var post = engine.Infer<Beta>(p);
        Assert.Equal(a + 3, post.TrueCount, 10);
        Assert.Equal(b + 1, post.FalseCount, 10);
        Assert.Equal(BetaBinomialUrn(a, b, flips), engine.LogEvidence(p), 9);
        var predictive = engine.Infer<Bernoulli>(next);
        if (ep) Assert.Equal((a + 3) / (a + b + 4), predictive.GetProbTrue(), 10);   // E[p | data]
        else    // VMP's message to x: log odds E[log p] − E[log(1 − p)] under q(p) = Beta(4, 4): 0 by symmetry
            Assert.Equal(0.5, predictive.GetProbTrue(), 10);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BetaPerElementProbabilitiesAreExact(bool ep)
    {
        const double a = 2, b = 5;
        var flips = Flips(6, 0.5, 2);
        var r = new Range(flips.Length);
        var p = Variable.Array<double>(r).Named("p");
        p[r] = Variable.Beta(a, b);
        var x = Variable.Array<bool>(r);
        x[r] = Variable.Bernoulli(p[r]);
        x.ObservedValue = flips;
        var engine = Engine(ep);
        var post = engine.Infer<Beta[]>(p);
        double expected = 0;
        for (int i = 0; i < flips.Length; i++)
        {
            Assert.Equal(a + (flips[i] ? 1 : 0), post[i].TrueCount, 10);
            Assert.Equal(b + (flips[i] ? 0 : 1), post[i].FalseCount, 10);
            expected += Math.Log(flips[i] ? a / (a + b) : b / (a + b));
        }
        Assert.Equal(expected, engine.LogEvidence(p), 9);
    }

    [Fact]
    public void TemperedBernoulliScalesTheCounts()
    {
        var flips = new[] { true, true, false };
        var p = Variable.Beta(1, 1);
        var r = new Range(3);
        var x = Variable.Array<bool>(r);
        using (Variable.Repeat(0.5)) x[r] = Variable.Bernoulli(p);
        x.ObservedValue = flips;
        var post = new InferenceEngine().Infer<Beta>(p);
        Assert.Equal(1 + 0.5 * 2, post.TrueCount, 10);   // likelihood^0.5 = p^{0.5·heads}(1 − p)^{0.5·tails}
        Assert.Equal(1 + 0.5 * 1, post.FalseCount, 10);
    }

    /// <summary>Dirichlet-multinomial by log-gamma sums: log Γ(α₀) − log Γ(α₀ + n) + Σ_k [log Γ(α_k + n_k) − log Γ(α_k)].</summary>
    private static double DirichletMultinomialLogGamma(double[] alpha, int[] counts)
    {
        double s = SpecialFunctions.GammaLn(alpha.Sum()) - SpecialFunctions.GammaLn(alpha.Sum() + counts.Sum());
        for (int k = 0; k < alpha.Length; k++) s += SpecialFunctions.GammaLn(alpha[k] + counts[k]) - SpecialFunctions.GammaLn(alpha[k]);
        return s;
    }

    /// <summary>The Pólya urn: P(cᵢ = k | past) = (α_k + n_k so far)/(α₀ + i).</summary>
    private static double DirichletMultinomialUrn(double[] alpha, int[] labels)
    {
        var seen = new double[alpha.Length];
        double s = 0, total = alpha.Sum();
        for (int i = 0; i < labels.Length; i++)
        {
            s += Math.Log((alpha[labels[i]] + seen[labels[i]]) / (total + i));
            seen[labels[i]]++;
        }
        return s;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void DirichletDiscreteIsExact(bool ep)
    {
        var alpha = new[] { 1.5, 2.0, 0.7, 3.0 };
        var rng = new Rng(3);
        var labels = Enumerable.Range(0, 50).Select(_ => Discrete.FromProbabilities(new[] { 0.1, 0.4, 0.2, 0.3 }).Sample(rng)).ToArray();
        var counts = Enumerable.Range(0, 4).Select(k => labels.Count(c => c == k)).ToArray();
        var probs = Variable.Dirichlet(alpha).Named("probs");
        var r = new Range(labels.Length);
        var c = Variable.Array<int>(r);
        c[r] = Variable.Discrete(probs);
        c.ObservedValue = labels;
        var next = Variable.Discrete(probs);
        var engine = Engine(ep);
        var post = engine.Infer<Dirichlet>(probs);
        for (int k = 0; k < 4; k++) Assert.Equal(alpha[k] + counts[k], post.PseudoCounts[k], 10);
        double logEvidence = engine.LogEvidence(probs);
        Assert.Equal(DirichletMultinomialLogGamma(alpha, counts), logEvidence, 9);
        Assert.Equal(DirichletMultinomialUrn(alpha, labels), logEvidence, 9);
        if (ep)
        {
            var predictive = engine.Infer<Discrete>(next);
            for (int k = 0; k < 4; k++) Assert.Equal((alpha[k] + counts[k]) / (alpha.Sum() + labels.Length), predictive[k], 10);
        }
    }

    [Fact]
    public void DiscreteWithObservedProbabilitiesGivesTheLikelihood()
    {
        var probs = Variable.Observed(Vector<double>.Build.Dense(new[] { 0.2, 0.5, 0.3 }));
        var labels = new[] { 1, 2, 1, 0 };
        var r = new Range(labels.Length);
        var c = Variable.Array<int>(r);
        c[r] = Variable.Discrete(probs);
        c.ObservedValue = labels;
        var engine = new InferenceEngine();
        Assert.Equal(Math.Log(0.5 * 0.3 * 0.5 * 0.2), engine.Run(c).LogEvidence, 12);
    }

    [Fact]
    public void UnsupportedArgumentsAreRefusedWhenTheModelIsBuilt()
    {
        var g = Variable.GaussianFromMeanAndVariance(0, 1).Named("g");
        var e = Assert.Throws<NotSupportedException>(() => Variable.Bernoulli(g));
        Assert.Contains("Variable.Bernoulli", e.Message);
        Assert.Contains("'g'", e.Message);
        Assert.Throws<ArgumentException>(() => Variable.Bernoulli(1.5));
        var probs = Variable.Dirichlet(1, 1, 1);
        var c = Variable.Discrete(probs);
        var bad = Assert.Throws<ArgumentException>(() => c.ObservedValue = 3);
        Assert.Contains("outside [0, 3)", bad.Message);
        Assert.Throws<ArgumentException>(() => Variable.Dirichlet(1, 0));
    }
}
