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

    /// <summary>Where status lines go while the display is shown: the log itself for plain lines; for the live table,
    /// a writer whose lines are printed above the table (writing straight to the terminal would tear it).</summary>
    public abstract TextWriter Log { get; }

    /// <summary>Where the tables go while the display is shown: standard output itself, except when it is the same
    /// terminal as a live table (then its lines are printed above the table, to standard output).</summary>
    public abstract TextWriter Output { get; }

    /// <summary>The display for <paramref name="log"/>: live when it is the console's standard error and that is a
    /// terminal, plain lines otherwise.</summary>
    public static ProgressDisplay Create(TextWriter log, TextWriter output) =>
        ReferenceEquals(log, Console.Error) && !Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive
            ? new LiveProgressDisplay(ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected ? null : output)
            : new PlainProgressDisplay(log, output, TimeSpan.FromSeconds(10));

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
public sealed class PlainProgressDisplay(TextWriter log, TextWriter output, TimeSpan interval) : ProgressDisplay
{
    private readonly Dictionary<string, long> _lastShown = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public override TextWriter Log => log;

    /// <inheritdoc/>
    public override TextWriter Output => output;

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

/// <summary>A live table on standard error (Spectre.Console), redrawn a few times a second until disposed; status
/// lines written to <see cref="Log"/> are printed above it.</summary>
public sealed class LiveProgressDisplay : ProgressDisplay
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Queue<(TextWriter Target, string Line)> _queue = new();
    private readonly LineQueue _log, _output;
    private readonly TextWriter? _separateOutput;
    private readonly IAnsiConsole _console;
    private readonly Task _loop;
    private int _disposed;

    /// <summary>Starts the live table; <paramref name="separateOutput"/> is where tables go when standard output is
    /// not the terminal (null: it is, and its lines are printed above the table).</summary>
    public LiveProgressDisplay(TextWriter? separateOutput)
    {
        _console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        _log = new LineQueue(_queue, Console.Error);
        _output = new LineQueue(_queue, Console.Out);
        _separateOutput = separateOutput;
        _loop = Task.Run(Loop);
    }

    /// <inheritdoc/>
    public override TextWriter Log => _log;

    /// <inheritdoc/>
    public override TextWriter Output => _separateOutput ?? _output;

    private bool IsEmpty { get { lock (_queue) return _queue.Count == 0; } }

    private void Flush()
    {
        List<(TextWriter Target, string Line)> lines;
        lock (_queue)
        {
            lines = [.. _queue];
            _queue.Clear();
        }
        foreach (var (target, line) in lines) target.WriteLine(line);
        Console.Out.Flush();
    }

    private async Task Loop()
    {
        while (true)
        {
            // The table is live until a status line arrives; then it is cleared, the lines printed, and it comes back below them.
            await _console.Live(Render()).AutoClear(true).StartAsync(async context =>
            {
                while (!_stop.IsCancellationRequested && IsEmpty)
                {
                    context.UpdateTarget(Render());
                    try { await Task.Delay(250, _stop.Token).ConfigureAwait(false); }
                    catch (OperationCanceledException) { break; }
                }
            }).ConfigureAwait(false);
            Flush();
            if (_stop.IsCancellationRequested) break;
        }
        Flush();
        if (Snapshot().Count > 0) _console.Write(Render());
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
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _stop.Cancel();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
        base.Dispose();
    }

    /// <summary>A writer that queues whole lines for a target (thread-safe).</summary>
    private sealed class LineQueue(Queue<(TextWriter Target, string Line)> queue, TextWriter target) : TextWriter
    {
        private readonly System.Text.StringBuilder _partial = new();

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value)
        {
            lock (queue)
            {
                if (value == '\n')
                {
                    queue.Enqueue((target, _partial.ToString().TrimEnd('\r')));
                    _partial.Clear();
                }
                else _partial.Append(value);
            }
        }

        public override void Write(string? value)
        {
            if (value is null) return;
            lock (queue) foreach (char c in value) Write(c);
        }

        public override void WriteLine(string? value) => Write((value ?? "") + "\n");

        public override void WriteLine() => Write('\n');
    }
}
