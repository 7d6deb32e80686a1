using StackExchange.Redis;

namespace Probabilistic.Sweep.Redis;

/// <summary>
/// Run results in a Redis server, shared by every worker and submitter of a cluster: one string per key (the JSON of
/// <see cref="FileRunStore"/>'s format) and a set of the keys held. A result is written with one <c>SET</c>, which
/// Redis applies whole, so a reader sees the old value or the new, never a part; the key joins the set only after its
/// value is written, so every listed key can be read.
/// </summary>
public sealed class RedisRunStore : IRunStore
{
    private readonly IDatabase _database;
    private readonly string _prefix;

    /// <summary>A store over an open connection, its keys under <paramref name="prefix"/>.</summary>
    /// <exception cref="ArgumentException">The prefix is blank.</exception>
    public RedisRunStore(IConnectionMultiplexer connection, string prefix = "probabilistic:sweep:")
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (string.IsNullOrWhiteSpace(prefix))
            throw new ArgumentException("RedisRunStore: the key prefix is blank.", nameof(prefix));
        _database = connection.GetDatabase();
        _prefix = prefix;
    }

    /// <summary>The Redis key that holds a run's result.</summary>
    public string RedisKeyOf(RunKey key) => $"{_prefix}result:{key.Hex}";

    private RedisKey KeySet => $"{_prefix}keys";

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">The value is not a result of this format, or belongs to another key.</exception>
    public async Task<RunResult?> TryGetAsync(RunKey key, CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        string redisKey = RedisKeyOf(key);
        RedisValue value = await _database.StringGetAsync(redisKey).ConfigureAwait(false);
        if (value.IsNull) return null;
        RunResult result = RunResultJson.Parse((byte[])value!, $"redis key {redisKey}");
        if (result.Key != key)
            throw new InvalidDataException($"RedisRunStore: redis key {redisKey} holds the result of key {result.Key}, not {key}.");
        return result;
    }

    /// <inheritdoc/>
    public async Task SaveAsync(RunResult result, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        cancellation.ThrowIfCancellationRequested();
        await _database.StringSetAsync(RedisKeyOf(result.Key), RunResultJson.ToUtf8(result)).ConfigureAwait(false);
        await _database.SetAddAsync(KeySet, result.Key.Hex).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<RunKey>> ListKeysAsync(CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        RedisValue[] members = await _database.SetMembersAsync(KeySet).ConfigureAwait(false);
        var keys = new List<RunKey>(members.Length);
        foreach (RedisValue m in members)
            if (RunKey.TryParse(m.ToString(), out RunKey key))
                keys.Add(key);
        return keys;
    }
}
