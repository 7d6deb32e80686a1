using System.Diagnostics;

namespace Probabilistic.Nn.Training;

/// <summary>Observes training; override what you need.</summary>
public abstract class TrainingCallback
{
    /// <summary>Before the first step of an epoch (1-based), with the number of steps when known (else −1).</summary>
    public virtual void OnEpochStart(int epoch, int epochs, int steps) { }
    /// <summary>After each optimizer step (1-based within the epoch) with that step's loss.</summary>
    public virtual void OnStep(int epoch, int step, float loss) { }
    /// <summary>After each epoch, with its report.</summary>
    public virtual void OnEpochEnd(EpochReport report) { }
}

/// <summary>
/// A one-line progress bar on standard error, drawn only when standard error is a terminal (never into logs or
/// redirected output) and only for epochs of at least <paramref name="minSteps"/> steps; redrawn at most 10×/s.
/// </summary>
public sealed class ProgressBar(int minSteps = 50) : TrainingCallback
{
    private readonly Stopwatch _clock = new();
    private int _steps, _epochs;
    private bool _active;
    private long _lastDraw;

    /// <inheritdoc/>
    public override void OnEpochStart(int epoch, int epochs, int steps)
    {
        _active = !Console.IsErrorRedirected && steps >= minSteps;
        _steps = steps;
        _epochs = epochs;
        _clock.Restart();
        _lastDraw = -1000;
    }

    /// <inheritdoc/>
    public override void OnStep(int epoch, int step, float loss)
    {
        if (!_active || (_clock.ElapsedMilliseconds - _lastDraw < 100 && step < _steps)) return;
        _lastDraw = _clock.ElapsedMilliseconds;
        const int width = 30;
        int filled = (int)((long)width * step / Math.Max(1, _steps));
        Console.Error.Write($"\repoch {epoch}/{_epochs} [{new string('#', filled)}{new string('.', width - filled)}] {step}/{_steps} loss {loss:F4}  ");
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(EpochReport report)
    {
        if (_active) Console.Error.Write("\r" + new string(' ', 80) + "\r");
    }
}

/// <summary>Writes one line per epoch (loss, accuracy, validation metrics, seconds) to a text writer.</summary>
public sealed class EpochLog(TextWriter writer) : TrainingCallback
{
    /// <inheritdoc/>
    public override void OnEpochEnd(EpochReport report) => writer.WriteLine(report.ToString());
}
