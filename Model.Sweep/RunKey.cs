using System.Security.Cryptography;
using System.Text;

namespace Probabilistic.Sweep;

/// <summary>
/// The content hash that names a run: SHA-256, as 64 lowercase hexadecimal digits, of the canonical form of a
/// <see cref="RunRequest"/>. Two requests have the same key exactly when they have the same experiment, commit, seed
/// and settings (the order in which the settings were given does not matter).
/// </summary>
/// <remarks>
/// The canonical form is UTF-8 text, one field per line, each line ending in a line feed (U+000A):
/// <code>
/// probabilistic-sweep/run/1
/// experiment L(experiment)
/// commit L(commit)
/// seed SEED
/// settings COUNT
/// L(name) L(value)        (one line per setting, sorted by name in ordinal order of its UTF-16 code units)
/// </code>
/// where <c>L(s)</c> is the number of UTF-8 bytes of <c>s</c> in decimal, a colon, then <c>s</c> itself (so no text
/// can be mistaken for a separator), <c>SEED</c> and <c>COUNT</c> are decimal integers without sign or leading zeros,
/// and a single space separates the parts of a line. Example: experiment <c>demo</c>, commit <c>abc</c>, seed 7 and
/// settings <c>T=2</c>, <c>lambda=0.5</c> give
/// <c>"probabilistic-sweep/run/1\nexperiment 4:demo\ncommit 3:abc\nseed 7\nsettings 2\n1:T 1:2\n6:lambda 3:0.5\n"</c>.
/// A value is hashed as the text it is: <c>"1"</c> and <c>"1.0"</c> are different settings.
/// </remarks>
public readonly record struct RunKey
{
    /// <summary>The first line of the canonical form; a change of the form changes this version.</summary>
    public const string CanonicalHeader = "probabilistic-sweep/run/1";

    private RunKey(string hex) => Hex = hex;

    /// <summary>The key as 64 lowercase hexadecimal digits.</summary>
    public string Hex { get; }

    /// <summary>Parses 64 hexadecimal digits (either case) into a key.</summary>
    /// <exception cref="ArgumentException">The text is not 64 hexadecimal digits.</exception>
    public static RunKey Parse(string hex)
    {
        if (!TryParse(hex, out RunKey key))
            throw new ArgumentException($"RunKey.Parse: '{hex}' is not 64 hexadecimal digits.", nameof(hex));
        return key;
    }

    /// <summary>Parses 64 hexadecimal digits (either case); false, with the default key, when the text is not one.</summary>
    public static bool TryParse(string? hex, out RunKey key)
    {
        key = default;
        if (hex is null || hex.Length != 64) return false;
        foreach (char c in hex)
            if (!char.IsAsciiHexDigit(c)) return false;
        key = new RunKey(hex.ToLowerInvariant());
        return true;
    }

    /// <summary>The canonical form of a request, as documented on <see cref="RunKey"/>.</summary>
    public static string CanonicalForm(RunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var text = new StringBuilder();
        text.Append(CanonicalHeader).Append('\n');
        text.Append("experiment ").Append(Length(request.Experiment)).Append('\n');
        text.Append("commit ").Append(Length(request.Commit)).Append('\n');
        text.Append("seed ").Append(request.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        text.Append("settings ").Append(request.Configuration.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        foreach (RunSetting s in request.Configuration.OrderBy(s => s.Name, StringComparer.Ordinal))
            text.Append(Length(s.Name)).Append(' ').Append(Length(s.Value)).Append('\n');
        return text.ToString();
    }

    /// <summary>The key of a request: SHA-256 of the UTF-8 bytes of <see cref="CanonicalForm"/>.</summary>
    public static RunKey Of(RunRequest request) =>
        new(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalForm(request)))));

    private static string Length(string s) =>
        Encoding.UTF8.GetByteCount(s).ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + s;

    /// <summary>The 64 hexadecimal digits.</summary>
    public override string ToString() => Hex ?? "";
}
