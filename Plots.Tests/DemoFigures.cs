using Probabilistic.Core.Random;

namespace Probabilistic.Plots.Tests;

/// <summary>
/// One figure of each kind the experiments need, built from seeded synthetic data. The tests check that each
/// renders to a valid PNG and well-formed SVG; the files land in a temp folder for looking at.
/// </summary>
public static class DemoFigures
{
    public static string Folder => Path.Combine(Path.GetTempPath(), "plots-demo");

    public static IEnumerable<(string Name, Figure Figure)> All()
    {
        yield return ("learning-curves", LearningCurves());
        yield return ("sweep-logy", Sweep());
        yield return ("probability-bars", ProbabilityBars());
        yield return ("heatmap-T-lambda", HeatMap());
        yield return ("toy-2d-regions", Regions());
        yield return ("subplots-errorbars", Subplots());
    }

    private static double[] Range(int n, double from = 0, double step = 1) => Enumerable.Range(0, n).Select(i => from + i * step).ToArray();

    public static Figure LearningCurves()
    {
        var rng = new Rng(7);
        var epochs = Range(30, 1);
        var fig = new Figure(title: "Learning curves (mean ± sd over 5 runs)");
        var ax = fig.Axes(xLabel: "epoch", yLabel: "test accuracy");
        foreach (var (name, rate, ceiling) in new[] { ("teacher", 0.25, 0.93), ("student (λ=0.5, T=4)", 0.15, 0.88), ("student, no KD", 0.12, 0.82) })
        {
            var runs = Enumerable.Range(0, 5).Select(_ => epochs.Select(e => ceiling * (1 - Math.Exp(-rate * e)) + 0.01 * rng.Normal()).ToArray()).ToArray();
            var mean = epochs.Select((_, i) => runs.Average(r => r[i])).ToArray();
            var sd = epochs.Select((_, i) => Math.Sqrt(runs.Sum(r => (r[i] - mean[i]) * (r[i] - mean[i])) / 4)).ToArray();
            ax.MeanBand(epochs, mean, sd.Select(s => s * 3).ToArray(), label: name);
        }
        ax.HLine(0.9, label: "target 0.90");
        return fig;
    }

    public static Figure Sweep()
    {
        var temps = new[] { 0.5, 1, 2, 4, 8, 16, 32 };
        var fig = new Figure(title: "Temperature sweep");
        var ax = fig.Axes(xLabel: "temperature T", yLabel: "KL(teacher ‖ student)", logY: true);
        ax.Line(temps, temps.Select(t => 0.02 * t * t + 0.003).ToArray(), label: "λ = 0.25", markers: true);
        ax.Line(temps, temps.Select(t => 0.5 / t + 0.01).ToArray(), label: "λ = 0.75", markers: true);
        ax.Line(temps, temps.Select(t => t == 8 ? double.NaN : 0.1).ToArray(), label: "baseline σ", dashed: true);
        return fig;
    }

    public static Figure ProbabilityBars()
    {
        string[] classes = ["airplane", "auto", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];
        var rng = new Rng(3);
        double[] Probs(double sharp) { var a = classes.Select((_, i) => Math.Exp(sharp * (i == 3 ? 2 : rng.Normal()))).ToArray(); double s = a.Sum(); return a.Select(v => v / s).ToArray(); }
        var fig = new Figure(title: "Class probabilities, test object #8");
        var ax = fig.Axes(yLabel: "probability");
        ax.Bars(classes, Probs(2), label: "teacher (T = 1)");
        ax.Bars(classes, Probs(0.7), label: "student (T = 4)", errors: classes.Select(_ => 0.02).ToArray());
        ax.Bars(classes, Probs(0.2), label: "uniform-ish");
        return fig;
    }

    public static Figure HeatMap()
    {
        double[] t = [1, 2, 4, 8, 16];
        double[] lam = [0, 0.25, 0.5, 0.75, 1];
        var z = new double[t.Length, lam.Length];
        for (int i = 0; i < t.Length; i++)
            for (int j = 0; j < lam.Length; j++)
                z[i, j] = 0.80 + 0.08 * lam[j] * Math.Exp(-Math.Pow(Math.Log2(t[i]) - 2, 2) / 2) - 0.03 * lam[j] * lam[j];
        var fig = new Figure(title: "Accuracy over the T × λ grid", width: 700, height: 500);
        var ax = fig.Axes(xLabel: "λ (weight of the soft loss)", yLabel: "temperature T");
        ax.HeatMap(z, lam.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            t.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(), annotate: "F3", colorbarLabel: "test accuracy");
        return fig;
    }

    public static Figure Regions()
    {
        var rng = new Rng(11);
        int n = 120;
        var fig = new Figure(title: "2-D toy: decision regions of the student");
        var ax = fig.Axes(xLabel: "x₁ feature", yLabel: "x2");
        var centres = new[] { (-1.0, -0.5), (1.0, -0.5), (0.0, 1.2) };
        var gx = Range(121, -3, 0.05); var gy = Range(101, -2.5, 0.05);
        var cls = new int[gy.Length, gx.Length];
        for (int i = 0; i < gy.Length; i++)
            for (int j = 0; j < gx.Length; j++)
                cls[i, j] = Enumerable.Range(0, 3).MinBy(k => Math.Pow(gx[j] - centres[k].Item1, 2) + Math.Pow(gy[i] - centres[k].Item2, 2) * (k == 2 ? 0.6 : 1));
        ax.Regions(gx, gy, cls);
        for (int k = 0; k < 3; k++)
        {
            var xs = new double[n / 3]; var ys = new double[n / 3];
            for (int i = 0; i < xs.Length; i++) { xs[i] = centres[k].Item1 + 0.55 * rng.Normal(); ys[i] = centres[k].Item2 + 0.55 * rng.Normal(); }
            ax.Scatter(xs, ys, label: $"class {k}", color: Palette.Get(k));
        }
        return fig;
    }

    public static Figure Subplots()
    {
        var fig = new Figure(title: "Subplots: error bars, scatter, reference lines", width: 900, height: 600, rows: 2, cols: 2);
        var x = Range(8, 1);
        var a = fig.Axes(0, 0, title: "NLL vs ensemble size", xLabel: "members", yLabel: "NLL");
        a.Line(x, x.Select(v => 0.3 + 0.4 / v).ToArray(), label: "ensemble");
        a.ErrorBars(x, x.Select(v => 0.3 + 0.4 / v).ToArray(), x.Select(v => 0.05 / Math.Sqrt(v)).ToArray());
        var b = fig.Axes(0, 1, title: "tiny range", yLabel: "value");
        b.Line(x, x.Select(v => 1 + 1e-9 * v).ToArray(), label: "1 + 1e−9·x", markers: true);
        var c = fig.Axes(1, 0, title: "huge range", xLabel: "x");
        c.Scatter(x, x.Select(v => Math.Pow(10, v)).ToArray(), label: "10^x");
        c.VLine(4.5, label: "cut");
        var d = fig.Axes(1, 1, title: "constant series ±τ", xLabel: "step");
        d.Line(x, x.Select(_ => 2.5).ToArray(), label: "const 2.5 · σ");
        d.Line(x, x.Select(v => v == 3 ? double.PositiveInfinity : 2.4).ToArray());
        return fig;
    }
}
