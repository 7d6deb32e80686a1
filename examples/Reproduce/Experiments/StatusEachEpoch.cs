using Probabilistic.Nn.Training;

namespace Probabilistic.Reproduce.Experiments;

/// <summary>One status line per epoch on the experiment's log, so a long training run shows progress.</summary>
/// <param name="context">The experiment whose log gets the lines.</param>
/// <param name="run">What is training, as the lines name it (e.g. "mlp seed 0").</param>
internal sealed class StatusEachEpoch(ExperimentContext context, string run) : TrainingCallback
{
    /// <inheritdoc/>
    public override void OnEpochEnd(EpochReport report) => context.Status($"{run}: {report}");
}
