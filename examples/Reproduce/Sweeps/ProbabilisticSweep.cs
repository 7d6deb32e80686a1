using System.Globalization;
using Probabilistic.Reproduce.Experiments;
using Probabilistic.Reproduce.Running;
using Probabilistic.Sweep;

namespace Probabilistic.Reproduce.Sweeps;

/// <summary>The synthetic student of the <c>probabilistic</c> experiment (<see cref="ProbabilisticStudentRun"/>):
/// parameters T, lambda, method and epochs; metrics accuracy, ce and real_ce.</summary>
public sealed class ProbabilisticSweep : ISweepable
{
    /// <inheritdoc/>
    public string Name => "probabilistic";

    /// <inheritdoc/>
    public string Description => "logistic student on P1's synthetic 3-class set, distilled from softmax(xW/T) with weight lambda";

    /// <inheritdoc/>
    public IReadOnlyList<SweepParameter> Parameters { get; } =
    [
        new("T", SweepValueKind.Real, "1", "1", "temperature of the teacher's soft labels", Minimum: double.Epsilon),
        new("lambda", SweepValueKind.Real, "0.5", "0.5", "weight of the teacher term (0 = labels only)", Minimum: 0),
        new("method", SweepValueKind.Choice, "probabilistic-paper", "probabilistic-paper", "the distillation method",
            ["ml", "hinton", "probabilistic-paper", "probabilistic-corrected"]),
        new("epochs", SweepValueKind.Integer, "200", "30", "training epochs", Minimum: 1),
    ];

    /// <inheritdoc/>
    public IReadOnlyList<SweepMetric> Metrics { get; } =
    [
        new("accuracy", true, "test accuracy"),
        new("ce", false, "test cross-entropy with the hard labels"),
        new("real_ce", false, "cross-entropy against the set's true probabilities (first 40 test objects)"),
    ];

    /// <inheritdoc/>
    public RunRequest Request(RunService runs, IReadOnlyDictionary<string, string> values, bool quick, ulong seed)
    {
        var c = CultureInfo.InvariantCulture;
        return ProbabilisticStudentRun.Request(runs, values["method"], double.Parse(values["T"], c), double.Parse(values["lambda"], c),
            int.Parse(values["epochs"], c), seed);
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> ReadMetrics(string payload)
    {
        StudentRunMetrics m = ProbabilisticStudentRun.Read(payload);
        return new Dictionary<string, double> { ["accuracy"] = m.Accuracy, ["ce"] = m.CrossEntropy, ["real_ce"] = m.RealCrossEntropy };
    }
}
