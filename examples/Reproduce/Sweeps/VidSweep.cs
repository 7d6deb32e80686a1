using System.Globalization;
using Probabilistic.Reproduce.Experiments.Vid;
using Probabilistic.Reproduce.Running;
using Probabilistic.Sweep;

namespace Probabilistic.Reproduce.Sweeps;

/// <summary>The layer-alignment student of the <c>vid</c> experiment (<see cref="VidStudentRun"/>) on FashionMNIST,
/// scored on the held-out validation images: parameters preset, form, lambda (one λ for every connection of the
/// custom preset), beta (the distillation weight), temperature (Hinton's T) and epochs; metrics accuracy and ce.</summary>
public sealed class VidSweep : ISweepable
{
    /// <inheritdoc/>
    public string Name => "vid";

    /// <inheritdoc/>
    public string Description => "VeryTinyCnn student distilled from the TinyCnn teacher by layer alignment, on FashionMNIST (validation score)";

    /// <inheritdoc/>
    public IReadOnlyList<SweepParameter> Parameters { get; } =
    [
        new("preset", SweepValueKind.Choice, "custom", "custom", "which connections: none, hinton, pairwise, all, random, or custom (every λᵢⱼ = lambda)",
            ["none", "hinton", "pairwise", "all", "random", "custom"]),
        new("form", SweepValueKind.Choice, "free", "free", "λ form of the all and random presets", ["free", "column-stochastic"]),
        new("lambda", SweepValueKind.Real, "0.5", "0.5", "the custom preset's λ on every teacher × student connection", Minimum: 0),
        new("beta", SweepValueKind.Real, "0.5", "0.5", "weight of the distillation terms against CE (in [0, 1])", Minimum: 0),
        new("temperature", SweepValueKind.Real, "3", "3", "Hinton's temperature", Minimum: double.Epsilon),
        new("epochs", SweepValueKind.Integer, "30", "1", "training epochs", Minimum: 1),
    ];

    /// <inheritdoc/>
    public IReadOnlyList<SweepMetric> Metrics { get; } =
    [
        new("accuracy", true, "validation accuracy"),
        new("ce", false, "validation cross-entropy"),
    ];

    /// <inheritdoc/>
    public RunRequest Request(RunService runs, IReadOnlyDictionary<string, string> values, bool quick, ulong seed)
    {
        var c = CultureInfo.InvariantCulture;
        var sizes = quick ? VidExperiment.Sizes.Quick : VidExperiment.Sizes.Full;
        return runs.Request(VidStudentRun.Body, VidStudentRun.Settings(values["preset"], values["form"], double.Parse(values["beta"], c),
            double.Parse(values["temperature"], c), [double.Parse(values["lambda"], c)], int.Parse(values["epochs"], c), sizes.Plan(onTest: false)), seed);
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> ReadMetrics(string payload)
    {
        VidStudentMetrics m = VidStudentRun.Read(payload);
        return new Dictionary<string, double> { ["accuracy"] = m.Accuracy, ["ce"] = m.CrossEntropy };
    }
}
