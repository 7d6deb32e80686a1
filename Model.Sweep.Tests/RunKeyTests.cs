using Probabilistic.Sweep;

namespace Probabilistic.Sweep.Tests;

public class RunKeyTests
{
    private static RunRequest Demo(params (string, string)[] settings) =>
        new("demo", settings.Select(s => KeyValuePair.Create(s.Item1, s.Item2)), 7, "abc");

    [Fact]
    public void Key_is_the_sha256_of_the_documented_canonical_form()
    {
        // Oracle: Python's hashlib.sha256 over the canonical text written by hand from RunKey's documentation.
        Assert.Equal("a32b40db1f11872edfa76edc22c4d7195cfd0a1a04c3552642c74bf0f5bcefc1",
            Demo(("lambda", "0.5"), ("T", "2")).Key.Hex);
        var wide = new RunRequest("démo", [], ulong.MaxValue, "0123456789abcdef0123456789abcdef01234567");
        Assert.Equal("bb84844d36e3fa16c2197dfe46204a53fb8fbffc0309eb4dee55f743e6e68e96", wide.Key.Hex);
    }

    [Fact]
    public void Key_ignores_the_order_of_settings_and_changes_with_every_field()
    {
        RunRequest a = Demo(("T", "2"), ("lambda", "0.5"));
        Assert.Equal(a.Key, Demo(("lambda", "0.5"), ("T", "2")).Key);
        Assert.Equal(a, Demo(("lambda", "0.5"), ("T", "2")));
        var keys = new[]
        {
            a.Key,
            Demo(("T", "2"), ("lambda", "0.50")).Key,
            new RunRequest("demo2", a.Configuration.Select(s => KeyValuePair.Create(s.Name, s.Value)), 7, "abc").Key,
            new RunRequest("demo", a.Configuration.Select(s => KeyValuePair.Create(s.Name, s.Value)), 8, "abc").Key,
            new RunRequest("demo", a.Configuration.Select(s => KeyValuePair.Create(s.Name, s.Value)), 7, "abd").Key,
            Demo(("T", "2")).Key,
        };
        Assert.Equal(keys.Length, keys.Distinct().Count());
    }

    [Fact]
    public void Length_prefixes_keep_a_separator_inside_a_value_from_meaning_a_new_field()
    {
        // Without lengths both would read "a b c" on one line.
        Assert.NotEqual(Demo(("a", "b c")).Key, Demo(("a b", "c")).Key);
        Assert.NotEqual(Demo(("a", "1\n1:b 1:2")).Key, Demo(("a", "1"), ("b", "2")).Key);
    }

    [Fact]
    public void Bad_requests_and_keys_throw_naming_the_problem()
    {
        var twice = Assert.Throws<ArgumentException>(() => Demo(("T", "1"), ("T", "2")));
        Assert.Contains("'T'", twice.Message);
        Assert.Throws<ArgumentException>(() => new RunRequest(" ", [], 1, "abc"));
        Assert.Throws<ArgumentException>(() => new RunRequest("x", [], 1, ""));
        Assert.Throws<ArgumentException>(() => RunKey.Parse("abc"));
        Assert.Equal(Demo().Key, RunKey.Parse(Demo().Key.Hex.ToUpperInvariant()));
        var missing = Assert.Throws<KeyNotFoundException>(() => Demo(("T", "1"))["lambda"]);
        Assert.Contains("lambda", missing.Message);
    }
}
