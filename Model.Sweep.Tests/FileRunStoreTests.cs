using System.Text.Json;
using Probabilistic.Sweep;

namespace Probabilistic.Sweep.Tests;

public class FileRunStoreTests
{
    private static RunResult Sample(RunStatus status)
    {
        var request = new RunRequest("demo", new Dictionary<string, string> { ["z"] = "1", ["a"] = "{\"x\":[1,2]}" }, 42, "abc");
        var start = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.FromHours(1));
        return status == RunStatus.Succeeded
            ? new RunResult(request, status, "{\"acc\":0.875,\"n\":[1,2,3]}", null, 2, "box/silo1", start, start.AddSeconds(3.25))
            : new RunResult(request, status, null, "boom\nat line 2", 3, "box", start, start.AddMilliseconds(7));
    }

    [Theory]
    [InlineData(RunStatus.Succeeded)]
    [InlineData(RunStatus.Failed)]
    public async Task A_saved_result_reads_back_field_by_field(RunStatus status)
    {
        var store = new FileRunStore(TestRuns.TemporaryFolder());
        RunResult saved = Sample(status);
        Assert.Null(await store.TryGetAsync(saved.Key));
        await store.SaveAsync(saved);
        RunResult back = (await store.TryGetAsync(saved.Key))!;
        Assert.Equal(saved.Key, back.Key);
        Assert.Equal(["z", "a"], back.Request.Configuration.Select(s => s.Name));
        Assert.Equal("{\"x\":[1,2]}", back.Request["a"]);
        Assert.Equal(saved.Status, back.Status);
        Assert.Equal(saved.Error, back.Error);
        Assert.Equal(saved.Attempts, back.Attempts);
        Assert.Equal(saved.Worker, back.Worker);
        Assert.Equal(saved.StartedAt, back.StartedAt);
        Assert.Equal(saved.EndedAt, back.EndedAt);
        if (saved.Payload is null) Assert.Null(back.Payload);
        else Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(saved.Payload).RootElement, JsonDocument.Parse(back.Payload!).RootElement));
        Assert.Equal([saved.Key], await store.ListKeysAsync());
    }

    [Fact]
    public async Task A_writer_killed_mid_write_leaves_no_result_and_its_temporary_is_ignored()
    {
        string folder = TestRuns.TemporaryFolder();
        var store = new FileRunStore(folder);
        RunResult r = Sample(RunStatus.Succeeded);
        // What a process killed before its rename leaves: a partial temporary file beside the results.
        await File.WriteAllTextAsync(Path.Combine(folder, ".partial-" + r.Key.Hex + "-dead"), "{\"format\":\"probabilis");
        Assert.Null(await store.TryGetAsync(r.Key));
        Assert.Empty(await store.ListKeysAsync());
        await store.SaveAsync(r);
        Assert.NotNull(await new FileRunStore(folder).TryGetAsync(r.Key));
        Assert.Equal(1, store.RemoveStrayTemporaries());
        Assert.Equal([Path.GetFileName(store.PathOf(r.Key))], Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_file_under_the_wrong_key_is_reported()
    {
        string folder = TestRuns.TemporaryFolder();
        var store = new FileRunStore(folder);
        RunResult r = Sample(RunStatus.Succeeded);
        await store.SaveAsync(r);
        RunKey other = new RunRequest("other", [], 1, "abc").Key;
        File.Copy(store.PathOf(r.Key), store.PathOf(other));
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => store.TryGetAsync(other));
        Assert.Contains("FileRunStore", e.Message);
    }
}
