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
}
