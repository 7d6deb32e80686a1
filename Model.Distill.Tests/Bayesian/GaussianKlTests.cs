using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Distill.Bayesian;

namespace Probabilistic.Distill.Tests.Bayesian;

public class GaussianKlTests
{
    private static double LogDensityFull(Vector<double> x, Vector<double> m, Matrix<double> precision, double logDetCov) =>
        -0.5 * ((x - m) * precision * (x - m) + logDetCov + x.Count * Math.Log(2 * Math.PI));

    private static double LogDensityDiag(double[] x, double[] m, double[] logVar) =>
        Enumerable.Range(0, x.Length).Sum(i => -0.5 * ((x[i] - m[i]) * (x[i] - m[i]) / Math.Exp(logVar[i]) + logVar[i] + Math.Log(2 * Math.PI)));

    private static (double[] Mu, double[] LogVar) RandomQ(int d, Rng rng) =>
        (Enumerable.Range(0, d).Select(_ => rng.Normal()).ToArray(), Enumerable.Range(0, d).Select(_ => rng.Uniform(-1, 0.5)).ToArray());

    // Monte Carlo KL = E_q[log q − log p] with S samples; its standard error is sd(log q − log p)/√S and the test
    // allows 5 standard errors.
    private static void AssertMonteCarlo(double closedForm, Func<double[], double> logRatio, double[] mu, double[] logVar, ulong seed)
    {
        const int samples = 40000;
        var rng = new Rng(seed);
        double sum = 0, sumSq = 0;
        var x = new double[mu.Length];
        for (int s = 0; s < samples; s++)
        {
            for (int i = 0; i < mu.Length; i++) x[i] = mu[i] + Math.Exp(0.5 * logVar[i]) * rng.Normal();
            double r = logRatio(x);
            sum += r;
            sumSq += r * r;
        }
        double mean = sum / samples, se = Math.Sqrt((sumSq / samples - mean * mean) / samples);
        Assert.True(Math.Abs(mean - closedForm) < 5 * se, $"closed form {closedForm}, Monte Carlo {mean} ± {se}");
    }

    [Fact]
    public void Diagonal_kl_matches_monte_carlo()
    {
        var rng = new Rng(11);
        var (mu, logVar) = RandomQ(5, rng);
        var (m, logVarP) = RandomQ(5, rng);
        double kl = GaussianKl.Diagonal(mu, logVar, m, logVarP);
        AssertMonteCarlo(kl, x => LogDensityDiag(x, mu, logVar) - LogDensityDiag(x, m, logVarP), mu, logVar, 12);
    }

    [Fact]
    public void Full_kl_matches_monte_carlo_and_reduces_to_the_diagonal_formula()
    {
        var rng = new Rng(21);
        const int d = 4;
        var b = Matrix<double>.Build.Dense(d, d, (_, _) => rng.Normal());
        var cov = b * b.Transpose() / d + Matrix<double>.Build.DenseIdentity(d) * 0.3;
        var m = Vector<double>.Build.Dense(d, _ => rng.Normal());
        var prior = new FullGaussianPrior(m, cov);
        var (mu, logVar) = RandomQ(d, rng);
        double kl = prior.KlDivergence(mu, logVar, default, default);
        var precision = cov.Inverse();
        double logDet = cov.Determinant() is var det ? Math.Log(det) : 0;
        AssertMonteCarlo(kl, x => LogDensityDiag(x, mu, logVar) - LogDensityFull(Vector<double>.Build.Dense(x), m, precision, logDet), mu, logVar, 22);

        // A diagonal Σ gives exactly the diagonal formula.
        var diagCov = Matrix<double>.Build.DenseOfDiagonalArray(Enumerable.Range(0, d).Select(i => cov[i, i]).ToArray());
        double klFull = new FullGaussianPrior(m, diagCov).KlDivergence(mu, logVar, default, default);
        double klDiag = new DiagonalGaussianPrior(m.ToArray(), Enumerable.Range(0, d).Select(i => cov[i, i]).ToArray()).KlDivergence(mu, logVar, default, default);
        Assert.Equal(klDiag, klFull, 1e-10);
    }

    [Fact]
    public void Kl_gradients_match_central_differences()
    {
        var rng = new Rng(31);
        const int d = 4;
        var b = Matrix<double>.Build.Dense(d, d, (_, _) => rng.Normal());
        var cov = b * b.Transpose() / d + Matrix<double>.Build.DenseIdentity(d) * 0.3;
        var m = Vector<double>.Build.Dense(d, _ => rng.Normal());
        var (mu, logVar) = RandomQ(d, rng);
        var (pm, plv) = RandomQ(d, rng);
        IGaussianPrior[] priors = [new FullGaussianPrior(m, cov), new DiagonalGaussianPrior(pm, plv.Select(Math.Exp).ToArray())];
        foreach (var prior in priors)
        {
            var gMu = new double[d];
            var gLv = new double[d];
            prior.KlDivergence(mu, logVar, gMu, gLv);
            const double h = 1e-6;
            for (int i = 0; i < d; i++)
            {
                double Kl(double[] a, double[] c) => prior.KlDivergence(a, c, default, default);
                var up = (double[])mu.Clone(); up[i] += h;
                var dn = (double[])mu.Clone(); dn[i] -= h;
                Assert.Equal((Kl(up, logVar) - Kl(dn, logVar)) / (2 * h), gMu[i], 1e-6);
                up = (double[])logVar.Clone(); up[i] += h;
                dn = (double[])logVar.Clone(); dn[i] -= h;
                Assert.Equal((Kl(mu, up) - Kl(mu, dn)) / (2 * h), gLv[i], 1e-6);
            }
        }
        // Gradients with respect to the prior side (the code-faithful mode learns the prior).
        var gpm = new double[d];
        var gplv = new double[d];
        GaussianKl.Diagonal(mu, logVar, pm, plv, default, default, gpm, gplv);
        for (int i = 0; i < d; i++)
        {
            const double h = 1e-6;
            var up = (double[])pm.Clone(); up[i] += h;
            var dn = (double[])pm.Clone(); dn[i] -= h;
            Assert.Equal((GaussianKl.Diagonal(mu, logVar, up, plv) - GaussianKl.Diagonal(mu, logVar, dn, plv)) / (2 * h), gpm[i], 1e-6);
            up = (double[])plv.Clone(); up[i] += h;
            dn = (double[])plv.Clone(); dn[i] -= h;
            Assert.Equal((GaussianKl.Diagonal(mu, logVar, pm, up) - GaussianKl.Diagonal(mu, logVar, pm, dn)) / (2 * h), gplv[i], 1e-6);
        }
    }

    [Fact]
    public void Float_vectorised_gradients_match_the_double_closed_form()
    {
        var rng = new Rng(41);
        int d = 37; // not a multiple of any vector width
        var (muQ, lvQ) = RandomQ(d, rng);
        var (muP, lvP) = RandomQ(d, rng);
        var g = new double[4][];
        for (int k = 0; k < 4; k++) g[k] = new double[d];
        GaussianKl.Diagonal(muQ, lvQ, muP, lvP, g[0], g[1], g[2], g[3], scale: 0.2);
        var fast = new GaussianKl.DiagonalGradients(d);
        float[] F(double[] v) => v.Select(x => (float)x).ToArray();
        fast.Compute(F(muQ), F(lvQ), F(muP), F(lvP), 0.2f);
        var got = new[] { fast.MuQ, fast.LogVarQ, fast.MuP, fast.LogVarP };
        for (int k = 0; k < 4; k++)
            for (int i = 0; i < d; i++)
                Assert.True(Math.Abs(got[k][i] - g[k][i]) <= 1e-5 * (1 + Math.Abs(g[k][i])), $"gradient {k}[{i}]: {got[k][i]} vs {g[k][i]}");
    }
}
