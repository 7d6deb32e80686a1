using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Infer.Distillation;

namespace Probabilistic.Distill.Inference;

/// <summary>Settings of <see cref="BayesianRegressionStudent"/>.</summary>
/// <param name="Lambdas">The λ values tried (weight of the teacher's terms, in [0, 1]); one value fixes λ.</param>
/// <param name="TeacherSd">σ_s, the teacher's noise sd; null: chosen by evidence for each λ (golden-section search on
/// log σ_s in [<paramref name="TeacherSdLow"/>, <paramref name="TeacherSdHigh"/>]).</param>
/// <param name="NoiseSd">σ, the targets' noise sd; null: chosen by evidence on the model without the teacher (λ = 0),
/// searched in [<paramref name="TeacherSdLow"/>, <paramref name="TeacherSdHigh"/>].</param>
/// <param name="PriorPrecision">α, the prior precision of every weight (w ~ N(0, α⁻¹I)).</param>
/// <param name="Bias">Adds a column of ones to the features (the student's bias is one more weight).</param>
/// <param name="TeacherSdLow">Lower end of the σ and σ_s searches.</param>
/// <param name="TeacherSdHigh">Upper end of the σ and σ_s searches.</param>
public sealed record BayesianRegressionSettings(
    IReadOnlyList<double> Lambdas,
    double? TeacherSd = null,
    double? NoiseSd = null,
    double PriorPrecision = 1e-4,
    bool Bias = true,
    double TeacherSdLow = 1e-3,
    double TeacherSdHigh = 10)
{
    /// <summary>λ on 0.05, 0.15, …, 0.95, σ and σ_s by evidence, α = 1e-4.</summary>
    public static BayesianRegressionSettings Default { get; } = new(Enumerable.Range(0, 10).Select(i => 0.05 + 0.1 * i).ToArray());

    /// <summary>Throws a one-line error naming the first bad setting.</summary>
    public void Validate()
    {
        if (Lambdas is null || Lambdas.Count == 0) throw new ArgumentException("BayesianRegressionSettings: give at least one λ.");
        foreach (double l in Lambdas)
            if (!(l >= 0 && l <= 1)) throw new ArgumentOutOfRangeException(nameof(Lambdas), l, "BayesianRegressionSettings: every λ must lie in [0, 1].");
        if (TeacherSd is { } s && !(s > 0)) throw new ArgumentOutOfRangeException(nameof(TeacherSd), s, "BayesianRegressionSettings: σ_s must be positive.");
        if (NoiseSd is { } n && !(n > 0)) throw new ArgumentOutOfRangeException(nameof(NoiseSd), n, "BayesianRegressionSettings: σ must be positive.");
        if (!(PriorPrecision > 0)) throw new ArgumentOutOfRangeException(nameof(PriorPrecision), PriorPrecision, "BayesianRegressionSettings: the prior precision must be positive.");
        if (!(TeacherSdLow > 0 && TeacherSdHigh > TeacherSdLow))
            throw new ArgumentException($"BayesianRegressionSettings: the search range [{TeacherSdLow}, {TeacherSdHigh}] must be positive and increasing.");
    }
}

/// <summary>
/// The regression distillation of methods.md §1.1/§1.3 fitted as a Bayesian linear model by Model.Infer's factor graph
/// (<see cref="RegressionDistillation"/>, EP, exact here): w ~ N(0, α⁻¹I); yᵢ ~ N(wᵀxᵢ, σ²) with weight 1 (i ∉ I) or
/// 1−λ (i ∈ I); the teacher's sᵢ ~ N(wᵀxᵢ, σ_s²) with weight λ on I. Its posterior mean is Theorem A2's reweighted
/// (ridge) least squares. σ is chosen by the evidence of the model without the teacher when not given; λ on its grid
/// and σ_s (when not given) by the normalised evidence (<see cref="RegressionDistillation.SelectByEvidence"/>).
/// </summary>
public sealed class BayesianRegressionStudent : IDistillationMethod
{
    /// <summary>Makes the student with <paramref name="settings"/> (validated).</summary>
    public BayesianRegressionStudent(BayesianRegressionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        Settings = settings;
    }

    /// <inheritdoc />
    public string Name => "probabilistic-bayesian-regression";

    /// <summary>The settings.</summary>
    public BayesianRegressionSettings Settings { get; }

    /// <summary>
    /// Fits the student on <paramref name="features"/> (row-major, <paramref name="featureCount"/> per object), the
    /// targets, the teacher's answers (read on I) and the index set I.
    /// </summary>
    public BayesianRegressionFit Fit(ReadOnlySpan<float> features, int featureCount, ReadOnlySpan<float> targets, ReadOnlySpan<float> teacherAnswers,
        bool[] inIndexSet)
    {
        ArgumentNullException.ThrowIfNull(inIndexSet);
        var x = DesignMatrix.FromRows(features, featureCount, Settings.Bias);
        int m = x.RowCount;
        if (targets.Length != m || teacherAnswers.Length != m || inIndexSet.Length != m)
            throw new ArgumentException($"{Name}: {m} objects but {targets.Length} targets, {teacherAnswers.Length} teacher answers and {inIndexSet.Length} index-set flags.");
        var y = Vector<double>.Build.Dense(m);
        var s = Vector<double>.Build.Dense(m);
        for (int i = 0; i < m; i++) (y[i], s[i]) = (targets[i], teacherAnswers[i]);
        double alpha = Settings.PriorPrecision;
        RegressionDistillation Model(double lambda, double sigma, double sigmaS) =>
            new(x, y, s, inIndexSet) { Tau = 1 / (sigma * sigma), TauS = 1 / (sigmaS * sigmaS), Lambda = lambda, PriorPrecision = alpha };

        // σ: with λ = 0 the teacher's terms are absent, so SelectByEvidence's golden-section search over its second
        // argument is a search over σ when the factory puts that argument in the place of σ.
        double sigma = Settings.NoiseSd
            ?? RegressionDistillation.SelectByEvidence((_, sd) => Model(0, sd, 1), [0.0], Settings.TeacherSdLow, Settings.TeacherSdHigh).SigmaS;

        EvidenceSelection? selection = null;
        double chosenLambda, chosenSigmaS;
        if (Settings.TeacherSd is { } fixedSigmaS)
        {
            var scores = Settings.Lambdas.Select(l => (Lambda: l, Evidence: Model(l, sigma, fixedSigmaS).Fit().LogEvidence)).ToList();
            chosenLambda = scores.MaxBy(t => t.Evidence).Lambda;
            chosenSigmaS = fixedSigmaS;
            selection = new EvidenceSelection(chosenLambda, fixedSigmaS, scores.Max(t => t.Evidence),
                scores.Select(t => (t.Lambda, fixedSigmaS, t.Evidence)).ToList());
        }
        else
        {
            selection = RegressionDistillation.SelectByEvidence((l, sd) => Model(l, sigma, sd), Settings.Lambdas, Settings.TeacherSdLow, Settings.TeacherSdHigh);
            (chosenLambda, chosenSigmaS) = (selection.Lambda, selection.SigmaS);
        }
        var posterior = Model(chosenLambda, sigma, chosenSigmaS).Fit();
        return new BayesianRegressionFit(posterior, chosenLambda, sigma, chosenSigmaS, selection, featureCount, Settings.Bias);
    }
}

/// <summary>A fitted <see cref="BayesianRegressionStudent"/>: the chosen (λ, σ, σ_s), the posterior and predictions.</summary>
public sealed class BayesianRegressionFit
{
    private readonly int _featureCount;
    private readonly bool _bias;

    internal BayesianRegressionFit(RegressionPosterior posterior, double lambda, double noiseSd, double teacherSd, EvidenceSelection selection,
        int featureCount, bool bias)
    {
        Posterior = posterior;
        Lambda = lambda;
        NoiseSd = noiseSd;
        TeacherSd = teacherSd;
        Selection = selection;
        _featureCount = featureCount;
        _bias = bias;
    }

    /// <summary>The posterior over the weights (the bias last when the student has one), its evidence and EP run.</summary>
    public RegressionPosterior Posterior { get; }

    /// <summary>The chosen λ.</summary>
    public double Lambda { get; }

    /// <summary>σ, given or chosen by evidence.</summary>
    public double NoiseSd { get; }

    /// <summary>σ_s, given or chosen by evidence.</summary>
    public double TeacherSd { get; }

    /// <summary>The evidence over the λ grid (σ_s optimised or fixed for each λ).</summary>
    public EvidenceSelection Selection { get; }

    /// <summary>The log evidence log p(y, s | X, λ, σ, σ_s, α) of the chosen model (EP, exact for this model).</summary>
    public double LogEvidence => Posterior.LogEvidence;

    /// <summary>The predictive means xᵀm and variances xᵀΣx + σ² for every row of <paramref name="features"/>.</summary>
    public (double[] Mean, double[] Variance) Predict(ReadOnlySpan<float> features)
    {
        if (features.Length % _featureCount != 0)
            throw new ArgumentException($"BayesianRegressionFit: {features.Length} values do not form rows of the {_featureCount} features it was fitted on.", nameof(features));
        var x = DesignMatrix.FromRows(features, _featureCount, _bias);
        var mean = new double[x.RowCount];
        var variance = new double[x.RowCount];
        for (int i = 0; i < x.RowCount; i++)
        {
            var p = Posterior.Predict(x.Row(i));
            (mean[i], variance[i]) = (p.GetMean(), p.GetVariance());
        }
        return (mean, variance);
    }
}
