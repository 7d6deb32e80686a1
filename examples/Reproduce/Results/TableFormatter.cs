using System.Globalization;

namespace Probabilistic.Reproduce.Results;

/// <summary>Prints a <see cref="ResultTable"/> as aligned plain text: numbers right-aligned, 5 significant digits.</summary>
public static class TableFormatter
{
    /// <summary>Writes the title, the header, a rule and the rows.</summary>
    public static void Print(ResultTable table, TextWriter output)
    {
        string[][] cells = table.Rows.Select(row => row.Select(Format).ToArray()).ToArray();
        int[] widths = table.Columns.Select((c, j) => cells.Select(r => r[j].Length).Append(c.Length).Max()).ToArray();
        bool[] numeric = table.Columns.Select((_, j) => table.Rows.Any(r => IsNumber(r[j])) && table.Rows.All(r => r[j] is null || IsNumber(r[j]))).ToArray();

        output.WriteLine(table.Title);
        output.WriteLine(Line(table.Columns.ToArray(), widths, numeric));
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (string[] row in cells) output.WriteLine(Line(row, widths, numeric));
        output.WriteLine();
    }

    private static string Line(string[] cells, int[] widths, bool[] numeric) =>
        string.Join("  ", cells.Select((c, j) => numeric[j] ? c.PadLeft(widths[j]) : c.PadRight(widths[j]))).TrimEnd();

    private static bool IsNumber(object? cell) => cell is int or long or double or float;

    /// <summary>Console form of a cell: empty for null, 5 significant digits for floating point.</summary>
    public static string Format(object? cell) => cell switch
    {
        null => "",
        double d => double.IsFinite(d) ? d.ToString("G5", CultureInfo.InvariantCulture) : d.ToString(CultureInfo.InvariantCulture),
        float f => ((double)f).ToString("G5", CultureInfo.InvariantCulture),
        bool b => b ? "yes" : "no",
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? "",
    };
}
