using Probabilistic.Core.Random;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Losses;
using Probabilistic.Nn.Samplers;
using Probabilistic.Nn.Tensors;
using Probabilistic.TestSupport;
using Xunit.Abstractions;

namespace Probabilistic.Nn.Tests.Samplers;

/// <summary><see cref="Hmc"/> and <see cref="ModulePosterior"/> against closed-form Gaussians and the Welling–Teh grid posterior.</summary>
public class HmcTests(ITestOutputHelper output)
{
    /// <summary>Mean and batch-means standard error of a series (batches of 100 absorb the chain's autocorrelation).</summary>
    private static (double Mean, double Se) BatchMean(IReadOnlyList<double> xs)
    {
        const int batch = 100;
        int nb = xs.Count / batch;
        var means = new double[nb];
        for (int b = 0; b < nb; b++)
        {
            double s = 0;
            for (int i = 0; i < batch; i++) s += xs[b * batch + i];
            means[b] = s / batch;
        }
        double m = means.Average(), v = means.Sum(x => (x - m) * (x - m)) / (nb - 1);
        return (m, Math.Sqrt(v / nb));
    }

    [Fact]
    public void CorrelatedGaussianMomentsMatchWithinMonteCarloError()
    {
        // N(μ, Σ) with μ = (1, −2), sd (1, 3), correlation 0.9: Σ⁻¹ in closed form for the 2 × 2 case.
        double m1 = 1, m2 = -2, s1 = 1, s2 = 3, rho = 0.9;
        double det = s1 * s1 * s2 * s2 * (1 - rho * rho);
        double q11 = s2 * s2 / det, q22 = s1 * s1 / det, q12 = -rho * s1 * s2 / det;
        double LogDensity(ReadOnlySpan<double> t, Span<double> g)
        {
            double d1 = t[0] - m1, d2 = t[1] - m2;
            g[0] = -(q11 * d1 + q12 * d2);
            g[1] = -(q12 * d1 + q22 * d2);
            return -0.5 * (d1 * (q11 * d1 + q12 * d2) + d2 * (q12 * d1 + q22 * d2));
        }
        var hmc = new Hmc(LogDensity, [0.0, 0.0], stepSize: 0.3, leapfrogSteps: 10, seed: 11);
        var samples = hmc.Sample(count: 20_000, burnIn: 500);
        output.WriteLine($"acceptance {hmc.AcceptanceRate:F3}");
        Assert.InRange(hmc.AcceptanceRate, 0.6, 0.99);
        Assert.Equal(20_500, hmc.Transitions);

        void Check(string name, Func<double[], double> f, double expected)
        {
            var (mean, se) = BatchMean(samples.Select(f).ToArray());
            output.WriteLine($"{name}: {mean:F4} ± {se:F4} (exact {expected})");
            Assert.True(Math.Abs(mean - expected) < 4 * se + 1e-12, $"{name}: {mean} ± {se}, exact {expected}");
            Assert.True(se < 0.1 * Math.Max(1, Math.Abs(expected)), $"{name}: standard error {se} too large to test anything");
        }
        Check("E θ1", t => t[0], m1);
        Check("E θ2", t => t[1], m2);
        Check("Var θ1", t => (t[0] - m1) * (t[0] - m1), s1 * s1);
        Check("Var θ2", t => (t[1] - m2) * (t[1] - m2), s2 * s2);
        Check("Cov", t => (t[0] - m1) * (t[1] - m2), rho * s1 * s2);
    }

    [Fact]
    public void TinyStepsConserveEnergySoNearlyEverythingIsAccepted()
    {
        // Leapfrog error in H is O(ε²): with ε = 1e-3 the Metropolis correction should (almost) never reject.
        double LogDensity(ReadOnlySpan<double> t, Span<double> g)
        {
            g[0] = -t[0] * 4;
            return -2 * t[0] * t[0];
        }
        var hmc = new Hmc(LogDensity, [0.3], stepSize: 1e-3, leapfrogSteps: 1, seed: 2);
        for (int i = 0; i < 2000; i++) hmc.Step();
        Assert.True(hmc.AcceptanceRate > 0.999, $"acceptance {hmc.AcceptanceRate}");
        // A step far past the leapfrog stability limit (ε·ω = 3·2 > 2) blows up the energy and is rejected almost always.
        var wild = new Hmc(LogDensity, [0.3], stepSize: 3, leapfrogSteps: 5, seed: 2);
        for (int i = 0; i < 500; i++) wild.Step();
        Assert.True(wild.AcceptanceRate < 0.1, $"acceptance {wild.AcceptanceRate}");
        Assert.True(double.IsFinite(wild.Position[0]));
    }

    [Fact]
    public void BadSettingsThrow()
    {
        static double F(ReadOnlySpan<double> t, Span<double> g) { g[0] = -t[0]; return -0.5 * t[0] * t[0]; }
        Assert.Throws<ArgumentOutOfRangeException>(() => new Hmc(F, [0.0], 0, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Hmc(F, [0.0], 0.1, 0, 1));
        Assert.Throws<ArgumentException>(() => new Hmc(F, ReadOnlySpan<double>.Empty, 0.1, 1, 1));
        Assert.Throws<ArgumentException>(() => new Hmc((t, g) => double.NegativeInfinity, [0.0], 0.1, 1, 1));
    }

    /// <summary>
    /// HMC on the Welling–Teh posterior (full-batch, double) against the grid: this makes it the reference sampler for
    /// the toy. Log density from the model's definition; gradient −Σ of the SGLD test's hand loss gradient (checked
    /// there against finite differences).
    /// </summary>
    [Fact]
    [Trait(Category.Name, Category.Slow)]
    public void WellingTehPosteriorMatchesTheGrid()
    {
        var data = WellingTehToy.Data;
        double LogDensity(ReadOnlySpan<double> t, Span<double> g)
        {
            double g1 = 0, g2 = 0;
            foreach (double x in data)
            {
                SgldWellingTehTests.Loss(x, t[0], t[1], out double a, out double b);
                g1 -= a;
                g2 -= b;
            }
            g[0] = g1;
            g[1] = g2;
            return WellingTehToy.LogPosterior(t[0], t[1]);
        }
        var exact = WellingTehToy.GridPosterior();
        var counts = new long[exact.Length];
        long outside = 0;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        for (int c = 0; c < 4; c++)
        {
            var hmc = new Hmc(LogDensity, [c % 2 == 0 ? 0.0 : 1.0, c % 2 == 0 ? 1.0 : -1.0], stepSize: 0.04, leapfrogSteps: 25, seed: (ulong)(50 + c));
            foreach (var s in hmc.Sample(count: 12_500, burnIn: 200))
            {
                int cell = WellingTehToy.Cell(s[0], s[1]);
                if (cell < 0) outside++;
                else counts[cell]++;
            }
            output.WriteLine($"chain {c}: acceptance {hmc.AcceptanceRate:F3}");
        }
        var (up, low) = WellingTehToy.ModeShares(counts, outside);
        double tv = WellingTehToy.TotalVariation(counts, outside, exact);
        output.WriteLine($"HMC 4 × 12500: TV {tv:F3}, upper {up:F3}, lower {low:F3} (exact 0.473, 0.442), {sw.Elapsed.TotalSeconds:F1} s");
        Assert.True(tv < 0.1, $"TV {tv}");
        Assert.InRange(up, 0.40, 0.55);
        Assert.InRange(low, 0.37, 0.52);
    }

    /// <summary>
    /// <see cref="ModulePosterior"/> on a 1-D Bayesian linear regression y = w·x + b + ε, ε ~ N(0, ½) (so the NLL sum is
    /// Σ (y − f)², <see cref="Loss.Mse"/> with <see cref="Reduction.Sum"/>), prior N(0, λ⁻¹ I): the posterior is
    /// Gaussian with precision λI + 2 AᵀA (A = [x, 1]) and mean (λI + 2AᵀA)⁻¹ 2Aᵀy, in closed form for 2 × 2.
    /// </summary>
    [Fact]
    public void ModulePosteriorOnBayesianLinearRegressionMatchesTheClosedForm()
    {
        var rng = new Rng(4);
        const int n = 20;
        const double lambda = 2;
        var xs = new float[n];
        var ys = new float[n];
        for (int i = 0; i < n; i++)
        {
            xs[i] = (float)rng.Normal();
            ys[i] = (float)(0.7 * xs[i] - 0.4 + Math.Sqrt(0.5) * rng.Normal());
        }
        var input = Tensor.FromArray(xs, n, 1);
        var target = Tensor.FromArray(ys, n, 1);
        var model = new Linear(1, 1, rng);
        var vector = new ParameterVector(model); // weight, bias
        var posterior = new ModulePosterior(vector, () => Loss.Mse(model.Forward(input), target, Reduction.Sum), lambda);

        // Closed form.
        double sxx = 0, sx = 0, sxy = 0, sy = 0;
        for (int i = 0; i < n; i++) { sxx += xs[i] * xs[i]; sx += xs[i]; sxy += xs[i] * (double)ys[i]; sy += ys[i]; }
        double p11 = lambda + 2 * sxx, p12 = 2 * sx, p22 = lambda + 2 * n, det = p11 * p22 - p12 * p12;
        double c11 = p22 / det, c22 = p11 / det, c12 = -p12 / det;
        double mw = c11 * 2 * sxy + c12 * 2 * sy, mb = c12 * 2 * sxy + c22 * 2 * sy;

        // The autograd log density and gradient agree with the closed-form quadratic (up to a constant).
        var g = new double[2];
        double LogExact(double w, double b) => -0.5 * ((w - mw) * (p11 * (w - mw) + p12 * (b - mb)) + (b - mb) * (p12 * (w - mw) + p22 * (b - mb)));
        double l0 = posterior.Evaluate([0.1, 0.2], g), l1 = posterior.Evaluate([-0.5, 0.3], g);
        Assert.Equal(LogExact(-0.5, 0.3) - LogExact(0.1, 0.2), l1 - l0, 1e-4);
        Assert.Equal(-(p11 * (-0.5 - mw) + p12 * (0.3 - mb)), g[0], 1e-4);
        Assert.Equal(-(p12 * (-0.5 - mw) + p22 * (0.3 - mb)), g[1], 1e-4);

        var hmc = posterior.CreateHmc(stepSize: 0.08, leapfrogSteps: 8, seed: 9);
        var samples = hmc.Sample(count: 4000, burnIn: 200);
        output.WriteLine($"acceptance {hmc.AcceptanceRate:F3}");
        Assert.InRange(hmc.AcceptanceRate, 0.6, 1.0);
        var (ew, sew) = BatchMean(samples.Select(s => s[0]).ToArray());
        var (eb, seb) = BatchMean(samples.Select(s => s[1]).ToArray());
        var (vw, sevw) = BatchMean(samples.Select(s => (s[0] - mw) * (s[0] - mw)).ToArray());
        output.WriteLine($"w {ew:F4} ± {sew:F4} (exact {mw:F4}); b {eb:F4} ± {seb:F4} (exact {mb:F4}); var w {vw:F5} ± {sevw:F5} (exact {c11:F5})");
        Assert.True(Math.Abs(ew - mw) < 4 * sew, $"E w {ew} ± {sew}, exact {mw}");
        Assert.True(Math.Abs(eb - mb) < 4 * seb, $"E b {eb} ± {seb}, exact {mb}");
        Assert.True(Math.Abs(vw - c11) < 4 * sevw, $"Var w {vw} ± {sevw}, exact {c11}");

        posterior.Load(hmc.Position);
        Assert.Equal((float)hmc.Position[0], model.Weight[0]);
        Assert.Equal((float)hmc.Position[1], model.Bias![0]);
    }
}
