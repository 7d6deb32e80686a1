using System.Reflection;

namespace Probabilistic.TestSupport;

/// <summary>
/// A requirement named by a static bool property of the product (e.g. a kernel's <c>IsSupported</c>), so the test
/// asks the same question the product asks before it picks a code path.
/// </summary>
internal static class MachineRequirement
{
    /// <summary>Null when <paramref name="owner"/>.<paramref name="property"/> is true, else the skip reason.</summary>
    /// <exception cref="ArgumentException">The property does not exist or is not a static bool.</exception>
    public static string? Missing(Type owner, string property, string requirement)
    {
        const BindingFlags flags = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.FlattenHierarchy;
        PropertyInfo p = owner.GetProperty(property, flags)
            ?? throw new ArgumentException($"{owner.FullName} has no static property '{property}'.", nameof(property));
        if (p.PropertyType != typeof(bool))
            throw new ArgumentException($"{owner.FullName}.{property} is {p.PropertyType.Name}, expected bool.", nameof(property));
        return (bool)p.GetValue(null)! ? null : $"this machine lacks {requirement} ({owner.Name}.{property} is false)";
    }
}

/// <summary>
/// A fact that runs only where <c>owner.property</c> (a static bool) is true, and is reported as skipped, with the
/// reason, elsewhere: e.g. <c>[FactWhen(typeof(NarrowLinearKernels), nameof(NarrowLinearKernels.IsSupported), "AVX2 and FMA")]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FactWhenAttribute : FactAttribute
{
    /// <summary>Skips the fact unless <paramref name="owner"/>.<paramref name="property"/> is true.</summary>
    public FactWhenAttribute(Type owner, string property, string requirement) =>
        Skip = MachineRequirement.Missing(owner, property, requirement);
}

/// <summary>The theory form of <see cref="FactWhenAttribute"/>: every row is skipped when the requirement is missing.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TheoryWhenAttribute : TheoryAttribute
{
    /// <summary>Skips the theory unless <paramref name="owner"/>.<paramref name="property"/> is true.</summary>
    public TheoryWhenAttribute(Type owner, string property, string requirement) =>
        Skip = MachineRequirement.Missing(owner, property, requirement);
}

/// <summary>The trait names the test filters use (<c>--filter "Category!=Slow"</c>, <c>"Category!=Data"</c>).</summary>
public static class Category
{
    /// <summary>The trait name.</summary>
    public const string Name = "Category";

    /// <summary>Takes more than about 2 s on a 2-core machine.</summary>
    public const string Slow = "Slow";

    /// <summary>Reads a real data set that <c>bash scripts/setup.sh</c> installs.</summary>
    public const string Data = "Data";
}
