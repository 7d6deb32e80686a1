using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Tests.Autograd;

/// <summary>
/// Finite-difference check of a float32 op's backward rule. The op's output is projected on a fixed random
/// direction r (loss = Σ r·f(x), summed in double) so every output element's gradient is exercised at once.
/// Central differences with step h = 1e-2 on O(1) inputs: truncation error O(h²·f''') ≈ 1e-4 and float rounding
/// ≈ 1e-7·|loss|/h ≈ 1e-4, so analytic and numeric gradients must agree to 2e-3 + 1e-2·|numeric| per element.
/// </summary>
internal static class GradCheck
{
    public const double Step = 1e-2, AbsTol = 2e-3, RelTol = 1e-2;

    public static Tensor Random(Rng rng, float scale, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Length; i++) t[i] = (float)(rng.Normal() * scale);
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>Random values with |x| ≥ margin, so kinks (ReLU at 0) are farther than the FD step.</summary>
    public static Tensor AwayFromZero(Rng rng, float margin, params int[] shape)
    {
        var t = Random(rng, 1f, shape);
        for (int i = 0; i < t.Length; i++) t[i] = MathF.Sign(t[i] == 0 ? 1 : t[i]) * (MathF.Abs(t[i]) + margin);
        return t;
    }

    public static void Check(Func<Tensor[], Tensor> f, params Tensor[] inputs) => Check(f, 12345, inputs);

    public static void Check(Func<Tensor[], Tensor> f, ulong seed, params Tensor[] inputs)
    {
        var rng = new Rng(seed);
        var probe = f(inputs);
        var r = new double[probe.Length];
        for (int i = 0; i < r.Length; i++) r[i] = rng.Normal();
        double Project(Tensor y)
        {
            double s = 0;
            for (int i = 0; i < y.Length; i++) s += r[i] * y[i];
            return s;
        }

        foreach (var t in inputs) t.Grad = null;
        var output = f(inputs);
        var weights = Tensor.FromArray(Array.ConvertAll(r, v => (float)v), output.ShapeArrayForTests());
        Ops.Sum(Ops.Mul(output, weights)).Backward();

        for (int k = 0; k < inputs.Length; k++)
        {
            var x = inputs[k];
            if (!x.RequiresGrad) continue;
            Assert.True(x.Grad is not null, $"input {k} received no gradient");
            var analytic = x.Grad!.ToArray();
            for (int i = 0; i < x.Length; i++)
            {
                float orig = x[i];
                double plus, minus;
                using (GradMode.NoGrad())
                {
                    x[i] = (float)(orig + Step); plus = Project(f(inputs));
                    x[i] = (float)(orig - Step); minus = Project(f(inputs));
                }
                x[i] = orig;
                double numeric = (plus - minus) / (2 * Step);
                double err = Math.Abs(analytic[i] - numeric);
                Assert.True(err <= AbsTol + RelTol * Math.Abs(numeric),
                    $"input {k} element {i}: analytic {analytic[i]:G6} vs numeric {numeric:G6} (|diff| {err:G3})");
            }
        }
    }

    public static int[] ShapeArrayForTests(this Tensor t) => t.Shape.ToArray();
}
