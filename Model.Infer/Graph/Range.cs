namespace Probabilistic.Infer.Graph;

/// <summary>An index set {0, …, Size−1} over which variable arrays and factors are replicated (a plate).</summary>
public sealed class Range
{
    private static int s_count;

    public int SizeAsInt { get; }
    public string Name { get; private set; }

    public Range(int size)
    {
        if (size < 0) throw new ArgumentOutOfRangeException(nameof(size), size, "Range: size must be >= 0.");
        SizeAsInt = size;
        Name = "range" + Interlocked.Increment(ref s_count);
    }

    /// <summary>Sets the name used in messages and errors.</summary>
    public Range Named(string name) { Name = name; return this; }

    public override string ToString() => $"{Name}[{SizeAsInt}]";
}
