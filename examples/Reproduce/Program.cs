using Probabilistic.Reproduce;
using Probabilistic.Reproduce.Experiments;

// reproduce list | reproduce run NAME|all [--quick] [--seeds N] [--out DIR] [--fashion-mnist DIR] [--mnist DIR]
string[] arguments = args.Length == 0 ? ["--help"] : args; // no arguments: show what the tool can do
return await ReproduceCli.Build(ExperimentRegistry.All).Parse(arguments).InvokeAsync();
