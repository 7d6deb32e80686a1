namespace Probabilistic.Reproduce.Results;

/// <summary>Summaries over repeated runs (one value per seed), shared by the experiments' mean ± sd tables.</summary>
public static class SeedStatistics
{
    /// <summary>Sample standard deviation (n − 1); 0 for a single run.</summary>
    public static double StandardDeviation(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return 0;
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
