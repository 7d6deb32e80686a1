using System.Globalization;
using Probabilistic.Reproduce.Running;
using Probabilistic.Sweep;

namespace Probabilistic.Reproduce.Sweeps;

/// <summary>The kind of a sweep parameter's values.</summary>
public enum SweepValueKind
{
    /// <summary>A real number (written in round-trip form).</summary>
    Real,

    /// <summary>A whole number.</summary>
    Integer,

    /// <summary>One of a set of names.</summary>
    Choice,
}

/// <summary>A parameter a sweep can vary.</summary>
/// <param name="Name">Its name on the command line (<c>--grid NAME=...</c>).</param>
/// <param name="Kind">The kind of its values.</param>
/// <param name="Default">Its value when the sweep does not vary it (full settings).</param>
/// <param name="QuickDefault">Its value under <c>--quick</c> when not varied.</param>
/// <param name="Description">One line for the help.</param>
/// <param name="Choices">The allowed names of a <see cref="SweepValueKind.Choice"/> parameter.</param>
/// <param name="Minimum">The smallest allowed value of a numeric parameter (inclusive), if any.</param>
public sealed record SweepParameter(string Name, SweepValueKind Kind, string Default, string QuickDefault, string Description,
    IReadOnlyList<string>? Choices = null, double? Minimum = null)
{
    /// <summary>A value in its canonical text (so that "0.50" and "0.5" name the same run).</summary>
    /// <exception cref="FormatException">The text is not a value of this parameter; the message says what is expected.</exception>
    public string Normalize(string text)
    {
        var c = CultureInfo.InvariantCulture;
        string t = text.Trim();
        switch (Kind)
        {
            case SweepValueKind.Real:
                if (!double.TryParse(t, NumberStyles.Float, c, out double d) || !double.IsFinite(d))
                    throw new FormatException($"{Name} takes numbers; '{text}' is not one");
                if (Minimum is { } min && d < min) throw new FormatException($"{Name} must be at least {min.ToString(c)}; got {t}");
                return d.ToString("R", c);
            case SweepValueKind.Integer:
                if (!int.TryParse(t, NumberStyles.AllowLeadingSign, c, out int i))
                    throw new FormatException($"{Name} takes whole numbers; '{text}' is not one");
                if (Minimum is { } least && i < least) throw new FormatException($"{Name} must be at least {least.ToString(c)}; got {t}");
                return i.ToString(c);
            default:
                string? match = Choices!.FirstOrDefault(x => string.Equals(x, t, StringComparison.OrdinalIgnoreCase));
                if (match is not null) return match;
                string hint = ClosestName.Find(t, Choices!) is { } near ? $"; did you mean '{near}'?" : "";
                throw new FormatException($"{Name} is one of {string.Join(", ", Choices!)}; got '{text}'{hint}");
        }
    }
}

/// <summary>A metric a sweep can rank its settings by.</summary>
/// <param name="Name">Its name on the command line (<c>--metric NAME</c>) and in the payload.</param>
/// <param name="HigherIsBetter">Whether the best setting maximises it (else minimises).</param>
/// <param name="Description">One line for the help.</param>
public sealed record SweepMetric(string Name, bool HigherIsBetter, string Description);

/// <summary>
/// An experiment part that <c>reproduce sweep</c> can vary: its parameters (with defaults), its metrics, and how one
/// setting and seed become a run of a registered body. To add one: implement this and list it in
/// <see cref="SweepRegistry.All"/>.
/// </summary>
public interface ISweepable
{
    /// <summary>The name on the command line (<c>reproduce sweep NAME</c>).</summary>
    string Name { get; }

    /// <summary>One line: what one run of the sweep trains and scores.</summary>
    string Description { get; }

    /// <summary>The parameters, in the order the table shows them.</summary>
    IReadOnlyList<SweepParameter> Parameters { get; }

    /// <summary>The metrics; the first is the default of <c>--metric</c>.</summary>
    IReadOnlyList<SweepMetric> Metrics { get; }

    /// <summary>The request of one setting (every parameter's canonical value, by name) and seed.</summary>
    RunRequest Request(RunService runs, IReadOnlyDictionary<string, string> values, bool quick, ulong seed);

    /// <summary>The metrics of a run's payload, by name (every name of <see cref="Metrics"/>).</summary>
    IReadOnlyDictionary<string, double> ReadMetrics(string payload);
}

/// <summary>The sweepable experiments, by name.</summary>
public static class SweepRegistry
{
    /// <summary>Every sweepable experiment.</summary>
    public static IReadOnlyList<ISweepable> All { get; } = [new ProbabilisticSweep(), new VidSweep()];
}
