using Probabilistic.Sweep;

namespace Probabilistic.Sweep.Tests;

public class EmbeddedRunExecutorTests
{
    [Fact]
    public async Task Jobs_runs_at_once_each_run_once_with_its_closed_form_value_and_a_restart_runs_nothing()
    {
        var runs = new TestRuns();
        var store = new FileRunStore(TestRuns.TemporaryFolder());
        RunRequest[] sweep = TestRuns.Sweep(12);
        var reports = new List<SweepProgress>();
        var executor = new EmbeddedRunExecutor(runs.Registry(), store, new RunPoolOptions { Jobs = 4, Worker = "here" });
        IReadOnlyList<RunResult> results = await executor.ExecuteAsync([.. sweep, sweep[0]], new SyncProgress(reports));

        Assert.Equal(13, results.Count);
        Assert.Same(results[0], results[12]);
        for (int i = 0; i < sweep.Length; i++)
        {
            Assert.Equal(sweep[i].Key, results[i].Key);
            Assert.Equal(RunStatus.Succeeded, results[i].Status);
            Assert.Equal(TestRuns.Expected(sweep[i]), TestRuns.Sum(results[i]));
            Assert.Equal(1, results[i].Attempts);
            Assert.Equal("here", results[i].Worker);
        }
        Assert.All(sweep, r => Assert.Equal(1, runs.Calls[r.Key]));
        Assert.InRange(runs.MaxOverlap, 2, 4);
        SweepProgress last = reports[^1];
        Assert.Equal((12, 12, 0, 0, 0), (last.Total, last.Done, last.Running, last.Failed, last.Reused));
        Assert.Equal(TimeSpan.Zero, last.Remaining);
        Assert.All(reports, p => Assert.InRange(p.Running, 0, 4));

        // A restarted submitter with the same store: nothing runs, the same numbers come back.
        var again = new TestRuns();
        var reports2 = new List<SweepProgress>();
        IReadOnlyList<RunResult> results2 = await new EmbeddedRunExecutor(again.Registry(), new FileRunStore(store.Folder),
            new RunPoolOptions { Jobs = 4 }).ExecuteAsync(sweep, new SyncProgress(reports2));
        Assert.Empty(again.Calls);
        Assert.Equal(results.Take(12).Select(TestRuns.Sum), results2.Select(TestRuns.Sum));
        Assert.Equal(12, reports2[^1].Reused);
    }

    [Fact]
    public async Task A_throwing_run_is_retried_then_recorded_failed_and_the_sweep_completes()
    {
        var calls = new Dictionary<ulong, int>();
        RunBody body = (r, _) =>
        {
            int call;
            lock (calls) call = calls[r.Seed] = calls.GetValueOrDefault(r.Seed) + 1;
            return r.Seed switch
            {
                1 => "{\"ok\":1}",
                2 when call < 3 => throw new InvalidOperationException("flaky " + call),
                2 => "{\"ok\":2}",
                3 => "not json",
                _ => throw new InvalidOperationException("always broken"),
            };
        };
        var registry = new RunBodyRegistry().Register("flaky", body);
        var store = new FileRunStore(TestRuns.TemporaryFolder());
        RunRequest[] sweep = [.. Enumerable.Range(1, 4).Select(s => new RunRequest("flaky", [], (ulong)s, "abc"))];
        var reports = new List<SweepProgress>();
        var results = await new EmbeddedRunExecutor(registry, store, new RunPoolOptions { Jobs = 2, MaxAttempts = 3 })
            .ExecuteAsync(sweep, new SyncProgress(reports));

        Assert.Equal([RunStatus.Succeeded, RunStatus.Succeeded, RunStatus.Failed, RunStatus.Failed], results.Select(r => r.Status));
        Assert.Equal([1, 3, 3, 3], results.Select(r => r.Attempts));
        Assert.Equal(new Dictionary<ulong, int> { [1] = 1, [2] = 3, [3] = 3, [4] = 3 }, calls);
        Assert.Contains("not JSON", results[2].Error);
        Assert.Contains("always broken", results[3].Error);
        Assert.Contains("attempt 3 of 3", results[3].Error);
        Assert.Equal(RunStatus.Failed, (await store.TryGetAsync(sweep[3].Key))!.Status);
        Assert.Equal((4, 2), (reports[^1].Done, reports[^1].Failed));
    }

    [Fact]
    public async Task An_unknown_experiment_throws_before_any_run_starts()
    {
        var runs = new TestRuns();
        var executor = new EmbeddedRunExecutor(runs.Registry(), new FileRunStore(TestRuns.TemporaryFolder()));
        RunRequest[] sweep = [TestRuns.Sweep(1)[0], new RunRequest("nope", [], 1, "abc")];
        var e = await Assert.ThrowsAsync<KeyNotFoundException>(() => executor.ExecuteAsync(sweep));
        Assert.Contains("'nope'", e.Message);
        Assert.Contains(TestRuns.Experiment, e.Message);
        Assert.Empty(runs.Calls);
        Assert.Throws<ArgumentException>(() => new EmbeddedRunExecutor(runs.Registry(), new FileRunStore(TestRuns.TemporaryFolder()), new RunPoolOptions { Jobs = 0 }));
    }
}

/// <summary>Collects reports as they are made (Progress&lt;T&gt; would post them to the thread pool, out of order).</summary>
internal sealed class SyncProgress(List<SweepProgress> into) : IProgress<SweepProgress>
{
    public void Report(SweepProgress value) { lock (into) into.Add(value); }
}
