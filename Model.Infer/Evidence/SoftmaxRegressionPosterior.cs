using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Numerics;

namespace Probabilistic.Infer.Evidence;

/// <summary>
/// The exact log joint of multiclass softmax regression, log p(y, W) = Σᵢ log softmax(Wxᵢ)_{yᵢ} + Σ log N(W; 0, α⁻¹I),
/// with W class-major (w_k = W[k·n .. k·n + n)), its gradient and Hessian, and the Laplace approximation (Newton's
/// method to the mode, covariance the inverse negative Hessian there), as input to
/// <see cref="ImportanceSampledEvidence"/>.
/// </summary>
public sealed class SoftmaxRegressionPosterior
{
    private readonly double[] _x;
    private readonly int[] _labels;

    /// <summary>Rows x (row-major m×n), labels in [0, K), K classes and the prior precision α of every weight.</summary>
    public SoftmaxRegressionPosterior(double[] x, int rows, int features, int[] labels, int classes, double priorPrecision)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(labels);
        if (rows < 1 || features < 1 || x.Length != rows * features)
            throw new ArgumentException($"SoftmaxRegressionPosterior: x has {x.Length} entries, expected {rows}×{features}.");
        if (labels.Length != rows) throw new ArgumentException($"SoftmaxRegressionPosterior: {labels.Length} labels for {rows} rows.");
        if (classes < 2) throw new ArgumentException($"SoftmaxRegressionPosterior: needs at least 2 classes, got {classes}.");
        foreach (var y in labels)
            if ((uint)y >= (uint)classes) throw new ArgumentException($"SoftmaxRegressionPosterior: label {y} is outside [0, {classes}).");
        if (!(priorPrecision > 0)) throw new ArgumentException($"SoftmaxRegressionPosterior: the prior precision must be > 0, got {priorPrecision}.");
        _x = x; _labels = labels;
        Rows = rows; Features = features; Classes = classes; PriorPrecision = priorPrecision;
    }

    /// <summary>m.</summary>
    public int Rows { get; }
    /// <summary>n.</summary>
    public int Features { get; }
    /// <summary>K.</summary>
    public int Classes { get; }
    /// <summary>α.</summary>
    public double PriorPrecision { get; }
    /// <summary>K·n, the number of weights.</summary>
    public int Dimension => Classes * Features;

    /// <summary>log p(y, W).</summary>
    public double LogJoint(ReadOnlySpan<double> w) => LogJoint(w, default, null);

    /// <summary>log p(y, W); also its gradient (if <paramref name="gradient"/> is not empty) and Hessian (if given, overwritten).</summary>
    public double LogJoint(ReadOnlySpan<double> w, Span<double> gradient, Matrix<double>? hessian)
    {
        int n = Features, k = Classes, d = Dimension;
        if (w.Length != d) throw new ArgumentException($"SoftmaxRegressionPosterior.LogJoint: W has {w.Length} entries, expected {d}.");
        bool grad = !gradient.IsEmpty;
        if (grad && gradient.Length != d) throw new ArgumentException($"SoftmaxRegressionPosterior.LogJoint: gradient has {gradient.Length} entries, expected {d}.");
        double a = PriorPrecision, value = 0.5 * d * Math.Log(a / (2 * Math.PI));
        for (int j = 0; j < d; j++) value -= 0.5 * a * w[j] * w[j];
        if (grad) for (int j = 0; j < d; j++) gradient[j] = -a * w[j];
        hessian?.Clear();
        if (hessian != null) for (int j = 0; j < d; j++) hessian[j, j] = -a;
        Span<double> z = stackalloc double[k], p = stackalloc double[k];
        for (int i = 0; i < Rows; i++)
        {
            var xi = new ReadOnlySpan<double>(_x, i * n, n);
            for (int c = 0; c < k; c++)
            {
                double s = 0;
                var wc = w.Slice(c * n, n);
                for (int j = 0; j < n; j++) s += wc[j] * xi[j];
                z[c] = s;
            }
            double lse = LogSumExp.Softmax(z, p);
            value += z[_labels[i]] - lse;
            if (grad)
                for (int c = 0; c < k; c++)
                {
                    double r = (c == _labels[i] ? 1 : 0) - p[c];
                    for (int j = 0; j < n; j++) gradient[c * n + j] += r * xi[j];
                }
            if (hessian != null)
                for (int c = 0; c < k; c++)
                    for (int e = 0; e < k; e++)
                    {
                        double h = p[c] * ((c == e ? 1 : 0) - p[e]);
                        for (int r = 0; r < n; r++)
                        {
                            double hr = h * xi[r];
                            for (int s = 0; s < n; s++) hessian[c * n + r, e * n + s] -= hr * xi[s];
                        }
                    }
        }
        return value;
    }

    /// <summary>Batched log joint for <see cref="ImportanceSampledEvidence.Estimate(ImportanceSampledEvidence.BatchLogJoint, Vector{double}, Matrix{double}, int, ulong, double)"/>.</summary>
    public void LogJointBatch(ReadOnlySpan<double> samples, int count, Span<double> result)
    {
        int d = Dimension;
        for (int s = 0; s < count; s++) result[s] = LogJoint(samples.Slice(s * d, d));
    }

    /// <summary>The Laplace approximation: the mode by Newton's method (the log joint is strictly concave) and the
    /// inverse negative Hessian there.</summary>
    public (Vector<double> Mean, Matrix<double> Covariance) Laplace(int maxIterations = 100, double tolerance = 1e-10)
    {
        int d = Dimension;
        var w = new double[d];
        var g = new double[d];
        var h = Matrix<double>.Build.Dense(d, d);
        double value = LogJoint(w, g, h);
        for (int it = 0; it < maxIterations; it++)
        {
            var step = (-h).Cholesky().Solve(Vector<double>.Build.Dense(g));
            double t = 1, newValue;
            var trial = new double[d];
            while (true)
            {
                for (int j = 0; j < d; j++) trial[j] = w[j] + t * step[j];
                newValue = LogJoint(trial);
                if (newValue >= value - 1e-12 * Math.Abs(value) || t < 1e-10) break;
                t *= 0.5;
            }
            w = trial;
            double decrement = step.DotProduct(Vector<double>.Build.Dense(g));
            value = LogJoint(w, g, h);
            if (decrement < tolerance) break;
        }
        var cov = (-h).Inverse();
        return (Vector<double>.Build.Dense(w), 0.5 * (cov + cov.Transpose()));
    }
}
