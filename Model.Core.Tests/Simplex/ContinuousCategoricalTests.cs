using Probabilistic.Core.Random;
using Probabilistic.Core.Simplex;

namespace Probabilistic.Core.Tests.Simplex;

public class ContinuousCategoricalTests
{
    private static double[] Geometric10()
    {
        var g = new double[10];
        for (int k = 0; k < 10; k++) g[k] = Math.Pow(2, -(k + 1));
        double s = g.Sum();
        for (int k = 0; k < 10; k++) g[k] /= s;
        return g;
    }

    // Values of methods.md §1.2 (computed there from the closed form, confirmed by Monte Carlo); they are
    // printed to 4–5 significant digits, hence the relative tolerance.
    public static TheoryData<double[], double> TableValues => new()
    {
        { new[] { 0.3, 0.7 }, 0.47209 },
        { new[] { 0.501, 0.499 }, 0.50000 },
        { new[] { 0.2, 0.3, 0.5 }, 0.15813 },
        { new[] { 0.1, 0.15, 0.75 }, 0.12382 },
        { new[] { 0.05, 0.1, 0.15, 0.3, 0.4 }, 6.771e-3 },
        { Geometric10(), 7.293e-8 },
    };

    [Theory]
    [MemberData(nameof(TableValues))]
    public void ReproducesTheSpecTable(double[] g, double expected)
    {
        Assert.Equal(expected, ContinuousCategorical.Normalizer(g), expected * 2e-4);
    }

    [Fact]
    public void TwoClassesGiveTheLogarithmicMean()
    {
        foreach (var (x, y) in new[] { (0.3, 0.7), (1e-300, 1 - 1e-15), (0.5 - 1e-9, 0.5 + 1e-9), (1e-12, 1 - 1e-12) })
        {
            double expected = x == y ? x : (y - x) / (Math.Log(y) - Math.Log(x));
            Assert.Equal(Math.Log(expected), ContinuousCategorical.LogNormalizer(new[] { x, y }), 1e-12);
        }
    }

    [Fact]
    public void MatchesTheClosedFormAtWellSeparatedPoints()
    {
        var rng = new Rng(11);
        foreach (int k in new[] { 2, 3, 4, 5, 7, 10 })
        {
            for (int trial = 0; trial < 50; trial++)
            {
                var g = new double[k];
                rng.Dirichlet(Enumerable.Repeat(1.0, k).ToArray(), g);
                // The closed form is trustworthy only when every pair of log-components is well apart.
                var a = g.Select(v => Math.Log(v)).OrderBy(v => v).ToArray();
                if (a.Zip(a.Skip(1), (p, q) => q - p).Min() < 0.3) continue;
                double closed = ContinuousCategorical.ClosedFormNormalizer(g);
                double stable = ContinuousCategorical.Normalizer(g);
                Assert.True(Math.Abs(stable / closed - 1) < 1e-10, $"K={k}: stable {stable} vs closed form {closed}");
            }
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(10)]
    public void MatchesMonteCarloOverUniformDirichletSamples(int k)
    {
        // Z = vol(S_K)·E_U[Π g^s] with vol(S_K) = 1/(K−1)! in the coordinates s_1..s_{K−1}.
        var rng = new Rng((ulong)(100 + k));
        var g = new double[k];
        rng.Dirichlet(Enumerable.Range(0, k).Select(_ => 2.0).ToArray(), g);
        var logG = g.Select(v => Math.Log(v)).ToArray();
        var ones = Enumerable.Repeat(1.0, k).ToArray();
        var s = new double[k];
        const int n = 100_000;
        double sum = 0, sumSq = 0;
        for (int i = 0; i < n; i++)
        {
            rng.Dirichlet(ones, s);
            double f = 0;
            for (int j = 0; j < k; j++) f += s[j] * logG[j];
            f = Math.Exp(f);
            sum += f;
            sumSq += f * f;
        }
        double mean = sum / n, stdErr = Math.Sqrt((sumSq / n - mean * mean) / n);
        double factorial = Enumerable.Range(1, k - 1).Aggregate(1.0, (p, q) => p * q);
        double z = ContinuousCategorical.Normalizer(g);
        // 4 standard errors: fails by chance with probability 6e-5 (the seed is fixed anyway).
        Assert.True(Math.Abs(mean / factorial - z) < 4 * stdErr / factorial,
            $"K={k}: Z={z}, MC={mean / factorial} ± {stdErr / factorial}");
        Assert.True(Math.Abs(mean / factorial / z - 1) < 5e-3);
    }

    [Fact]
    public void IsContinuousAsComponentsCoincide()
    {
        // All-equal confluent limit: exp[a,…,a] = e^a/(K−1)!, so Z(1/K,…,1/K) = 1/(K·(K−1)!) = 1/K!.
        foreach (int k in new[] { 2, 3, 5, 10 })
        {
            double equal = ContinuousCategorical.LogNormalizer(Enumerable.Repeat(1.0 / k, k).ToArray());
            double kFactorial = Enumerable.Range(1, k).Aggregate(1.0, (p, q) => p * q);
            Assert.Equal(-Math.Log(kFactorial), equal, 1e-12);
            foreach (double delta in new[] { 1e-2, 1e-5, 1e-8, 1e-11, 1e-14 })
            {
                var g = Enumerable.Repeat(1.0 / k, k).ToArray();
                g[0] += delta / k;
                g[1] -= delta / k;
                double near = ContinuousCategorical.LogNormalizer(g);
                // ln Z is 1-Lipschitz in max-norm of a = ln g (its gradient is a probability vector).
                double da = Math.Max(Math.Abs(Math.Log(g[0] * k)), Math.Abs(Math.Log(g[1] * k)));
                Assert.True(Math.Abs(near - equal) <= da + 1e-13, $"K={k}, δ={delta}: {near} vs {equal}");
            }
        }
    }

    [Fact]
    public void GradientIsTheMeanAndMatchesFiniteDifferences()
    {
        var rng = new Rng(5);
        foreach (int k in new[] { 1, 2, 3, 6, 10 })
        {
            for (int trial = 0; trial < 20; trial++)
            {
                var a = new double[k];
                for (int j = 0; j < k; j++) a[j] = 4 * rng.Normal();
                if (trial % 4 == 0 && k > 1) a[1] = a[0]; // coincident components
                if (trial % 4 == 1 && k > 2) a[2] = a[0] + 1e-9;
                var mean = new double[k];
                double logZ = ContinuousCategorical.LogNormalizerAndMean(a, mean);
                Assert.Equal(ContinuousCategorical.LogNormalizerOfNatural(a), logZ, 1e-12);
                Assert.Equal(1.0, mean.Sum(), 1e-12);
                const double h = 1e-5;
                for (int j = 0; j < k; j++)
                {
                    var up = (double[])a.Clone();
                    var down = (double[])a.Clone();
                    up[j] += h;
                    down[j] -= h;
                    double fd = (ContinuousCategorical.LogNormalizerOfNatural(up) - ContinuousCategorical.LogNormalizerOfNatural(down)) / (2 * h);
                    Assert.True(Math.Abs(fd - mean[j]) < 1e-8, $"K={k}, j={j}: FD {fd} vs E[s] {mean[j]}");
                    Assert.True(mean[j] > 0);
                }
            }
        }
    }

    [Fact]
    public void ShiftingNaturalParametersScalesZ()
    {
        var a = new[] { -3.0, 0.5, 2.0, 2.0 + 1e-7 };
        double baseline = ContinuousCategorical.LogNormalizerOfNatural(a);
        double shifted = ContinuousCategorical.LogNormalizerOfNatural(a.Select(v => v + 123.25).ToArray());
        Assert.Equal(baseline + 123.25, shifted, 1e-11);
    }

    [Fact]
    public void HandlesPointsNearAVertexAndManyClasses()
    {
        const int k = 50;
        // g_0 = 1 − 49e-200 rounds to 1 in double, so the point is given by its natural parameters.
        var a = new double[k];
        for (int j = 1; j < k; j++) a[j] = Math.Log(1e-200);
        double logZ = ContinuousCategorical.LogNormalizerOfNatural(a);
        Assert.True(double.IsFinite(logZ));
        // ln Z is 1-Lipschitz in max-norm of a = ln g: compare with the all-equal point ln Z = −ln K!.
        double equal = -Enumerable.Range(1, k).Sum(j => Math.Log(j));
        Assert.True(Math.Abs(logZ - equal) <= Math.Abs(a[1] + Math.Log(k)) + 1e-9);
        // One dominant node: Z → e^0 · Π_{j≥1} 1/(0 − b) = |b|^{−(K−1)} as b → −∞ (all mass near the vertex).
        Assert.Equal(-(k - 1) * Math.Log(-a[1]), logZ, 1e-10);
        var mean = new double[k];
        ContinuousCategorical.LogNormalizerAndMean(a, mean);
        Assert.True(mean[0] > mean[1]);
        Assert.Equal(1.0, mean.Sum(), 1e-12);
    }

    [Fact]
    public void MatchesTheTaylorRemainderFormulaAtAVertexWithARepeatedNode()
    {
        // exp(0) = Σ_{j<m} e^b (−b)^j/j! + exp[b^(m), 0]·(−b)^m (Taylor at b with divided-difference remainder), so
        // exp[0, b, …, b] = (1 − e^b Σ_{j<m} (−b)^j/j!)/(−b)^m: an independent closed form for the near-vertex limit.
        foreach (int m in new[] { 1, 2, 4, 9 })
        {
            foreach (double b in new[] { -8.0, -20.0, -100.0, -700.0 })
            {
                double poly = 0, term = 1;
                for (int j = 0; j < m; j++)
                {
                    poly += term;
                    term *= -b / (j + 1);
                }
                double expected = double.LogP1(-Math.Exp(b) * poly) - m * Math.Log(-b);
                var a = new double[m + 1];
                for (int j = 1; j <= m; j++) a[j] = b;
                Assert.Equal(expected, ContinuousCategorical.LogNormalizerOfNatural(a), 1e-12);
            }
        }
    }

    [Fact]
    public void SoftmaxFormMatchesTheSimplexFormAndItsGradient()
    {
        var z = new[] { 1.5, -0.25, 3.0, 0.0 };
        double lse = Math.Log(z.Sum(v => Math.Exp(v)));
        var g = z.Select(v => Math.Exp(v - lse)).ToArray();
        var gradient = new double[4];
        double value = ContinuousCategorical.LogNormalizerOfSoftmax(z, gradient);
        Assert.Equal(ContinuousCategorical.LogNormalizer(g), value, 1e-12);
        Assert.Equal(0.0, gradient.Sum(), 1e-12); // invariant to a common shift of the logits
        const double h = 1e-5;
        var scratch = new double[4];
        for (int k = 0; k < 4; k++)
        {
            var up = (double[])z.Clone();
            var down = (double[])z.Clone();
            up[k] += h;
            down[k] -= h;
            double fd = (ContinuousCategorical.LogNormalizerOfSoftmax(up, scratch) - ContinuousCategorical.LogNormalizerOfSoftmax(down, scratch)) / (2 * h);
            Assert.Equal(fd, gradient[k], 1e-8);
        }
    }

    [Fact]
    public void LogDensityUsesTheNormalizer()
    {
        var g = new[] { 0.2, 0.3, 0.5 };
        var s = new[] { 0.1, 0.6, 0.3 };
        double expected = s.Zip(g, (x, y) => x * Math.Log(y)).Sum() - Math.Log(ContinuousCategorical.ClosedFormNormalizer(g));
        Assert.Equal(expected, ContinuousCategorical.LogDensity(s, g), 1e-12);
    }

    [Fact]
    public void PaperConstantIsNotANormalizer()
    {
        // C_paper at g = (0.3, 0.7) is 0.09018 (methods.md §1.2), so C_paper·Z = 0.0426 instead of 1.
        Assert.Equal(0.09018, ContinuousCategorical.PaperConstant(new[] { 0.3, 0.7 }), 1e-5);
        foreach (var g in TableValues.Select(row => (double[])row[0]))
        {
            double product = ContinuousCategorical.PaperConstant(g) * ContinuousCategorical.Normalizer(g);
            Assert.True(Math.Abs(product - 1) > 0.9, $"C_paper·Z = {product}");
        }
    }

    // "paper C" and "paper C·Z" columns of methods.md §1.2 (printed to 3–4 significant digits).
    public static TheoryData<double[], double, double> PaperColumns => new()
    {
        { new[] { 0.3, 0.7 }, 0.09018, 0.0426 },
        { new[] { 0.501, 0.499 }, 0.12011, 0.0601 },
        { new[] { 0.2, 0.3, 0.5 }, 0.02617, 0.00414 },
        { new[] { 0.1, 0.15, 0.75 }, 0.00918, 0.00114 },
        { new[] { 0.05, 0.1, 0.15, 0.3, 0.4 }, 7.09e-5, 4.8e-7 },
        { Geometric10(), 7.37e-21, 5.4e-28 },
    };

    [Theory]
    [MemberData(nameof(PaperColumns))]
    public void ReproducesThePaperConstantColumns(double[] g, double paperC, double product)
    {
        double c = ContinuousCategorical.PaperConstant(g);
        Assert.True(Math.Abs(c / paperC - 1) < 2e-3, $"C_paper = {c}, table {paperC}");
        Assert.True(Math.Abs(c * ContinuousCategorical.Normalizer(g) / product - 1) < 1e-2, $"C·Z = {c * ContinuousCategorical.Normalizer(g)}, table {product}");
    }

    [Fact]
    public void RejectsPointsOutsideTheOpenSimplex()
    {
        Assert.Throws<ArgumentException>(() => ContinuousCategorical.LogNormalizer(new[] { 0.5, 0.6 }));
        Assert.Throws<ArgumentException>(() => ContinuousCategorical.LogNormalizer(new[] { 0.0, 1.0 }));
        Assert.Throws<ArgumentException>(() => ContinuousCategorical.LogNormalizer(new[] { double.NaN, 0.5 }));
        Assert.Throws<ArgumentException>(() => ContinuousCategorical.LogNormalizer(new[] { -0.1, 1.1 }));
        Assert.Throws<ArgumentException>(() => ContinuousCategorical.LogNormalizer(Array.Empty<double>()));
        Assert.Throws<ArgumentException>(() => ContinuousCategorical.LogNormalizerOfNatural(new[] { 1.0, double.PositiveInfinity }));
        Assert.Throws<ArgumentException>(() => ContinuousCategorical.LogNormalizerAndMean(new[] { 1.0, 2.0 }, new double[3]));
        Assert.Throws<ArgumentException>(() => ContinuousCategorical.ClosedFormNormalizer(new[] { 0.25, 0.25, 0.5 }));
        Assert.Throws<ArgumentException>(() => ContinuousCategorical.LogDensity(new[] { 0.5, 0.6 }, new[] { 0.5, 0.5 }));
    }
}
