namespace Probabilistic.Nn.Data;

/// <summary>
/// A real data set is not installed. The message names the data set, the folder that was searched, and the
/// command that installs it, so a user (or a CI log) can act on it directly.
/// </summary>
public sealed class DataNotFoundException : Exception
{
    /// <summary>The data set's display name, e.g. "FashionMNIST".</summary>
    public string DatasetName { get; }

    /// <summary>The folder that was searched.</summary>
    public string Directory { get; }

    /// <summary>The command that installs the data set.</summary>
    public string InstallHint { get; }

    /// <summary>The data set <paramref name="datasetName"/> is missing from <paramref name="directory"/>; the message names what is missing and the install command.</summary>
    public DataNotFoundException(string datasetName, string directory, string missingWhat, string installHint)
        : base($"{datasetName} not found in {directory} ({missingWhat}). Install it with {installHint}.")
    {
        DatasetName = datasetName;
        Directory = directory;
        InstallHint = installHint;
    }
}
