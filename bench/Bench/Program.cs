// Speed benchmarks of the toolkit, run side by side with PyTorch by bench/run.sh.
// Usage: Bench <command> [options]; each command lives in its own file.
using Probabilistic.Bench;

var commands = new Dictionary<string, (string Help, Func<string[], int> Run)>
{
    ["gemm"] = ("fp32 GEMM GFLOP/s on the layer shapes, 1 and 2 threads [--quick] [--csv FILE] [--threads N] [--paired LABEL: alternate with in-process OpenBLAS]", GemmBench.Run),
    ["clock"] = ("core clock (dependent integer adds) and register-only FMA peak, 1 and 2 threads [--csv FILE]", ClockBench.Run),
    ["epochs"] = ("seconds per FashionMNIST training epoch and peak RSS [--models logistic,mlp,lenet,cnn,md-teacher,md-student,bdk-step] [--epochs N] [--steps S: timed steps per sample, scaled; ≥ an epoch: whole epochs] [--csv FILE]", EpochsBench.Run),
    ["teacher"] = ("teacher inference ms per batch, ONNX Runtime and Model.Nn (issue #18) --onnx FILE --state FILE.npz [--batch 256] [--samples 7] [--threads 2] [--csv FILE]", TeacherBench.Run),
};

if (args.Length == 0 || !commands.TryGetValue(args[0], out var command))
{
    Console.Error.WriteLine("usage: Bench <command> [options]");
    foreach (var (name, (help, _)) in commands) Console.Error.WriteLine($"  {name,-8} {help}");
    return args.Length == 0 ? 0 : 2;
}
return command.Run(args[1..]);
