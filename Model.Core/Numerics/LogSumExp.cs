namespace Probabilistic.Core.Numerics;

/// <summary>
/// The stable log-sum-exp ln Σ_k exp(x_k) and the (log-)softmax built on it, shifted by the maximum so that no
/// exponential overflows. The one home of these for spans of scalars; the tensor op of Model.Nn (log-softmax over
/// the rows of a batch, vectorised) is the batched form of the same thing.
/// Conventions: an empty span gives −∞ (the log of an empty sum); all components −∞ give −∞; any +∞ gives +∞; a NaN
/// gives NaN.
/// </summary>
public static class LogSumExp
{
    /// <summary>ln Σ_k exp(x_k), accumulated in double.</summary>
    public static double Of(ReadOnlySpan<double> x)
    {
        double max = double.NegativeInfinity;
        foreach (double v in x)
        {
            if (double.IsNaN(v)) return double.NaN;
            if (v > max) max = v;
        }
        if (double.IsInfinity(max)) return max;
        double sum = 0;
        foreach (double v in x) sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }

    /// <summary>ln Σ_k exp(x_k) of float components, accumulated in double.</summary>
    public static double Of(ReadOnlySpan<float> x)
    {
        float max = float.NegativeInfinity;
        foreach (float v in x)
        {
            if (float.IsNaN(v)) return double.NaN;
            if (v > max) max = v;
        }
        if (float.IsInfinity(max)) return max;
        double sum = 0;
        foreach (float v in x) sum += Math.Exp((double)v - max);
        return max + Math.Log(sum);
    }

    /// <summary>Writes ln softmax(x) = x − lse(x) into <paramref name="result"/> (may alias x) and returns lse(x).</summary>
    public static double LogSoftmax(ReadOnlySpan<double> x, Span<double> result)
    {
        CheckLengths(x.Length, result.Length, nameof(LogSoftmax));
        double lse = Of(x);
        for (int k = 0; k < x.Length; k++) result[k] = x[k] - lse;
        return lse;
    }

    /// <summary>
    /// Writes softmax(x) into <paramref name="result"/> (may alias x) as exp(x_k − max) / Σ_j exp(x_j − max), and
    /// returns lse(x). (Dividing by the shifted sum sums to one to rounding and is the arithmetic of numpy's stable
    /// softmax, which the seeds' data generators rely on bit for bit.)
    /// </summary>
    public static double Softmax(ReadOnlySpan<double> x, Span<double> result)
    {
        CheckLengths(x.Length, result.Length, nameof(Softmax));
        double max = double.NegativeInfinity;
        foreach (double v in x)
        {
            if (double.IsNaN(v)) { result[..x.Length].Fill(double.NaN); return double.NaN; }
            if (v > max) max = v;
        }
        if (double.IsNegativeInfinity(max))
            throw new ArgumentException("LogSumExp.Softmax: every component is −∞; the softmax is undefined.");
        if (double.IsPositiveInfinity(max))
            throw new ArgumentException("LogSumExp.Softmax: a component is +∞; the softmax is undefined.");
        double sum = 0;
        for (int k = 0; k < x.Length; k++) sum += result[k] = Math.Exp(x[k] - max);
        for (int k = 0; k < x.Length; k++) result[k] /= sum;
        return max + Math.Log(sum);
    }

    private static void CheckLengths(int input, int output, string operation)
    {
        if (output < input)
            throw new ArgumentException($"LogSumExp.{operation}: the result has {output} slots for {input} components.");
    }
}
