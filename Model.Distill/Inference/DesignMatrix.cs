using MathNet.Numerics.LinearAlgebra;

namespace Probabilistic.Distill.Inference;

/// <summary>
/// The bridge from Model.Nn's row-major float features to the double matrices of Model.Infer's factor graphs: one row
/// per object, optionally with a trailing column of ones so that a linear student's bias is one more weight under the
/// same prior.
/// </summary>
public static class DesignMatrix
{
    /// <summary>
    /// The m×(n+1) (with <paramref name="bias"/>) or m×n matrix of <paramref name="features"/> (row-major, m·n values,
    /// n = <paramref name="featureCount"/>).
    /// </summary>
    public static Matrix<double> FromRows(ReadOnlySpan<float> features, int featureCount, bool bias)
    {
        if (featureCount < 1) throw new ArgumentOutOfRangeException(nameof(featureCount), featureCount, "DesignMatrix: the feature count must be positive.");
        if (features.Length % featureCount != 0)
            throw new ArgumentException($"DesignMatrix: {features.Length} values do not form rows of {featureCount} features.", nameof(features));
        int m = features.Length / featureCount, n = featureCount + (bias ? 1 : 0);
        var values = new double[m * n];   // column-major, as MathNet stores dense matrices
        for (int i = 0; i < m; i++)
        {
            var row = features.Slice(i * featureCount, featureCount);
            for (int j = 0; j < featureCount; j++) values[j * m + i] = row[j];
        }
        if (bias) Array.Fill(values, 1.0, featureCount * m, m);
        return Matrix<double>.Build.Dense(m, n, values);
    }
}
