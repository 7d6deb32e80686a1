using System.Diagnostics;
using System.Security.Cryptography;

namespace Probabilistic.Reproduce.Running;

/// <summary>
/// The code's version as it goes into every run key (<see cref="Probabilistic.Sweep.RunRequest.Commit"/>): the git
/// HEAD commit, plus <c>+dirty-&lt;SHA-256 of the output of git diff HEAD&gt;</c> when tracked files differ from it, so
/// a dirty tree never reuses the results of another tree state (untracked files are not part of it). Outside a git
/// repository (or without git) the version is <see cref="Unversioned"/>, and stored results are reused whatever
/// the code: pass <c>--rerun</c> after changing it.
/// </summary>
public static class CodeVersion
{
    /// <summary>The version when no git commit can be read.</summary>
    public const string Unversioned = "unversioned";

    /// <summary>The version of the repository at <paramref name="repositoryRoot"/> (null: <see cref="Unversioned"/>).</summary>
    public static string Of(string? repositoryRoot)
    {
        if (repositoryRoot is null) return Unversioned;
        byte[]? head = Git(repositoryRoot, "rev-parse HEAD");
        if (head is null) return Unversioned;
        string commit = System.Text.Encoding.UTF8.GetString(head).Trim();
        byte[]? diff = Git(repositoryRoot, "diff HEAD --no-color --no-ext-diff");
        if (diff is null) return commit + "+dirty-unknown";
        return diff.Length == 0 ? commit : $"{commit}+dirty-{Convert.ToHexStringLower(SHA256.HashData(diff))}";
    }

    /// <summary>Standard output of a git command as bytes, or null when git fails or is missing (the one place the
    /// program asks git: the code version here, the commit and dirty flag of <see cref="Results.RunEnvironment"/>).</summary>
    internal static byte[]? Git(string workingDirectory, string arguments)
    {
        try
        {
            var start = new ProcessStartInfo("git", arguments)
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(start);
            if (process is null) return null;
            using var buffer = new MemoryStream();
            Task copy = process.StandardOutput.BaseStream.CopyToAsync(buffer);
            Task<string> errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(30_000)) { process.Kill(); return null; }
            copy.Wait();
            errors.Wait();
            return process.ExitCode == 0 ? buffer.ToArray() : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return null;
        }
    }
}
