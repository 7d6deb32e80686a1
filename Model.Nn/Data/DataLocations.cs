namespace Probabilistic.Nn.Data;

/// <summary>
/// Where the real data sets live. Each folder is chosen in this order: an explicit argument (the CLI options
/// <c>--fashion-mnist DIR</c>, <c>--mnist DIR</c>), then an environment variable, then the default that
/// <c>scripts/setup.sh</c> installs to.
/// </summary>
public static class DataLocations
{
    /// <summary>Environment variable that overrides the FashionMNIST folder.</summary>
    public const string FashionMnistVariable = "PROBABILISTIC_FASHION_MNIST";

    /// <summary>Environment variable that overrides the folder holding MNIST's <c>digits/</c>.</summary>
    public const string MnistVariable = "PROBABILISTIC_MNIST";

    /// <summary>Where Debian's package dataset-fashion-mnist installs the four idx .gz files.</summary>
    public const string FashionMnistDefault = "/usr/share/datasets/fashion-mnist";

    /// <summary>The command that installs every real data set.</summary>
    public const string SetupCommand = "bash scripts/setup.sh";

    /// <summary>The marker file of the repository root.</summary>
    public const string SolutionFile = "Probabilistic.sln";

    /// <summary>The FashionMNIST folder: <paramref name="directory"/>, else the environment variable, else the Debian default.</summary>
    public static string FashionMnistDirectory(string? directory = null) =>
        Path.GetFullPath(FirstNonEmpty(directory, Environment.GetEnvironmentVariable(FashionMnistVariable)) ?? FashionMnistDefault);

    /// <summary>
    /// The folder that holds MNIST's <c>digits/</c>: <paramref name="directory"/>, else the environment variable, else
    /// <c>&lt;repository&gt;/data/mnist</c> (or <c>./data/mnist</c> when no repository root is found).
    /// </summary>
    public static string MnistDirectory(string? directory = null)
    {
        string? chosen = FirstNonEmpty(directory, Environment.GetEnvironmentVariable(MnistVariable));
        if (chosen is not null) return Path.GetFullPath(chosen);
        string root = FindRepositoryRoot() ?? Environment.CurrentDirectory;
        return Path.Combine(root, "data", "mnist");
    }

    /// <summary>
    /// The nearest folder holding <see cref="SolutionFile"/>, walking up from the application's base directory and
    /// then from the current directory; null when neither lies inside the repository.
    /// </summary>
    public static string? FindRepositoryRoot()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, SolutionFile))) return dir.FullName;
        }
        return null;
    }

    private static string? FirstNonEmpty(params string?[] candidates) =>
        candidates.FirstOrDefault(c => !string.IsNullOrWhiteSpace(c));
}
