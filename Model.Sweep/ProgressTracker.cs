using System.Diagnostics;

namespace Probabilistic.Sweep;

/// <summary>Counts a sweep's runs and reports each change, one report at a time.</summary>
internal sealed class ProgressTracker(int total, IProgress<SweepProgress>? sink)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private int _done, _running, _failed, _reused;

    public void Reused(RunResult stored)
    {
        lock (_gate)
        {
            _done++; _reused++;
            if (stored.Status == RunStatus.Failed) _failed++;
            Report();
        }
    }

    public void Started()
    {
        lock (_gate) { _running++; Report(); }
    }

    public void Finished(RunResult result)
    {
        lock (_gate)
        {
            _running--; _done++;
            if (result.Status == RunStatus.Failed) _failed++;
            Report();
        }
    }

    private void Report()
    {
        if (sink is null) return;
        TimeSpan elapsed = _clock.Elapsed;
        int ranHere = _done - _reused;
        TimeSpan? remaining = ranHere > 0 ? elapsed * ((double)(total - _done) / ranHere) : null;
        sink.Report(new SweepProgress(total, _done, _running, _failed, _reused, elapsed, remaining));
    }
}
