using System.Globalization;

namespace Probabilistic.Sweep.Redis;

/// <summary>
/// Where a cluster's Redis server is: the <c>redis://HOST:PORT</c> of a command line (port 6379 when left out). The
/// one Redis server holds the cluster's membership (which silos are alive, where) and its run results.
/// </summary>
/// <param name="Host">The server's host name or address.</param>
/// <param name="Port">The server's port, 1 to 65535.</param>
public sealed record RedisClusterAddress(string Host, int Port)
{
    /// <summary>Redis's default port.</summary>
    public const int DefaultPort = 6379;

    /// <summary>Parses <c>redis://HOST[:PORT]</c>; a trailing slash is allowed.</summary>
    /// <exception cref="FormatException">Not of that form, or the port is not a number from 1 to 65535; the message
    /// quotes the text and says what is expected.</exception>
    public static RedisClusterAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        const string scheme = "redis://";
        string expected = $"expected redis://HOST:PORT, e.g. redis://127.0.0.1:{DefaultPort}";
        if (!text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            throw new FormatException($"RedisClusterAddress: '{text}' does not start with redis:// ({expected}).");
        string rest = text[scheme.Length..].TrimEnd('/');
        if (rest.Length == 0 || rest.Contains('/') || rest.Contains('@'))
            throw new FormatException($"RedisClusterAddress: '{text}' is not a host and port ({expected}).");
        string host = rest;
        int port = DefaultPort;
        int colon = rest.LastIndexOf(':');
        if (colon >= 0 && !(rest.StartsWith('[') && rest.EndsWith(']')))
        {
            host = rest[..colon];
            string digits = rest[(colon + 1)..];
            if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
                throw new FormatException($"RedisClusterAddress: the port '{digits}' in '{text}' is not a number from 1 to 65535.");
        }
        if (host.Length == 0)
            throw new FormatException($"RedisClusterAddress: '{text}' has no host ({expected}).");
        return new RedisClusterAddress(host.Trim('[', ']'), port);
    }

    /// <summary>The StackExchange.Redis configuration string: host:port, failing fast when the server is absent.</summary>
    public string ConnectionString =>
        $"{(Host.Contains(':') ? $"[{Host}]" : Host)}:{Port.ToString(CultureInfo.InvariantCulture)},abortConnect=true,connectTimeout=5000";

    /// <summary>The address as <c>redis://HOST:PORT</c>.</summary>
    public override string ToString() => $"redis://{(Host.Contains(':') ? $"[{Host}]" : Host)}:{Port.ToString(CultureInfo.InvariantCulture)}";
}
