using System.Globalization;
using Probabilistic.Core.Random;
using Probabilistic.Reproduce.Running;

namespace Probabilistic.Reproduce.Sweeps;

/// <summary>A sweep's command line as typed, before it is checked.</summary>
/// <param name="Experiment">The sweepable experiment's name.</param>
/// <param name="Grids">The <c>--grid NAME=v1,v2,...</c> values, in order (the first varies slowest).</param>
/// <param name="Randoms">The <c>--random NAME=lo:hi</c> values.</param>
/// <param name="Trials">The <c>--trials N</c> of a random sweep.</param>
/// <param name="Seeds">Runs per setting (seeds 0..N-1).</param>
/// <param name="Metric">The <c>--metric</c>, or null for the experiment's first.</param>
/// <param name="Quick">Quick defaults for the parameters not varied.</param>
public sealed record SweepSpec(string Experiment, IReadOnlyList<string> Grids, IReadOnlyList<string> Randoms, int? Trials, int Seeds, string? Metric, bool Quick);

/// <summary>A sweep's mistake on the command line, said in one line.</summary>
public sealed class SweepUsageException(string message) : Exception(message);

/// <summary>
/// A checked sweep: the experiment, the metric, and every setting (each parameter's canonical value). A grid sweep
/// takes the Cartesian product of the <c>--grid</c> values; a random sweep draws <c>--trials</c> points uniformly
/// from the <c>--random</c> ranges (integers rounded) with a fixed generator (seed <see cref="RandomSeed"/>), so the
/// same command draws the same points; both together give every grid setting with every random point.
/// </summary>
public sealed class SweepPlan
{
    /// <summary>The seed of the random sweep's draws.</summary>
    public const ulong RandomSeed = 20_240_601;

    private SweepPlan(ISweepable sweepable, SweepMetric metric, IReadOnlyList<IReadOnlyDictionary<string, string>> settings,
        IReadOnlyList<string> varied, IReadOnlyList<ulong> seeds, bool quick)
    {
        Sweepable = sweepable;
        Metric = metric;
        Settings = settings;
        Varied = varied;
        Seeds = seeds;
        Quick = quick;
    }

    /// <summary>The experiment swept.</summary>
    public ISweepable Sweepable { get; }

    /// <summary>The metric that ranks the settings.</summary>
    public SweepMetric Metric { get; }

    /// <summary>The settings, each with a value for every parameter.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Settings { get; }

    /// <summary>The parameters that take more than one value, in command-line order.</summary>
    public IReadOnlyList<string> Varied { get; }

    /// <summary>The seeds of each setting's runs.</summary>
    public IReadOnlyList<ulong> Seeds { get; }

    /// <summary>Whether the parameters not varied take their quick defaults.</summary>
    public bool Quick { get; }

    /// <summary>Checks a typed sweep.</summary>
    /// <exception cref="SweepUsageException">A mistake, in one line (with the nearest name for a mistyped one).</exception>
    public static SweepPlan Parse(IReadOnlyList<ISweepable> sweepables, SweepSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ISweepable sweepable = sweepables.FirstOrDefault(s => string.Equals(s.Name, spec.Experiment, StringComparison.OrdinalIgnoreCase))
            ?? throw new SweepUsageException($"unknown sweepable experiment '{spec.Experiment}'{Hint(spec.Experiment, sweepables.Select(s => s.Name))} The sweepable experiments are {string.Join(", ", sweepables.Select(s => s.Name))}.");
        if (spec.Seeds < 1) throw new SweepUsageException($"--seeds must be at least 1 (got {spec.Seeds}).");
        SweepMetric metric = spec.Metric is null
            ? sweepable.Metrics[0]
            : sweepable.Metrics.FirstOrDefault(m => string.Equals(m.Name, spec.Metric, StringComparison.OrdinalIgnoreCase))
              ?? throw new SweepUsageException($"unknown metric '{spec.Metric}' of sweep {sweepable.Name}{Hint(spec.Metric, sweepable.Metrics.Select(m => m.Name))} The metrics are {string.Join(", ", sweepable.Metrics.Select(m => m.Name))}.");

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var grid = new List<(SweepParameter Parameter, string[] Values)>();
        foreach (string text in spec.Grids)
        {
            var (parameter, values) = Split(sweepable, "--grid", text, "NAME=v1,v2,...", seen);
            string[] items = values.Split(',');
            if (values.Trim().Length == 0) throw new SweepUsageException($"--grid {parameter.Name}= has no values; expected {parameter.Name}=v1,v2,...");
            if (items.Any(i => i.Trim().Length == 0)) throw new SweepUsageException($"--grid '{text}' has an empty value; expected {parameter.Name}=v1,v2,... without empty items.");
            string[] normalized = [.. items.Select(i => Normalize(parameter, i, "--grid"))];
            if (normalized.Distinct().Count() != normalized.Length)
                throw new SweepUsageException($"--grid '{text}' repeats a value.");
            grid.Add((parameter, normalized));
        }
        var random = new List<(SweepParameter Parameter, double Low, double High)>();
        foreach (string text in spec.Randoms)
        {
            var (parameter, range) = Split(sweepable, "--random", text, "NAME=lo:hi", seen);
            if (parameter.Kind == SweepValueKind.Choice)
                throw new SweepUsageException($"--random {parameter.Name}: a choice parameter cannot be drawn from a range; use --grid {parameter.Name}={string.Join(',', parameter.Choices!)}.");
            string[] ends = range.Split(':');
            if (ends.Length != 2 || ends.Any(e => e.Trim().Length == 0))
                throw new SweepUsageException($"--random '{text}' must be NAME=lo:hi (e.g. {parameter.Name}=0:1).");
            double low = double.Parse(Normalize(parameter, ends[0], "--random"), CultureInfo.InvariantCulture);
            double high = double.Parse(Normalize(parameter, ends[1], "--random"), CultureInfo.InvariantCulture);
            if (!(low <= high)) throw new SweepUsageException($"--random '{text}': the low end {ends[0].Trim()} is above the high end {ends[1].Trim()}.");
            random.Add((parameter, low, high));
        }
        if (random.Count > 0 && spec.Trials is null) throw new SweepUsageException("--random needs --trials N (how many points to draw).");
        if (random.Count == 0 && spec.Trials is not null) throw new SweepUsageException("--trials needs at least one --random NAME=lo:hi.");
        if (spec.Trials is < 1) throw new SweepUsageException($"--trials must be at least 1 (got {spec.Trials}).");
        if (grid.Count == 0 && random.Count == 0)
            throw new SweepUsageException($"nothing to sweep: give --grid NAME=v1,v2,... or --random NAME=lo:hi with --trials N (parameters of {sweepable.Name}: {string.Join(", ", sweepable.Parameters.Select(p => p.Name))}).");

        // Random points, drawn once; every grid setting is combined with every point.
        var points = new List<Dictionary<string, string>>();
        var rng = new Rng(RandomSeed);
        for (int t = 0; t < (random.Count > 0 ? spec.Trials!.Value : 1); t++)
        {
            var point = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (parameter, low, high) in random)
            {
                double v = rng.Uniform(low, high);
                point[parameter.Name] = parameter.Kind == SweepValueKind.Integer
                    ? ((int)Math.Round(v, MidpointRounding.AwayFromZero)).ToString(CultureInfo.InvariantCulture)
                    : v.ToString("R", CultureInfo.InvariantCulture);
            }
            points.Add(point);
        }
        var settings = new List<IReadOnlyDictionary<string, string>>();
        foreach (string[] combination in Product(grid.Select(g => g.Values).ToList()))
            foreach (var point in points)
            {
                var values = sweepable.Parameters.ToDictionary(p => p.Name, p => spec.Quick ? p.QuickDefault : p.Default, StringComparer.Ordinal);
                for (int g = 0; g < grid.Count; g++) values[grid[g].Parameter.Name] = combination[g];
                foreach (var (name, value) in point) values[name] = value;
                settings.Add(values);
            }
        string[] varied = [.. grid.Select(g => g.Parameter.Name).Concat(random.Select(r => r.Parameter.Name))
            .Where(name => settings.Select(s => s[name]).Distinct().Count() > 1)];
        return new SweepPlan(sweepable, metric, settings, varied, [.. Enumerable.Range(0, spec.Seeds).Select(s => (ulong)s)], spec.Quick);
    }

    private static (SweepParameter Parameter, string Values) Split(ISweepable sweepable, string option, string text, string form, HashSet<string> seen)
    {
        int equals = text.IndexOf('=');
        if (equals <= 0) throw new SweepUsageException($"{option} '{text}' must be {form}.");
        string name = text[..equals].Trim();
        SweepParameter parameter = sweepable.Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new SweepUsageException($"unknown parameter '{name}' of sweep {sweepable.Name}{Hint(name, sweepable.Parameters.Select(p => p.Name))} The parameters are {string.Join(", ", sweepable.Parameters.Select(p => p.Name))}.");
        if (!seen.Add(parameter.Name)) throw new SweepUsageException($"parameter '{parameter.Name}' is swept twice; give its values in one --grid or --random.");
        return (parameter, text[(equals + 1)..]);
    }

    private static string Normalize(SweepParameter parameter, string value, string option)
    {
        try { return parameter.Normalize(value); }
        catch (FormatException e) { throw new SweepUsageException($"{option} {parameter.Name}: {e.Message}."); }
    }

    private static string Hint(string typed, IEnumerable<string> names) =>
        ClosestName.Find(typed, names) is { } near ? $"; did you mean '{near}'?" : ".";

    private static IEnumerable<string[]> Product(IReadOnlyList<string[]> axes)
    {
        if (axes.Count == 0) { yield return []; yield break; }
        foreach (string first in axes[0])
            foreach (string[] rest in Product([.. axes.Skip(1)]))
                yield return [first, .. rest];
    }
}
