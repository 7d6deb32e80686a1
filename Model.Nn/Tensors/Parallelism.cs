namespace Probabilistic.Nn.Tensors;

/// <summary>
/// Fixed partitioning of batch work over the machine's cores. Each partition always gets the same contiguous
/// range of items and partial sums are combined in partition order, so results do not depend on scheduling.
/// </summary>
public static class Parallelism
{
    /// <summary>Cores batch work is spread over (the core count, at most 8).</summary>
    public static int Partitions { get; } = Math.Clamp(Environment.ProcessorCount, 1, 8);

    /// <summary>Start of partition <paramref name="p"/> of <paramref name="count"/> items split into <paramref name="parts"/>.</summary>
    public static int Start(int count, int parts, int p) => (int)((long)count * p / parts);

    /// <summary>
    /// Ranges batch work is cut into per core. Ranges are claimed dynamically, so when the OS deschedules one
    /// thread on a shared machine it holds up a quarter of its share, not all of it; which range an item falls in
    /// never changes, so results are the same.
    /// </summary>
    public const int RangesPerCore = 4;

    /// <summary>
    /// Partitions to use for <paramref name="count"/> items, each with at least <paramref name="minPerPartition"/>:
    /// up to <see cref="RangesPerCore"/> per core.
    /// </summary>
    public static int PartitionsFor(int count, int minPerPartition = 1) =>
        Math.Max(1, Math.Min(Partitions * RangesPerCore, count / Math.Max(1, minPerPartition)));

    /// <summary>
    /// Runs body(partition, start, end) over <paramref name="count"/> items split into <paramref name="parts"/>
    /// fixed contiguous ranges (partition 0 on the caller when there is only one).
    /// </summary>
    public static void For(int count, int parts, Action<int, int, int> body)
    {
        if (parts <= 1)
        {
            body(0, 0, count);
            return;
        }
        System.Threading.Tasks.Parallel.For(0, parts, p => body(p, Start(count, parts, p), Start(count, parts, p + 1)));
    }
}
