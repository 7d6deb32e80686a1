using Probabilistic.Core.Random;

namespace Probabilistic.Infer.Distributions;

/// <summary>
/// What every distribution in Model.Infer offers: a normalised log density, sampling with the toolkit's seeded
/// generator, and a check that its parameters describe a proper (normalisable) distribution.
/// Products and ratios are the <c>*</c> and <c>/</c> operators of each type (messages in EP are divided).
/// </summary>
public interface IDistribution<T> : ISampleable<T>
{
    /// <summary>log p(x), normalised.</summary>
    double LogDensity(T value);

    /// <summary>True when the parameters describe a normalisable distribution (e.g. positive precision).</summary>
    bool IsProper();
}

/// <summary>Raised when a distribution or a message is improper where a proper one is needed.</summary>
public sealed class ImproperDistributionException : InvalidOperationException
{
    /// <summary>An improper-distribution error with the given one-line <paramref name="message"/>.</summary>
    public ImproperDistributionException(string message) : base(message) { }
}
