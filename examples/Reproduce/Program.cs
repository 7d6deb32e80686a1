using Probabilistic.Reproduce;
using Probabilistic.Reproduce.Experiments;

// reproduce list | reproduce methods | reproduce run NAME|all [--quick] [--seeds N] [--out DIR] [--fashion-mnist DIR] [--mnist DIR]
return await ReproduceCli.RunAsync(ExperimentRegistry.All, args, Console.Error);
