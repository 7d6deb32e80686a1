using Probabilistic.Core.Random;

namespace Probabilistic.Core.Tests.Random;

/// <summary><see cref="Rng.FillNormal"/>: its distribution (moments, known tail masses, independence within a pair), its draw count and its determinism.</summary>
public class FillNormalTests
{
    [Fact]
    public void MomentsAndTailMassesAreTheStandardNormals()
    {
        const int n = 1_000_000;
        var z = new float[n];
        new Rng(11).FillNormal(z);
        double m1 = 0, m2 = 0, m3 = 0, m4 = 0;
        int within1 = 0, within2 = 0, within3 = 0;
        foreach (float v in z)
        {
            double x = v, x2 = x * x;
            m1 += x; m2 += x2; m3 += x2 * x; m4 += x2 * x2;
            double a = Math.Abs(x);
            if (a < 1) within1++;
            if (a < 2) within2++;
            if (a < 3) within3++;
        }
        m1 /= n; m2 /= n; m3 /= n; m4 /= n;
        // Standard errors of the sample moments of N(0, 1): √(1/n), √(2/n), √(15/n), √(96/n); allow 5 of them.
        Assert.InRange(m1, -5 * Math.Sqrt(1.0 / n), 5 * Math.Sqrt(1.0 / n));
        Assert.InRange(m2, 1 - 5 * Math.Sqrt(2.0 / n), 1 + 5 * Math.Sqrt(2.0 / n));
        Assert.InRange(m3, -5 * Math.Sqrt(15.0 / n), 5 * Math.Sqrt(15.0 / n));
        Assert.InRange(m4, 3 - 5 * Math.Sqrt(96.0 / n), 3 + 5 * Math.Sqrt(96.0 / n));
        // P(|Z| < k) = erf(k/√2), tabulated values; binomial standard error √(p(1 − p)/n), 5 of them.
        foreach (var (count, p) in new[] { (within1, 0.6826894921370859), (within2, 0.9544997361036416), (within3, 0.9973002039367398) })
        {
            double tol = 5 * Math.Sqrt(p * (1 - p) / n);
            Assert.InRange((double)count / n, p - tol, p + tol);
        }
    }

    [Fact]
    public void TheTwoValuesOfAPairAreUncorrelatedAndSoAreTheirSquares()
    {
        // A block of 16 holds r·cos θ in lanes 0–7 and r·sin θ of the same pairs in lanes 8–15: for independent
        // normals both the values and their squares are uncorrelated (a shared or mis-scaled angle would show here).
        const int blocks = 40_000;
        var z = new float[16 * blocks];
        new Rng(12).FillNormal(z);
        double sxy = 0, sx2y2 = 0;
        int pairs = 8 * blocks;
        for (int b = 0; b < blocks; b++)
            for (int j = 0; j < 8; j++)
            {
                double x = z[16 * b + j], y = z[16 * b + 8 + j];
                sxy += x * y;
                sx2y2 += (x * x - 1) * (y * y - 1);
            }
        // E[xy] = 0 with sd 1/√pairs; E[(x² − 1)(y² − 1)] = 0 with sd 2/√pairs (Var(x² − 1) = 2); 5 sd.
        Assert.InRange(sxy / pairs, -5 / Math.Sqrt(pairs), 5 / Math.Sqrt(pairs));
        Assert.InRange(sx2y2 / pairs, -10 / Math.Sqrt(pairs), 10 / Math.Sqrt(pairs));
    }

    [Fact]
    public void ValuesAreBoxMullerOfTheDocumentedBits()
    {
        // The first pair from the raw stream, in double with Math.Log/Cos/Sin: the vectorised float log/sincos agree
        // to float accuracy.
        var z = new float[16];
        new Rng(13).FillNormal(z);
        var raw = new Rng(13);
        for (int k = 0; k < 8; k++)
        {
            ulong bits = raw.NextUInt64();
            double u1 = ((bits >> 33) + 0.5) / 2147483648.0, angle = 2 * Math.PI * (bits & 0xFFFFFF) / 16777216.0;
            double r = Math.Sqrt(-2 * Math.Log(u1));
            Assert.Equal(r * Math.Cos(angle), z[k], 2e-6 * (1 + r));
            Assert.Equal(r * Math.Sin(angle), z[k + 8], 2e-6 * (1 + r));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(16)]
    [InlineData(37)]
    [InlineData(1000)]
    public void SameSeedGivesAPrefixOfALongerFillAndUsesTheDocumentedDraws(int length)
    {
        var reference = new float[1024];
        new Rng(14).FillNormal(reference);
        var rng = new Rng(14);
        var z = new float[length];
        rng.FillNormal(z);
        Assert.Equal(reference.AsSpan(0, length).ToArray(), z);
        Assert.All(z, v => Assert.True(float.IsFinite(v)));
        // 8 draws per full block of 16, min(k, 8) for a final partial block of k.
        int draws = 8 * (length / 16) + Math.Min(length % 16, 8);
        var counter = new Rng(14);
        for (int i = 0; i < draws; i++) counter.NextUInt64();
        Assert.Equal(counter.NextUInt64(), rng.NextUInt64());
    }
}
