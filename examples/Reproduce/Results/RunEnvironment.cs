using System.Diagnostics;
using System.Runtime.InteropServices;
using Probabilistic.Nn.Data;

namespace Probabilistic.Reproduce.Results;

/// <summary>Where and with what a run happened: commit, runtime, OS, CPU. Every missing fact is recorded as null.</summary>
public sealed record RunEnvironment(string? GitCommit, bool? GitDirty, string DotnetVersion, string OperatingSystem, string? CpuModel, int LogicalCores, string Architecture)
{
    /// <summary>Collects the facts once (git is asked with a short time limit; its absence is tolerated).</summary>
    public static RunEnvironment Capture()
    {
        string? root = DataLocations.FindRepositoryRoot();
        string? commit = root is null ? null : Git(root, "rev-parse HEAD");
        string? status = commit is null ? null : Git(root!, "status --porcelain --untracked-files=no");
        return new RunEnvironment(
            commit,
            status is null ? null : status.Length > 0,
            RuntimeInformation.FrameworkDescription,
            RuntimeInformation.OSDescription,
            ReadCpuModel(),
            Environment.ProcessorCount,
            RuntimeInformation.ProcessArchitecture.ToString());
    }

    private static string? Git(string workingDirectory, string arguments)
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
            string output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(5000) || process.ExitCode != 0) return null;
            return output.Trim();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return null; // git not installed or not a repository: the results say so with null
        }
    }

    private static string? ReadCpuModel()
    {
        try
        {
            if (!File.Exists("/proc/cpuinfo")) return null;
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }
}
