namespace Probabilistic.Reproduce.Running;

/// <summary>"Did you mean ...?" for a mistyped name: the candidate with the fewest single-character edits.</summary>
public static class ClosestName
{
    /// <summary>
    /// The candidate nearest to <paramref name="typed"/> (case-insensitive Levenshtein distance), or null when even the
    /// nearest needs more than a third of its length in edits (at least 2 are always allowed), i.e. is not a plausible typo.
    /// </summary>
    public static string? Find(string typed, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in candidates)
        {
            int d = Distance(typed.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (d < bestDistance) (best, bestDistance) = (candidate, d);
        }
        return best is not null && bestDistance <= Math.Max(2, best.Length / 3) ? best : null;
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions, each costing 1 (two rolling rows).</summary>
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
