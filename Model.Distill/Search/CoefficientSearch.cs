using Probabilistic.Core.Random;

namespace Probabilistic.Distill.Search;

/// <summary>The outcome of a <see cref="CoefficientSearch"/>: every reported trial, in report order, and the best one.</summary>
/// <param name="Trials">Every trial with its value, in the order reported.</param>
/// <param name="Best">The trial of smallest (minimise) or largest (maximise) value; the earliest reported among ties.</param>
/// <param name="Direction">Which way was better.</param>
public sealed record SearchResult(IReadOnlyList<TrialResult> Trials, TrialResult Best, SearchDirection Direction);

/// <summary>
/// A search for coefficients over a <see cref="SearchSpace"/> with a fixed trial budget and a seed. Trial i is proposed
/// by the sampler from the trials reported so far with a generator seeded from (seed, i), and carries its own seed, also
/// fixed by (seed, i), so it is an independent job that a sweep engine may run anywhere. Use <see cref="Run"/> for the
/// plain loop, or <see cref="Propose"/> and <see cref="Report"/> to evaluate trials elsewhere (the same calls in the same
/// order give the same trials as <see cref="Run"/>).
/// </summary>
public sealed class CoefficientSearch
{
    private readonly List<TrialResult> _history = [];
    private readonly HashSet<int> _reported = [];

    /// <summary>A search of <paramref name="budget"/> trials over <paramref name="space"/>.</summary>
    public CoefficientSearch(SearchSpace space, ITrialSampler sampler, int budget, ulong seed,
        SearchDirection direction = SearchDirection.Minimise)
    {
        Space = space ?? throw new ArgumentNullException(nameof(space));
        Sampler = sampler ?? throw new ArgumentNullException(nameof(sampler));
        if (budget < 1) throw new ArgumentOutOfRangeException(nameof(budget), budget, "CoefficientSearch: the budget must be >= 1.");
        if (!Enum.IsDefined(direction)) throw new ArgumentOutOfRangeException(nameof(direction), direction, "CoefficientSearch: unknown direction.");
        Budget = budget;
        Seed = seed;
        Direction = direction;
    }

    /// <summary>The space searched.</summary>
    public SearchSpace Space { get; }

    /// <summary>The sampler that proposes points.</summary>
    public ITrialSampler Sampler { get; }

    /// <summary>How many trials the search runs.</summary>
    public int Budget { get; }

    /// <summary>The search's seed.</summary>
    public ulong Seed { get; }

    /// <summary>Whether smaller or larger values are better.</summary>
    public SearchDirection Direction { get; }

    /// <summary>How many trials have been proposed.</summary>
    public int Proposed { get; private set; }

    /// <summary>The trials reported so far, in report order.</summary>
    public IReadOnlyList<TrialResult> History => _history;

    /// <summary>Whether every trial of the budget has been proposed.</summary>
    public bool IsExhausted => Proposed >= Budget;

    /// <summary>The next trial, proposed from the trials reported so far.</summary>
    public Trial Propose()
    {
        if (IsExhausted) throw new InvalidOperationException($"CoefficientSearch.Propose: the budget of {Budget} trials is spent.");
        int index = Proposed;
        var scored = new ScoredPoint[_history.Count];
        for (int i = 0; i < scored.Length; i++)
            scored[i] = new ScoredPoint(_history[i].Trial.Point.ToArray(), Score(_history[i].Value));
        var point = Sampler.Propose(Space, scored, new Rng(Derive(Seed, 2UL * (ulong)index)));
        if (!Space.Contains(point, 1e-6))
            throw new InvalidOperationException($"CoefficientSearch.Propose: the sampler {Sampler.GetType().Name} proposed a point outside the space.");
        Proposed++;
        return new Trial(index, point, Derive(Seed, 2UL * (ulong)index + 1));
    }

    /// <summary>Records the objective's <paramref name="value"/> at <paramref name="trial"/> (a trial this search
    /// proposed, reported once) and returns the pair.</summary>
    public TrialResult Report(Trial trial, double value)
    {
        ArgumentNullException.ThrowIfNull(trial);
        if (trial.Index >= Proposed)
            throw new ArgumentException($"CoefficientSearch.Report: trial {trial.Index} was not proposed (only {Proposed} so far).", nameof(trial));
        if (!double.IsFinite(value))
            throw new ArgumentException($"CoefficientSearch.Report: trial {trial.Index} has the value {value}; values must be finite.", nameof(value));
        if (!_reported.Add(trial.Index))
            throw new ArgumentException($"CoefficientSearch.Report: trial {trial.Index} was already reported.", nameof(trial));
        var result = new TrialResult(trial, value);
        _history.Add(result);
        return result;
    }

    /// <summary>Proposes, evaluates with <paramref name="objective"/> and reports the remaining trials one after another.</summary>
    public SearchResult Run(Func<Trial, double> objective)
    {
        ArgumentNullException.ThrowIfNull(objective);
        while (!IsExhausted)
        {
            var trial = Propose();
            Report(trial, objective(trial));
        }
        return Result();
    }

    /// <summary>Every trial reported so far and the best one.</summary>
    public SearchResult Result()
    {
        if (_history.Count == 0) throw new InvalidOperationException("CoefficientSearch.Result: no trial has been reported.");
        var best = _history[0];
        foreach (var r in _history)
            if (Score(r.Value) > Score(best.Value)) best = r;
        return new SearchResult(_history.ToArray(), best, Direction);
    }

    private double Score(double value) => Direction == SearchDirection.Maximise ? value : -value;

    private static ulong Derive(ulong seed, ulong stream)
    {
        // SplitMix64 finaliser of the seed offset by the stream: distinct, well-mixed seeds per (seed, stream).
        ulong z = seed + (stream + 1) * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
