using System.Globalization;

namespace Probabilistic.Nn.Training;

/// <summary>Metrics of a model on a labelled set (from predicted probabilities).</summary>
public sealed record EvaluationReport(int Examples, double Accuracy, double CrossEntropy, double ExpectedCalibrationError, double Brier)
{
    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"acc {Accuracy:F4} nll {CrossEntropy:F4} ece {ExpectedCalibrationError:F4} brier {Brier:F4} (n={Examples})");
}

/// <summary>One epoch of training: mean training loss and accuracy over its steps, time, and optional validation.</summary>
public sealed record EpochReport(int Epoch, int Steps, double TrainLoss, double TrainAccuracy, double Seconds, EvaluationReport? Validation)
{
    /// <summary>Loss of every step, in order (for determinism checks and curves).</summary>
    public required float[] StepLosses { get; init; }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"epoch {Epoch}: loss {TrainLoss:F4} acc {TrainAccuracy:F4} ({Seconds:F2} s)") + (Validation is null ? "" : $" | val {Validation}");
}

/// <summary>Thrown when a training step produces a NaN or infinite value; training stops.</summary>
public sealed class NonFiniteLossException(int epoch, int step, string tensor, float value)
    : Exception($"Training stopped: non-finite value {value} in {tensor} at epoch {epoch}, step {step}.")
{
    /// <summary>Epoch (1-based).</summary>
    public int Epoch { get; } = epoch;
    /// <summary>Step within the epoch (1-based).</summary>
    public int Step { get; } = step;
    /// <summary>Which tensor held the value.</summary>
    public string Tensor { get; } = tensor;
}
