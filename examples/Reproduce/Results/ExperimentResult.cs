namespace Probabilistic.Reproduce.Results;

/// <summary>What an experiment hands back: its configuration, its tables, and notes for the reader.</summary>
public sealed class ExperimentResult
{
    private readonly List<ResultTable> _tables = [];

    /// <summary>The settings that produced the results (hyperparameters, split seeds, data sizes), written to the JSON.</summary>
    public Dictionary<string, object?> Config { get; } = [];

    /// <summary>Things a reader must know, e.g. "FashionMNIST missing: install with ...".</summary>
    public List<string> Notes { get; } = [];

    /// <summary>
    /// Problems that make the run a failure although it could finish (e.g. a corrupt data file): the runner still
    /// prints and writes the tables, then marks the run failed and exits non-zero.
    /// </summary>
    public List<string> Errors { get; } = [];

    /// <summary>Figures to save as &lt;name&gt;.png next to the tables (name: letters, digits, '-' or '_').</summary>
    public Dictionary<string, Probabilistic.Plots.Figure> Figures { get; } = [];

    /// <summary>Figures rendered elsewhere (a run's payload), saved as &lt;name&gt;.png like <see cref="Figures"/>.</summary>
    public Dictionary<string, RenderedFigure> RenderedFigures { get; } = [];

    /// <summary>The tables in the order they were added.</summary>
    public IReadOnlyList<ResultTable> Tables => _tables;

    /// <summary>Adds and returns a new table.</summary>
    public ResultTable AddTable(string name, string title, params string[] columns)
    {
        if (_tables.Any(t => t.Name == name))
            throw new ArgumentException($"ExperimentResult: a table named '{name}' already exists.", nameof(name));
        var table = new ResultTable(name, title, columns);
        _tables.Add(table);
        return table;
    }
}
