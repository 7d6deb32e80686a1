using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Losses;
using Probabilistic.Nn.Tensors;
using static Probabilistic.Nn.Tests.Autograd.GradCheck;

namespace Probabilistic.Nn.Tests.Autograd;

/// <summary>
/// The gradient checker is sharp enough: for representative ops it accepts the backward rule's gradient and rejects
/// the same gradient with a 1e-3 relative error, either everywhere (all entries × 1.001) or in one entry (each entry
/// carrying at least a quarter of its input's largest gradient, in turn). The former fixed tolerance, 2e-3 + 1 % of
/// the numeric value, accepted every one of these wrong gradients (its 1 % term alone exceeds a 0.1 % error).
/// </summary>
public class GradCheckPowerTests
{
    private const float RelativeError = 1e-3f;

    public static TheoryData<string> Operations => new() { "linear", "conv2d", "cross-entropy", "log-softmax", "tanh", "max-pool", "avg-pool" };

    private static (Func<Tensor[], Tensor> F, Tensor[] Inputs) Case(string op)
    {
        var r = new Rng(77);
        switch (op)
        {
            case "linear":
                return (x => Ops.Linear(x[0], x[1], x[2]), [Random(r, 1, 4, 3), Random(r, 1, 5, 3), Random(r, 1, 5)]);
            case "conv2d":
                return (x => Ops.Conv2d(x[0], x[1], x[2], 1, 1, 1), [Random(r, 1, 2, 2, 6, 5), Random(r, 0.5f, 3, 2, 3, 3), Random(r, 1, 3)]);
            case "cross-entropy":
                return (x => Loss.CrossEntropy(x[0], [2, 0, 4, 1]), [Random(r, 2, 4, 5)]);
            case "log-softmax":
                return (x => Ops.LogSoftmax(x[0]), [Random(r, 2, 3, 5)]);
            case "tanh":
                return (x => Ops.Tanh(x[0]), [Random(r, 1, 3, 12)]);
            case "max-pool":
            {
                // Distinct values 0.75 apart: no window's winner changes within the largest steps (2·2⁻², two entries moving).
                var x = Tensor.Zeros(2, 2, 6, 5);
                var perm = r.Permutation(x.Length);
                for (int i = 0; i < x.Length; i++) x[i] = perm[i] * 0.75f - 45f;
                x.RequiresGrad = true;
                return (t => Ops.MaxPool2d(t[0], 3, 2, 1), [x]);
            }
            case "avg-pool":
                return (t => Ops.AvgPool2d(t[0], 3, 2, 1, true), [Random(r, 1, 2, 2, 6, 5)]);
            default:
                throw new ArgumentException($"unknown op '{op}'", nameof(op));
        }
    }

    private static float[]?[] Copy(float[]?[] g) => g.Select(a => a?.ToArray()).ToArray();

    [Theory]
    [MemberData(nameof(Operations))]
    public void TheCheckerAcceptsTheBackwardRuleAndRejectsA1e3RelativeError(string op)
    {
        var (f, inputs) = Case(op);
        var measured = GradientMeasurement.Measure(f, 12345, inputs);
        Assert.Null(measured.Mismatch(measured.Analytic));

        var scaled = Copy(measured.Analytic);
        foreach (var g in scaled)
            if (g is not null) for (int i = 0; i < g.Length; i++) g[i] *= 1 + RelativeError;
        Assert.NotNull(measured.Mismatch(scaled));

        int tried = 0;
        foreach (var (k, i, _) in measured.Entries)
        {
            float[] g = measured.Analytic[k]!;
            double largest = g.Max(Math.Abs);
            if (Math.Abs(g[i]) < 0.25 * largest) continue;
            var one = Copy(measured.Analytic);
            one[k]![i] *= 1 + RelativeError;
            Assert.True(measured.Mismatch(one) is not null, $"{op}: a 1e-3 relative error in input {k} element {i} ({g[i]:G6}) was accepted");
            tried++;
        }
        Assert.True(tried >= 3, $"{op}: only {tried} entries tried");
    }
}
