namespace Probabilistic.Nn.Distillation;

/// <summary>
/// The distillation methods by name, so command lines and examples choose them with a string:
/// "ml" (no teacher: plain cross-entropy), "hinton" (the baseline), "probabilistic-paper" (P1 as its code
/// optimises it), "probabilistic-corrected" (the corrected normaliser), and "regression" (<see cref="RegressionDistillation"/>).
/// </summary>
public static class DistillationMethods
{
    private static readonly Dictionary<string, Func<DistillationSettings, IClassificationDistillation>> Classification =
        new(StringComparer.OrdinalIgnoreCase)
        {
            // Maximum likelihood is the probabilistic objective with λ = 0 (I is then irrelevant).
            ["ml"] = s => new ProbabilisticDistillation(s with { Lambda = 0, IncludeNormalizer = false }, NormalizerTerm.None, "ml"),
            ["hinton"] = s => new HintonDistillation(s),
            ["probabilistic-paper"] = s => new ProbabilisticDistillation(s, NormalizerTerm.Paper),
            ["probabilistic-corrected"] = s => new ProbabilisticDistillation(s, NormalizerTerm.Corrected),
        };

    /// <summary>Names of the classification methods.</summary>
    public static IReadOnlyCollection<string> ClassificationNames => Classification.Keys;

    /// <summary>Name of the regression method.</summary>
    public const string RegressionName = "regression";

    /// <summary>All method names.</summary>
    public static IEnumerable<string> Names => ClassificationNames.Append(RegressionName);

    /// <summary>The classification method <paramref name="name"/> (case-insensitive) with the given settings.</summary>
    public static IClassificationDistillation CreateClassification(string name, DistillationSettings settings)
    {
        if (!Classification.TryGetValue(name, out var factory))
            throw new ArgumentException($"DistillationMethods: unknown classification method '{name}'; known: {string.Join(", ", ClassificationNames)}.", nameof(name));
        return factory(settings);
    }

    /// <summary>The regression method with the given settings (λ, τ, τ_s, reduction).</summary>
    public static RegressionDistillation CreateRegression(DistillationSettings settings) => new(settings);
}
