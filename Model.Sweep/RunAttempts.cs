using System.Text.Json;

namespace Probabilistic.Sweep;

/// <summary>Runs one request's body up to a set number of attempts, and records how it ended: the one loop that
/// both the embedded executor and a silo's run grain use.</summary>
internal static class RunAttempts
{
    public static RunResult Execute(RunRequest request, RunBody body, int maxAttempts, string worker, CancellationToken cancellation)
    {
        DateTimeOffset started = DateTimeOffset.UtcNow;
        string? error = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++)
        {
            cancellation.ThrowIfCancellationRequested();
            try
            {
                string payload = body(request, cancellation)
                    ?? throw new InvalidOperationException($"the body of experiment '{request.Experiment}' returned null");
                using (JsonDocument.Parse(payload)) { }
                return new RunResult(request, RunStatus.Succeeded, payload, null, attempt, worker, started, DateTimeOffset.UtcNow);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                throw;
            }
            catch (JsonException e)
            {
                error = $"attempt {attempt} of {maxAttempts}: the body of experiment '{request.Experiment}' returned text that is not JSON: {e.Message}";
            }
            catch (Exception e)
            {
                error = $"attempt {attempt} of {maxAttempts}: {e}";
            }
        }
        return new RunResult(request, RunStatus.Failed, null, error, maxAttempts, worker, started, DateTimeOffset.UtcNow);
    }
}
