using System.Diagnostics;
using Probabilistic.Sweep;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Probabilistic.Reproduce.Running;

/// <summary>
/// Shows where runs stand on standard error, one entry per kind of run (the body's name: <c>experiment/vid</c>,
/// <c>probabilistic/student</c>, ...). <see cref="Create"/> picks a live table (Spectre.Console) when standard error
/// is a terminal, plain throttled lines otherwise (CI, a redirected or captured log).
/// </summary>
public abstract class ProgressDisplay : IDisposable
{
    private readonly Dictionary<string, SweepProgress> _latest = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SweepProgressSum> _sums = new(StringComparer.Ordinal);

    /// <summary>The display for <paramref name="log"/>: live when it is the console's standard error and that is a
    /// terminal, plain lines otherwise.</summary>
    public static ProgressDisplay Create(TextWriter log) =>
        ReferenceEquals(log, Console.Error) && !Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive
            ? new LiveProgressDisplay()
            : new PlainProgressDisplay(log, TimeSpan.FromSeconds(10));

    /// <summary>A sink for the progress of one executor call, shown under <paramref name="label"/>; calls with the same
    /// label add up (their totals, done, running, failed and stored runs are summed).</summary>
    public IProgress<SweepProgress> For(string label)
    {
        SweepProgressSum sum;
        lock (_sums)
        {
            if (!_sums.TryGetValue(label, out sum!)) _sums[label] = sum = new SweepProgressSum(p => Update(label, p));
        }
        return sum.Part();
    }

    /// <summary>The last summed progress of every label, in the order they first reported.</summary>
    public IReadOnlyList<KeyValuePair<string, SweepProgress>> Snapshot()
    {
        lock (_latest) return _latest.ToArray();
    }

    private void Update(string label, SweepProgress progress)
    {
        lock (_latest) _latest[label] = progress;
        Show(label, progress);
    }

    /// <summary>Shows a label's new state.</summary>
    protected abstract void Show(string label, SweepProgress progress);

    /// <summary>Stops a live display (the final state stays on screen).</summary>
    public virtual void Dispose() => GC.SuppressFinalize(this);

    /// <summary>Adds up the progress of several executor calls of one label.</summary>
    private sealed class SweepProgressSum(Action<SweepProgress> sink)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly List<SweepProgress?> _parts = [];

        public IProgress<SweepProgress> Part()
        {
            int index;
            lock (_parts) { index = _parts.Count; _parts.Add(null); }
            return new Progress(this, index);
        }

        private void Report(int index, SweepProgress p)
        {
            SweepProgress total;
            lock (_parts)
            {
                _parts[index] = p;
                var known = _parts.OfType<SweepProgress>().ToArray();
                int all = known.Sum(x => x.Total), done = known.Sum(x => x.Done), reused = known.Sum(x => x.Reused);
                TimeSpan elapsed = _clock.Elapsed;
                TimeSpan? remaining = done - reused > 0 ? elapsed * ((double)(all - done) / (done - reused)) : null;
                total = new SweepProgress(all, done, known.Sum(x => x.Running), known.Sum(x => x.Failed), reused, elapsed, remaining);
            }
            sink(total);
        }

        private sealed class Progress(SweepProgressSum owner, int index) : IProgress<SweepProgress>
        {
            public void Report(SweepProgress value) => owner.Report(index, value);
        }
    }
}

/// <summary>Plain lines, <c>[runs LABEL] 3/8 done (1 stored), 2 running, 0 failed, about 00:01:10 left</c>: at most one
/// per label per interval, and always the line of a label's last run done.</summary>
public sealed class PlainProgressDisplay(TextWriter log, TimeSpan interval) : ProgressDisplay
{
    private readonly Dictionary<string, long> _lastShown = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    protected override void Show(string label, SweepProgress progress)
    {
        long now = Stopwatch.GetTimestamp();
        lock (_lastShown)
        {
            bool finished = progress.Done == progress.Total && progress.Running == 0;
            if (!finished && _lastShown.TryGetValue(label, out long last) && Stopwatch.GetElapsedTime(last, now) < interval) return;
            _lastShown[label] = now;
            log.WriteLine($"[runs {label}] {progress}");
        }
    }
}

/// <summary>A live table on standard error (Spectre.Console), redrawn a few times a second until disposed.</summary>
public sealed class LiveProgressDisplay : ProgressDisplay
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <summary>Starts the live table.</summary>
    public LiveProgressDisplay()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        _loop = console.Live(Render()).AutoClear(false).StartAsync(async context =>
        {
            while (!_stop.IsCancellationRequested)
            {
                context.UpdateTarget(Render());
                try { await Task.Delay(250, _stop.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) { break; }
            }
            context.UpdateTarget(Render());
        });
    }

    /// <inheritdoc/>
    protected override void Show(string label, SweepProgress progress) { } // the loop redraws

    private IRenderable Render()
    {
        var table = new Table().Border(TableBorder.Rounded).Title("runs");
        foreach (string column in new[] { "runs of", "done", "running", "failed", "stored", "time left" }) table.AddColumn(column);
        foreach (var (label, p) in Snapshot())
            table.AddRow(Markup.Escape(label), $"{p.Done}/{p.Total}", p.Running.ToString(System.Globalization.CultureInfo.InvariantCulture),
                p.Failed > 0 ? $"[red]{p.Failed}[/]" : "0", p.Reused.ToString(System.Globalization.CultureInfo.InvariantCulture),
                p.Remaining is { } r ? r.ToString(@"hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture) : p.Done == p.Total ? "done" : "…");
        return table;
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        _stop.Cancel();
        try { _loop.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
        _stop.Dispose();
        base.Dispose();
    }
}
