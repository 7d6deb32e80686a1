using System.Diagnostics;
using Probabilistic.Core.Random;
using Probabilistic.Distill.Inference;
using Probabilistic.Infer.Distributions;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Data;
using Probabilistic.Distill.Output;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Metrics;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;
using Probabilistic.Reproduce.Results;

namespace Probabilistic.Reproduce.Experiments;

/// <summary>
/// The probabilistic experiment's Bayesian students: the same distillation likelihoods fitted as Bayesian models by
/// Model.Infer's factor graphs (through Model.Distill's <see cref="BayesianLogisticStudent"/> and
/// <see cref="BayesianRegressionStudent"/>), reported beside the gradient-trained students: accuracy, test CE of the
/// posterior predictive, ECE, and log evidence (the VMP bound for classification, EP's exact evidence for regression).
/// </summary>
internal static class BayesianStudents
{
    /// <summary>The gradient-trained condition a Bayesian table repeats for comparison.</summary>
    public sealed record GradientRuns(string Label, string Method, List<StudentOutcome> Runs, double Seconds);

    private static readonly double[] PriorPrecisions = [0.01, 0.1, 1, 10, 100, 1000];
    private static readonly double[] LambdaGrid = [0, 0.25, 0.5, 0.75, 1];

    private static readonly string[] ClassificationColumns =
    [
        "condition", "method", "fit", "features", "train objects", "runs", "accuracy", "test CE", "ECE", "plug-in CE",
        "lambda", "prior precision", "log evidence", "VMP iterations", "converged", "seconds",
    ];

    /// <summary>Sizes of the Bayesian part of one run.</summary>
    /// <param name="FashionPooling">Average pooling of the 28×28 images before the Bayesian student (2: 14×14, 4: 7×7).</param>
    /// <param name="FashionRows">Training objects of the Bayesian FashionMNIST student (the first ones of the student's set).</param>
    /// <param name="Iterations">VMP iteration cap per fit.</param>
    public sealed record Plan(int FashionPooling, int FashionRows, int Iterations)
    {
        /// <summary>
        /// Quick: 7×7 features (50 weights per class with the bias) on the quick plan's 10,000 training objects.
        /// Full: 14×14 features (197 per class, the privileged-information student's view) on the first 10,000.
        /// Measured on the 2-core build machine (shared, so wall times are upper bounds): one 7×7 fit with the teacher,
        /// 10,000 objects, 100 VMP iterations, 15–20 s wall; one 14×14 fit, same sizes, 58 s of CPU; 14×14 on all
        /// 60,000 objects, 43 s to set up and 2.1 s per iteration, so the three prior precisions × two conditions
        /// would take about 25 minutes. A posterior over 785 weights per class (the full images) is out of reach of
        /// the VMP softmax factor: its joint (K·n)² = 7,850² precision is factorised by MathNet's managed Cholesky,
        /// 64 times the 1,970² one, and each iteration costs about 16 times the 14×14 one.
        /// </summary>
        public static Plan For(bool quick) => quick ? new(4, 10_000, 100) : new(2, 10_000, 100);
    }

    // ---- synthetic classification (full size) ----------------------------------------------------------------------

    /// <summary>
    /// The synthetic set's Bayesian logistic students (full size: 1,000 objects, 10 features, K = 3) beside the
    /// gradient-trained conditions: without the teacher (λ = 0), with it at the experiment's λ, and with λ chosen by
    /// evidence; the prior precision by evidence in each.
    /// </summary>
    public static void Synthetic(ExperimentContext context, ExperimentResult result, SyntheticClassification data, float[] soft,
        double lambda, IReadOnlyList<GradientRuns> gradient)
    {
        var table = result.AddTable("synthetic_bayesian",
            "Synthetic (K = 3, n = 10): Bayesian logistic students (Model.Infer VMP, full data) beside the gradient-trained ones. "
            + "Test CE of the posterior predictive; log evidence is the VMP bound; α (and λ where a grid is given) chosen by it. "
            + "The soft-label terms are not a normalised density of s (no continuous-categorical normaliser in the graph), so the bound "
            + "compares λ as a weight, not as a model of the teacher, and favours the hard labels.",
            ClassificationColumns);
        AddGradientRows(table, gradient, SyntheticClassification.FeatureCount, data.Train.Count, data.Test);
        var all = ProbabilisticExperiments.All(data.Train.Count);
        (string Label, double[] Lambdas)[] conditions =
        [
            ("without teacher (λ = 0)", [0]),
            ($"with teacher (λ = {lambda})", [lambda]),
            ("with teacher, λ by evidence", LambdaGrid),
        ];
        foreach (var (label, lambdas) in conditions)
        {
            var settings = new BayesianLogisticSettings(lambdas, PriorPrecisions, Iterations: 500, Tolerance: 1e-6);
            AddBayesianRow(context, table, "synthetic", label, settings, data.Train, data.Test, soft, all);
        }
        result.Config["synthetic_bayesian"] = new Dictionary<string, object?>
        {
            ["prior_precisions"] = PriorPrecisions, ["lambda_grid"] = LambdaGrid, ["vmp_iterations"] = 500, ["vmp_tolerance"] = 1e-6,
            ["predictive_samples"] = BayesianLogisticSettings.Default.PredictiveSamples, ["student_temperature"] = 1, ["bias"] = true,
        };
    }

    // ---- FashionMNIST (reduced features) ---------------------------------------------------------------------------

    /// <summary>
    /// FashionMNIST's Bayesian logistic students on average-pooled images (see <see cref="Plan"/>), without and with the
    /// teacher's soft labels at the experiment's T and λ, beside the gradient-trained students on the full 784 pixels.
    /// </summary>
    public static void Fashion(ExperimentContext context, ExperimentResult result, bool quick, LabeledDataset train, LabeledDataset test,
        float[] soft, double temperature, double lambda, IReadOnlyList<GradientRuns> gradient)
    {
        var plan = Plan.For(quick);
        int rows = Math.Min(plan.FashionRows, train.Count);
        var pooledTrain = Pool(train.Subset(Enumerable.Range(0, rows).ToArray(), $"{train.Name}[first {rows}]"), plan.FashionPooling);
        var pooledTest = Pool(test, plan.FashionPooling);
        int side = FashionMnist.Side / plan.FashionPooling;
        string note = $"Bayesian rows: {side}×{side} average-pooled images ({side * side} features + bias, {rows} training objects) because "
                      + "a full-covariance posterior over 785 weights per class is out of reach of the VMP softmax factor; gradient rows: 784 pixels.";
        context.Status("fashion Bayesian students: " + note);
        result.Notes.Add("FashionMNIST " + note);
        var table = result.AddTable("fashion_mnist_bayesian",
            $"FashionMNIST: Bayesian logistic students (Model.Infer VMP) beside the gradient-trained ones, T = {temperature}. {note} "
            + "Test CE of the posterior predictive; log evidence is the VMP bound; α chosen by it.",
            ClassificationColumns);
        AddGradientRows(table, gradient, train.FeatureSize, train.Count, test);
        float[] softRows = soft.AsSpan(0, rows * train.ClassCount).ToArray();
        var all = ProbabilisticExperiments.All(rows);
        double[] alphas = [0.01, 0.1, 1, 10];
        (string Label, double Lambda)[] conditions = [("without teacher (λ = 0)", 0), ($"with teacher (λ = {lambda})", lambda)];
        foreach (var (label, l) in conditions)
        {
            var settings = new BayesianLogisticSettings([l], alphas, StudentTemperature: temperature, Iterations: plan.Iterations, Tolerance: 1e-6);
            AddBayesianRow(context, table, "fashion", label, settings, pooledTrain, pooledTest, softRows, all);
        }
        result.Config["fashion_mnist_bayesian"] = new Dictionary<string, object?>
        {
            ["pooling"] = plan.FashionPooling, ["features"] = side * side, ["train"] = rows, ["prior_precisions"] = alphas,
            ["vmp_iterations"] = plan.Iterations, ["vmp_tolerance"] = 1e-6, ["student_temperature"] = temperature, ["lambda"] = lambda,
        };
    }

    /// <summary>k×k average pooling of 1×28×28 images, by repeated 2× pooling (k a power of two).</summary>
    private static LabeledDataset Pool(LabeledDataset images, int factor)
    {
        var pooled = images;
        for (int f = factor, side = FashionMnist.Side; f > 1; f /= 2, side /= 2)
            pooled = ProbabilisticExperiments.Downsample2x(pooled.WithSampleShape(1, side, side));
        return pooled;
    }

    // ---- regression (Theorem A2 by the factor graph) ------------------------------------------------------------------

    /// <summary>
    /// The regression reweighting of Theorem A2 solved by the factor graph, on P2's synthetic regression (10 features,
    /// noise sd 0.1). The teacher is privileged: it knows the noiseless signal xᵀw_true and answers with its own noise
    /// (sd <paramref name="teacherSd"/>), so it is better informed than the targets but not of the student's exact
    /// family. The students see the first <paramref name="studentRows"/> training objects with their targets and the
    /// teacher's answers (all in I). Rows: the gradient-trained linear student on the P1 regression loss (Adam), the
    /// factor graph at the same λ, σ_s (its posterior mean is Theorem A2's reweighted least squares, which the gradient
    /// student reaches by another route), without the teacher, and with λ, σ and σ_s chosen by evidence.
    /// </summary>
    public static void Regression(ExperimentContext context, ExperimentResult result, int studentRows = 50, double teacherSd = 0.05,
        int adamSteps = 3000)
    {
        SyntheticRegression data = context.Data.SyntheticRegression;
        int n = SyntheticRegression.FeatureCount;
        double sigma = SyntheticRegression.NoiseStd;
        float[] x = data.Train.Features.AsSpan(0, studentRows * n).ToArray();
        float[] y = data.Train.Targets.AsSpan(0, studentRows).ToArray();
        var teacherNoise = new Rng(1);
        var truth = data.TrueWeights.Append(0.0).ToArray();   // no bias in the true model
        float[] s = LinearPrediction(truth, x, n).Select(v => (float)(v + teacherSd * teacherNoise.Normal())).ToArray();
        var inI = ProbabilisticExperiments.All(studentRows);

        var table = result.AddTable("regression_bayesian",
            $"Regression distillation (P2's synthetic regression, n = {n}, noise sd {sigma}): students on the first {studentRows} training objects; "
            + $"privileged teacher s = xᵀw_true + noise sd {teacherSd}. Theorem A2: the factor graph's posterior mean is the reweighted least "
            + "squares the gradient student minimises (last column but one). σ_s/√λ is the teacher noise the tempered model assumes.",
            "condition", "method", "fit", "lambda", "sigma", "sigma_s", "sigma_s/sqrt(lambda)", "test RMSE", "test NLL", "log evidence",
            "|w − w_true|", "max |w − w_Adam|", "seconds");
        var clock = Stopwatch.StartNew();

        // The gradient route at the seed's setting λ = 0.5, σ_s = σ (precisions τ = τ_s = 1/σ²).
        const double seedLambda = 0.5;
        clock.Restart();
        var adam = AdamStudent(x, y, s, inI, n, seedLambda, 1 / (sigma * sigma), adamSteps);
        double adamSeconds = clock.Elapsed.TotalSeconds;

        (string Label, BayesianRegressionSettings Settings)[] conditions =
        [
            ($"λ = {seedLambda}, σ_s = σ = {sigma} (the seed's setting)", new([seedLambda], TeacherSd: sigma, NoiseSd: sigma)),
            ("without teacher (λ = 0), σ by evidence", new([0], TeacherSd: 1)),
            ("with teacher, λ, σ and σ_s by evidence", BayesianRegressionSettings.Default),
        ];
        var fits = new List<(string Label, BayesianRegressionFit Fit, double Seconds)>();
        foreach (var (label, settings) in conditions)
        {
            clock.Restart();
            var fit = new BayesianRegressionStudent(settings).Fit(x, n, y, s, inI);
            fits.Add((label, fit, clock.Elapsed.TotalSeconds));
        }
        double[] Weights(BayesianRegressionFit fit) => fit.Posterior.Weights.GetMean().ToArray();
        double[] seedWeights = Weights(fits[0].Fit);
        double adamGap = adam.Weights.Zip(seedWeights, (a, b) => Math.Abs(a - b)).Max();

        var adamPrediction = LinearPrediction(adam.Weights, data.Test.Features, n);
        table.AddRow($"λ = {seedLambda}, σ_s = σ = {sigma} (the seed's setting)", "probabilistic regression loss", $"Adam, {adamSteps} full-batch steps",
            seedLambda, sigma, sigma, sigma / Math.Sqrt(seedLambda), Rmse(adamPrediction, data.Test.Targets), null, null, WeightError(adam.Weights, data.TrueWeights), 0.0, adamSeconds);
        foreach (var (label, fit, seconds) in fits)
        {
            var (mean, variance) = fit.Predict(data.Test.Features);
            double[] w = Weights(fit);
            table.AddRow(label, "probabilistic-bayesian-regression", "factor graph (EP)", fit.Lambda, fit.NoiseSd, fit.TeacherSd,
                fit.Lambda > 0 ? fit.TeacherSd / Math.Sqrt(fit.Lambda) : null,
                Rmse(mean, data.Test.Targets), GaussianNll(mean, variance, data.Test.Targets), fit.LogEvidence, WeightError(w, data.TrueWeights),
                w.Zip(adam.Weights, (a, b) => Math.Abs(a - b)).Max(), seconds);
        }
        context.Status($"regression: factor graph vs Adam at λ = {seedLambda}: max |Δw| = {adamGap:E2} (Adam {adamSeconds:F2} s); evidence: λ {fits[2].Fit.Lambda}, σ {fits[2].Fit.NoiseSd:F4}, σ_s {fits[2].Fit.TeacherSd:F4}");
        result.Config["regression_bayesian"] = new Dictionary<string, object?>
        {
            ["student_rows"] = studentRows, ["teacher"] = $"privileged: x·w_true + N(0, {teacherSd}²) noise (Rng seed 1)",
            ["prior_precision"] = BayesianRegressionSettings.Default.PriorPrecision, ["lambda_grid"] = BayesianRegressionSettings.Default.Lambdas,
            ["adam"] = $"lr 1e-2, {adamSteps} full-batch steps, per-object-sum loss", ["bias"] = true,
        };
    }

    /// <summary>A linear student (bias last) trained by Adam on the P1 regression loss over all rows at once.</summary>
    private static (double[] Weights, double Loss) AdamStudent(float[] x, float[] y, float[] s, bool[] inI, int n, double lambda, double tau, int steps)
    {
        var model = new Linear(n, 1, new Rng(0));
        var optimizer = new Adam(model.Parameters(), lr: 1e-2);
        var loss = new RegressionDistillation(new DistillationSettings(lambda, Reduction: DistillationReduction.PerObjectSum, Precision: tau, TeacherPrecision: tau));
        var input = Tensor.FromArray(x, y.Length, n);
        double last = double.NaN;
        for (int step = 0; step < steps; step++)
        {
            using var scope = TensorScope.Begin();
            optimizer.ZeroGrad();
            var value = loss.Loss(model.Forward(input), y, s, inI);
            value.Backward();
            optimizer.Step();
            last = value.Span[0];
        }
        var weights = model.Weight.ToArray().Select(v => (double)v).Append(model.Bias!.Span[0]).ToArray();
        return (weights, last);
    }

    private static double[] LinearPrediction(double[] weights, ReadOnlySpan<float> features, int n)
    {
        int m = features.Length / n;
        var result = new double[m];
        for (int i = 0; i < m; i++)
        {
            double v = weights[n];
            for (int j = 0; j < n; j++) v += weights[j] * features[i * n + j];
            result[i] = v;
        }
        return result;
    }

    private static double Rmse(double[] prediction, ReadOnlySpan<float> targets)
    {
        double sum = 0;
        for (int i = 0; i < prediction.Length; i++) sum += (prediction[i] - targets[i]) * (prediction[i] - targets[i]);
        return Math.Sqrt(sum / prediction.Length);
    }

    /// <summary>Mean −log N(t | mean, variance) over the test objects.</summary>
    private static double GaussianNll(double[] mean, double[] variance, ReadOnlySpan<float> targets)
    {
        double sum = 0;
        for (int i = 0; i < mean.Length; i++) sum -= Gaussian.FromMeanAndVariance(mean[i], variance[i]).LogDensity(targets[i]);
        return sum / mean.Length;
    }

    /// <summary>‖w − w_true‖₂ over the features (the student's bias, last, is left out: the true model has none).</summary>
    private static double WeightError(double[] weights, double[] truth) =>
        Math.Sqrt(truth.Select((t, j) => (weights[j] - t) * (weights[j] - t)).Sum());

    // ---- shared rows -----------------------------------------------------------------------------------------------

    private static void AddGradientRows(ResultTable table, IReadOnlyList<GradientRuns> gradient, int features, int trainObjects, LabeledDataset test)
    {
        foreach (var g in gradient)
        {
            var ece = g.Runs.Select(r => ClassificationMetrics.ExpectedCalibrationError(r.TestProbabilities, test.ClassCount, test.Labels)).ToList();
            table.AddRow(g.Label, g.Method, "Adam (gradient)", features, trainObjects, g.Runs.Count,
                g.Runs.Average(r => r.Metrics.Accuracy), g.Runs.Average(r => r.Metrics.CrossEntropy), ece.Average(),
                null, null, null, null, null, null, g.Seconds);
        }
    }

    private static void AddBayesianRow(ExperimentContext context, ResultTable table, string part, string label, BayesianLogisticSettings settings,
        LabeledDataset train, LabeledDataset test, float[] soft, bool[] inI)
    {
        var clock = Stopwatch.StartNew();
        var student = new BayesianLogisticStudent(settings);
        var fit = student.Fit(train.Features, train.FeatureSize, train.Labels, soft, inI, train.ClassCount);
        float[] predictive = fit.PredictiveProbabilities(test.Features);
        float[] plugIn = fit.PlugInProbabilities(test.Features);
        double seconds = clock.Elapsed.TotalSeconds;
        int k = train.ClassCount;
        double accuracy = ClassificationMetrics.Accuracy(predictive, k, test.Labels);
        double ce = ClassificationMetrics.CrossEntropy(predictive, k, test.Labels);
        double ece = ClassificationMetrics.ExpectedCalibrationError(predictive, k, test.Labels);
        double plugInCe = ClassificationMetrics.CrossEntropy(plugIn, k, test.Labels);
        var c = fit.Chosen;
        table.AddRow(label, student.Name, "factor graph (VMP)", train.FeatureSize, train.Count, 1, accuracy, ce, ece, plugInCe,
            c.Lambda, c.PriorPrecision, c.LogEvidence, c.Iterations, c.Converged, seconds);
        context.Status($"{part} Bayesian {label}: acc {accuracy:F4}, CE {ce:F4}, ECE {ece:F4}, λ {c.Lambda}, α {c.PriorPrecision}, "
                       + $"bound {c.LogEvidence:F1} ({c.Iterations} it{(c.Converged ? "" : ", not converged")}), {seconds:F1} s; profile "
                       + string.Join(", ", fit.Profile.Select(p => $"(λ {p.Lambda}, α {p.PriorPrecision}): {p.LogEvidence:F1}")));
    }
}
