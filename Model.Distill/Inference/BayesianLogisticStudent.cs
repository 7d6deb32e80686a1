using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Infer.Distillation;

namespace Probabilistic.Distill.Inference;

/// <summary>Settings of <see cref="BayesianLogisticStudent"/>.</summary>
/// <param name="Lambdas">The λ values tried (weight of the teacher's soft labels, in [0, 1]); one value fixes λ.</param>
/// <param name="PriorPrecisions">The prior precisions α of every weight tried (wₖ ~ N(0, α⁻¹I)); one value fixes α.</param>
/// <param name="StudentTemperature">T₀: the student is softmax(Wx/T₀) in the soft-label terms (1 in the true-label terms).</param>
/// <param name="Bias">Adds a column of ones to the features, so the student has a bias per class (as a Linear layer).</param>
/// <param name="Iterations">Cap on VMP iterations per fit.</param>
/// <param name="Tolerance">VMP stops when no weight mean or precision changes by more than this (relative).</param>
/// <param name="PredictiveSamples">Monte Carlo draws of the logits per object for the posterior predictive (even).</param>
/// <param name="Seed">Seed of the predictive's Monte Carlo draws.</param>
public sealed record BayesianLogisticSettings(
    IReadOnlyList<double> Lambdas,
    IReadOnlyList<double> PriorPrecisions,
    double StudentTemperature = 1,
    bool Bias = true,
    int Iterations = 200,
    double Tolerance = 1e-6,
    int PredictiveSamples = 256,
    ulong Seed = 0)
{
    /// <summary>λ = 0.5 fixed, α chosen by evidence among 0.1, 1, 10, T₀ = 1.</summary>
    public static BayesianLogisticSettings Default { get; } = new([0.5], [0.1, 1, 10]);

    /// <summary>Throws a one-line error naming the first bad setting.</summary>
    public void Validate()
    {
        if (Lambdas is null || Lambdas.Count == 0) throw new ArgumentException("BayesianLogisticSettings: give at least one λ.");
        foreach (double l in Lambdas)
            if (!(l >= 0 && l <= 1)) throw new ArgumentOutOfRangeException(nameof(Lambdas), l, "BayesianLogisticSettings: every λ must lie in [0, 1].");
        if (PriorPrecisions is null || PriorPrecisions.Count == 0) throw new ArgumentException("BayesianLogisticSettings: give at least one prior precision.");
        foreach (double a in PriorPrecisions)
            if (!(a > 0 && double.IsFinite(a))) throw new ArgumentOutOfRangeException(nameof(PriorPrecisions), a, "BayesianLogisticSettings: every prior precision must be positive and finite.");
        if (!(StudentTemperature > 0)) throw new ArgumentOutOfRangeException(nameof(StudentTemperature), StudentTemperature, "BayesianLogisticSettings: the student temperature must be positive.");
        if (Iterations < 1) throw new ArgumentOutOfRangeException(nameof(Iterations), Iterations, "BayesianLogisticSettings: at least one iteration.");
        if (!(Tolerance > 0)) throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "BayesianLogisticSettings: the tolerance must be positive.");
        if (PredictiveSamples < 2 || PredictiveSamples % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(PredictiveSamples), PredictiveSamples, "BayesianLogisticSettings: the predictive needs an even number (≥ 2) of samples (antithetic pairs).");
    }
}

/// <summary>One point of the evidence search: the setting, its VMP bound, and whether VMP converged.</summary>
/// <param name="Lambda">λ.</param>
/// <param name="PriorPrecision">α.</param>
/// <param name="LogEvidence">The VMP lower bound on log p(y, s | X, λ, α).</param>
/// <param name="Iterations">VMP iterations run.</param>
/// <param name="Converged">Whether VMP met the tolerance before the cap.</param>
public sealed record EvidencePoint(double Lambda, double PriorPrecision, double LogEvidence, int Iterations, bool Converged);

/// <summary>
/// The probabilistic-distillation classifier of methods.md §1.1 fitted as a Bayesian model: softmax regression
/// wₖ ~ N(0, α⁻¹I), true labels with weight 1 (i ∉ I) or 1−λ (i ∈ I), the teacher's soft labels with weight λ on I,
/// built by <see cref="ClassificationDistillation"/> (Model.Infer) and solved by VMP with Böhning's bound. λ and α are
/// chosen on their grids by the VMP bound (the "log evidence"). The result gives the posterior q(W) = Π q(wₖ), the
/// posterior predictive E_q[softmax(Wx)] (Monte Carlo) and the plug-in softmax(E[W]x).
/// <para>
/// The soft-label terms Π_k g_k^{λ s_k} are unnormalised as a density of s (the continuous-categorical normaliser of
/// methods.md §1.2 is not in the graph), so the bound compares λ values as weights of a fixed likelihood, not as models
/// of the teacher's outputs: it favours the λ whose targets the student can fit most sharply.
/// </para>
/// </summary>
public sealed class BayesianLogisticStudent : IDistillationMethod
{
    /// <summary>Makes the student with <paramref name="settings"/> (validated).</summary>
    public BayesianLogisticStudent(BayesianLogisticSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        Settings = settings;
    }

    /// <inheritdoc />
    public string Name => "probabilistic-bayesian-logistic";

    /// <summary>The settings.</summary>
    public BayesianLogisticSettings Settings { get; }

    /// <summary>
    /// Fits the student on <paramref name="features"/> (row-major, <paramref name="featureCount"/> per object) with
    /// integer <paramref name="labels"/>, the teacher's probabilities (row-major m·K, read on I) and the index set I.
    /// Every (λ, α) of the settings is fitted; the one with the largest bound is returned with the whole profile.
    /// </summary>
    public BayesianLogisticFit Fit(ReadOnlySpan<float> features, int featureCount, int[] labels, ReadOnlySpan<float> teacherProbabilities,
        bool[] inIndexSet, int classes)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(inIndexSet);
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, $"{Name}: needs at least 2 classes.");
        var x = DesignMatrix.FromRows(features, featureCount, Settings.Bias);
        int m = x.RowCount;
        if (labels.Length != m || inIndexSet.Length != m || teacherProbabilities.Length != m * classes)
            throw new ArgumentException($"{Name}: {m} objects but {labels.Length} labels, {inIndexSet.Length} index-set flags and {teacherProbabilities.Length} teacher probabilities (expected {m}·{classes}).");
        var soft = new Vector<double>[m];
        for (int i = 0; i < m; i++)
        {
            var row = teacherProbabilities.Slice(i * classes, classes);
            var v = new double[classes];
            double sum = 0;
            for (int k = 0; k < classes; k++) sum += v[k] = row[k];
            for (int k = 0; k < classes; k++) v[k] /= sum;   // float rows sum to 1 only to ~1e-7; the factor wants 1e-6
            soft[i] = Vector<double>.Build.Dense(v);
        }
        var profile = new List<EvidencePoint>();
        ClassificationPosterior? best = null;
        EvidencePoint? bestPoint = null;
        foreach (double lambda in Settings.Lambdas)
        foreach (double alpha in Settings.PriorPrecisions)
        {
            var posterior = new ClassificationDistillation(x, labels, soft, inIndexSet, classes)
            {
                Lambda = lambda, PriorPrecision = alpha, StudentTemperature = Settings.StudentTemperature,
                Iterations = Settings.Iterations, Tolerance = Settings.Tolerance,
            }.Fit();
            var point = new EvidencePoint(lambda, alpha, posterior.LogEvidenceBound, posterior.Run.Iterations, posterior.Run.Converged);
            profile.Add(point);
            if (bestPoint is null || point.LogEvidence > bestPoint.LogEvidence) (best, bestPoint) = (posterior, point);
        }
        return new BayesianLogisticFit(best!, bestPoint!, profile, featureCount, classes, Settings);
    }
}

/// <summary>A fitted <see cref="BayesianLogisticStudent"/>: the chosen (λ, α), its posterior and predictions.</summary>
public sealed class BayesianLogisticFit
{
    private readonly int _featureCount;
    private readonly BayesianLogisticSettings _settings;

    internal BayesianLogisticFit(ClassificationPosterior posterior, EvidencePoint chosen, IReadOnlyList<EvidencePoint> profile,
        int featureCount, int classes, BayesianLogisticSettings settings)
    {
        Posterior = posterior;
        Chosen = chosen;
        Profile = profile;
        Classes = classes;
        _featureCount = featureCount;
        _settings = settings;
    }

    /// <summary>q(W) = Π_k q(w_k) and the VMP run of the chosen setting.</summary>
    public ClassificationPosterior Posterior { get; }

    /// <summary>The evidence-maximising (λ, α) and its bound.</summary>
    public EvidencePoint Chosen { get; }

    /// <summary>Every (λ, α) tried, in the order of the settings' grids (λ outer).</summary>
    public IReadOnlyList<EvidencePoint> Profile { get; }

    /// <summary>K.</summary>
    public int Classes { get; }

    /// <summary>
    /// The posterior predictive p(y | x) = E_q[softmax(Wx)] for every row of <paramref name="features"/>, row-major m·K.
    /// Under q the logits zₖ = wₖᵀx are independent N(mₖᵀx, xᵀΣₖx); the expectation is averaged over
    /// <see cref="BayesianLogisticSettings.PredictiveSamples"/> antithetic draws of the standardised logits, the same
    /// draws for every object (so the estimate is deterministic under the seed).
    /// </summary>
    public float[] PredictiveProbabilities(ReadOnlySpan<float> features)
    {
        var x = Design(features);
        int m = x.RowCount, k = Classes;
        var means = new double[m * k];
        var sds = new double[m * k];
        for (int c = 0; c < k; c++)
        {
            var q = Posterior.Weights[c];
            var mu = x * q.GetMean();
            var variance = (x * q.GetVariance()).PointwiseMultiply(x).RowSums();
            for (int i = 0; i < m; i++)
            {
                means[i * k + c] = mu[i];
                sds[i * k + c] = Math.Sqrt(Math.Max(variance[i], 0));
            }
        }
        int half = _settings.PredictiveSamples / 2;
        var rng = new Rng(_settings.Seed);
        var eps = new double[half * k];
        for (int j = 0; j < eps.Length; j++) eps[j] = rng.Normal();
        var result = new float[m * k];
        var z = new double[k];
        var p = new double[k];
        var sum = new double[k];
        for (int i = 0; i < m; i++)
        {
            var mean = means.AsSpan(i * k, k);
            var sd = sds.AsSpan(i * k, k);
            Array.Clear(sum);
            for (int s = 0; s < half; s++)
            {
                var e = eps.AsSpan(s * k, k);
                for (int sign = -1; sign <= 1; sign += 2)
                {
                    for (int c = 0; c < k; c++) z[c] = mean[c] + sign * sd[c] * e[c];
                    StableSoftmax(z, p);
                    TensorPrimitives.Add(sum, p, sum);
                }
            }
            for (int c = 0; c < k; c++) result[i * k + c] = (float)(sum[c] / (2 * half));
        }
        return result;
    }

    /// <summary>The plug-in softmax(E[W]x) for every row of <paramref name="features"/>, row-major m·K.</summary>
    public float[] PlugInProbabilities(ReadOnlySpan<float> features)
    {
        var x = Design(features);
        int m = x.RowCount, k = Classes;
        var logits = new double[m * k];
        for (int c = 0; c < k; c++)
        {
            var mu = x * Posterior.Weights[c].GetMean();
            for (int i = 0; i < m; i++) logits[i * k + c] = mu[i];
        }
        var result = new float[m * k];
        var p = new double[k];
        for (int i = 0; i < m; i++)
        {
            StableSoftmax(logits.AsSpan(i * k, k), p);
            for (int c = 0; c < k; c++) result[i * k + c] = (float)p[c];
        }
        return result;
    }

    private Matrix<double> Design(ReadOnlySpan<float> features)
    {
        if (features.Length % _featureCount != 0)
            throw new ArgumentException($"BayesianLogisticFit: {features.Length} values do not form rows of the {_featureCount} features it was fitted on.", nameof(features));
        return DesignMatrix.FromRows(features, _featureCount, _settings.Bias);
    }

    /// <summary>softmax(z) with the maximum subtracted first, so large logits do not overflow.</summary>
    private static void StableSoftmax(ReadOnlySpan<double> z, Span<double> p)
    {
        TensorPrimitives.Subtract(z, TensorPrimitives.Max(z), p);
        TensorPrimitives.SoftMax(p, p);
    }
}
