using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Distill.Bayesian;

namespace Probabilistic.Distill.Tests.Bayesian;

public class LaplaceApproximationTests
{
    // A linear model f(x) = U x (structure [n, 1], no hidden layer) with y ~ N(f, σ²) and w ~ N(0, α^{-1}I) has the
    // exact posterior N(Λ^{-1} Xᵀy/σ², Λ^{-1}) with Λ = XᵀX/σ² + αI (conjugate Gaussian).
    private static (SupervisedData Data, Matrix<double> X, Vector<double> Y) LinearData(int n, int d, ulong seed)
    {
        var rng = new Rng(seed);
        var x = ReferenceMlpTests.RandomInputs(n, d, seed);
        var w = Enumerable.Range(0, d).Select(_ => rng.Normal()).ToArray();
        var y = new float[n];
        for (int i = 0; i < n; i++) y[i] = (float)(Enumerable.Range(0, d).Sum(j => x[i * d + j] * w[j]) + 0.3 * rng.Normal());
        return (new SupervisedData(x, n, d, y, null), Matrix<double>.Build.Dense(n, d, (i, j) => x[i * d + j]), Vector<double>.Build.Dense(n, i => y[i]));
    }

    [Fact]
    public void Laplace_on_a_linear_gaussian_model_is_the_exact_posterior()
    {
        const int n = 60, d = 4;
        const double sigma = 0.3, alpha = 2.0;
        var (data, x, y) = LinearData(n, d, 41);
        var precisionExact = x.TransposeThisAndMultiply(x) / (sigma * sigma) + Matrix<double>.Build.DenseIdentity(d) * alpha;
        var meanExact = precisionExact.Solve(x.TransposeThisAndMultiply(y) / (sigma * sigma));
        var net = new NetworkModule(new NetworkStructure([d, 1]));
        var likelihood = new GaussianLikelihood(sigma);
        var mapWeights = meanExact.Select(v => (float)v).ToArray();

        var full = LaplaceApproximation.Full(net, mapWeights, data, likelihood, alpha);
        var covExact = precisionExact.Inverse();
        // The Jacobian is X in float: relative error ~1e-7.
        Assert.True((full.Covariance - covExact).FrobeniusNorm() < 1e-6 * covExact.FrobeniusNorm());
        var diag = LaplaceApproximation.DiagonalPrecision(net, mapWeights, data, likelihood, alpha);
        for (int i = 0; i < d; i++) Assert.Equal(precisionExact[i, i], diag[i], 1e-5 * precisionExact[i, i]);

        // The MAP trainer reaches the exact posterior mean (Adam, small steps at the end of a long run).
        var trained = BayesianTraining.TrainMap(net, new float[d], alpha, data, data, likelihood, new TrainingSettings(6000, BatchSize: n, LearningRate: 1e-2, EvaluateEvery: 6000));
        for (int i = 0; i < d; i++) Assert.Equal(meanExact[i], trained.Mean[i], 2e-3);
    }

    [Fact]
    public void Softmax_diagonal_ggn_equals_the_explicit_jacobian_sandwich()
    {
        var net = new NetworkModule(new NetworkStructure([3, 4, 3]));
        var w = net.InitialParameters(new Rng(51));
        var x = ReferenceMlpTests.RandomInputs(5, 3, 52);
        var labels = new[] { 0, 2, 1, 1, 0 };
        var data = new SupervisedData(x, 5, 3, null, labels);
        var likelihood = new SoftmaxLikelihood(3);
        double[] diag = LaplaceApproximation.DiagonalPrecision(net, w, data, likelihood, 0.5);

        // Brute force: J_i (K×P) by one back-propagation per class with a one-hot output gradient, H_i = diag(p) − ppᵀ.
        int p = net.ParameterCount;
        var expected = Enumerable.Repeat(0.5, p).ToArray();
        var ws = net.CreateWorkspace(1);
        for (int i = 0; i < 5; i++)
        {
            var xi = x.AsSpan(i * 3, 3).ToArray();
            var z = net.Forward(w, xi, 1, ws).ToArray();
            double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
            var prob = z.Select(v => Math.Exp(v - max) / sum).ToArray();
            var jac = new double[3][];
            for (int k = 0; k < 3; k++)
            {
                net.Forward(w, xi, 1, ws);
                var g = new float[p];
                var onehot = new float[3];
                onehot[k] = 1;
                net.Backward(w, xi, 1, onehot, ws, g);
                jac[k] = g.Select(v => (double)v).ToArray();
            }
            for (int q = 0; q < p; q++)
                for (int k = 0; k < 3; k++)
                    for (int l = 0; l < 3; l++)
                        expected[q] += jac[k][q] * ((k == l ? prob[k] : 0) - prob[k] * prob[l]) * jac[l][q];
        }
        for (int q = 0; q < p; q++) Assert.Equal(expected[q], diag[q], 1e-5 * (1 + expected[q]));
    }
}
