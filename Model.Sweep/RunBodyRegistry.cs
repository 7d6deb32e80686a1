using System.Collections.Concurrent;

namespace Probabilistic.Sweep;

/// <summary>
/// The code of one experiment: runs one request and returns its result as JSON text. It should depend only on the
/// request (its settings and seed), so that any worker gives the same result; it may throw, and the executor then
/// records the error and tries again, up to its set number of attempts.
/// </summary>
/// <param name="request">The run's request.</param>
/// <param name="cancellation">Signalled when the sweep is cancelled.</param>
/// <returns>The run's result as JSON text (any JSON value).</returns>
public delegate string RunBody(RunRequest request, CancellationToken cancellation);

/// <summary>
/// The experiments a process can run, by name. Every worker (the embedded executor, every silo) has its own registry,
/// filled with the same names at start-up: requests carry only a name and a configuration, never code.
/// </summary>
public sealed class RunBodyRegistry
{
    private readonly ConcurrentDictionary<string, RunBody> _bodies = new(StringComparer.Ordinal);

    /// <summary>Registers an experiment's code under its name; returns this registry.</summary>
    /// <exception cref="ArgumentException">The name is blank or already registered.</exception>
    public RunBodyRegistry Register(string experiment, RunBody body)
    {
        if (string.IsNullOrWhiteSpace(experiment))
            throw new ArgumentException("RunBodyRegistry.Register: the experiment name is blank.", nameof(experiment));
        ArgumentNullException.ThrowIfNull(body);
        if (!_bodies.TryAdd(experiment, body))
            throw new ArgumentException($"RunBodyRegistry.Register: experiment '{experiment}' is already registered.", nameof(experiment));
        return this;
    }

    /// <summary>The registered names, sorted.</summary>
    public IReadOnlyList<string> Experiments => _bodies.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();

    /// <summary>Whether an experiment is registered.</summary>
    public bool Contains(string experiment) => _bodies.ContainsKey(experiment);

    /// <summary>The code registered under a name.</summary>
    /// <exception cref="KeyNotFoundException">No such experiment; the message lists those registered.</exception>
    public RunBody Resolve(string experiment) =>
        _bodies.TryGetValue(experiment, out RunBody? body)
            ? body
            : throw new KeyNotFoundException($"RunBodyRegistry: no experiment '{experiment}' is registered here (registered: {string.Join(", ", Experiments)}).");
}
