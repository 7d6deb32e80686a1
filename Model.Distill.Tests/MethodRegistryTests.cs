using Probabilistic.Distill;

namespace Probabilistic.Distill.Tests;

public class MethodRegistryTests
{
    private sealed record Settings(int Value);

    private sealed record Method(string Name, int Value) : IDistillationMethod;

    private static readonly MethodDescriptor<Settings> Descriptor =
        new("probe", "test", "a method made only by this test", new Settings(3), s => new Method("probe", s.Value));

    [Fact]
    public void Descriptor_uses_its_defaults_when_no_settings_are_given()
    {
        var made = (Method)Descriptor.Create();
        Assert.Equal(3, made.Value);
        Assert.Equal(7, ((Method)Descriptor.Create(new Settings(7))).Value);
    }

    [Fact]
    public void Descriptor_refuses_settings_of_another_type_naming_both()
    {
        var e = Assert.Throws<ArgumentException>(() => Descriptor.Create("not settings"));
        Assert.Contains("Settings", e.Message);
        Assert.Contains("String", e.Message);
    }

    [Fact]
    public void Unknown_name_is_refused_with_the_known_names()
    {
        var e = Assert.Throws<ArgumentException>(() => MethodRegistry.Describe("no-such-method"));
        Assert.Contains("no-such-method", e.Message);
        foreach (var name in MethodRegistry.Names) Assert.Contains(name, e.Message);
    }

    [Fact]
    public void Every_registered_method_is_made_by_name_with_its_defaults_and_carries_that_name()
    {
        foreach (var d in MethodRegistry.All)
        {
            var method = MethodRegistry.Create(d.Name.ToUpperInvariant());
            Assert.Equal(d.Name, method.Name);
            Assert.False(string.IsNullOrWhiteSpace(d.Summary));
        }
    }
}
