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
    /// Fills <paramref name="table"/> (n×n, row-major, only i ≤ j written) with exp[x_i, …, x_j] in scaled form;
    /// read entries with <see cref="Scaled.Log"/> (ln exp[x_i..x_j] = shift + ln table[i, j] − (j − i)·ln ρ).
    /// </summary>
    public static Scaled Table(ReadOnlySpan<double> x, Span<double> table)
    {
        int n = x.Length;
        if (n == 0 || n > MaxNodes)
            throw new ArgumentOutOfRangeException(nameof(x), n, $"Divided differences of exp need 1..{MaxNodes} nodes.");
        if (table.Length < n * n)
            throw new ArgumentException($"Divided differences of exp: table has {table.Length} cells, need {n * n}.");

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

        double[] rented = ArrayPool<double>.Shared.Rent(n * n + (TaylorTerms + 1) + n);
        try
        {
            Span<double> b = table.Slice(0, n * n);
            Span<double> tmp = rented.AsSpan(0, n * n);
            Span<double> h = rented.AsSpan(n * n, TaylorTerms + 1);
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
                double invFactorial = 1.0; // 1/(j − i)!
                for (int j = i; j < n; j++)
                {
                    double z = (x[j] - max) * scale - centre;
                    // h_p(z_i..z_j) = h_p(z_i..z_{j−1}) + z_j·h_{p−1}(z_i..z_j)
                    for (int p = 1; p <= TaylorTerms; p++) h[p] += z * h[p - 1];
                    int m = j - i;
                    if (m > 0) invFactorial /= m;
                    double inv = invFactorial;
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
            // Row-oriented products (C[i, l..] += B[i, l]·B[l, l..]) keep the inner loop contiguous and vectorised.
            Span<double> halfPowers = rented.AsSpan(n * n + TaylorTerms + 1, n);
            for (int d = 0; d < n; d++) halfPowers[d] = Math.ScaleB(1.0, -d);
            for (int k = 0; k < squarings; k++)
            {
                tmp.Clear();
                for (int i = 0; i < n; i++)
                {
                    Span<double> target = tmp.Slice(i * n + i, n - i);
                    for (int l = i; l < n; l++)
                    {
                        double factor = b[i * n + l];
                        if (factor == 0) continue;
                        MultiplyAdd(factor, b.Slice(l * n + l, n - l), target.Slice(l - i));
                    }
                    for (int j = i; j < n; j++) target[j - i] *= halfPowers[j - i];
                }
                tmp.CopyTo(b);
            }
            return new Scaled(n, max, Math.Log(rho));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rented);
        }
    }

    /// <summary>How to read the scaled table: n nodes, the shift (max node) and ln ρ.</summary>
    public readonly record struct Scaled(int N, double Shift, double LogRho)
    {
        /// <summary>ln exp[x_i, …, x_j] from the scaled table.</summary>
        public double Log(ReadOnlySpan<double> table, int i, int j) => Shift + Math.Log(table[i * N + j]) - (j - i) * LogRho;
    }

    // target += factor · source (equal lengths), with SIMD where available.
    private static void MultiplyAdd(double factor, ReadOnlySpan<double> source, Span<double> target)
    {
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated && source.Length >= System.Numerics.Vector<double>.Count)
        {
            var f = new System.Numerics.Vector<double>(factor);
            int width = System.Numerics.Vector<double>.Count;
            for (; i <= source.Length - width; i += width)
            {
                var t = new System.Numerics.Vector<double>(target.Slice(i));
                (t + f * new System.Numerics.Vector<double>(source.Slice(i))).CopyTo(target.Slice(i));
            }
        }
        for (; i < source.Length; i++) target[i] += factor * source[i];
    }
}
