namespace Probabilistic.Distill;

/// <summary>
/// What the registry knows of one method before it is made: its name, family, one-line summary and the type of the
/// settings its factory takes (with defaults, so every method can be made by name alone).
/// </summary>
/// <param name="Name">The registry name (unique, case-insensitive).</param>
/// <param name="Family">The family the method belongs to (e.g. "output", "bayesian"), for listings.</param>
/// <param name="Summary">One line saying what the method does.</param>
public abstract record MethodDescriptor(string Name, string Family, string Summary)
{
    /// <summary>The type of the settings object <see cref="Create"/> accepts.</summary>
    public abstract Type SettingsType { get; }

    /// <summary>Makes the method with <paramref name="settings"/>, or with the descriptor's defaults when null.</summary>
    public abstract IDistillationMethod Create(object? settings = null);
}

/// <summary>A <see cref="MethodDescriptor"/> whose factory takes settings of type <typeparamref name="TSettings"/>.</summary>
/// <typeparam name="TSettings">The method family's settings record.</typeparam>
/// <param name="Name">The registry name.</param>
/// <param name="Family">The family.</param>
/// <param name="Summary">One line.</param>
/// <param name="Defaults">The settings used when none are given.</param>
/// <param name="Factory">Makes the method from settings.</param>
public sealed record MethodDescriptor<TSettings>(string Name, string Family, string Summary, TSettings Defaults,
    Func<TSettings, IDistillationMethod> Factory) : MethodDescriptor(Name, Family, Summary) where TSettings : class
{
    /// <inheritdoc />
    public override Type SettingsType => typeof(TSettings);

    /// <inheritdoc />
    public override IDistillationMethod Create(object? settings = null) => settings switch
    {
        null => Factory(Defaults),
        TSettings typed => Factory(typed),
        _ => throw new ArgumentException(
            $"Method '{Name}' takes settings of type {typeof(TSettings).Name}, got {settings.GetType().Name}.", nameof(settings)),
    };
}

/// <summary>
/// Every distillation method by name, so a command line lists them and an experiment picks one with a string.
/// Each family contributes its descriptors from its own file (one line below per family).
/// </summary>
public static class MethodRegistry
{
    private static readonly Lazy<IReadOnlyList<MethodDescriptor>> Builtins = new(() => Validate(
    [
        .. Output.OutputFamily.Methods,
        .. Inference.InferenceFamily.Methods,
        .. Bayesian.BayesianFamily.Methods,
        .. MultiDomain.MultiDomainFamily.Methods,
        .. DarkKnowledge.DarkKnowledgeFamily.Methods,
        .. Vid.VidFamily.Methods,
    ]));

    /// <summary>All registered methods, in registration order (families in the order of the seeds).</summary>
    public static IReadOnlyList<MethodDescriptor> All => Builtins.Value;

    /// <summary>The names of all registered methods.</summary>
    public static IEnumerable<string> Names => All.Select(d => d.Name);

    /// <summary>The descriptor of <paramref name="name"/> (case-insensitive); throws naming the known methods when absent.</summary>
    public static MethodDescriptor Describe(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Unknown distillation method '{name}'; known: {string.Join(", ", Names)}.", nameof(name));
    }

    /// <summary>Makes the method <paramref name="name"/> with <paramref name="settings"/> (its defaults when null).</summary>
    public static IDistillationMethod Create(string name, object? settings = null) => Describe(name).Create(settings);

    /// <summary>
    /// Makes the method <paramref name="name"/> as a <typeparamref name="TMethod"/> (a family interface); throws when
    /// the method is of another family.
    /// </summary>
    public static TMethod Create<TMethod>(string name, object? settings = null) where TMethod : IDistillationMethod =>
        Create(name, settings) is TMethod method
            ? method
            : throw new ArgumentException($"Method '{name}' is not a {typeof(TMethod).Name}.", nameof(name));

    private static IReadOnlyList<MethodDescriptor> Validate(MethodDescriptor[] descriptors)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var d in descriptors)
            if (!seen.Add(d.Name)) throw new InvalidOperationException($"MethodRegistry: the name '{d.Name}' is registered twice.");
        return descriptors;
    }
}
