using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Probabilistic.Sweep;

/// <summary>
/// A folder of JSON files, one per key (<c>KEY.json</c>). A result is written to a hidden temporary file in the same
/// folder, flushed to disk, then renamed onto its final name; the rename is atomic, so a process killed mid-write
/// leaves at most a stray temporary file (ignored by readers, removed by <see cref="RemoveStrayTemporaries"/>), never
/// a partial result, and a restarted sweep skips exactly the keys whose files exist.
/// </summary>
/// <remarks>
/// The file is a JSON object: <c>format</c> (<c>"probabilistic-sweep/result/1"</c>), <c>key</c>, <c>experiment</c>,
/// <c>commit</c>, <c>seed</c> (a number), <c>configuration</c> (an object whose members are the settings in their
/// order, values as strings), <c>status</c> (<c>"Succeeded"</c> or <c>"Failed"</c>), <c>attempts</c>,
/// <c>worker</c>, <c>startedAt</c> and <c>endedAt</c> (ISO 8601 with offset), <c>payload</c> (the run's JSON,
/// embedded as JSON, or null) and <c>error</c> (a string or null). Reading checks that the key recomputed from the
/// request equals the stored key and the file's name.
/// </remarks>
public sealed class FileRunStore : IRunStore
{
    /// <summary>The value of the <c>format</c> member of every result file.</summary>
    public const string Format = RunResultJson.Format;

    private const string TemporaryPrefix = ".partial-";

    /// <summary>Opens (and creates if needed) a store in a folder.</summary>
    /// <exception cref="ArgumentException">The folder name is blank.</exception>
    public FileRunStore(string folder)
    {
        if (string.IsNullOrWhiteSpace(folder))
            throw new ArgumentException("FileRunStore: the folder name is blank.", nameof(folder));
        Folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(Folder);
    }

    /// <summary>The store's folder, as a full path.</summary>
    public string Folder { get; }

    /// <summary>The file that holds (or would hold) a key's result.</summary>
    public string PathOf(RunKey key) => Path.Combine(Folder, key.Hex + ".json");

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">The key's file is not a result file of this format, or its content
    /// belongs to another key.</exception>
    public async Task<RunResult?> TryGetAsync(RunKey key, CancellationToken cancellation = default)
    {
        string path = PathOf(key);
        byte[] bytes;
        try { bytes = await File.ReadAllBytesAsync(path, cancellation).ConfigureAwait(false); }
        catch (FileNotFoundException) { return null; }
        RunResult result = RunResultJson.Parse(bytes, path);
        if (Path.GetFileNameWithoutExtension(path) != result.Key.Hex || result.Key != key)
            throw new InvalidDataException($"FileRunStore: {path} holds the result of key {result.Key}, not {key}.");
        return result;
    }

    /// <inheritdoc/>
    public async Task SaveAsync(RunResult result, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        byte[] bytes = RunResultJson.ToUtf8(result);
        string final = PathOf(result.Key);
        string temporary = Path.Combine(Folder, $"{TemporaryPrefix}{result.Key.Hex}-{Guid.NewGuid():N}");
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None,
                             bufferSize: 4096, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(bytes, cancellation).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, final, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<RunKey>> ListKeysAsync(CancellationToken cancellation = default)
    {
        var keys = new List<RunKey>();
        foreach (string path in Directory.EnumerateFiles(Folder, "*.json"))
            if (RunKey.TryParse(Path.GetFileNameWithoutExtension(path), out RunKey key))
                keys.Add(key);
        return Task.FromResult<IReadOnlyList<RunKey>>(keys);
    }

    /// <summary>Deletes the temporary files that killed writers left behind; returns how many. Safe only while no
    /// other process writes to the store.</summary>
    public int RemoveStrayTemporaries()
    {
        int removed = 0;
        foreach (string path in Directory.EnumerateFiles(Folder, TemporaryPrefix + "*"))
        {
            File.Delete(path);
            removed++;
        }
        return removed;
    }
}
