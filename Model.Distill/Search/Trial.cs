namespace Probabilistic.Distill.Search;

/// <summary>
/// One trial of a <see cref="CoefficientSearch"/>: an independent job that evaluates the objective at
/// <see cref="Point"/>. It carries everything it needs to be run anywhere: its index in the search, its point (the
/// flat encoding of <see cref="SearchSpace"/>) and its own seed for whatever randomness the evaluation uses.
/// </summary>
public sealed class Trial
{
    private readonly double[] _point;

    /// <summary>A trial with the given index, point (copied) and seed.</summary>
    public Trial(int index, ReadOnlySpan<double> point, ulong seed)
    {
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(index), index, "Trial: the index must be non-negative.");
        Index = index;
        _point = point.ToArray();
        Seed = seed;
    }

    /// <summary>The trial's position in the search (0, 1, …).</summary>
    public int Index { get; }

    /// <summary>The point to evaluate, in the flat encoding of the search space.</summary>
    public ReadOnlySpan<double> Point => _point;

    /// <summary>The seed the evaluation should use for its own randomness (fixed by the search's seed and the index).</summary>
    public ulong Seed { get; }
}

/// <summary>A trial together with the objective's value at its point.</summary>
/// <param name="Trial">The trial that was run.</param>
/// <param name="Value">The objective's value (finite).</param>
public sealed record TrialResult(Trial Trial, double Value);

/// <summary>Whether a <see cref="CoefficientSearch"/> looks for the smallest or the largest objective value.</summary>
public enum SearchDirection
{
    /// <summary>Smaller values are better (a loss, an error rate).</summary>
    Minimise,

    /// <summary>Larger values are better (an accuracy, a log-likelihood).</summary>
    Maximise,
}

/// <summary>A point already evaluated, with a score where larger is always better (what a sampler sees).</summary>
/// <param name="Point">The point, in the flat encoding of the search space.</param>
/// <param name="Score">The objective's value, negated for minimisation, so that larger is better.</param>
public readonly record struct ScoredPoint(double[] Point, double Score);

/// <summary>
/// Proposes the next point of a search from the points evaluated so far. Implementations are deterministic: the same
/// space, history and generator state give the same point.
/// </summary>
public interface ITrialSampler
{
    /// <summary>The next point to evaluate, in the flat encoding of <paramref name="space"/>.</summary>
    /// <param name="space">The space to search.</param>
    /// <param name="history">The points evaluated so far, with scores where larger is better.</param>
    /// <param name="rng">The generator for this proposal (its stream depends only on the search's seed and the trial index).</param>
    double[] Propose(SearchSpace space, IReadOnlyList<ScoredPoint> history, Probabilistic.Core.Random.Rng rng);
}

/// <summary>Random search: every point is a uniform draw from the space (<see cref="SearchSpace.Sample(Probabilistic.Core.Random.Rng)"/>),
/// whatever the history.</summary>
public sealed class RandomSampler : ITrialSampler
{
    /// <inheritdoc />
    public double[] Propose(SearchSpace space, IReadOnlyList<ScoredPoint> history, Probabilistic.Core.Random.Rng rng)
    {
        ArgumentNullException.ThrowIfNull(space);
        return space.Sample(rng);
    }
}
