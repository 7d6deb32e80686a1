namespace Probabilistic.Sweep;

/// <summary>How a run ended.</summary>
public enum RunStatus
{
    /// <summary>The run's body returned a JSON payload.</summary>
    Succeeded,

    /// <summary>Every attempt threw (or the run could not be carried out); <see cref="RunResult.Error"/> says why.</summary>
    Failed,
}

/// <summary>
/// The outcome of one run: its request (hence its <see cref="Key"/>), how it ended, its JSON payload or its error, how
/// many attempts it took, which worker ran it, and when.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class RunResult
{
    [Id(0)] private readonly RunRequest _request;
    [Id(1)] private readonly RunStatus _status;
    [Id(2)] private readonly string? _payload;
    [Id(3)] private readonly string? _error;
    [Id(4)] private readonly int _attempts;
    [Id(5)] private readonly string _worker;
    [Id(6)] private readonly DateTimeOffset _startedAt;
    [Id(7)] private readonly DateTimeOffset _endedAt;

    /// <summary>Makes a result; a succeeded one has a payload and no error, a failed one an error and no payload.</summary>
    /// <exception cref="ArgumentException">The payload or error does not match the status, attempts is negative, the
    /// worker is blank, or the run ends before it starts.</exception>
    public RunResult(RunRequest request, RunStatus status, string? payload, string? error, int attempts, string worker,
        DateTimeOffset startedAt, DateTimeOffset endedAt)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (status == RunStatus.Succeeded && (payload is null || error is not null))
            throw new ArgumentException($"RunResult: a succeeded run of {request} needs a payload and no error.", nameof(payload));
        if (status == RunStatus.Failed && (payload is not null || string.IsNullOrEmpty(error)))
            throw new ArgumentException($"RunResult: a failed run of {request} needs an error and no payload.", nameof(error));
        if (attempts < 0)
            throw new ArgumentException($"RunResult: attempts is {attempts} for {request}, expected ≥ 0.", nameof(attempts));
        if (string.IsNullOrWhiteSpace(worker))
            throw new ArgumentException($"RunResult: the worker of {request} is blank.", nameof(worker));
        if (endedAt < startedAt)
            throw new ArgumentException($"RunResult: {request} ends ({endedAt:O}) before it starts ({startedAt:O}).", nameof(endedAt));
        _request = request;
        _status = status;
        _payload = payload;
        _error = error;
        _attempts = attempts;
        _worker = worker;
        _startedAt = startedAt;
        _endedAt = endedAt;
    }

    /// <summary>The run's request.</summary>
    public RunRequest Request => _request;

    /// <summary>The run's key, that of <see cref="Request"/>.</summary>
    public RunKey Key => _request.Key;

    /// <summary>How the run ended.</summary>
    public RunStatus Status => _status;

    /// <summary>The JSON text the run's body returned; null when the run failed.</summary>
    public string? Payload => _payload;

    /// <summary>The last attempt's error (the exception's type, message and stack); null when the run succeeded.</summary>
    public string? Error => _error;

    /// <summary>How many times the body was called (0 when the run was never started).</summary>
    public int Attempts => _attempts;

    /// <summary>The worker that ran it (a machine and, on a cluster, a silo).</summary>
    public string Worker => _worker;

    /// <summary>When the first attempt started.</summary>
    public DateTimeOffset StartedAt => _startedAt;

    /// <summary>When the last attempt ended.</summary>
    public DateTimeOffset EndedAt => _endedAt;

    /// <summary>The run's wall time, all attempts together.</summary>
    public TimeSpan Duration => _endedAt - _startedAt;

    /// <summary>The status and the request, for messages.</summary>
    public override string ToString() => $"{_status} {_request} after {_attempts} attempt(s) on {_worker}";
}
