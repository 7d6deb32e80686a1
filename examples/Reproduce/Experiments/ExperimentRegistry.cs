namespace Probabilistic.Reproduce.Experiments;

/// <summary>Every experiment the CLI knows, in the order <c>list</c> shows and <c>run all</c> runs them.</summary>
public static class ExperimentRegistry
{
    /// <summary>Add one line here per experiment.</summary>
    public static IReadOnlyList<IExperiment> All { get; } =
    [
        new DataExperiment(),
        new BaselinesExperiment(),
        new ProbabilisticExperiment(),
        new BayesianExperiment(),
        new Bayesian.BayesianAblationExperiment(),
        new MultiDomain.MultiDomainExperiment(),
        new DarkKnowledge.DarkKnowledgeExperiment(),
        new Vid.VidExperiment(),
        new FashionAblationExperiment(),
    ];

    /// <summary>The experiment called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static IExperiment? Find(string name) =>
        All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));
}
