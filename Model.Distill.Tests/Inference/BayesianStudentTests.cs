using Probabilistic.TestSupport;
using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Distill.Inference;
using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Graph;
using Probabilistic.Infer.Factors;
using Probabilistic.Nn.Metrics;
using Range = Probabilistic.Infer.Graph.Range;

namespace Probabilistic.Distill.Tests.Inference;

/// <summary>The Bayesian students of the "inference" family against closed forms and data drawn from their own models.</summary>
public class BayesianStudentTests
{
    private static float[] Features(Rng rng, int m, int n) => Enumerable.Range(0, m * n).Select(_ => (float)rng.Normal()).ToArray();

    private static Matrix<double> WithOnes(float[] x, int n) =>
        Matrix<double>.Build.Dense(x.Length / n, n + 1, (i, j) => j < n ? x[i * n + j] : 1.0);

    // ---- regression ----------------------------------------------------------------------------------------------

    [Fact]
    public void Regression_posterior_mean_and_predictive_are_the_reweighted_ridge_solution()
    {
        // Theorem A2 with a Gaussian prior: E[w] = (XᵀDX + αI)⁻¹Xᵀd' with D = diag of the precisions τ (i ∉ I),
        // (1−λ)τ + λτ_s (i ∈ I) and d'ᵢ = τyᵢ or (1−λ)τyᵢ + λτ_s sᵢ; solved here directly by MathNet.
        var rng = new Rng(5);
        const int m = 60, n = 4;
        const double lambda = 0.3, sigma = 0.9, sigmaS = 0.6, alpha = 0.5;
        float[] x = Features(rng, m, n);
        float[] y = Enumerable.Range(0, m).Select(_ => (float)(2 * rng.Normal())).ToArray();
        float[] s = Enumerable.Range(0, m).Select(_ => (float)rng.Normal()).ToArray();
        bool[] inI = Enumerable.Range(0, m).Select(i => i % 3 != 0).ToArray();
        var fit = new BayesianRegressionStudent(new BayesianRegressionSettings([lambda], TeacherSd: sigmaS, NoiseSd: sigma, PriorPrecision: alpha))
            .Fit(x, n, y, s, inI);

        double tau = 1 / (sigma * sigma), tauS = 1 / (sigmaS * sigmaS);
        var design = WithOnes(x, n);
        var d = Vector<double>.Build.Dense(m, i => inI[i] ? (1 - lambda) * tau + lambda * tauS : tau);
        var dPrime = Vector<double>.Build.Dense(m, i => inI[i] ? (1 - lambda) * tau * y[i] + lambda * tauS * s[i] : tau * y[i]);
        var a = design.Transpose() * Matrix<double>.Build.DenseOfDiagonalVector(d) * design + Matrix<double>.Build.DenseIdentity(n + 1) * alpha;
        var ridge = a.Solve(design.Transpose() * dPrime);
        Assert.True((fit.Posterior.Weights.GetMean() - ridge).AbsoluteMaximum() < 1e-9, $"|E[w] − ridge|∞ = {(fit.Posterior.Weights.GetMean() - ridge).AbsoluteMaximum():E2}");

        float[] probe = [0.5f, -1f, 2f, 0.1f];
        var (mean, variance) = fit.Predict(probe);
        var xp = Vector<double>.Build.Dense([0.5, -1, 2, 0.1, 1]);
        Assert.Equal(xp.DotProduct(ridge), mean[0], 9);
        Assert.Equal(xp.DotProduct(a.Solve(xp)) + sigma * sigma, variance[0], 9);
        Assert.Equal(lambda, fit.Lambda);
    }

    [Fact]
    public void Regression_evidence_recovers_the_noise_and_the_teachers_noise()
    {
        // y has noise sd 0.5, the teacher sd 0.15 (both unknown to the student). The evidence should find σ ≈ 0.5 and,
        // since the tempered model identifies only λτ_s on I, a teacher noise σ_s/√λ ≈ 0.15.
        var rng = new Rng(21);
        const int m = 400, n = 3;
        float[] x = Features(rng, m, n);
        var w = new[] { 1.0, -2.0, 0.5 };
        var signal = Enumerable.Range(0, m).Select(i => w[0] * x[i * n] + w[1] * x[i * n + 1] + w[2] * x[i * n + 2] + 0.3).ToArray();
        float[] y = signal.Select(v => (float)(v + 0.5 * rng.Normal())).ToArray();
        float[] s = signal.Select(v => (float)(v + 0.15 * rng.Normal())).ToArray();
        bool[] inI = Enumerable.Range(0, m).Select(i => i % 2 == 0).ToArray();
        var fit = new BayesianRegressionStudent(BayesianRegressionSettings.Default).Fit(x, n, y, s, inI);
        Assert.InRange(fit.NoiseSd, 0.45, 0.55);   // ±3 standard errors of an sd estimated from 400 residuals
        Assert.InRange(fit.TeacherSd / Math.Sqrt(fit.Lambda), 0.13, 0.17);   // ±3 standard errors from 200 teacher answers
        Assert.Equal(BayesianRegressionSettings.Default.Lambdas.Min(), fit.Lambda);   // keeps the y terms on I at their precision
    }

    // ---- classification ------------------------------------------------------------------------------------------

    /// <summary>W ~ N(0, α⁻¹) (bias included), x ~ N(0, I), y ~ softmax(Wx); also the true class probabilities.</summary>
    private static (float[] X, int[] Labels, float[] TrueProbabilities) FromTheModel(Rng rng, double[,] w, int m)
    {
        int k = w.GetLength(0), n = w.GetLength(1) - 1;
        float[] x = Features(rng, m, n);
        var labels = new int[m];
        var p = new float[m * k];
        var logits = new double[k];
        for (int i = 0; i < m; i++)
        {
            for (int c = 0; c < k; c++)
            {
                logits[c] = w[c, n];
                for (int j = 0; j < n; j++) logits[c] += w[c, j] * x[i * n + j];
            }
            var d = Discrete.FromLogProbabilities(logits);
            labels[i] = d.Sample(rng);
            for (int c = 0; c < k; c++) p[i * k + c] = (float)d[c];
        }
        return (x, labels, p);
    }

    private static double[,] DrawWeights(Rng rng, int k, int n, double alpha)
    {
        var w = new double[k, n + 1];
        for (int c = 0; c < k; c++)
            for (int j = 0; j <= n; j++) w[c, j] = rng.Normal() / Math.Sqrt(alpha);
        return w;
    }

    private static float[] Uniform(int m, int k) => Enumerable.Repeat(1f / k, m * k).ToArray();

    [Fact]
    [Trait(Category.Name, Category.Slow)]
    public void Logistic_predictive_is_calibrated_and_near_the_bayes_accuracy_on_data_from_the_model()
    {
        var rng = new Rng(3);
        const int k = 3, n = 4, m = 300, mTest = 20_000;
        var w = DrawWeights(rng, k, n, 1);
        var (x, labels, _) = FromTheModel(rng, w, m);
        var (xTest, yTest, pTest) = FromTheModel(rng, w, mTest);
        var fit = new BayesianLogisticStudent(new BayesianLogisticSettings([0], [1], Iterations: 2000, Tolerance: 1e-8))
            .Fit(x, n, labels, Uniform(m, k), new bool[m], k);
        Assert.True(fit.Chosen.Converged);
        float[] predictive = fit.PredictiveProbabilities(xTest);
        double ece = ClassificationMetrics.ExpectedCalibrationError(predictive, k, yTest);
        double accuracy = ClassificationMetrics.Accuracy(predictive, k, yTest);
        double bayes = ClassificationMetrics.Accuracy(pTest, k, yTest);
        Assert.True(ece < 0.02, $"ECE {ece:F4}");
        Assert.True(accuracy > bayes - 0.02, $"accuracy {accuracy:F4} vs the true model's {bayes:F4}");
        // The predictive's test CE is at most a little above the truth's (its entropy floor) and below the plug-in's.
        double ce = ClassificationMetrics.CrossEntropy(predictive, k, yTest);
        double plugIn = ClassificationMetrics.CrossEntropy(fit.PlugInProbabilities(xTest), k, yTest);
        double floor = ClassificationMetrics.CrossEntropy(pTest, k, yTest);
        Assert.InRange(ce, floor, floor + 0.05);
        Assert.True(ce <= plugIn, $"predictive CE {ce:F5} > plug-in CE {plugIn:F5}");
    }

    [Fact]
    public void Logistic_predictive_matches_monte_carlo_over_the_weights()
    {
        // The predictive draws the logits from N(mₖᵀx, xᵀΣₖx); here W itself is drawn from q(W) = Π q(wₖ) instead.
        var rng = new Rng(8);
        const int k = 3, n = 2, m = 40;
        var (x, labels, _) = FromTheModel(rng, DrawWeights(rng, k, n, 1), m);
        var fit = new BayesianLogisticStudent(new BayesianLogisticSettings([0], [1], PredictiveSamples: 20_000))
            .Fit(x, n, labels, Uniform(m, k), new bool[m], k);
        float[] probe = [0.3f, -0.8f, 1.5f, 1.0f];
        float[] predictive = fit.PredictiveProbabilities(probe);
        var sampler = new Rng(99);
        const int draws = 40_000;
        for (int o = 0; o < 2; o++)
        {
            var xo = Vector<double>.Build.Dense([probe[2 * o], probe[2 * o + 1], 1]);
            var mean = new double[k];
            var logits = new double[k];
            for (int t = 0; t < draws; t++)
            {
                for (int c = 0; c < k; c++) logits[c] = fit.Posterior.Weights[c].Sample(sampler).DotProduct(xo);
                var d = Discrete.FromLogProbabilities(logits);
                for (int c = 0; c < k; c++) mean[c] += d[c] / draws;
            }
            for (int c = 0; c < k; c++)
                Assert.True(Math.Abs(predictive[o * k + c] - mean[c]) < 0.006, $"object {o} class {c}: {predictive[o * k + c]:F4} vs Monte Carlo {mean[c]:F4}");
        }
    }

    [Fact]
    public void Logistic_evidence_chooses_a_prior_precision_near_the_truth()
    {
        var rng = new Rng(17);
        const int k = 4, n = 10, m = 500;
        const double alphaTrue = 4;
        var w = DrawWeights(rng, k, n, alphaTrue);
        var (x, labels, _) = FromTheModel(rng, w, m);
        double[] grid = [1.0 / 16, 0.25, 1, 4, 16, 64, 256];
        var fit = new BayesianLogisticStudent(new BayesianLogisticSettings([0], grid, Iterations: 1000, Tolerance: 1e-7))
            .Fit(x, n, labels, Uniform(m, k), new bool[m], k);
        Assert.Equal(grid.Length, fit.Profile.Count);
        Assert.InRange(fit.Chosen.PriorPrecision, alphaTrue / 4, alphaTrue * 4);
        Assert.Equal(fit.Profile.Max(p => p.LogEvidence), fit.Chosen.LogEvidence);
    }

    [Fact]
    public void Student_temperature_divides_the_inputs_of_the_soft_label_terms_only()
    {
        // The same posterior from a graph built here by hand: true labels on x with weight 1−λ, soft labels on x/T with λ.
        var rng = new Rng(12);
        const int k = 3, n = 2, m = 50;
        const double lambda = 0.4, temperature = 2.5, alpha = 0.7;
        var (x, labels, p) = FromTheModel(rng, DrawWeights(rng, k, n, 1), m);
        var fit = new BayesianLogisticStudent(new BayesianLogisticSettings([lambda], [alpha], StudentTemperature: temperature, Iterations: 3000, Tolerance: 1e-10))
            .Fit(x, n, labels, p, Enumerable.Repeat(true, m).ToArray(), k);

        var design = WithOnes(x, n);
        var classes = new Range(k);
        var weights = Variable.Array<Vector<double>>(classes);
        weights[classes] = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(n + 1), Matrix<double>.Build.DenseIdentity(n + 1) * alpha);
        var rowsY = new Range(m);
        var xY = Variable.Array<Vector<double>>(rowsY);
        xY.ObserveRows(design);
        using (Variable.Repeat(1 - lambda))
        {
            var y = Variable.Array<int>(rowsY);
            y[rowsY] = Variable.DiscreteFromLinearSoftmax(weights, xY[rowsY]);
            y.ObservedValue = labels;
        }
        var rowsS = new Range(m);
        var xS = Variable.Array<Vector<double>>(rowsS);
        xS.ObserveRows(design / temperature);
        using (Variable.Repeat(lambda))
        {
            var s = Variable.Array<Vector<double>>(rowsS);
            s[rowsS] = Variable.SoftLabelsFromLinearSoftmax(weights, xS[rowsS]);
            s.ObservedValue = Enumerable.Range(0, m).Select(i => Vector<double>.Build.Dense(k, c => p[i * k + c] / Enumerable.Range(0, k).Sum(j => (double)p[i * k + j]))).ToArray();
        }
        var run = new InferenceEngine(new VariationalMessagePassing()) { NumberOfIterations = 3000, Tolerance = 1e-10, ShowWarnings = false, SoftmaxOperator = SoftmaxOperator.Bohning }.Run(weights);
        var expected = run.Marginal<VectorGaussian[]>(weights);
        for (int c = 0; c < k; c++)
        {
            double gap = (fit.Posterior.Weights[c].GetMean() - expected[c].GetMean()).AbsoluteMaximum();
            Assert.True(gap < 1e-6, $"class {c}: |Δ mean|∞ = {gap:E2}");
        }
        Assert.Equal(run.LogEvidence, fit.Chosen.LogEvidence, 6);
        // and the temperature matters: at T = 1 the posterior is elsewhere
        var atOne = new BayesianLogisticStudent(new BayesianLogisticSettings([lambda], [alpha], Iterations: 3000, Tolerance: 1e-10))
            .Fit(x, n, labels, p, Enumerable.Repeat(true, m).ToArray(), k);
        Assert.True((atOne.Posterior.Weights[0].GetMean() - expected[0].GetMean()).AbsoluteMaximum() > 1e-3);
    }

    // ---- registry and input checks -------------------------------------------------------------------------------

    [Fact]
    public void Both_students_are_registered_in_the_inference_family()
    {
        Assert.IsType<BayesianLogisticStudent>(MethodRegistry.Create("probabilistic-bayesian-logistic"));
        var regression = MethodRegistry.Create<BayesianRegressionStudent>("probabilistic-bayesian-regression",
            new BayesianRegressionSettings([0.5], TeacherSd: 1, NoiseSd: 1));
        Assert.Equal(1, regression.Settings.TeacherSd);
        Assert.All(MethodRegistry.All.Where(d => d.Name.StartsWith("probabilistic-bayesian-")), d => Assert.Equal("inference", d.Family));
    }

    [Fact]
    public void Bad_input_is_refused_with_a_message_naming_it()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new BayesianLogisticStudent(new BayesianLogisticSettings([1.5], [1])));
        Assert.Contains("λ", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BayesianRegressionStudent(new BayesianRegressionSettings([0.5], PriorPrecision: 0)));
        var student = new BayesianLogisticStudent(BayesianLogisticSettings.Default);
        var mismatch = Assert.Throws<ArgumentException>(() => student.Fit(new float[12], 3, new int[4], new float[9], new bool[4], 3));
        Assert.Contains("teacher probabilities", mismatch.Message);
        Assert.Throws<ArgumentException>(() => DesignMatrix.FromRows(new float[7], 3, bias: true));
    }
}
