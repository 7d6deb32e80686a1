using Probabilistic.Core.Random;
using Probabilistic.Infer.Numerics;

namespace Probabilistic.Infer.Tests;

/// <summary>The blocked kernels against naive loops, on sizes that exercise every edge of the tiling.</summary>
public class KernelTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(257, 37)]
    [InlineData(3000, 16)]
    public void WeightedGramAndQuadraticFormsMatchNaiveLoops(int m, int n)
    {
        var rng = new Rng((ulong)(m * 31 + n));
        var x = Enumerable.Range(0, m * n).Select(_ => rng.Normal()).ToArray();
        var w = Enumerable.Range(0, m).Select(_ => rng.NextDouble()).ToArray();
        var s = Enumerable.Range(0, n * n).Select(_ => rng.Normal()).ToArray();
        var gram = new double[n * n];
        DenseKernels.WeightedGram(x, m, n, w, gram);
        var quad = new double[m];
        DenseKernels.QuadraticForms(x, m, n, s, quad);
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
            {
                double e = 0;
                for (int i = 0; i < m; i++) e += w[i] * x[i * n + a] * x[i * n + b];
                Assert.True(Math.Abs(e - gram[a * n + b]) < 1e-10 * (1 + Math.Abs(e)), $"gram[{a},{b}] {gram[a * n + b]} vs {e}");
            }
        for (int i = 0; i < m; i++)
        {
            double e = 0;
            for (int a = 0; a < n; a++)
                for (int b = 0; b < n; b++) e += x[i * n + a] * s[a * n + b] * x[i * n + b];
            Assert.True(Math.Abs(e - quad[i]) < 1e-10 * (1 + Math.Abs(e)), $"quad[{i}] {quad[i]} vs {e}");
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(300, 10)]
    [InlineData(1100, 40)]
    public void InverseQuadraticFormsMatchTheExplicitInverse(int m, int n)
    {
        var rng = new Rng((ulong)(m * 17 + n));
        var x = Enumerable.Range(0, m * n).Select(_ => rng.Normal()).ToArray();
        var b = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(n, n, (_, _) => rng.Normal());
        var p = b * b.Transpose() + MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseIdentity(n) * 0.5;
        var lower = p.Cholesky().Factor.ToRowMajorArray();
        var quad = new double[m];
        DenseKernels.InverseQuadraticForms(x, m, n, lower, quad);
        var s = p.Inverse();   // LU inverse: an independent route to xᵀP⁻¹x
        for (int i = 0; i < m; i++)
        {
            double e = 0;
            for (int a = 0; a < n; a++)
                for (int c = 0; c < n; c++) e += x[i * n + a] * s[a, c] * x[i * n + c];
            Assert.True(Math.Abs(e - quad[i]) < 1e-8 * (1 + Math.Abs(e)), $"row {i}: {quad[i]} vs {e}");
        }
    }
}
