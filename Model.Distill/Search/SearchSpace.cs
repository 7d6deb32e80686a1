using Probabilistic.Core.Random;

namespace Probabilistic.Distill.Search;

/// <summary>The kind of one block of a <see cref="SearchSpace"/>.</summary>
public enum SearchBlockKind
{
    /// <summary>A probability vector: non-negative entries that sum to 1 (one Dirichlet column).</summary>
    Simplex,

    /// <summary>Free entries, each in [0, 1].</summary>
    Box,
}

/// <summary>One block of a <see cref="SearchSpace"/>: <paramref name="Size"/> consecutive entries of the flat point.</summary>
/// <param name="Kind">Simplex (entries sum to 1) or box (entries in [0, 1]).</param>
/// <param name="Size">How many entries the block has (at least 1).</param>
public readonly record struct SearchBlock(SearchBlockKind Kind, int Size);

/// <summary>
/// A search space that is a product of blocks, each a probability simplex (a column of coefficients that sums to 1)
/// or a unit box. A point is encoded as one flat vector: the blocks' entries one after another, in block order (for a
/// matrix whose columns each sum to 1, column-major). <see cref="Sample(Rng)"/> draws uniformly: Dirichlet(1, …, 1) for a
/// simplex block, independent U[0, 1) for a box block.
/// </summary>
public sealed class SearchSpace
{
    private readonly SearchBlock[] _blocks;
    private readonly int[] _offsets;
    private readonly double[] _ones;

    /// <summary>A space made of <paramref name="blocks"/>, laid out in that order in the flat encoding.</summary>
    public SearchSpace(IReadOnlyList<SearchBlock> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        if (blocks.Count == 0) throw new ArgumentException("SearchSpace: needs at least one block.", nameof(blocks));
        _blocks = blocks.ToArray();
        _offsets = new int[_blocks.Length];
        int offset = 0;
        for (int b = 0; b < _blocks.Length; b++)
        {
            if (_blocks[b].Size < 1)
                throw new ArgumentException($"SearchSpace: block {b} has size {_blocks[b].Size}; needs at least 1.", nameof(blocks));
            if (!Enum.IsDefined(_blocks[b].Kind))
                throw new ArgumentException($"SearchSpace: block {b} has an unknown kind {_blocks[b].Kind}.", nameof(blocks));
            _offsets[b] = offset;
            offset += _blocks[b].Size;
        }
        Dimension = offset;
        _ones = new double[_blocks.Max(b => b.Size)];
        Array.Fill(_ones, 1.0);
    }

    /// <summary><paramref name="columns"/> simplex columns of <paramref name="size"/> entries each (a size × columns
    /// matrix whose columns each sum to 1, stored column-major).</summary>
    public static SearchSpace Simplices(int columns, int size)
    {
        if (columns < 1) throw new ArgumentOutOfRangeException(nameof(columns), columns, "SearchSpace.Simplices: needs at least one column.");
        return new SearchSpace(Enumerable.Repeat(new SearchBlock(SearchBlockKind.Simplex, size), columns).ToArray());
    }

    /// <summary>The unit box [0, 1]^<paramref name="dimension"/>.</summary>
    public static SearchSpace Box(int dimension) => new([new SearchBlock(SearchBlockKind.Box, dimension)]);

    /// <summary>The blocks, in flat-encoding order.</summary>
    public IReadOnlyList<SearchBlock> Blocks => _blocks;

    /// <summary>Length of the flat encoding of a point (the sum of the block sizes).</summary>
    public int Dimension { get; }

    /// <summary>Where block <paramref name="block"/> starts in the flat encoding.</summary>
    public int Offset(int block)
    {
        if ((uint)block >= (uint)_blocks.Length)
            throw new ArgumentOutOfRangeException(nameof(block), block, $"SearchSpace.Offset: there are {_blocks.Length} blocks.");
        return _offsets[block];
    }

    /// <summary>The entries of block <paramref name="block"/> of the flat <paramref name="point"/>.</summary>
    public ReadOnlySpan<double> Block(ReadOnlySpan<double> point, int block)
    {
        CheckLength(point.Length, "Block");
        return point.Slice(Offset(block), _blocks[block].Size);
    }

    /// <summary>A uniform draw from the space (Dirichlet(1, …, 1) per simplex block, U[0, 1) per box entry).</summary>
    public double[] Sample(Rng rng)
    {
        var point = new double[Dimension];
        Sample(rng, point);
        return point;
    }

    /// <summary>Writes a uniform draw from the space into <paramref name="destination"/> (see <see cref="Sample(Rng)"/>).</summary>
    public void Sample(Rng rng, Span<double> destination)
    {
        ArgumentNullException.ThrowIfNull(rng);
        CheckLength(destination.Length, "Sample");
        for (int b = 0; b < _blocks.Length; b++)
        {
            var block = destination.Slice(_offsets[b], _blocks[b].Size);
            if (_blocks[b].Kind == SearchBlockKind.Box)
            {
                for (int i = 0; i < block.Length; i++) block[i] = rng.NextDouble();
            }
            else
            {
                rng.Dirichlet(_ones.AsSpan(0, block.Length), block);
            }
        }
    }

    /// <summary>Whether <paramref name="point"/> lies in the space: simplex blocks non-negative and summing to 1,
    /// box entries in [0, 1], each up to <paramref name="tolerance"/>.</summary>
    public bool Contains(ReadOnlySpan<double> point, double tolerance = 1e-9)
    {
        if (point.Length != Dimension) return false;
        for (int b = 0; b < _blocks.Length; b++)
        {
            var block = point.Slice(_offsets[b], _blocks[b].Size);
            double sum = 0;
            foreach (double v in block)
            {
                if (!double.IsFinite(v) || v < -tolerance) return false;
                if (_blocks[b].Kind == SearchBlockKind.Box && v > 1 + tolerance) return false;
                sum += v;
            }
            if (_blocks[b].Kind == SearchBlockKind.Simplex && Math.Abs(sum - 1) > tolerance * block.Length) return false;
        }
        return true;
    }

    private void CheckLength(int length, string method)
    {
        if (length != Dimension)
            throw new ArgumentException($"SearchSpace.{method}: the point has {length} entries but the space has dimension {Dimension}.");
    }
}
