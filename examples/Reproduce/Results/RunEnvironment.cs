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

    private static string? Git(string workingDirectory, string arguments) =>
        Running.CodeVersion.Git(workingDirectory, arguments) is { } output ? System.Text.Encoding.UTF8.GetString(output).Trim() : null;

    /// <summary>
    /// The CPU as "name (family F, model M; widest vector ISA)": machines of one name differ (a Zen 3 has AVX2 only,
    /// a Zen 4 AVX-512), and the speed and the last bits of results depend on which kernel ran.
    /// </summary>
    private static string? ReadCpuModel()
    {
        string isa = System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? "AVX-512"
            : System.Runtime.Intrinsics.X86.Avx2.IsSupported ? "AVX2"
            : RuntimeInformation.ProcessArchitecture.ToString();
        try
        {
            if (!File.Exists("/proc/cpuinfo")) return isa;
            var lines = File.ReadLines("/proc/cpuinfo").TakeWhile(l => l.Length > 0).ToList(); // the first processor
            string? Field(string name) => lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal) && l[name.Length..].TrimStart().StartsWith(':')) is { } line
                ? line[(line.IndexOf(':') + 1)..].Trim() : null;
            return $"{Field("model name") ?? "unknown CPU"} (family {Field("cpu family") ?? "?"}, model {Field("model") ?? "?"}; {isa})";
        }
        catch (IOException)
        {
            return isa;
        }
    }
}
