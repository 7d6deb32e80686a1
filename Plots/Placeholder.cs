namespace Probabilistic.Plots;
