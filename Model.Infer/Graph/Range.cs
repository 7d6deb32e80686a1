namespace Probabilistic.Infer.Graph;

/// <summary>An index set {0, …, Size−1} over which variable arrays and factors are replicated (a plate).</summary>
public sealed class Range
{
    private static int s_count;

    /// <summary>The number of elements.</summary>
    public int SizeAsInt { get; }
    /// <summary>The name used in messages and errors (set by <see cref="Named"/>).</summary>
    public string Name { get; private set; }

    /// <summary>A range of <paramref name="size"/> elements {0, …, size−1}.</summary>
    public Range(int size)
    {
        if (size < 0) throw new ArgumentOutOfRangeException(nameof(size), size, "Range: size must be >= 0.");
        SizeAsInt = size;
        Name = "range" + Interlocked.Increment(ref s_count);
    }

    /// <summary>Sets the name used in messages and errors.</summary>
    public Range Named(string name) { Name = name; return this; }

    /// <summary>The name and size, as in <c>i[100]</c>.</summary>
    public override string ToString() => $"{Name}[{SizeAsInt}]";
}
