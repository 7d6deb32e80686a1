using System.Buffers;

namespace Probabilistic.Core.Simplex;

/// <summary>
/// Divided differences of exp, exp[x_i, …, x_j], for every contiguous run of a node sequence, computed without
/// cancellation. By Opitz's theorem they are the entries of exp(J), J upper bidiagonal with the nodes on its
/// diagonal and ones above it. We evaluate exp(J) by scaling and squaring (McCurdy, Ng and Parlett, 1984):
/// a short Taylor series (complete homogeneous symmetric polynomials) at nodes scaled into a width-1 interval,
/// then repeated squaring. Every entry is positive, so squaring adds only rounding errors and never cancels;
/// coincident or nearly coincident nodes need no special case (the confluent limit comes out automatically).
/// Entries are held as ρ^(j−i)·exp[y_i..y_j] with y = x − max(x), so nothing overflows and the result is read
/// in log space.
/// </summary>
internal static class ExpDividedDifferences
{
    /// <summary>Most nodes supported (the ρ-scaled entries stay below e^ρ ≈ e^377).</summary>
    public const int MaxNodes = 1024;

    private const int TaylorTerms = 20;

    /// <summary>
    /// Fills <paramref name="logTable"/> (n×n, row-major, only i ≤ j written) with ln exp[x_i, …, x_j].
    /// </summary>
    public static void LogTable(ReadOnlySpan<double> x, Span<double> logTable)
    {
        int n = x.Length;
        if (n == 0 || n > MaxNodes)
            throw new ArgumentOutOfRangeException(nameof(x), n, $"Divided differences of exp need 1..{MaxNodes} nodes.");
        if (logTable.Length < n * n)
            throw new ArgumentException($"Divided differences of exp: table has {logTable.Length} cells, need {n * n}.");

        double max = double.NegativeInfinity, min = double.PositiveInfinity;
        foreach (double v in x)
        {
            if (!double.IsFinite(v))
                throw new ArgumentException($"Divided differences of exp: node {v} is not finite.", nameof(x));
            max = Math.Max(max, v);
            min = Math.Min(min, v);
        }
        double spread = max - min;
        // Halve until the scaled nodes span at most 1; each halving costs one squaring at the end.
        int squarings = 0;
        while (spread / Math.ScaleB(1.0, squarings) > 1.0) squarings++;
        double scale = Math.ScaleB(1.0, -squarings);
        double rho = Math.Max(1.0, n / Math.E);

        double[] rented = ArrayPool<double>.Shared.Rent(2 * n * n + (TaylorTerms + 1));
        try
        {
            Span<double> b = rented.AsSpan(0, n * n);
            Span<double> tmp = rented.AsSpan(n * n, n * n);
            Span<double> h = rented.AsSpan(2 * n * n, TaylorTerms + 1);
            b.Clear();
            double centre = -0.5 * spread * scale;
            double eCentre = Math.Exp(centre);
            // Taylor stage: exp[z_i..z_j] = Σ_p h_p(z_i..z_j)/(p + j − i)!, |z| ≤ 1/2, every term bounded by
            // 2^-p/(p!(j−i)!), so 20 terms reach double precision and the sum loses at most a factor e² to rounding.
            for (int i = 0; i < n; i++)
            {
                h.Clear();
                h[0] = 1.0;
                double rhoPow = 1.0;
                for (int j = i; j < n; j++)
                {
                    double z = (x[j] - max) * scale - centre;
                    // h_p(z_i..z_j) = h_p(z_i..z_{j−1}) + z_j·h_{p−1}(z_i..z_j)
                    for (int p = 1; p <= TaylorTerms; p++) h[p] += z * h[p - 1];
                    int m = j - i;
                    double inv = 1.0;
                    for (int q = 2; q <= m; q++) inv /= q; // 1/m!
                    double sum = 0;
                    for (int p = 0; p <= TaylorTerms; p++)
                    {
                        sum += h[p] * inv;
                        inv /= m + p + 1;
                    }
                    b[i * n + j] = rhoPow * eCentre * sum;
                    rhoPow *= rho;
                }
            }
            // Squaring stage: exp(J/2^(k−1)) = exp(J/2^k)²; the stored ρ-scaling doubles, so divide by 2^(j−i).
            for (int k = 0; k < squarings; k++)
            {
                tmp.Clear();
                for (int i = 0; i < n; i++)
                {
                    for (int j = i; j < n; j++)
                    {
                        double s = 0;
                        for (int l = i; l <= j; l++) s += b[i * n + l] * b[l * n + j];
                        tmp[i * n + j] = Math.ScaleB(s, -(j - i));
                    }
                }
                tmp.CopyTo(b);
            }
            double logRho = Math.Log(rho);
            for (int i = 0; i < n; i++)
                for (int j = i; j < n; j++)
                    logTable[i * n + j] = max + Math.Log(b[i * n + j]) - (j - i) * logRho;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rented);
        }
    }
}
