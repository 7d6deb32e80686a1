using MathNet.Numerics.LinearAlgebra;

namespace Probabilistic.Infer.Numerics;

/// <summary>
/// Gauss–Hermite quadrature for expectations under a standard normal, E[f(Z)] ≈ Σ wⱼ f(xⱼ), with nodes and
/// weights from the Golub–Welsch eigenproblem of the (probabilists') Hermite Jacobi matrix. Exact for
/// polynomials of degree below 2·<see cref="Count"/>.
/// </summary>
internal sealed class GaussHermite
{
    public double[] Nodes { get; }
    public double[] Weights { get; }
    public int Count => Nodes.Length;

    private static readonly Lazy<GaussHermite> s_default = new(() => new GaussHermite(40));

    /// <summary>The 40-point rule shared by the factors.</summary>
    public static GaussHermite Default => s_default.Value;

    public GaussHermite(int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "GaussHermite needs at least one node.");
        // Probabilists' Hermite recurrence x·He_k = He_{k+1} + k·He_{k−1}: Jacobi matrix with off-diagonals √k.
        var j = Matrix<double>.Build.Dense(count, count);
        for (int k = 1; k < count; k++) j[k, k - 1] = j[k - 1, k] = Math.Sqrt(k);
        var evd = j.Evd(Symmetricity.Symmetric);
        Nodes = new double[count];
        Weights = new double[count];
        for (int k = 0; k < count; k++)
        {
            Nodes[k] = evd.EigenValues[k].Real;
            double v0 = evd.EigenVectors[0, k];
            Weights[k] = v0 * v0;  // the weight function N(0,1) has total mass 1
        }
    }
}
