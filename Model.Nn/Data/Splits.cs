using Probabilistic.Core.Random;

namespace Probabilistic.Nn.Data;

/// <summary>
/// Two disjoint index sets that together cover 0..N-1, each sorted ascending (so subsets keep the data set's
/// order; loaders shuffle). <see cref="Rest"/> is what remains after <see cref="Taken"/> was drawn.
/// </summary>
public sealed record IndexSplit(int[] Rest, int[] Taken);

/// <summary>Seeded splits of a data set's indices: plain random and stratified by class.</summary>
public static class Splits
{
    /// <summary>
    /// Draws <paramref name="takeCount"/> of the indices 0..<paramref name="count"/>-1 uniformly at random
    /// (a seeded permutation's first takeCount entries); the rest form <see cref="IndexSplit.Rest"/>.
    /// </summary>
    public static IndexSplit Random(int count, int takeCount, ulong seed)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "Splits.Random: count must be non-negative.");
        if ((uint)takeCount > (uint)count)
            throw new ArgumentOutOfRangeException(nameof(takeCount), takeCount, $"Splits.Random: cannot take {takeCount} of {count} indices.");
        int[] permutation = new Rng(seed).Permutation(count);
        int[] taken = permutation[..takeCount], rest = permutation[takeCount..];
        Array.Sort(taken);
        Array.Sort(rest);
        return new IndexSplit(rest, taken);
    }

    /// <summary>
    /// Draws <paramref name="takeCount"/> indices so that each class keeps its share: class c contributes
    /// takeCount·n_c/N rounded by the largest-remainder rule (so the parts add up to takeCount exactly, ties going
    /// to the lower class), chosen uniformly within the class by a seeded shuffle.
    /// </summary>
    public static IndexSplit Stratified(ReadOnlySpan<int> labels, int classCount, int takeCount, ulong seed)
    {
        if (classCount <= 0) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "Splits.Stratified: the class count must be positive.");
        if ((uint)takeCount > (uint)labels.Length)
            throw new ArgumentOutOfRangeException(nameof(takeCount), takeCount, $"Splits.Stratified: cannot take {takeCount} of {labels.Length} indices.");
        var members = new List<int>[classCount];
        for (int c = 0; c < classCount; c++) members[c] = [];
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
                throw new ArgumentException($"Splits.Stratified: label {labels[i]} at index {i} is outside 0..{classCount - 1}.", nameof(labels));
            members[labels[i]].Add(i);
        }
        int[] quota = LargestRemainderQuota(members.Select(m => m.Count).ToArray(), takeCount, labels.Length);

        var rng = new Rng(seed);
        var taken = new List<int>(takeCount);
        var rest = new List<int>(labels.Length - takeCount);
        for (int c = 0; c < classCount; c++)
        {
            int[] shuffled = members[c].ToArray();
            rng.Shuffle<int>(shuffled);
            taken.AddRange(shuffled.AsSpan(0, quota[c]));
            rest.AddRange(shuffled.AsSpan(quota[c]));
        }
        int[] takenArray = taken.ToArray(), restArray = rest.ToArray();
        Array.Sort(takenArray);
        Array.Sort(restArray);
        return new IndexSplit(restArray, takenArray);
    }

    /// <summary>Per-class shares of <paramref name="total"/> proportional to <paramref name="classSizes"/> (Hamilton's method).</summary>
    private static int[] LargestRemainderQuota(int[] classSizes, int total, int population)
    {
        var quota = new int[classSizes.Length];
        if (population == 0) return quota;
        var remainders = new (long Remainder, int Class)[classSizes.Length];
        int assigned = 0;
        for (int c = 0; c < classSizes.Length; c++)
        {
            // Exact integer arithmetic (floor and remainder over the same denominator): no floating-point ties.
            long scaled = (long)total * classSizes[c];
            quota[c] = (int)(scaled / population);
            remainders[c] = (scaled % population, c);
            assigned += quota[c];
        }
        foreach (var (_, c) in remainders.OrderByDescending(r => r.Remainder).ThenBy(r => r.Class).Take(total - assigned))
            quota[c]++;
        return quota;
    }
}
