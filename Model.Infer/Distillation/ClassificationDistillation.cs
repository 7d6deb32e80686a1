using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Graph;
using Probabilistic.Infer.Factors;

namespace Probabilistic.Infer.Distillation;

/// <summary>
/// Bayesian softmax regression with distillation (methods.md §1.1, classification): wₖ ~ N(0, α⁻¹I); true labels
/// with weight 1 for i ∉ I and 1−λ for i ∈ I; the teacher's soft labels sᵢ for i ∈ I as fractional counts with
/// weight λ (Repeat blocks). VMP with Böhning's bound by default (<see cref="SoftmaxOperator"/>); the evidence is the bound.
/// </summary>
public sealed class ClassificationDistillation
{
    private readonly Matrix<double> _x;
    private readonly int[] _labels;
    private readonly Vector<double>[] _soft;
    private readonly bool[] _privileged;
    private readonly int _classes;

    /// <summary>A classification student on the rows of <paramref name="x"/> with hard <paramref name="labels"/>, the teacher's soft labels, and the flags of the privileged objects (those whose soft labels are used); <paramref name="classes"/> is the number of classes.</summary>
    public ClassificationDistillation(Matrix<double> x, int[] labels, Vector<double>[] teacherSoftLabels, bool[] privileged, int classes)
    {
        int m = x.RowCount;
        if (labels.Length != m || teacherSoftLabels.Length != m || privileged.Length != m)
            throw new ArgumentException($"ClassificationDistillation: X has {m} rows but labels, soft labels and I have {labels.Length}, {teacherSoftLabels.Length}, {privileged.Length}.");
        _x = x;
        _labels = labels;
        _soft = teacherSoftLabels;
        _privileged = privileged;
        _classes = classes;
    }

    /// <summary>The weight λ of the teacher's soft labels (the power of their likelihood); default 0.5.</summary>
    public double Lambda { get; init; } = 0.5;
    /// <summary>The precision of the N(0, α⁻¹I) prior on each class's weights; default 1.</summary>
    public double PriorPrecision { get; init; } = 1;
    /// <summary>The iteration cap of the VMP run; default 200.</summary>
    public int Iterations { get; init; } = 200;
    /// <summary>The convergence tolerance of the VMP run; default 1e-7.</summary>
    public double Tolerance { get; init; } = 1e-7;

    /// <summary>
    /// The student's temperature T₀ in the soft-label terms: there the student is softmax(Wx/T₀) = softmax(W(x/T₀)),
    /// so those rows enter the graph as x/T₀ (the true-label terms stay at T = 1). 1 by default.
    /// </summary>
    public double StudentTemperature { get; init; } = 1;

    /// <summary>
    /// The softmax operator of the VMP run. Böhning's by default, not the engine's tighter default: the Bayesian students
    /// of the reproduction (FashionMNIST, K = 10) were fitted and published with it, and the joint quadrature's cost
    /// grows as K² Gram blocks with Monte Carlo points past K = 4 (Model.Infer/README.md, "Softmax operators").
    /// </summary>
    public SoftmaxOperator SoftmaxOperator { get; init; } = SoftmaxOperator.Bohning;

    /// <summary>Fits the student by VMP and returns the posterior over the class weights.</summary>
    public ClassificationPosterior Fit()
    {
        if (!(Lambda >= 0 && Lambda <= 1)) throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "λ must lie in [0, 1].");
        if (!(StudentTemperature > 0)) throw new ArgumentOutOfRangeException(nameof(StudentTemperature), StudentTemperature, "The student temperature must be positive.");
        int n = _x.ColumnCount;
        var c = new Graph.Range(_classes).Named("class");
        var w = Variable.Array<Vector<double>>(c).Named("W");
        w[c] = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n) * PriorPrecision);
        var inI = Enumerable.Range(0, _x.RowCount).Where(i => _privileged[i]).ToArray();
        var outI = Enumerable.Range(0, _x.RowCount).Where(i => !_privileged[i]).ToArray();
        AddLabels(w, outI, 1, "y_notI");
        AddLabels(w, inI, 1 - Lambda, "y_I");
        if (inI.Length > 0 && Lambda > 0)
        {
            var (range, x) = Rows(inI, "s_I", 1 / StudentTemperature);
            using (Variable.Repeat(Lambda))
            {
                var s = Variable.Array<Vector<double>>(range).Named("s_I");
                s[range] = Variable.SoftLabelsFromLinearSoftmax(w, x[range]);
                s.ObservedValue = inI.Select(i => _soft[i]).ToArray();
            }
        }
        var engine = new InferenceEngine(new VariationalMessagePassing()) { NumberOfIterations = Iterations, Tolerance = Tolerance, ShowWarnings = false, SoftmaxOperator = SoftmaxOperator };
        var result = engine.Run(w);
        return new ClassificationPosterior(result.Marginal<VectorGaussian[]>(w), result);
    }

    private (Graph.Range, VariableArray<Vector<double>>) Rows(int[] rows, string name, double scale = 1)
    {
        var range = new Graph.Range(rows.Length).Named(name + "_index");
        var x = Variable.Array<Vector<double>>(range).Named("x_" + name);
        var block = _x.SubMatrixRows(rows);
        x.ObserveRows(scale == 1 ? block : block * scale);
        return (range, x);
    }

    private void AddLabels(VariableArray<Vector<double>> w, int[] rows, double weight, string name)
    {
        if (rows.Length == 0 || weight == 0) return;
        var (range, x) = Rows(rows, name);
        using (Variable.Repeat(weight))
        {
            var y = Variable.Array<int>(range).Named(name);
            y[range] = Variable.DiscreteFromLinearSoftmax(w, x[range]);
            y.ObservedValue = rows.Select(i => _labels[i]).ToArray();
        }
    }
}

/// <summary>q(W) = Π q(wₖ), the VMP bound and its history, and plug-in predictions.</summary>
public sealed class ClassificationPosterior
{
    internal ClassificationPosterior(VectorGaussian[] weights, InferenceResult run)
    {
        Weights = weights;
        Run = run;
    }

    /// <summary>The posterior q(w_k) of each class's weight vector.</summary>
    public VectorGaussian[] Weights { get; }
    /// <summary>The inference run behind the fit (iterations, convergence, warnings, bound history).</summary>
    public InferenceResult Run { get; }
    /// <summary>The VMP lower bound on the log evidence at the fit.</summary>
    public double LogEvidenceBound => Run.LogEvidence;

    /// <summary>softmax(E[W]x), the VMP predictive message.</summary>
    public Discrete Predict(Vector<double> x) =>
        Discrete.FromLogProbabilities(Weights.Select(w => w.GetMean().DotProduct(x)).ToArray());
}

internal static class MatrixRows
{
    public static Matrix<double> SubMatrixRows(this Matrix<double> x, int[] rows) =>
        Matrix<double>.Build.Dense(rows.Length, x.ColumnCount, (i, j) => x[rows[i], j]);
}
