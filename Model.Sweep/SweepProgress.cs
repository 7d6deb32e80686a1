namespace Probabilistic.Sweep;

/// <summary>
/// Where a sweep stands. <see cref="Done"/> counts finished runs, failed ones and those taken from the store
/// included; the runs neither done nor running are waiting.
/// </summary>
/// <param name="Total">Distinct runs in the sweep.</param>
/// <param name="Done">Runs finished (succeeded or failed), including those taken from the store.</param>
/// <param name="Running">Runs started and not finished.</param>
/// <param name="Failed">Runs finished as <see cref="RunStatus.Failed"/>, among <see cref="Done"/>.</param>
/// <param name="Reused">Runs taken from the store without running, among <see cref="Done"/>.</param>
/// <param name="Elapsed">Time since the sweep started.</param>
/// <param name="Remaining">Estimated time left: the elapsed time over the runs finished in this sweep, times the runs
/// not done; null until a run has finished here.</param>
public sealed record SweepProgress(int Total, int Done, int Running, int Failed, int Reused, TimeSpan Elapsed, TimeSpan? Remaining)
{
    /// <summary>Runs waiting to start.</summary>
    public int Waiting => Total - Done - Running;

    /// <summary>One line for a console: done/total, running, failed, time left.</summary>
    public override string ToString() =>
        $"{Done}/{Total} done ({Reused} stored), {Running} running, {Failed} failed, " +
        (Remaining is { } r ? $"about {r:hh\\:mm\\:ss} left" : "time left unknown");
}
