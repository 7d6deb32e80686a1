namespace Probabilistic.Nn.Data;

/// <summary>
/// A data file exists but its contents are not what the reader expects (truncated, wrong magic number, wrong
/// dimensions, corrupt compression, values out of range). The one-line message names the file, what was expected
/// and what was found. Readers throw it before returning anything, so no half-loaded data set escapes.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>The file whose contents are wrong.</summary>
    public string FilePath { get; }

    /// <summary>The file <paramref name="filePath"/> is malformed; <paramref name="problem"/> says how.</summary>
    public DataFormatException(string filePath, string problem, Exception? inner = null)
        : base($"{filePath}: {problem}", inner)
    {
        FilePath = filePath;
    }
}
