using System.Diagnostics;
using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;
using Probabilistic.TestSupport;
using Xunit.Abstractions;

namespace Probabilistic.Nn.Tests.Samplers;

/// <summary>
/// The product's <see cref="Sgld"/> on the Welling–Teh two-mode posterior (spec §5.2 "SGLD unit test"), against the
/// exact posterior on a 50 × 50 grid (<see cref="WellingTehToy"/>).
/// </summary>
public class SgldWellingTehTests(ITestOutputHelper output)
{
    /// <summary>θ = (θ1, θ2) as one parameter tensor [2].</summary>
    private sealed class TwoParameters : Module
    {
        public Tensor Theta { get; }

        public TwoParameters(double t1, double t2) => Theta = RegisterParameter("theta", Tensor.FromArray([(float)t1, (float)t2], 2));

        protected override Tensor ForwardCore(Tensor input) => throw new NotSupportedException("only the loss is used");
    }

    /// <summary>
    /// The minibatch loss SGLD back-propagates for one point x: −log p(x | θ) + (−log p(θ))/N, the mean NLL of a minibatch
    /// of one with the prior spread over the N points (Sgld's own λ is one precision for all coordinates; the two prior
    /// variances differ, so the prior goes into the loss and λ = 0). Hand gradient into g1, g2.
    /// </summary>
    internal static double Loss(double x, double t1, double t2, out double g1, out double g2)
    {
        const double s2 = WellingTehToy.NoiseVariance;
        double u = x - t1, v = x - t1 - t2;
        double a = -u * u / (2 * s2), b = -v * v / (2 * s2);
        double r2 = 1 / (1 + Math.Exp(a - b)); // responsibility of the θ1 + θ2 component
        double r1 = 1 - r2;
        double m = Math.Max(a, b);
        double nll = -(m + Math.Log(0.5 * Math.Exp(a - m) + 0.5 * Math.Exp(b - m)));
        g1 = -(r1 * u + r2 * v) / s2 + t1 / (WellingTehToy.PriorVariance1 * WellingTehToy.N);
        g2 = -r2 * v / s2 + t2 / (WellingTehToy.PriorVariance2 * WellingTehToy.N);
        return nll + (t1 * t1 / (2 * WellingTehToy.PriorVariance1) + t2 * t2 / (2 * WellingTehToy.PriorVariance2)) / WellingTehToy.N;
    }

    [Fact]
    public void HandGradientMatchesFiniteDifferencesAndLossesSumToTheNegativeLogPosterior()
    {
        var rng = new Rng(5);
        for (int trial = 0; trial < 50; trial++)
        {
            double x = rng.Normal(0.5, 2), t1 = rng.Normal(0.5, 1.5), t2 = rng.Normal(0, 2);
            Loss(x, t1, t2, out double g1, out double g2);
            const double h = 1e-5;
            double fd1 = (Loss(x, t1 + h, t2, out _, out _) - Loss(x, t1 - h, t2, out _, out _)) / (2 * h);
            double fd2 = (Loss(x, t1, t2 + h, out _, out _) - Loss(x, t1, t2 - h, out _, out _)) / (2 * h);
            Assert.Equal(fd1, g1, 1e-6 * Math.Max(1, Math.Abs(fd1)));
            Assert.Equal(fd2, g2, 1e-6 * Math.Max(1, Math.Abs(fd2)));
        }
        // Σ_i loss_i(θ) = −log posterior(θ) + const: the differences between two points agree.
        double Sum(double t1, double t2) => WellingTehToy.Data.Sum(x => Loss(x, t1, t2, out _, out _));
        double d = Sum(0.3, -0.7) - Sum(-0.2, 1.1);
        Assert.Equal(-(WellingTehToy.LogPosterior(0.3, -0.7) - WellingTehToy.LogPosterior(-0.2, 1.1)), d, 1e-9);
    }

    private const long Steps = 1_000_000;

    /// <summary>
    /// One SGLD chain through the product path: a <see cref="Module"/> with one parameter [2], <see cref="Sgld"/> with
    /// N = 100, λ = 0, minibatch M = 1 drawn uniformly, η_t from <see cref="PolynomialDecay.Between"/>(0.01 → 1e-4 over
    /// 10⁶ steps, γ = 0.55), stepped once per iteration. The loss enters through <see cref="Ops.ScalarWithGradient"/>
    /// and backward when <paramref name="autograd"/>; otherwise the same hand gradient is written into the parameter's
    /// <see cref="Tensor.Grad"/> directly (no tensor, node or scope per step). Every state after step t is binned.
    /// </summary>
    private static float[] Chain(ulong seed, bool autograd, long steps, long[] counts, ref long outside)
    {
        var module = new TwoParameters(0, 0);
        var theta = module.Theta;
        var sgld = new Sgld(module.Parameters(), stepSize: 0.01, priorPrecision: 0, datasetSize: WellingTehToy.N, seed: seed);
        var schedule = PolynomialDecay.Between(sgld, 0.01, 1e-4, Steps, 0.55);
        var minibatch = new Rng(seed ^ 0x9E3779B97F4A7C15UL);
        var data = WellingTehToy.Data;
        if (!autograd) theta.Grad = Tensor.Zeros(2);
        for (long t = 0; t < steps; t++)
        {
            double x = data[minibatch.NextInt(WellingTehToy.N)];
            var span = theta.Span;
            if (autograd)
            {
                sgld.ZeroGrad();
                using (TensorScope.Begin())
                {
                    var grad = Ops.PrecomputedGradientBuffer(theta)!;
                    double value = Loss(x, span[0], span[1], out double g1, out double g2);
                    grad[0] = (float)g1;
                    grad[1] = (float)g2;
                    Ops.ScalarWithGradient("WellingTehLoss", theta, value, grad).Backward();
                }
            }
            else
            {
                Loss(x, span[0], span[1], out double g1, out double g2);
                var g = theta.Grad!.Span;
                g[0] = (float)g1;
                g[1] = (float)g2;
            }
            sgld.Step();
            schedule.Step();
            int cell = WellingTehToy.Cell(span[0], span[1]);
            if (cell < 0) outside++;
            else counts[cell]++;
        }
        return theta.ToArray();
    }

    [Fact]
    public void DirectGradientChainIsTheAutogradChainAndDoesNotAllocatePerStep()
    {
        // The slow test writes the hand gradient straight into theta.Grad; through ScalarWithGradient + Backward the
        // same chain must come out bit for bit (same Sgld, schedule and noise), so the shortcut changes nothing but speed.
        var countsA = new long[WellingTehToy.Cells * WellingTehToy.Cells];
        var countsB = new long[countsA.Length];
        long outA = 0, outB = 0;
        var viaAutograd = Chain(7, autograd: true, 20_000, countsA, ref outA);
        var direct = Chain(7, autograd: false, 20_000, countsB, ref outB);
        Assert.Equal(viaAutograd, direct);
        Assert.Equal(countsA, countsB);
        Assert.Equal(outA, outB);

        // Allocation: a chain of 200k steps allocates no more than one of 1k (the setup), i.e. nothing per step.
        long Allocated(long steps)
        {
            var counts = new long[countsA.Length];
            long outside = 0;
            long before = GC.GetAllocatedBytesForCurrentThread();
            Chain(8, autograd: false, steps, counts, ref outside);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Allocated(1_000); // warm up (JIT, static data)
        long small = Allocated(1_000), large = Allocated(200_000);
        output.WriteLine($"allocated: {small} B for 1k steps, {large} B for 200k steps");
        Assert.True(large - small < 1_000, $"the SGLD chain allocates per step: {small} B for 1k steps, {large} B for 200k");
    }

    private const int Chains = 40;

    /// <summary>
    /// 40 chains of 10⁶ steps (seeds 100…139, all started at (0, 0), every state binned, no burn-in), pooled. Measured:
    /// single chains give TV 0.10–0.37 with the upper mode's share between 0.18 and 0.83 (the decaying step size
    /// slows the crossings), the first 10 pooled 0.089, all 40 pooled 0.079; the exact shares are 0.473 (θ2 &gt; 0.3) and 0.442
    /// (θ2 &lt; −0.3). About 0.1 µs and no allocation per step on this path, ~4.5 s in all; through autograd
    /// (ScalarWithGradient + Backward + a TensorScope per step) it is ~2–4 µs and ~500 B per step.
    /// </summary>
    [Fact]
    [Trait(Category.Name, Category.Slow)]
    public void PooledChainsMatchTheGridPosterior()
    {
        var exact = WellingTehToy.GridPosterior();
        var pooled = new long[exact.Length];
        long pooledOutside = 0;
        var sw = Stopwatch.StartNew();
        for (int c = 0; c < Chains; c++)
        {
            var counts = new long[exact.Length];
            long outside = 0;
            Chain((ulong)(100 + c), autograd: false, Steps, counts, ref outside);
            var (up, low) = WellingTehToy.ModeShares(counts, outside);
            output.WriteLine($"chain {c}: TV {WellingTehToy.TotalVariation(counts, outside, exact):F3}, upper {up:F3}, lower {low:F3}");
            for (int k = 0; k < counts.Length; k++) pooled[k] += counts[k];
            pooledOutside += outside;
        }
        var (pu, pl) = WellingTehToy.ModeShares(pooled, pooledOutside);
        double tv = WellingTehToy.TotalVariation(pooled, pooledOutside, exact);
        output.WriteLine($"pooled: TV {tv:F3}, upper {pu:F3}, lower {pl:F3}, {sw.Elapsed.TotalSeconds:F1} s");
        Assert.True(tv < 0.1, $"pooled TV {tv:F3} to the grid posterior");
        Assert.True(pu > 0.3 && pl > 0.3, $"both modes must be visited: shares {pu:F3} (θ2 > 0.3) and {pl:F3} (θ2 < −0.3); exact 0.473 and 0.442");
    }
}
