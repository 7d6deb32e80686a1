using Probabilistic.Core.Numerics;
using Probabilistic.Core.Random;
using Probabilistic.Distill.Search;
using Xunit.Abstractions;

namespace Probabilistic.Distill.Tests.Search;

public class CoefficientSearchTests(ITestOutputHelper output)
{
    // ---------- search space and random sampler ----------

    [Fact]
    public void Random_sampler_columns_sum_to_one_and_match_dirichlet_moments()
    {
        const int K = 4, N = 20000;
        var space = SearchSpace.Simplices(columns: 3, size: K);
        var rng = new Rng(11);
        var sampler = new RandomSampler();
        var sum = new double[space.Dimension];
        var sumSq = new double[space.Dimension];
        double sumCross = 0; // entries 0 and 1 of column 0
        for (int n = 0; n < N; n++)
        {
            var x = sampler.Propose(space, [], rng);
            Assert.True(space.Contains(x));
            for (int c = 0; c < 3; c++)
            {
                double s = 0;
                foreach (double v in space.Block(x, c)) { Assert.True(v >= 0); s += v; }
                Assert.Equal(1.0, s, 12);
            }
            for (int i = 0; i < x.Length; i++) { sum[i] += x[i]; sumSq[i] += x[i] * x[i]; }
            sumCross += x[0] * x[1];
        }
        // Dirichlet(1,…,1) with K components: mean 1/K, variance (K−1)/(K²(K+1)), covariance −1/(K²(K+1)).
        double mean = 1.0 / K, variance = (K - 1.0) / (K * K * (K + 1.0)), cov = -1.0 / (K * K * (K + 1.0));
        for (int i = 0; i < space.Dimension; i++)
        {
            double m = sum[i] / N, v = sumSq[i] / N - m * m;
            Assert.InRange(m, mean - 5 * Math.Sqrt(variance / N), mean + 5 * Math.Sqrt(variance / N));
            Assert.InRange(v, variance * 0.93, variance * 1.07);
        }
        double c01 = sumCross / N - (sum[0] / N) * (sum[1] / N);
        Assert.InRange(c01, cov - 0.003, cov + 0.003);
    }

    [Fact]
    public void Box_space_samples_are_uniform_in_the_unit_interval()
    {
        const int N = 20000;
        var space = new SearchSpace([new SearchBlock(SearchBlockKind.Simplex, 2), new SearchBlock(SearchBlockKind.Box, 3)]);
        Assert.Equal(5, space.Dimension);
        Assert.Equal(2, space.Offset(1));
        var rng = new Rng(5);
        double sum = 0, sumSq = 0;
        for (int n = 0; n < N; n++)
        {
            var x = space.Sample(rng);
            Assert.True(space.Contains(x));
            double u = space.Block(x, 1)[2];
            sum += u; sumSq += u * u;
        }
        double mean = sum / N, variance = sumSq / N - mean * mean;
        Assert.InRange(mean, 0.5 - 5 * Math.Sqrt(1.0 / 12 / N), 0.5 + 5 * Math.Sqrt(1.0 / 12 / N));
        Assert.InRange(variance, 1.0 / 12 * 0.95, 1.0 / 12 * 1.05);
    }

    [Fact]
    public void Space_rejects_bad_blocks_and_points()
    {
        Assert.Throws<ArgumentException>(() => new SearchSpace([new SearchBlock(SearchBlockKind.Box, 0)]));
        var space = SearchSpace.Simplices(2, 3);
        Assert.False(space.Contains([0.5, 0.5, 0.5, 1, 0, 0]));
        Assert.False(space.Contains([1, 0, 0]));
        Assert.True(space.Contains([0.2, 0.3, 0.5, 1, 0, 0]));
        Assert.Throws<ArgumentException>(() => space.Block([1.0, 0, 0], 0));
    }

    // ---------- Gaussian process and expected improvement ----------

    private static double Se(double a, double b, double l, double s2) => s2 * Math.Exp(-(a - b) * (a - b) / (2 * l * l));

    private static double[,] Inverse3(double[,] a)
    {
        // Adjugate over determinant (cofactor expansion), independent of the Cholesky solve under test.
        double det = a[0, 0] * (a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1])
                   - a[0, 1] * (a[1, 0] * a[2, 2] - a[1, 2] * a[2, 0])
                   + a[0, 2] * (a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0]);
        var inv = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                int r0 = (j + 1) % 3, r1 = (j + 2) % 3, c0 = (i + 1) % 3, c1 = (i + 2) % 3;
                inv[i, j] = (a[r0, c0] * a[r1, c1] - a[r0, c1] * a[r1, c0]) / det;
            }
        return inv;
    }

    private static double Det3(double[,] a) =>
        a[0, 0] * (a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1])
        - a[0, 1] * (a[1, 0] * a[2, 2] - a[1, 2] * a[2, 0])
        + a[0, 2] * (a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0]);

    [Fact]
    public void Gp_posterior_on_three_points_matches_the_closed_form()
    {
        double[] xs = [0.1, 0.45, 0.9];
        double[] ys = [1.2, -0.3, 0.7];
        const double l = 0.3, s2 = 1.7, noise = 0.05, m = 0.2;
        var gp = new GaussianProcess(xs.Select(x => new[] { x }).ToArray(), ys, GpKernel.SquaredExponential, l, s2, noise, m);

        var a = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                a[i, j] = Se(xs[i], xs[j], l, s2) + (i == j ? noise : 0);
        var inv = Inverse3(a);
        foreach (double xStar in new[] { 0.0, 0.3, 0.45, 0.7, 1.3 })
        {
            var k = xs.Select(x => Se(x, xStar, l, s2)).ToArray();
            double mean = m, quad = 0;
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                {
                    mean += k[i] * inv[i, j] * (ys[j] - m);
                    quad += k[i] * inv[i, j] * k[j];
                }
            var (gm, gv) = gp.Predict([xStar]);
            Assert.Equal(mean, gm, 10);
            Assert.Equal(s2 - quad, gv, 10);
        }
        double fit = 0;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                fit += (ys[i] - m) * inv[i, j] * (ys[j] - m);
        double lml = -0.5 * fit - 0.5 * Math.Log(Det3(a)) - 1.5 * Math.Log(2 * Math.PI);
        Assert.Equal(lml, gp.LogMarginalLikelihood, 10);
    }

    [Fact]
    public void Matern52_posterior_interpolates_noise_free_data_and_reverts_to_the_prior_far_away()
    {
        // Oracle: with (near) zero noise the posterior passes through the data with ~0 variance; far from all data
        // the kernel vanishes, so the posterior is the prior (mean m, variance s²).
        var inputs = new[] { new[] { 0.1, 0.2 }, new[] { 0.5, 0.5 }, new[] { 0.9, 0.1 } };
        double[] ys = [0.3, -1.0, 2.0];
        var gp = new GaussianProcess(inputs, ys, GpKernel.Matern52, 0.4, 2.0, 1e-10, 0.5);
        for (int i = 0; i < 3; i++)
        {
            var (mean, variance) = gp.Predict(inputs[i]);
            Assert.Equal(ys[i], mean, 6);
            Assert.InRange(variance, 0, 1e-6);
        }
        var (farMean, farVar) = gp.Predict([100.0, 100.0]);
        Assert.Equal(0.5, farMean, 12);
        Assert.Equal(2.0, farVar, 12);
    }

    [Theory]
    [InlineData(0.3, 0.8, 0.0)]
    [InlineData(-1.0, 0.5, 0.2)]
    [InlineData(2.0, 1.5, 0.5)]
    [InlineData(0.0, 0.1, 1.0)]
    public void Expected_improvement_matches_numerical_integration(double mean, double std, double best)
    {
        // E[max(f − best, 0)], f ~ N(mean, std²), by the trapezoid rule on ±12 std.
        const int n = 200001;
        var f = new double[n];
        var g = new double[n];
        for (int i = 0; i < n; i++)
        {
            f[i] = mean - 12 * std + 24 * std * i / (n - 1);
            g[i] = Math.Max(f[i] - best, 0) * Math.Exp(NormalDensity.Log(f[i], mean, std * std));
        }
        double expected = Trapezoid.Integrate(f, g);
        Assert.Equal(expected, ExpectedImprovement.Of(mean, std, best), 7);
        Assert.Equal(Math.Max(mean - best, 0), ExpectedImprovement.Of(mean, 0, best), 12);
    }

    // ---------- the search ----------

    private static readonly double[] Target = [0.7, 0.1, 0.1, 0.1, 0.05, 0.15, 0.6, 0.2];

    private static double NegativeSquaredDistance(Trial t)
    {
        double d = 0;
        for (int i = 0; i < Target.Length; i++) d += (t.Point[i] - Target[i]) * (t.Point[i] - Target[i]);
        return -d;
    }

    [Fact]
    public void Same_seed_gives_the_same_trials_and_another_seed_does_not()
    {
        var space = SearchSpace.Simplices(2, 4);
        foreach (Func<ITrialSampler> make in new Func<ITrialSampler>[] { () => new RandomSampler(), () => new GaussianProcessSampler(new(Candidates: 200)) })
        {
            var a = new CoefficientSearch(space, make(), 10, 42, SearchDirection.Maximise).Run(NegativeSquaredDistance);
            var b = new CoefficientSearch(space, make(), 10, 42, SearchDirection.Maximise).Run(NegativeSquaredDistance);
            var c = new CoefficientSearch(space, make(), 10, 43, SearchDirection.Maximise).Run(NegativeSquaredDistance);
            Assert.Equal(10, a.Trials.Count);
            for (int i = 0; i < 10; i++)
            {
                Assert.Equal(i, a.Trials[i].Trial.Index);
                Assert.Equal(a.Trials[i].Trial.Point.ToArray(), b.Trials[i].Trial.Point.ToArray());
                Assert.Equal(a.Trials[i].Trial.Seed, b.Trials[i].Trial.Seed);
                Assert.Equal(a.Trials[i].Value, b.Trials[i].Value);
            }
            Assert.NotEqual(a.Trials[0].Trial.Point.ToArray(), c.Trials[0].Trial.Point.ToArray());
            Assert.NotEqual(a.Trials[0].Trial.Seed, c.Trials[0].Trial.Seed);
            Assert.Equal(10, a.Trials.Select(t => t.Trial.Seed).Distinct().Count());
        }
    }

    [Fact]
    public void Best_is_the_extreme_value_in_the_chosen_direction()
    {
        var space = SearchSpace.Box(2);
        Func<Trial, double> f = t => t.Point[0] + 2 * t.Point[1];
        var min = new CoefficientSearch(space, new RandomSampler(), 15, 3, SearchDirection.Minimise).Run(f);
        var max = new CoefficientSearch(space, new RandomSampler(), 15, 3, SearchDirection.Maximise).Run(f);
        Assert.Equal(min.Trials.Min(t => t.Value), min.Best.Value);
        Assert.Equal(max.Trials.Max(t => t.Value), max.Best.Value);
        Assert.Equal(f(min.Best.Trial), min.Best.Value);
    }

    [Fact]
    public void Propose_and_report_outside_the_loop_gives_the_same_trials_as_run()
    {
        var space = SearchSpace.Simplices(2, 4);
        var looped = new CoefficientSearch(space, new GaussianProcessSampler(new(Candidates: 200)), 12, 7, SearchDirection.Maximise)
            .Run(NegativeSquaredDistance);

        var manual = new CoefficientSearch(space, new GaussianProcessSampler(new(Candidates: 200)), 12, 7, SearchDirection.Maximise);
        var jobs = new List<Trial>();
        while (!manual.IsExhausted)
        {
            var trial = manual.Propose();
            // Evaluate "elsewhere": a copy built only from the trial's index, point and seed.
            var shipped = new Trial(trial.Index, trial.Point.ToArray(), trial.Seed);
            manual.Report(trial, NegativeSquaredDistance(shipped));
            jobs.Add(trial);
        }
        var result = manual.Result();
        Assert.Equal(looped.Trials.Count, result.Trials.Count);
        for (int i = 0; i < looped.Trials.Count; i++)
        {
            Assert.Equal(looped.Trials[i].Trial.Point.ToArray(), result.Trials[i].Trial.Point.ToArray());
            Assert.Equal(looped.Trials[i].Trial.Seed, result.Trials[i].Trial.Seed);
            Assert.Equal(looped.Trials[i].Value, result.Trials[i].Value);
        }
        Assert.Equal(looped.Best.Trial.Index, result.Best.Trial.Index);

        Assert.Throws<InvalidOperationException>(() => manual.Propose());
        Assert.Throws<ArgumentException>(() => manual.Report(jobs[0], 1.0));
    }

    [Fact]
    public void Report_rejects_unproposed_trials_and_non_finite_values()
    {
        var search = new CoefficientSearch(SearchSpace.Box(1), new RandomSampler(), 3, 1);
        var t = search.Propose();
        Assert.Throws<ArgumentException>(() => search.Report(new Trial(1, [0.5], 0), 0.0));
        Assert.Throws<ArgumentException>(() => search.Report(t, double.NaN));
        Assert.Throws<InvalidOperationException>(() => new CoefficientSearch(SearchSpace.Box(1), new RandomSampler(), 3, 1).Result());
    }

    [Fact]
    public void Gp_sampler_beats_random_search_on_a_smooth_objective_over_simplices()
    {
        var space = SearchSpace.Simplices(2, 4);
        const int seeds = 10, budget = 25;
        double gpSum = 0, randomSum = 0;
        int gpWins = 0;
        for (ulong seed = 1; seed <= seeds; seed++)
        {
            double gp = new CoefficientSearch(space, new GaussianProcessSampler(), budget, seed, SearchDirection.Maximise)
                .Run(NegativeSquaredDistance).Best.Value;
            double rnd = new CoefficientSearch(space, new RandomSampler(), budget, seed, SearchDirection.Maximise)
                .Run(NegativeSquaredDistance).Best.Value;
            gpSum += gp;
            randomSum += rnd;
            if (gp > rnd) gpWins++;
            output.WriteLine($"seed {seed}: GP best {gp:F5}, random best {rnd:F5}");
        }
        output.WriteLine($"mean best over {seeds} seeds: GP {gpSum / seeds:F5}, random {randomSum / seeds:F5}; GP better on {gpWins}/{seeds}");
        Assert.True(gpSum / seeds > randomSum / seeds,
            $"GP mean best {gpSum / seeds} is not above random mean best {randomSum / seeds}.");
    }
}
