using Probabilistic.Nn.Data;
using Probabilistic.Reproduce.Experiments;

namespace Probabilistic.Reproduce.Running;

/// <summary>
/// The checks of <c>run</c>'s options that need the file system, made before any experiment starts so that a mistake
/// costs nothing: <c>--out</c> must be (or become) a writable folder, and a data folder given explicitly
/// (<c>--fashion-mnist</c>, <c>--mnist</c>) must exist and load. Data folders left to their defaults are not checked:
/// a missing default set stays a note in the experiments that need it.
/// </summary>
public static class RunPreflight
{
    /// <summary>
    /// One line per problem (empty when the run may start). The explicitly given data sets are loaded into
    /// <paramref name="data"/>, which caches them, so the check costs no extra work when the run then uses them.
    /// </summary>
    public static IReadOnlyList<string> Check(RunOptions options, IEnumerable<string> experimentNames, DataCatalog data)
    {
        var problems = new List<string>();
        if (CheckOutput(options.OutDirectory, experimentNames) is { } output) problems.Add(output);
        string? fashion = CheckFolder("--fashion-mnist", options.FashionMnistDirectory, "FashionMNIST's four idx files");
        string? mnist = CheckFolder("--mnist", options.MnistDirectory, "MNIST's digits/0.json..9.json");
        if (fashion is not null) problems.Add(fashion);
        if (mnist is not null) problems.Add(mnist);
        if (problems.Count > 0) return problems; // the loads below take seconds; don't spend them on a run that won't start

        if (options.FashionMnistDirectory is not null && Load("--fashion-mnist", () => _ = data.FashionMnist) is { } f) problems.Add(f);
        if (options.MnistDirectory is not null && Load("--mnist", () => _ = data.MnistDigitsAll) is { } m) problems.Add(m);
        return problems;
    }

    /// <summary>
    /// Null when <paramref name="outDirectory"/> is a folder that can be written to (it is created when missing, and a
    /// probe file is written and deleted), else the problem in one line.
    /// </summary>
    public static string? CheckOutput(string outDirectory, IEnumerable<string> experimentNames)
    {
        if (string.IsNullOrWhiteSpace(outDirectory)) return "--out needs a folder name (got an empty one).";
        string full;
        try { full = Path.GetFullPath(outDirectory); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"--out '{outDirectory}' is not a valid path ({OneLine(e.Message)}).";
        }
        if (File.Exists(full)) return $"--out '{full}' is a file; expected a folder (it is created when missing).";
        try
        {
            Directory.CreateDirectory(full);
            string probe = Path.Combine(full, $".reproduce-write-check-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"--out '{full}' cannot be written to: {OneLine(e.Message)}";
        }
        foreach (string name in experimentNames)
            if (File.Exists(Path.Combine(full, name)))
                return $"--out '{full}' holds a file named '{name}', where experiment '{name}' writes its results folder.";
        return null;
    }

    /// <summary>Null when <paramref name="given"/> is null (not given) or an existing folder, else the problem in one line.</summary>
    private static string? CheckFolder(string option, string? given, string holding)
    {
        if (given is null) return null;
        if (string.IsNullOrWhiteSpace(given)) return $"{option} needs a folder name (got an empty one).";
        string full;
        try { full = Path.GetFullPath(given); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"{option} '{given}' is not a valid path ({OneLine(e.Message)}).";
        }
        if (File.Exists(full)) return $"{option} '{full}' is a file; expected a folder holding {holding}.";
        if (!Directory.Exists(full)) return $"{option} '{full}' does not exist; expected a folder holding {holding}.";
        return null;
    }

    private static string? Load(string option, Action load)
    {
        try
        {
            load();
            return null;
        }
        catch (Exception e) when (e is DataNotFoundException or DataFormatException or IOException or UnauthorizedAccessException)
        {
            return $"{option}: {OneLine(e.Message)}";
        }
    }

    /// <summary>A message on one line: line breaks and tabs become single spaces.</summary>
    public static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
