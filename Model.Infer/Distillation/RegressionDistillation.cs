using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Graph;

namespace Probabilistic.Infer.Distillation;

/// <summary>How the λ-weighted terms of methods.md §1.1 enter the factor graph.</summary>
public enum TemperingForm
{
    /// <summary>N(y | wᵀx, τ)^λ, Infer.NET's Repeat(λ) block: the weighted log-likelihood of the paper exactly,
    /// but its "evidence" is not a density of the data and grows without bound as λ → 0.</summary>
    Power,

    /// <summary>N(y | wᵀx, λτ): the same posterior over w (the power of a Gaussian is a Gaussian), and a proper
    /// density of (y, s), so its evidence can compare different λ and σ_s.</summary>
    Normalised,
}

/// <summary>
/// The regression distillation model of methods.md §1.1/§1.3 as a factor graph: w ~ N(0, α⁻¹I);
/// yᵢ ~ N(wᵀxᵢ, τ) for i ∉ I; for i ∈ I, yᵢ with weight 1−λ and the teacher's sᵢ ~ N(wᵀxᵢ, τ_s) with weight λ
/// (τ = 1/σ², τ_s = 1/σ_s²). Inference is EP, exact here, so the posterior mean under a vague prior is
/// Theorem A2's weighted least squares ŵ = (XᵀΣ⁻¹X)⁻¹Xᵀy'.
/// </summary>
public sealed class RegressionDistillation
{
    private readonly Matrix<double> _x;
    private readonly Vector<double> _y;
    private readonly Vector<double> _s;
    private readonly bool[] _privileged;

    /// <param name="x">Inputs, m×n.</param>
    /// <param name="y">Targets, length m.</param>
    /// <param name="teacher">Teacher outputs sᵢ, length m (read only where <paramref name="privileged"/> is true).</param>
    /// <param name="privileged">Membership of I.</param>
    public RegressionDistillation(Matrix<double> x, Vector<double> y, Vector<double> teacher, bool[] privileged)
    {
        int m = x.RowCount;
        if (y.Count != m || teacher.Count != m || privileged.Length != m)
            throw new ArgumentException($"RegressionDistillation: X has {m} rows but y, s and I have {y.Count}, {teacher.Count}, {privileged.Length} entries.");
        _x = x;
        _y = y;
        _s = teacher;
        _privileged = privileged;
    }

    /// <summary>Noise precision τ = 1/σ² of the true targets.</summary>
    public double Tau { get; init; } = 1;

    /// <summary>Noise precision τ_s = 1/σ_s² of the teacher's outputs.</summary>
    public double TauS { get; init; } = 1;

    /// <summary>λ ∈ [0, 1], the weight of the teacher's terms.</summary>
    public double Lambda { get; init; } = 0.5;

    /// <summary>Prior precision α of each weight.</summary>
    public double PriorPrecision { get; init; } = 1e-6;

    /// <summary>How the teacher's term is tempered (normalised or unnormalised power); default <see cref="TemperingForm.Normalised"/>.</summary>
    public TemperingForm Tempering { get; init; } = TemperingForm.Normalised;

    /// <summary>Builds the factor graph, runs EP and returns the posterior, predictive and evidence.</summary>
    public RegressionPosterior Fit()
    {
        if (!(Lambda >= 0 && Lambda <= 1)) throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "λ must lie in [0, 1].");
        if (!(Tau > 0) || !(TauS > 0)) throw new ArgumentException($"RegressionDistillation: τ and τ_s must be > 0, got {Tau}, {TauS}.");
        int n = _x.ColumnCount;
        var inI = Enumerable.Range(0, _x.RowCount).Where(i => _privileged[i]).ToArray();
        var outI = Enumerable.Range(0, _x.RowCount).Where(i => !_privileged[i]).ToArray();

        var w = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(n),
            Matrix<double>.Build.DenseIdentity(n) * PriorPrecision).Named("w");
        AddGaussianTerms(w, outI, _y, Tau, 1, "y_notI");
        AddGaussianTerms(w, inI, _y, Tau, 1 - Lambda, "y_I");
        AddGaussianTerms(w, inI, _s, TauS, Lambda, "s_I");

        var engine = new InferenceEngine(new ExpectationPropagation()) { ShowWarnings = false };
        var result = engine.Run(w);
        return new RegressionPosterior(result.Marginal<VectorGaussian>(w), result.LogEvidence, Tau, result);
    }

    private void AddGaussianTerms(Variable<Vector<double>> w, int[] rows, Vector<double> targets, double precision, double weight, string name)
    {
        if (rows.Length == 0 || weight == 0) return;   // a zero-weight term is absent from the likelihood
        var range = new Graph.Range(rows.Length).Named(name + "_index");
        var x = Variable.Array<Vector<double>>(range).Named("x_" + name);
        x.ObserveRows(_x.SubMatrixRows(rows));
        var t = Variable.Array<double>(range).Named(name);
        if (Tempering == TemperingForm.Power)
        {
            using (Variable.Repeat(weight))
                t[range] = Variable.GaussianFromMeanAndPrecision(Variable.InnerProduct(w, x[range]), precision);
        }
        else t[range] = Variable.GaussianFromMeanAndPrecision(Variable.InnerProduct(w, x[range]), weight * precision);
        t.ObservedValue = rows.Select(i => targets[i]).ToArray();
    }

    /// <summary>
    /// Chooses λ on <paramref name="lambdaGrid"/> and, for each, σ_s by golden-section search on log σ_s in
    /// [<paramref name="sigmaSLow"/>, <paramref name="sigmaSHigh"/>], maximising the (normalised) model evidence.
    /// </summary>
    public static EvidenceSelection SelectByEvidence(Func<double, double, RegressionDistillation> model,
        IReadOnlyList<double> lambdaGrid, double sigmaSLow, double sigmaSHigh)
    {
        var rows = new List<(double Lambda, double SigmaS, double LogEvidence)>();
        foreach (double lambda in lambdaGrid)
        {
            double Objective(double logSigma) => model(lambda, Math.Exp(logSigma)).Fit().LogEvidence;
            double best = Probabilistic.Core.Numerics.GoldenSection.Maximize(Objective, Math.Log(sigmaSLow), Math.Log(sigmaSHigh), 1e-4);
            rows.Add((lambda, Math.Exp(best), Objective(best)));
        }
        var top = rows.MaxBy(r => r.LogEvidence);
        return new EvidenceSelection(top.Lambda, top.SigmaS, top.LogEvidence, rows);
    }
}

/// <summary>The posterior over w, the predictive distribution and the log evidence of a fitted model.</summary>
public sealed class RegressionPosterior
{
    internal RegressionPosterior(VectorGaussian weights, double logEvidence, double tau, InferenceResult run)
    {
        Weights = weights;
        LogEvidence = logEvidence;
        Tau = tau;
        Run = run;
    }

    /// <summary>The posterior over the regression weights.</summary>
    public VectorGaussian Weights { get; }
    /// <summary>The log evidence of the fitted model (exact for this linear-Gaussian model).</summary>
    public double LogEvidence { get; }
    /// <summary>The noise precision τ used in the fit.</summary>
    public double Tau { get; }
    /// <summary>The inference run behind the fit.</summary>
    public InferenceResult Run { get; }

    /// <summary>p(y* | x*, data) = N(x*ᵀm, x*ᵀΣx* + 1/τ).</summary>
    public Gaussian Predict(Vector<double> x) =>
        Gaussian.FromMeanAndVariance(x.DotProduct(Weights.GetMean()), x.DotProduct(Weights.GetVariance() * x) + 1 / Tau);
}

/// <summary>The evidence-maximising (λ, σ_s) and the profile over the λ grid.</summary>
public sealed record EvidenceSelection(double Lambda, double SigmaS, double LogEvidence,
    IReadOnlyList<(double Lambda, double SigmaS, double LogEvidence)> Profile);
