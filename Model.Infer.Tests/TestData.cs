using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;

namespace Probabilistic.Infer.Tests;

/// <summary>Seeded synthetic data and independent closed forms (MathNet dense algebra) for the checks.</summary>
internal static class TestData
{
    public static Matrix<double> RandomMatrix(Rng rng, int rows, int cols) =>
        Matrix<double>.Build.Dense(rows, cols, (_, _) => rng.Normal());

    public static Vector<double> RandomVector(Rng rng, int n, double scale = 1) =>
        Vector<double>.Build.Dense(n, _ => scale * rng.Normal());

    public static Vector<double>[] Rows(Matrix<double> x) => Enumerable.Range(0, x.RowCount).Select(x.Row).ToArray();

    /// <summary>log N(y; mean, cov) by Cholesky.</summary>
    public static double LogGaussian(Vector<double> y, Vector<double> mean, Matrix<double> cov)
    {
        var c = cov.Cholesky();
        var d = y - mean;
        return -0.5 * (y.Count * Math.Log(2 * Math.PI) + c.DeterminantLn + d.DotProduct(c.Solve(d)));
    }

    /// <summary>Posterior N(m, P⁻¹) of w ~ N(m0, P0⁻¹), y ~ N(Xw, diag(1/noisePrecisions)) and the evidence.</summary>
    public static (Vector<double> Mean, Matrix<double> Covariance, double LogEvidence) LinearGaussian(
        Matrix<double> x, Vector<double> y, Vector<double> noisePrecisions, Vector<double> m0, Matrix<double> p0)
    {
        var lambda = Matrix<double>.Build.DenseOfDiagonalVector(noisePrecisions);
        var p = p0 + x.Transpose() * lambda * x;
        var cov = p.Inverse();
        var mean = cov * (p0 * m0 + x.Transpose() * lambda * y);
        var marginalCov = x * p0.Inverse() * x.Transpose() + Matrix<double>.Build.DenseOfDiagonalVector(noisePrecisions.Map(t => 1 / t));
        return (mean, cov, LogGaussian(y, x * m0, marginalCov));
    }

    public static double MaxAbsDiff(Vector<double> a, Vector<double> b) => (a - b).AbsoluteMaximum();
    public static double MaxAbsDiff(Matrix<double> a, Matrix<double> b) => (a - b).Enumerate().Max(Math.Abs);
}
