namespace Probabilistic.Nn.Tensors;

/// <summary>
/// Single-precision general matrix multiply on row-major storage:
/// C[m×n] = alpha · op(A) · op(B) + beta · C, where op(A) is m×k and op(B) is k×n.
/// lda, ldb, ldc are the row strides of A, B, C as stored (A is m×k, or k×m when transposed).
/// </summary>
public static class Gemm
{
    /// <summary>Reference implementation (to be replaced by the packed, register-tiled kernel).</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += av * bv;
                }
                ref float cv = ref c[i * ldc + j];
                cv = beta == 0 ? alpha * sum : alpha * sum + beta * cv;
            }
        }
    }
}
