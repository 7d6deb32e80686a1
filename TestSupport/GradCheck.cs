using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;

// The namespace is the one the gradient tests have always imported (using static ...GradCheck).
namespace Probabilistic.Nn.Tests.Autograd;

/// <summary>
/// Finite-difference check of a float32 op's backward rule, sharp enough to reject a 1e-3 relative error in the
/// gradient (<see cref="GradientMeasurement"/> does the measuring; this class keeps the short helpers the tests use).
/// </summary>
internal static class GradCheck
{
    public static Tensor Random(Rng rng, float scale, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Length; i++) t[i] = (float)(rng.Normal() * scale);
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>
    /// Random values with |x| ≥ margin, so kinks (ReLU at 0) are farther than the largest finite-difference step
    /// when margin &gt; <see cref="GradientMeasurement.LargestStep"/> (2⁻²).
    /// </summary>
    public static Tensor AwayFromZero(Rng rng, float margin, params int[] shape)
    {
        var t = Random(rng, 1f, shape);
        for (int i = 0; i < t.Length; i++) t[i] = MathF.Sign(t[i] == 0 ? 1 : t[i]) * (MathF.Abs(t[i]) + margin);
        return t;
    }

    public static void Check(Func<Tensor[], Tensor> f, params Tensor[] inputs) => Check(f, 12345, inputs);

    /// <summary>Measures the gradient of Σ r·f(inputs) by finite differences and asserts that backward agrees.</summary>
    public static void Check(Func<Tensor[], Tensor> f, ulong seed, params Tensor[] inputs)
    {
        var measured = GradientMeasurement.Measure(f, seed, inputs);
        string? mismatch = measured.Mismatch(measured.Analytic);
        Assert.True(mismatch is null, mismatch);
    }

    public static int[] ShapeArrayForTests(this Tensor t) => t.Shape.ToArray();
}

/// <summary>
/// The gradient of the scalar L(x) = Σᵢ rᵢ·fᵢ(x) (r a fixed random vector on a 2⁻¹⁰ grid, every product rᵢ·fᵢ exact
/// in double and summed in double, so every output's gradient is exercised at once), measured by finite differences,
/// and the backward rule's gradient to compare with it.
/// <para>
/// Exact steps. The inputs are first rounded to multiples of 2⁻¹² (|x| ≤ 1024) and every step is a power of two
/// times a direction on a 2⁻⁴ grid, so x ± h·d is exact in float and the step divided by is the step taken.
/// </para>
/// <para>
/// Well-chosen steps. Central differences D(h) at h = 2⁻² … 2⁻⁶ and three estimators: D(2⁻²) itself (least rounding
/// noise, exact for ops linear in the input), one Richardson step T = (4·D(h/2) − D(h))/3 (O(h⁴)), and two,
/// X = (64·D(h/4) − 20·D(h/2) + D(h))/45 (O(h⁶)), so large steps are accurate on smooth ops too, and large steps divide
/// the float32 rounding of f by a large h. Kinks (ReLU, a max pool's winner) must be farther than 2⁻² from the inputs
/// (<see cref="GradCheck.AwayFromZero"/>).
/// </para>
/// <para>
/// Tolerance from a measured noise floor, not a fixed percentage. (1) Each estimator's error is its largest distance
/// to the same estimator one and two steps finer; each group (an input's entries, or the directions) uses the
/// estimator with the smallest median error, and an entry's floor is the larger of its own error and that median (one
/// entry's estimates can agree by chance). (2) The float32 resolution of the outputs the step changes,
/// √Σ(rᵢ·ulp(fᵢ))²/2h, carried through the estimator: float rounding of f is not always noise (it can move in step
/// with h, which no comparison of steps sees). (3) The backward rule rounds in float32 too: measured by running
/// backward with r and with r₁, r₂ (r = r₁ + r₂ exactly, and backward is linear in r), which differ only by
/// rounding, and never below one ulp of the result; the larger of the entry's own and its group's median. An entry
/// passes when |analytic − numeric| ≤ <see cref="Kappa"/> × the largest of these. On O(1) ops that is 1e-7 to 1e-4 of
/// the gradient, so a 1e-3 relative error fails (<c>GradCheckPowerTests</c> shows it per op).
/// </para>
/// <para>
/// Coverage. Every entry of an input up to <see cref="MaxEntriesPerInput"/> entries is checked, a seeded random
/// sample of that many beyond it; <see cref="Directions"/> directional derivatives along random directions through
/// all inputs at once check every entry together (an error anywhere of a common sign moves them).
/// </para>
/// </summary>
internal sealed class GradientMeasurement
{
    /// <summary>The steps are 2⁻², 2⁻³, 2⁻⁴, 2⁻⁵, 2⁻⁶.</summary>
    public const int Levels = 5;

    /// <summary>
    /// The largest step. Kinks (ReLU at 0, a max pool's tie) must be farther than this from the inputs
    /// (<see cref="GradCheck.AwayFromZero"/>); an entry whose steps cross one gets a large error and so a large
    /// tolerance: it passes, unchecked in effect, rather than failing.
    /// </summary>
    public const double LargestStep = 0.25;

    /// <summary>Inputs are rounded to multiples of this before measuring, so x ± h·d is exact in float.</summary>
    public const double Grid = 1.0 / 4096;

    /// <summary>Direction entries are multiples of this in [-1, 1].</summary>
    public const double DirectionGrid = 1.0 / 16;

    /// <summary>The projection r is a multiple of this (so r = r₁ + r₂ is exact in float).</summary>
    public const double ProjectionGrid = 1.0 / 1024;

    /// <summary>Allowed |analytic − numeric| in units of the measured noise floor.</summary>
    public const double Kappa = 16;

    /// <summary>Entries of one input checked one by one (all of them up to this count, a random sample beyond).</summary>
    public const int MaxEntriesPerInput = 200;

    /// <summary>Random directions along which the directional derivative is checked.</summary>
    public const int Directions = 4;

    /// <summary>One finite-difference measurement: the estimate and its tolerance.</summary>
    public readonly record struct Estimate(double Numeric, double Tolerance);

    private readonly int[][] _entries;          // per input: the flat indices checked one by one (empty if no gradient)
    private readonly Estimate[][] _entryEstimates;
    private readonly double[][][] _directions;  // [direction][input][entry]
    private readonly Estimate[] _directionEstimates;

    /// <summary>The backward rule's gradient of L for each input (null where the input requires no gradient).</summary>
    public float[]?[] Analytic { get; }

    private GradientMeasurement(float[]?[] analytic, int[][] entries, Estimate[][] entryEstimates,
        double[][][] directions, Estimate[] directionEstimates)
    {
        Analytic = analytic;
        _entries = entries;
        _entryEstimates = entryEstimates;
        _directions = directions;
        _directionEstimates = directionEstimates;
    }

    /// <summary>The entries checked one by one, per input, with their estimates.</summary>
    public IEnumerable<(int Input, int Index, Estimate Estimate)> Entries =>
        _entries.SelectMany((idx, k) => idx.Select((i, n) => (k, i, _entryEstimates[k][n])));

    /// <summary>Runs backward and the finite differences; leaves the inputs rounded to <see cref="Grid"/>.</summary>
    public static GradientMeasurement Measure(Func<Tensor[], Tensor> f, ulong seed, Tensor[] inputs)
    {
        foreach (var t in inputs)
        {
            if (!t.RequiresGrad) continue;
            for (int i = 0; i < t.Length; i++)
            {
                double snapped = Math.Round(t[i] / Grid) * Grid;
                if (!(Math.Abs(snapped) <= 1024))
                    throw new ArgumentException($"GradCheck: input value {t[i]} is not finite or beyond ±1024, where the steps would not be exact.");
                t[i] = (float)snapped;
            }
        }

        var rng = new Rng(seed);
        Tensor probe;
        using (GradMode.NoGrad()) probe = f(inputs);
        int outputs = probe.Length;
        int[] outputShape = probe.Shape.ToArray();
        float[] r = new float[outputs], r1 = new float[outputs], r2 = new float[outputs];
        for (int i = 0; i < outputs; i++)
        {
            r[i] = (float)(Math.Round(rng.Normal() / ProjectionGrid) * ProjectionGrid);
            r1[i] = (float)(Math.Round(rng.Uniform(-1, 1) / ProjectionGrid) * ProjectionGrid);
            r2[i] = r[i] - r1[i]; // exact: both on the grid, |r2| < 2¹³·grid
        }
        float[]?[] Backward(float[] weights)
        {
            foreach (var t in inputs) t.Grad = null;
            Ops.Sum(Ops.Mul(f(inputs), Tensor.FromArray(weights, outputShape))).Backward();
            return inputs.Select((t, k) =>
            {
                if (!t.RequiresGrad) return null;
                Assert.True(t.Grad is not null, $"input {k} received no gradient");
                return t.Grad!.ToArray();
            }).ToArray();
        }
        float[]?[] g1 = Backward(r1), g2 = Backward(r2), analytic = Backward(r);
        // Rounding of the backward rule: g(r) − g(r₁) − g(r₂) is zero in exact arithmetic; and a float result is
        // never nearer than half an ulp, so one ulp (2⁻²³·|g|) is the least noise an entry can have.
        double[]?[] backwardNoise = analytic.Select((g, k) =>
            g?.Select((v, i) => Math.Max(Math.Abs((double)v - g1[k]![i] - g2[k]![i]), Math.Abs(v) * Math.Pow(2, -23))).ToArray()).ToArray();

        // L at a point, and the outputs' float32 resolution there: the rounding of the float outputs is the noise of L
        // (and not always noise: it can move with the step), Σ (rᵢ·ulp(fᵢ))² over the outputs a step changes.
        (double Value, float[] Outputs) Loss()
        {
            Tensor y;
            using (GradMode.NoGrad()) y = f(inputs);
            float[] ys = y.ToArray();
            double s = 0;
            for (int i = 0; i < ys.Length; i++) s += (double)r[i] * ys[i];
            return (s, ys);
        }
        double Resolution(float[] plus, float[] minus)
        {
            double sum = 0;
            for (int i = 0; i < plus.Length; i++)
            {
                if (plus[i] == minus[i]) continue;
                float big = MathF.Max(MathF.Abs(plus[i]), MathF.Abs(minus[i]));
                double ulp = (double)MathF.BitIncrement(big) - big;
                sum += (double)r[i] * r[i] * ulp * ulp;
            }
            return Math.Sqrt(sum);
        }

        var entries = new int[inputs.Length][];
        var entryEstimates = new Estimate[inputs.Length][];
        for (int k = 0; k < inputs.Length; k++)
        {
            var x = inputs[k];
            if (!x.RequiresGrad) { entries[k] = []; entryEstimates[k] = []; continue; }
            entries[k] = x.Length <= MaxEntriesPerInput
                ? Enumerable.Range(0, x.Length).ToArray()
                : rng.Permutation(x.Length).Take(MaxEntriesPerInput).Order().ToArray();
            var raw = new Raw[entries[k].Length];
            for (int n = 0; n < raw.Length; n++)
            {
                int i = entries[k][n];
                float orig = x[i];
                raw[n] = Derivative(Loss, Resolution, h => x[i] = (float)(orig + h)) with { BackwardNoise = backwardNoise[k]![i] };
                Assert.True(x[i] == orig, "GradCheck: the input was not restored");
            }
            entryEstimates[k] = WithTolerances(raw);
        }

        var directions = new double[Directions][][];
        var originals = inputs.Select(t => t.ToArray()).ToArray();
        var rawDirections = new Raw[Directions];
        for (int q = 0; q < Directions; q++)
        {
            var dir = directions[q] = inputs.Select(t => t.RequiresGrad
                ? Enumerable.Range(0, t.Length).Select(_ => Math.Round(rng.Uniform(-1, 1) / DirectionGrid) * DirectionGrid).ToArray()
                : []).ToArray();
            double noise = 0; // RMS propagation of the backward rounding into Σ g·d
            for (int k = 0; k < inputs.Length; k++)
                for (int i = 0; i < dir[k].Length; i++) noise += dir[k][i] * dir[k][i] * backwardNoise[k]![i] * backwardNoise[k]![i];
            rawDirections[q] = Derivative(Loss, Resolution, h =>
            {
                for (int k = 0; k < inputs.Length; k++)
                    for (int i = 0; i < dir[k].Length; i++)
                        inputs[k][i] = (float)(originals[k][i] + h * dir[k][i]);
            }) with { BackwardNoise = Math.Sqrt(noise) };
        }
        return new GradientMeasurement(analytic, entries, entryEstimates, directions, WithTolerances(rawDirections));
    }

    /// <summary>The estimators, in order of extrapolation: D(2⁻²), one Richardson step, two.</summary>
    private const int Orders = 3;

    /// <summary>
    /// A measurement before pooling: for each estimator its value, its error and the outputs' float resolution carried
    /// into it; and the backward's measured rounding.
    /// </summary>
    private readonly record struct Raw(double[] Value, double[] Error, double[] Resolution, double BackwardNoise);

    /// <summary>
    /// Central differences D₀..D₄ at h = 2⁻² … 2⁻⁶ and three estimators of the derivative, each with its largest
    /// distance to the same estimator one and two steps finer as its error: D₀ itself (no extrapolation, the least
    /// rounding noise: right for ops linear in the input), T = (4·D(h/2) − D(h))/3 (O(h⁴)), and
    /// X = (64·D(h/4) − 20·D(h/2) + D(h))/45 (O(h⁶), but extrapolation multiplies the rounding noise of the fine steps).
    /// <paramref name="set"/>(h) moves the input(s) by h along the direction; set(0) restores them.
    /// </summary>
    private static Raw Derivative(Func<(double Value, float[] Outputs)> loss, Func<float[], float[], double> resolution, Action<double> set)
    {
        var d = new double[Levels];
        double noise = 0;
        for (int l = 0; l < Levels; l++)
        {
            double h = LargestStep / (1 << l);
            set(h); var plus = loss();
            set(-h); var minus = loss();
            d[l] = (plus.Value - minus.Value) / (2 * h);
            if (l == 0) noise = resolution(plus.Outputs, minus.Outputs) / (2 * h);
        }
        set(0);
        double T(int l) => (4 * d[l + 1] - d[l]) / 3;
        double X(int l) => (64 * d[l + 2] - 20 * d[l + 1] + d[l]) / 45;
        double[] value = [d[0], T(0), X(0)];
        // Each error looks two steps finer: rounding errors of neighbouring steps can agree by chance or be correlated.
        double[] error =
        [
            Math.Max(Math.Abs(d[0] - d[1]), Math.Abs(d[0] - d[2])),
            Math.Max(Math.Abs(T(0) - T(1)), Math.Abs(T(0) - T(2))),
            Math.Max(Math.Abs(X(0) - X(1)), Math.Abs(X(0) - X(2))),
        ];
        // The output resolution at the largest step, carried through each estimator (the fine steps' share grows as 1/h).
        double[] resolutionFloor = [noise, noise * (4 * 2 + 1) / 3.0, noise * (64 * 4 + 20 * 2 + 1) / 45.0];
        return new Raw(value, error, resolutionFloor, 0);
    }

    /// <summary>
    /// One estimator for the whole group (an input's entries, or the directions): the one with the smallest median
    /// error, so no entry picks its luckiest estimate. Tolerance = κ·max(own error, the group's median error, own
    /// output resolution, own backward noise, the group's median backward noise); the medians guard against an entry
    /// whose estimates agree by chance.
    /// </summary>
    private static Estimate[] WithTolerances(Raw[] raw)
    {
        if (raw.Length == 0) return [];
        static double Median(IEnumerable<double> v) { var a = v.Order().ToArray(); return a[a.Length / 2]; }
        var medians = Enumerable.Range(0, Orders).Select(o => Median(raw.Select(e => Math.Max(e.Error[o], e.Resolution[o])))).ToArray();
        int order = Array.IndexOf(medians, medians.Min());
        double noiseFloor = Median(raw.Select(e => e.BackwardNoise));
        return raw.Select(e => new Estimate(e.Value[order],
            Kappa * new[] { e.Error[order], medians[order], e.Resolution[order], e.BackwardNoise, noiseFloor }.Max())).ToArray();
    }

    /// <summary>Every check as (ratio |gradient − numeric| / tolerance, description); ≤ 1 passes.</summary>
    private IEnumerable<(double Ratio, Func<string> Describe)> Checks(float[]?[] gradient)
    {
        foreach (var (k, i, e) in Entries)
        {
            double a = gradient[k]![i], diff = Math.Abs(a - e.Numeric);
            yield return (diff == 0 ? 0 : diff / e.Tolerance, () =>
                $"input {k} element {i}: analytic {a:G9} vs numeric {e.Numeric:G9} (|diff| {diff:G3}, tolerance {e.Tolerance:G3})");
        }
        for (int q = 0; q < _directions.Length; q++)
        {
            double a = 0;
            for (int k = 0; k < _directions[q].Length; k++)
                for (int i = 0; i < _directions[q][k].Length; i++) a += gradient[k]![i] * _directions[q][k][i];
            var e = _directionEstimates[q];
            double diff = Math.Abs(a - e.Numeric);
            int direction = q;
            yield return (diff == 0 ? 0 : diff / e.Tolerance, () =>
                $"random direction {direction}: analytic {a:G9} vs numeric {e.Numeric:G9} (|diff| {diff:G3}, tolerance {e.Tolerance:G3})");
        }
    }

    /// <summary>
    /// Null when <paramref name="gradient"/> (one array per input, like <see cref="Analytic"/>) agrees with every
    /// measurement, else a message naming the worst disagreement.
    /// </summary>
    public string? Mismatch(float[]?[] gradient)
    {
        var worst = Checks(gradient).MaxBy(c => double.IsNaN(c.Ratio) ? double.PositiveInfinity : c.Ratio);
        return worst.Describe is not null && !(worst.Ratio <= 1) ? worst.Describe() : null;
    }
}
