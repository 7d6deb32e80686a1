namespace Probabilistic.Reproduce.Experiments;

/// <summary>
/// One reproduction experiment. To add one: write a class implementing this interface (one file in
/// Experiments/) and add one line to <see cref="ExperimentRegistry.All"/>. The runner handles the command line,
/// timing, printing and the results files; the experiment only computes and fills an <see cref="Results.ExperimentResult"/>.
/// </summary>
public interface IExperiment
{
    /// <summary>Command-line name: lower case, no spaces (e.g. "data", "probabilistic").</summary>
    string Name { get; }

    /// <summary>One line for <c>list</c>: what the experiment reproduces.</summary>
    string Description { get; }

    /// <summary>Repeated runs when <c>--seeds</c> is not given (e.g. the paper's 5 repeats).</summary>
    int DefaultSeedCount { get; }

    /// <summary>
    /// Runs the experiment. Record the configuration in <see cref="Results.ExperimentResult.Config"/>, results in
    /// named tables, and anything a reader should know (e.g. a missing data set) in its notes. Throw only when
    /// something is actually broken; a missing optional data set is a note plus a "missing" row.
    /// </summary>
    Results.ExperimentResult Run(ExperimentContext context);
}
