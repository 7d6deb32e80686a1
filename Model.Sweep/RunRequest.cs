namespace Probabilistic.Sweep;

/// <summary>One setting of a run's configuration: a name and its value as text (a structured value as its JSON text).</summary>
/// <param name="Name">The setting's name, not empty.</param>
/// <param name="Value">The setting's value as text.</param>
[GenerateSerializer, Immutable]
public sealed record RunSetting([property: Id(0)] string Name, [property: Id(1)] string Value);

/// <summary>
/// A run as a unit of work: one experiment, one configuration (an ordered map from setting names to text values), one
/// seed, at one commit of the code. Its <see cref="Key"/> is a content hash of all four (see <see cref="RunKey"/>),
/// so a request made twice names the same run. The configuration travels; the code that runs it is looked up by
/// <see cref="Experiment"/> in a <see cref="RunBodyRegistry"/> where the run executes.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class RunRequest : IEquatable<RunRequest>
{
    [Id(0)] private readonly string _experiment;
    [Id(1)] private readonly RunSetting[] _configuration;
    [Id(2)] private readonly ulong _seed;
    [Id(3)] private readonly string _commit;
    [NonSerialized] private RunKey? _key;

    /// <summary>Makes a request; the settings keep the order given.</summary>
    /// <param name="experiment">The experiment's name, as registered in a <see cref="RunBodyRegistry"/>; not blank.</param>
    /// <param name="configuration">The settings, names unique and not blank, values not null.</param>
    /// <param name="seed">The run's seed.</param>
    /// <param name="commit">The code's commit (e.g. a git hash); not blank.</param>
    /// <exception cref="ArgumentException">A blank experiment, commit or setting name, a null value, or a repeated name.</exception>
    public RunRequest(string experiment, IEnumerable<KeyValuePair<string, string>> configuration, ulong seed, string commit)
    {
        if (string.IsNullOrWhiteSpace(experiment))
            throw new ArgumentException("RunRequest: the experiment name is blank.", nameof(experiment));
        if (string.IsNullOrWhiteSpace(commit))
            throw new ArgumentException("RunRequest: the commit is blank.", nameof(commit));
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = new List<RunSetting>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string name, string value) in configuration)
        {
            if (string.IsNullOrWhiteSpace(name))
                throw new ArgumentException($"RunRequest: experiment '{experiment}' has a setting with a blank name.", nameof(configuration));
            if (value is null)
                throw new ArgumentException($"RunRequest: setting '{name}' of experiment '{experiment}' is null.", nameof(configuration));
            if (!seen.Add(name))
                throw new ArgumentException($"RunRequest: setting '{name}' of experiment '{experiment}' is given twice.", nameof(configuration));
            settings.Add(new RunSetting(name, value));
        }
        _experiment = experiment;
        _configuration = settings.ToArray();
        _seed = seed;
        _commit = commit;
    }

    /// <summary>The experiment's name.</summary>
    public string Experiment => _experiment;

    /// <summary>The settings, in the order given.</summary>
    public IReadOnlyList<RunSetting> Configuration => _configuration;

    /// <summary>The run's seed.</summary>
    public ulong Seed => _seed;

    /// <summary>The code's commit.</summary>
    public string Commit => _commit;

    /// <summary>The content hash that names this run.</summary>
    public RunKey Key => _key ??= RunKey.Of(this);

    /// <summary>The value of a setting.</summary>
    /// <exception cref="KeyNotFoundException">The configuration has no such setting; the message lists those it has.</exception>
    public string this[string name] => TryGet(name, out string? value)
        ? value
        : throw new KeyNotFoundException($"RunRequest: experiment '{_experiment}' has no setting '{name}' (it has: {string.Join(", ", _configuration.Select(s => s.Name))}).");

    /// <summary>The value of a setting, if the configuration has it.</summary>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        foreach (RunSetting s in _configuration)
            if (s.Name == name) { value = s.Value; return true; }
        value = null;
        return false;
    }

    /// <summary>Same key: same experiment, commit, seed and settings, whatever their order.</summary>
    public bool Equals(RunRequest? other) => other is not null && Key == other.Key;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as RunRequest);

    /// <inheritdoc/>
    public override int GetHashCode() => Key.GetHashCode();

    /// <summary>The experiment, settings and seed, for messages.</summary>
    public override string ToString() =>
        $"{_experiment}({string.Join(", ", _configuration.Select(s => s.Name + "=" + s.Value))}; seed {_seed})";
}
