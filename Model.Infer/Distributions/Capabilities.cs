using Probabilistic.Core.Random;

namespace Probabilistic.Infer.Distributions;

// What a distribution can do, declared as interfaces (as Infer.NET's SettableToProduct, CanGetLogNormalizer, …), so
// that the engine and generic code ask for a capability instead of switching on the type. Products, ratios and powers
// are operators: static abstract interface members.

/// <summary>The normalised product of two densities of the family (natural parameters add): <c>a * b</c>.</summary>
/// <typeparam name="TSelf">The distribution type itself.</typeparam>
public interface ISettableToProduct<TSelf> where TSelf : ISettableToProduct<TSelf>
{
    /// <summary>The normalised product of the densities <paramref name="a"/> and <paramref name="b"/>.</summary>
    static abstract TSelf operator *(TSelf a, TSelf b);
}

/// <summary>The ratio of two densities of the family (natural parameters subtract), as EP divides out a message: <c>a / b</c>.</summary>
/// <typeparam name="TSelf">The distribution type itself.</typeparam>
public interface ISettableToRatio<TSelf> where TSelf : ISettableToRatio<TSelf>
{
    /// <summary>The ratio of the densities <paramref name="a"/> and <paramref name="b"/>, renormalised where it is proper.</summary>
    static abstract TSelf operator /(TSelf a, TSelf b);
}

/// <summary>A density raised to a power (natural parameters scaled), as tempered factors need: <c>a ^ power</c>.</summary>
/// <typeparam name="TSelf">The distribution type itself.</typeparam>
public interface ISettableToPower<TSelf> where TSelf : ISettableToPower<TSelf>
{
    /// <summary>The density <paramref name="a"/> raised to <paramref name="power"/>, renormalised.</summary>
    static abstract TSelf operator ^(TSelf a, double power);
}

/// <summary>The log-partition function of the unnormalised exponential form, log ∫ exp(ηᵀt(x)) dx (EP's evidence is
/// assembled from these).</summary>
public interface ICanGetLogNormalizer
{
    /// <summary>log ∫ exp(ηᵀt(x)) dx for the natural parameters η and sufficient statistics t of the family.</summary>
    double GetLogNormalizer();
}

/// <summary>The entropy −E[log p(x)] (VMP's bound adds the beliefs' entropies).</summary>
public interface ICanGetEntropy
{
    /// <summary>−E[log p(x)] under the distribution itself.</summary>
    double GetEntropy();
}

/// <summary>The expected log density under another distribution of the family, E_q[log p(x)] (a prior's VMP term).</summary>
/// <typeparam name="TSelf">The distribution type itself.</typeparam>
public interface ICanGetAverageLog<TSelf>
{
    /// <summary>E_q[log this(x)] with x ~ <paramref name="q"/>.</summary>
    double GetAverageLog(TSelf q);
}

/// <summary>Draws with the toolkit's seeded generator.</summary>
/// <typeparam name="T">The value type.</typeparam>
public interface ISampleable<T>
{
    /// <summary>A draw from the distribution.</summary>
    T Sample(Rng rng);
}
