namespace Probabilistic.Nn.Optim;

/// <summary>A learning-rate schedule over epochs: call <see cref="Step"/> once at the end of each epoch.</summary>
public abstract class LearningRateSchedule
{
    private readonly Optimizer _optimizer;

    /// <summary>Completed epochs.</summary>
    public int Epoch { get; private set; }

    /// <summary>A schedule driving every group of <paramref name="optimizer"/>.</summary>
    protected LearningRateSchedule(Optimizer optimizer) => _optimizer = optimizer;

    /// <summary>The learning rate after <paramref name="epoch"/> epochs for a group that started at <paramref name="initial"/>.</summary>
    public abstract double RateAt(int epoch, double initial);

    /// <summary>Advances one epoch and sets every group's learning rate.</summary>
    public void Step()
    {
        Epoch++;
        foreach (var g in _optimizer.Groups) g.LearningRate = RateAt(Epoch, g.InitialLearningRate);
    }
}

/// <summary>lr = initial · γ^⌊epoch / stepSize⌋ (torch.optim.lr_scheduler.StepLR).</summary>
public sealed class StepDecay(Optimizer optimizer, int stepSize, double gamma = 0.1) : LearningRateSchedule(optimizer)
{
    /// <inheritdoc/>
    public override double RateAt(int epoch, double initial) => initial * Math.Pow(gamma, epoch / stepSize);
}

/// <summary>
/// lr = η_min + (initial − η_min)·(1 + cos(π·epoch/T_max))/2 (the closed form of
/// torch.optim.lr_scheduler.CosineAnnealingLR within its first period).
/// </summary>
public sealed class CosineAnnealing(Optimizer optimizer, int tMax, double etaMin = 0) : LearningRateSchedule(optimizer)
{
    /// <inheritdoc/>
    public override double RateAt(int epoch, double initial) =>
        etaMin + (initial - etaMin) * (1 + Math.Cos(Math.PI * Math.Min(epoch, tMax) / tMax)) / 2;
}
