namespace Probabilistic.Reproduce.Results;

/// <summary>
/// A named table of results: fixed columns, rows of cells. A cell is a string, an integer, a floating-point number,
/// a bool, or null (empty / not applicable). The same table is printed to the console and written as CSV and JSON.
/// </summary>
public sealed class ResultTable
{
    private readonly List<object?[]> _rows = [];

    /// <summary>File-safe name (the CSV file is <c>&lt;name&gt;.csv</c>).</summary>
    public string Name { get; }

    /// <summary>Human-readable title printed above the table.</summary>
    public string Title { get; }

    /// <summary>Column headers.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The rows, each with one cell per column.</summary>
    public IReadOnlyList<object?[]> Rows => _rows;

    public ResultTable(string name, string title, params string[] columns)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            throw new ArgumentException($"ResultTable: name '{name}' must be letters, digits, '-' or '_' (it names a file).", nameof(name));
        if (columns.Length == 0) throw new ArgumentException($"ResultTable '{name}': at least one column is needed.", nameof(columns));
        Name = name;
        Title = title;
        Columns = columns;
    }

    /// <summary>Appends a row; it must have one cell per column, each of a supported type.</summary>
    public void AddRow(params object?[] cells)
    {
        if (cells.Length != Columns.Count)
            throw new ArgumentException($"ResultTable '{Name}': a row has {cells.Length} cells but the table has {Columns.Count} columns ({string.Join(", ", Columns)}).", nameof(cells));
        foreach (object? cell in cells)
            if (cell is not (null or string or int or long or ulong or double or float or bool))
                throw new ArgumentException($"ResultTable '{Name}': cell type {cell.GetType().Name} is not supported (use string, int, long, ulong, double, float, bool or null).", nameof(cells));
        _rows.Add(cells);
    }
}
