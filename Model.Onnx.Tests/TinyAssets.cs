using System.Diagnostics;
using Probabilistic.Core.Random;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Models;

namespace Probabilistic.Onnx.Tests;

/// <summary>The committed assets (made by Assets/make_assets.py) and the Model.Nn twin of their network.</summary>
internal static class TinyAssets
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Assets");
    public static string Onnx => Path.Combine(Directory, "tiny.onnx");
    public static string State => Path.Combine(Directory, "tiny_state.npz");
    public static string Script => Path.Combine(Directory, "make_assets.py");

    /// <summary>The per-sample input shape of the tiny network.</summary>
    public static readonly int[] InputShape = [1, 12, 12];

    /// <summary>
    /// The network of make_assets.py in Model.Nn, same layers and parameter names (randomly initialised here: its
    /// weights come from the npz).
    /// </summary>
    public static FeatureClassifier Twin(int seed = 1, int classes = 10)
    {
        var rng = new Rng((ulong)seed);
        return new FeatureClassifier(
            new Sequential(
                new Conv2d(1, 4, 3, rng, padding: 2), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
                new Conv2d(4, 8, 3, rng), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2)),
            new Sequential(new Linear(32, 16, rng), new ReLU(), new Linear(16, classes, rng)));
    }

    /// <summary>
    /// ONNX node outputs (PyTorch's exporter names them after the module path) and the Model.Nn paths that compute the
    /// same tensor. Export folds each BatchNorm into the preceding Conv, so features.1 has no node of its own.
    /// </summary>
    public static readonly (string Onnx, string Nn)[] FeatureMap =
    [
        ("/features/features.2/Relu_output_0", "features.2"),
        ("/features/features.7/MaxPool_output_0", "features.7"),
        ("/classifier/classifier.1/Relu_output_0", "classifier.1"),
    ];
}

/// <summary>Whether /usr/bin/python3 can import torch (Debian's python3-torch), without importing it.</summary>
internal static class PythonTorch
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<bool> Available = new(() =>
    {
        if (!File.Exists(Python)) return false;
        var run = Run(["-c", "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec('torch') and importlib.util.find_spec('numpy') else 1)"], 30_000);
        return run.ExitCode == 0;
    });

    /// <summary>True when the PyTorch tests can run.</summary>
    public static bool IsAvailable => Available.Value;

    /// <summary>Runs python3 with the arguments; returns its exit code and stderr.</summary>
    public static (int ExitCode, string Error) Run(IEnumerable<string> arguments, int timeoutMs)
    {
        var info = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stderr = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill();
            return (-1, "timed out");
        }
        return (p.ExitCode, stderr.Result);
    }
}
