namespace Probabilistic.Reproduce.Running;

/// <summary>The process exit codes of the command line.</summary>
public static class ExitCodes
{
    /// <summary>Everything asked for ran and its results were written.</summary>
    public const int Ok = 0;

    /// <summary>A run started but an experiment failed or its results could not be written; the others' results stay.</summary>
    public const int RunFailed = 1;

    /// <summary>
    /// A usage error, found before anything runs: an unknown command or experiment, a bad option value, an unwritable
    /// <c>--out</c>, or a data folder given explicitly that is missing or corrupt.
    /// </summary>
    public const int Usage = 2;

    /// <summary>Cancelled by the user (Ctrl+C), as shells report SIGINT.</summary>
    public const int Cancelled = 130;
}
