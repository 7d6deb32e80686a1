using Probabilistic.Reproduce;
using Probabilistic.Reproduce.Experiments;

// reproduce list | reproduce methods
// reproduce run NAME|all [--quick] [--seeds N] [--jobs N] [--rerun] [--out DIR] [--fashion-mnist DIR] [--mnist DIR]
// reproduce sweep EXPERIMENT --grid NAME=v1,v2,... [--random NAME=lo:hi --trials N] [--seeds N] [--metric M] [--quick] [--jobs N] [--rerun] [--out DIR] [--fashion-mnist DIR]
return await ReproduceCli.RunAsync(ExperimentRegistry.All, args, Console.Error);
