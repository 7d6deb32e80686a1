using System.Diagnostics;
using System.Globalization;
using Probabilistic.Core.Random;
using Probabilistic.Distill.Teachers;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Tensors;
using Probabilistic.Onnx;

namespace Probabilistic.Bench;

/// <summary>
/// Teacher inference per batch (issue #18): examples/OnnxTeacher's network (Zoo.TinyCnn on 1×28×28, exported by
/// train_export.py) through ONNX Runtime (<see cref="OnnxTeacher"/>, intra-op threads T) and through Model.Nn with the
/// same weights loaded from the .npz state_dict (<see cref="ModuleTeacher"/>, <see cref="Gemm.MaxThreads"/> = T). Each
/// call is <see cref="Teacher.Logits"/> on the same raw batch (the first B test images, /255): reshape, normalise, run,
/// without gradient, in evaluation mode. After a warm-up (at least W calls and 1 s per implementation), S samples of N
/// calls are timed (N chosen in the warm-up so a sample lasts about 0.25 s), the implementations interleaved per sample;
/// best and median milliseconds per batch are reported. bench/torch_teacher.py does the same in PyTorch.
/// Usage: Bench teacher --onnx teacher.onnx --state teacher_state.npz [--batch 256] [--samples 7] [--warmup 5] [--threads 2] [--csv FILE]
/// </summary>
internal static class TeacherBench
{
    internal const string CsvHeader = "impl,batch,calls_per_sample,samples,best_ms,median_ms,threads";

    public static int Run(string[] args)
    {
        string onnxPath = EpochsBench.Option(args, "--onnx") ?? throw new ArgumentException("Bench teacher: --onnx FILE is required.");
        string statePath = EpochsBench.Option(args, "--state") ?? throw new ArgumentException("Bench teacher: --state FILE is required.");
        int batch = Int(args, "--batch", 256), samples = Int(args, "--samples", 7), warmup = Int(args, "--warmup", 5), threads = Int(args, "--threads", 2);
        string? csvPath = EpochsBench.Option(args, "--csv");
        Gemm.MaxThreads = threads;

        var normalisation = new InputNormalisation([0.2860f], [0.3530f]);
        int[] shape = [1, FashionMnist.Side, FashionMnist.Side];
        using var onnx = new OnnxTeacher(onnxPath, new OnnxTeacherOptions
        {
            InputName = "input",
            LogitsOutput = "logits",
            InputShape = shape,
            Normalisation = normalisation,
            IntraOpThreads = threads,
        });
        var twin = Zoo.TinyCnn(new Rng(0));
        ParameterIO.LoadNpz(twin, statePath);
        using var nn = new ModuleTeacher(twin, shape, normalisation, "Model.Nn");

        var test = FashionMnist.Load().Test;
        if (batch < 1 || batch > test.Count) throw new ArgumentOutOfRangeException(nameof(args), batch, $"Bench teacher: the batch must lie in 1..{test.Count}.");
        var input = new Tensor(test.Features.AsSpan(0, batch * test.FeatureSize).ToArray(), [batch, .. test.SampleShape]);
        (string Name, Teacher Teacher)[] impls = [("onnxruntime", onnx), ("model.nn", nn)];
        Console.WriteLine($"teacher inference, batch {batch}, {threads} threads (ONNX Runtime intra-op, Gemm.MaxThreads {Gemm.MaxThreads}, {Gemm.ActiveKernel})");

        var calls = new int[impls.Length];
        for (int i = 0; i < impls.Length; i++)
        {
            var clock = Stopwatch.StartNew();
            int n = 0;
            while (n < warmup || clock.Elapsed.TotalSeconds < 1) { Call(impls[i].Teacher, input); n++; }
            calls[i] = Math.Max(1, (int)(0.25 / (clock.Elapsed.TotalSeconds / n)));
        }
        var times = impls.Select(_ => new List<double>()).ToArray();
        for (int s = 0; s < samples; s++)
            for (int i = 0; i < impls.Length; i++)
            {
                var clock = Stopwatch.StartNew();
                for (int c = 0; c < calls[i]; c++) Call(impls[i].Teacher, input);
                times[i].Add(clock.Elapsed.TotalMilliseconds / calls[i]);
            }

        bool header = csvPath is not null && !File.Exists(csvPath);
        using var csv = csvPath is null ? null : new StreamWriter(csvPath, append: true);
        if (header) csv!.WriteLine(CsvHeader);
        for (int i = 0; i < impls.Length; i++)
        {
            double best = times[i].Min(), median = Median(times[i]);
            Console.WriteLine($"{impls[i].Name}: best {best:F3} ms, median {median:F3} ms per batch ({calls[i]} calls per sample)");
            csv?.WriteLine(string.Join(',', impls[i].Name, batch, calls[i], samples, F(best), F(median), threads));
        }
        return 0;
    }

    private static void Call(Teacher teacher, Tensor input)
    {
        using var scope = TensorScope.Begin();
        var logits = teacher.Logits(input);
        if (logits.Dim(0) != input.Dim(0)) throw new InvalidOperationException($"Bench teacher: {teacher.Name} gave {logits.ShapeString}.");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static int Int(string[] args, string name, int fallback) =>
        EpochsBench.Option(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    private static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
}
