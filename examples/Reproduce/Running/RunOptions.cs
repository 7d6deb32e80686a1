namespace Probabilistic.Reproduce.Running;

/// <summary>The options of <c>run</c>, as parsed from the command line.</summary>
/// <param name="Quick">Smaller settings for a smoke run.</param>
/// <param name="SeedCount">Repeated runs (seeds 0..N-1); null = each experiment's default.</param>
/// <param name="OutDirectory">Results root; each experiment writes to OutDirectory/name/.</param>
/// <param name="FashionMnistDirectory">FashionMNIST folder override, or null.</param>
/// <param name="MnistDirectory">Override of the folder holding MNIST's digits/, or null.</param>
public sealed record RunOptions(bool Quick, int? SeedCount, string OutDirectory, string? FashionMnistDirectory, string? MnistDirectory);
