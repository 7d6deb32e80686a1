using System.Globalization;
using Probabilistic.Core.Random;
using Probabilistic.Distill.DarkKnowledge;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Losses;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Samplers;
using Probabilistic.Nn.Tensors;
using Probabilistic.Plots;
using Probabilistic.Reproduce.Results;

namespace Probabilistic.Reproduce.Experiments.DarkKnowledge;

/// <summary>
/// The two toy parts of the <c>bdk</c> experiment (methods.md §5.2, §5.4): the 2-D classification against an HMC
/// reference (table and figure <c>toy2d</c>) and the 1-D regression figure (<c>toy1d</c>).
/// </summary>
internal static class DarkKnowledgeToys
{
    // ---------------------------------------------------------------- toy 2-D classification

    /// <summary>The two-moons set: 100 points, noise sd 0.25, seed 3 (fixed for every run seed).</summary>
    private const int MoonPoints = 100;
    private const double MoonNoise = 0.25;
    private const ulong MoonSeed = 3;

    /// <summary>The input box of the grid and of the students' generator.</summary>
    private static readonly double[] BoxLow = [-2.0, -1.5], BoxHigh = [3.0, 2.0];

    /// <summary>λ, the teacher's prior precision (HMC reference, SGLD and the MAP "SGD" row alike).</summary>
    private const double TeacherPrior = 1;

    /// <summary>The seed of the HMC reference (fixed for every run seed).</summary>
    private const ulong HmcSeed = 1000;

    private sealed record Toy2dSizes(int Grid, int HmcChains, int HmcBurnIn, int HmcSamples, int HmcThinning, double HmcStep, int HmcLeapfrog,
        int Iterations, int SgldBurnIn, int SgldThinning, double SgldStep, int TeacherBatch, int StudentBatch, double StudentRate,
        int StudentDecayEvery, int MapSteps)
    {
        public static Toy2dSizes Full { get; } = new(50, 4, 1000, 1000, 2, 0.04, 25, 40_000, 10_000, 20, 2e-3, 10, 100, 3e-3, 5_000, 4_000);
        public static Toy2dSizes Quick { get; } = new(25, 2, 200, 150, 1, 0.04, 25, 3_000, 1_000, 10, 2e-3, 10, 100, 3e-3, 500, 800);
    }

    /// <summary>Table and figure <c>toy2d</c>: grid KL to the HMC predictive of SGD (MAP), SGLD and three distilled students.</summary>
    public static void Toy2d(ExperimentContext context, ExperimentResult result)
    {
        var sizes = context.Quick ? Toy2dSizes.Quick : Toy2dSizes.Full;
        var data = TwoMoons.Generate(MoonPoints, MoonNoise, MoonSeed);
        int n = data.Count;
        var (grid, xs, ys) = Grid2d(sizes.Grid);
        var inputs = new Tensor(data.Features.ToArray(), n, 2);

        // The reference: HMC over the 2-10-2 network's 52 parameters, several chains pooled.
        var reference = new double[grid.Dim(0) * 2];
        long accepted = 0, transitions = 0;
        var referenceNet = new Mlp(new Rng(HmcSeed), 2, 10, 2);
        context.Time("toy2d HMC reference", () =>
        {
            for (int c = 0; c < sizes.HmcChains; c++)
            {
                var net = new Mlp(new Rng(HmcSeed + 1 + (ulong)c), 2, 10, 2);
                net.Eval();
                var posterior = new ModulePosterior(new ParameterVector(net),
                    () => Ops.Scale(Loss.CrossEntropy(net.Forward(inputs), data.Labels), n), TeacherPrior);
                var hmc = posterior.CreateHmc(sizes.HmcStep, sizes.HmcLeapfrog, HmcSeed + 100 + (ulong)c);
                var samples = hmc.Sample(sizes.HmcSamples, sizes.HmcBurnIn, sizes.HmcThinning);
                accepted += hmc.Accepted;
                transitions += hmc.Transitions;
                foreach (var s in samples)
                {
                    posterior.Load(s);
                    AddProbabilities(net, grid, reference);
                }
                context.Status($"toy2d HMC chain {c + 1}/{sizes.HmcChains}: acceptance {hmc.AcceptanceRate:F3}");
            }
            return 0;
        });
        Scale(reference, 1.0 / (sizes.HmcChains * sizes.HmcSamples));
        double acceptance = (double)accepted / transitions;

        result.Config["toy2d data"] = $"two moons (TwoMoons.Generate): {n} points, noise sd {MoonNoise}, data seed {MoonSeed} (the same for every run seed); the paper's set is unknown";
        result.Config["toy2d grid"] = $"{sizes.Grid}×{sizes.Grid} cell centres over [{BoxLow[0]}, {BoxHigh[0]}] × [{BoxLow[1]}, {BoxHigh[1]}]; KL = mean over the grid of KL(p_HMC(y|x) ‖ p_model(y|x)), in double";
        result.Config["toy2d HMC"] = $"2-10-2 ReLU, full-batch likelihood, Gaussian prior λ = {TeacherPrior}; {sizes.HmcChains} chains (seeds fixed), ε = {sizes.HmcStep}, L = {sizes.HmcLeapfrog}, "
            + $"burn-in {sizes.HmcBurnIn}, {sizes.HmcSamples} states per chain every {sizes.HmcThinning} transitions ({sizes.HmcChains * sizes.HmcSamples} states); acceptance {acceptance:F3} over {transitions} transitions";
        result.Config["toy2d SGD"] = $"MAP: 2-10-2, full-batch Adam lr 1e-2 on mean NLL + (λ/N)/2·|θ|² (λ = {TeacherPrior}), {sizes.MapSteps} steps";
        result.Config["toy2d SGLD"] = $"2-10-2, M = {sizes.TeacherBatch}, η = {sizes.SgldStep} constant, λ = {TeacherPrior}, N = {n}; {sizes.Iterations} iterations; ensemble: burn-in {sizes.SgldBurnIn}, thinning {sizes.SgldThinning} "
            + $"({(sizes.Iterations - sizes.SgldBurnIn) / sizes.SgldThinning} samples)";
        result.Config["toy2d students"] = $"DistilledSgld with the same SGLD chain (one per student, identical seeds), B = {sizes.SgldBurnIn}, H = 1, |D'| = {sizes.StudentBatch} from U(box); "
            + $"Adam lr {sizes.StudentRate} × 0.5 every {sizes.StudentDecayEvery} student steps, coupled L2 γ = 1e-4";
        result.Notes.Add($"toy2d: the data set and the HMC reference are fixed (seeds {MoonSeed} and {HmcSeed}); the run seed drives the SGD/SGLD/student initialisation, SGLD noise, minibatches and D'.");
        result.Notes.Add("toy2d: the SGD row is MAP with the Gaussian prior, not maximum likelihood; §5.4 notes that the two differ by about two orders of magnitude in grid KL and that the MAP value depends on the local optimum reached.");

        string[] names = ["SGD", "SGLD", "distilled 2-10-2", "distilled 2-100-2", "distilled 2-10-10-2"];
        double[] paper = [0.246, 0.007, 0.031, 0.014, 0.009];
        int[][] students = [[2, 10, 2], [2, 100, 2], [2, 10, 10, 2]];
        var kls = names.Select(_ => new List<double>()).ToArray();
        var toSgld = names.Select(_ => new List<double>()).ToArray();
        int sgldKept = 0;
        double[]? mapShown = null, sgldShown = null, studentShown = null;
        foreach (ulong seed in context.Seeds)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var seeds = new Rng(seed * 7919 + 17);
            ulong initSeed = seeds.NextUInt64(), sgldSeed = seeds.NextUInt64(), runSeed = seeds.NextUInt64(), studentSeed = seeds.NextUInt64();

            var map = context.Time("toy2d SGD (MAP)", () => Map(data, inputs, initSeed, sizes.MapSteps));
            var mapP = new double[reference.Length];
            AddProbabilities(map, grid, mapP);
            kls[0].Add(MeanKl(reference, mapP));

            double[]? sgldP = null;
            for (int s = 0; s < students.Length; s++)
            {
                var teacher = new Mlp(new Rng(initSeed), 2, 10, 2);
                var student = new Mlp(new Rng(studentSeed + (ulong)s), students[s]);
                var studentOpt = new Adam(student.Parameters(), sizes.StudentRate, weightDecay: 1e-4);
                var run = new DistilledSgld(DarkKnowledgeTask.Classification, teacher,
                    new Sgld(teacher.Parameters(), sizes.SgldStep, TeacherPrior, n, sgldSeed), null,
                    student, studentOpt, new StepDecay(studentOpt, sizes.StudentDecayEvery, 0.5), new UniformBox(BoxLow, BoxHigh),
                    sizes.StudentBatch, runSeed, burnIn: sizes.SgldBurnIn);
                SampleStore? store = null;
                ParameterVector? vector = null;
                if (s == 0)
                {
                    vector = new ParameterVector(teacher);
                    store = new SampleStore(vector, (sizes.Iterations - sizes.SgldBurnIn) / sizes.SgldThinning + 1, sizes.SgldBurnIn, sizes.SgldThinning);
                }
                context.Time($"toy2d distilled {Arch(students[s])}", () =>
                {
                    run.Run(data, sizes.TeacherBatch, sizes.Iterations, callbackEvery: store is null ? 0 : 1,
                        callback: store is null ? null : p => store.Offer(p.Iteration, vector!));
                    return 0;
                });
                var studentP = new double[reference.Length];
                AddProbabilities(student, grid, studentP);
                kls[2 + s].Add(MeanKl(reference, studentP));
                if (s == 0)
                {
                    sgldP = new double[reference.Length];
                    for (int k = 0; k < store!.Count; k++)
                    {
                        store.LoadInto(k, vector!);
                        AddProbabilities(teacher, grid, sgldP);
                    }
                    Scale(sgldP, 1.0 / store.Count);
                    sgldKept = store.Count;
                    kls[1].Add(MeanKl(reference, sgldP));
                    if (seed == context.Seeds[0]) { sgldShown = sgldP; studentShown = studentP; }
                }
                toSgld[2 + s].Add(MeanKl(sgldP!, studentP));
            }
            if (seed == context.Seeds[0]) mapShown = mapP;
            context.Status($"toy2d seed {seed}: KL " + string.Join(", ", names.Select((name, i) => $"{name} {kls[i][^1]:F4}"))
                + "; students' KL to the SGLD ensemble " + string.Join(", ", toSgld.Skip(2).Select(k => $"{k[^1]:F4}")));
        }

        int weights = Weights([2, 10, 2]);
        int[] parameters = [weights, weights * sgldKept, weights, Weights(students[1]), Weights(students[2])];
        var table = result.AddTable("toy2d", $"Toy 2-D classification (two moons, {n} points): mean grid KL(p_HMC ‖ p_model) over a {sizes.Grid}×{sizes.Grid} grid, mean ± sd over {context.Seeds.Count} seeds; params count weights only (SGLD: weights × samples kept)",
            "model", "params", "KL", "KL sd", "paper KL", "KL to SGLD ensemble");
        for (int i = 0; i < names.Length; i++)
            table.AddRow(names[i], parameters[i], kls[i].Average(), SeedStatistics.StandardDeviation(kls[i]), paper[i],
                toSgld[i].Count > 0 ? toSgld[i].Average() : null);

        var figure = new Figure($"Toy 2-D: predictive p(y = 1 | x) on the grid, first seed; the {n} two-moons points, class 0 white, class 1 black", 1800, 480, rows: 1, cols: 4);
        (string Title, double[] P)[] panels = [("HMC reference", reference), ("SGD (MAP)", mapShown!), ($"SGLD ensemble ({sgldKept} samples)", sgldShown!), ("distilled 2-10-2", studentShown!)];
        for (int p = 0; p < panels.Length; p++)
            ProbabilityPanel(figure.Axes(0, p, title: panels[p].Title, xLabel: "x1", yLabel: p == 0 ? "x2" : null), panels[p].P, xs, ys, data);
        result.Figures["toy2d"] = figure;
    }

    /// <summary>The MAP 2-10-2 network: full-batch Adam on the mean NLL with coupled L2 λ/N (the prior on the mean scale).</summary>
    private static Module Map(LabeledDataset data, Tensor inputs, ulong seed, int steps)
    {
        var net = new Mlp(new Rng(seed), 2, 10, 2);
        var adam = new Adam(net.Parameters(), 1e-2, weightDecay: TeacherPrior / data.Count);
        net.Train();
        for (int t = 0; t < steps; t++)
        {
            using var scope = TensorScope.Begin();
            adam.ZeroGrad();
            Loss.CrossEntropy(net.Forward(inputs), data.Labels).Backward();
            adam.Step();
        }
        return net;
    }

    /// <summary>Grid cell centres (row index iy·side + ix, x fastest) and the cell-centre coordinates of each axis.</summary>
    private static (Tensor Grid, double[] Xs, double[] Ys) Grid2d(int side)
    {
        var grid = Tensor.Zeros(side * side, 2);
        double[] xs = new double[side], ys = new double[side];
        for (int i = 0; i < side; i++)
        {
            xs[i] = BoxLow[0] + (BoxHigh[0] - BoxLow[0]) * (i + 0.5) / side;
            ys[i] = BoxLow[1] + (BoxHigh[1] - BoxLow[1]) * (i + 0.5) / side;
        }
        var span = grid.Span;
        for (int iy = 0; iy < side; iy++)
            for (int ix = 0; ix < side; ix++)
            {
                span[2 * (iy * side + ix)] = (float)xs[ix];
                span[2 * (iy * side + ix) + 1] = (float)ys[iy];
            }
        return (grid, xs, ys);
    }

    /// <summary>Adds the network's class probabilities on <paramref name="x"/> (softmax in double from its logits) to <paramref name="sum"/>.</summary>
    private static void AddProbabilities(Module net, Tensor x, double[] sum)
    {
        bool was = net.IsTraining;
        net.Eval();
        using (TensorScope.Begin())
        using (GradMode.NoGrad())
        {
            var logits = net.Forward(x).Span;
            int classes = logits.Length / x.Dim(0);
            for (int r = 0; r < x.Dim(0); r++)
            {
                var row = logits.Slice(r * classes, classes);
                double max = double.NegativeInfinity;
                foreach (float v in row) max = Math.Max(max, v);
                double z = 0;
                foreach (float v in row) z += Math.Exp(v - max);
                for (int k = 0; k < classes; k++) sum[r * classes + k] += Math.Exp(row[k] - max) / z;
            }
        }
        net.Train(was);
    }

    /// <summary>Mean over the grid points of KL(p ‖ q) for [points × 2] probabilities, in double.</summary>
    private static double MeanKl(double[] p, double[] q)
    {
        double total = 0;
        for (int i = 0; i < p.Length; i++)
            if (p[i] > 0) total += p[i] * (Math.Log(p[i]) - Math.Log(Math.Max(q[i], 1e-300)));
        return total / (p.Length / 2);
    }

    private static void Scale(double[] values, double factor)
    {
        for (int i = 0; i < values.Length; i++) values[i] *= factor;
    }

    /// <summary>Weights only (no biases), as the paper counts: Σ fan-in × fan-out.</summary>
    private static int Weights(int[] widths)
    {
        int w = 0;
        for (int i = 1; i < widths.Length; i++) w += widths[i - 1] * widths[i];
        return w;
    }

    private static string Arch(int[] widths) => string.Join("-", widths);

    /// <summary>A heat map of p(y = 1 | x) on the grid with the data drawn over it (in the heat map's cell-index coordinates).</summary>
    private static void ProbabilityPanel(Axes axes, double[] p, double[] xs, double[] ys, LabeledDataset data)
    {
        int side = xs.Length;
        var z = new double[side, side];
        for (int iy = 0; iy < side; iy++)
            for (int ix = 0; ix < side; ix++) z[iy, ix] = p[2 * (iy * side + ix) + 1];
        axes.HeatMap(z, colormap: Colormap.Viridis, min: 0, max: 1, colorbarLabel: "p(y=1|x)");
        double dx = xs[1] - xs[0], dy = ys[1] - ys[0];
        double Ix(double x) => (x - xs[0]) / dx;
        double Iy(double y) => (y - ys[0]) / dy;
        axes.XTicks = Enumerable.Range((int)Math.Ceiling(BoxLow[0]), (int)Math.Floor(BoxHigh[0]) - (int)Math.Ceiling(BoxLow[0]) + 1)
            .Select(v => new Tick(Ix(v), v.ToString(CultureInfo.InvariantCulture))).ToList();
        axes.YTicks = Enumerable.Range((int)Math.Ceiling(BoxLow[1]), (int)Math.Floor(BoxHigh[1]) - (int)Math.Ceiling(BoxLow[1]) + 1)
            .Select(v => new Tick(Iy(v), v.ToString(CultureInfo.InvariantCulture))).ToList();
        for (int label = 0; label < 2; label++)
        {
            var idx = Enumerable.Range(0, data.Count).Where(i => data.Labels[i] == label).ToArray();
            axes.Scatter(idx.Select(i => Ix(data.Features[2 * i])).ToArray(), idx.Select(i => Iy(data.Features[2 * i + 1])).ToArray(),
                $"class {label}", label == 0 ? Color.White : Color.Black, radius: 3);
        }
    }

    // ---------------------------------------------------------------- toy 1-D regression

    /// <summary>Toy 1-D: 20 points x ~ U(−4, 4), y = x³/3 + N(0, 1) (seed 5, fixed).</summary>
    private const int RegressionPoints = 20;
    private const ulong RegressionSeed = 5;
    private const double NoisePrecision = 1;

    private sealed record Toy1dSizes(int Iterations, int EnsembleBurnIn, int EnsembleThinning, int StudentDecayEvery, int Grid)
    {
        public static Toy1dSizes Full { get; } = new(80_000, 20_000, 100, 8_000, 241);
        public static Toy1dSizes Quick { get; } = new(8_000, 2_000, 20, 800, 121);
    }

    /// <summary>Figure and table <c>toy1d</c>: the SGLD predictive band beside the distilled student's mean ± 2σ.</summary>
    public static void Toy1d(ExperimentContext context, ExperimentResult result)
    {
        var sizes = context.Quick ? Toy1dSizes.Quick : Toy1dSizes.Full;
        var data = RegressionToy();
        int n = data.Count;
        var gridX = Enumerable.Range(0, sizes.Grid).Select(i => -6 + 12.0 * i / (sizes.Grid - 1)).ToArray();
        var grid = new Tensor(gridX.Select(v => (float)v).ToArray(), sizes.Grid, 1);
        result.Config["toy1d data"] = $"{n} points x ~ U(−4, 4), y = x³/3 + N(0, 1) (seed {RegressionSeed}, fixed): the PBP/BDK cubic toy y = x³ + N(0, 3²) in units of 3, so that λ_n = 1 is the true noise";
        result.Config["toy1d"] = $"teacher 1-100-1 ReLU, SGLD η = 1e-4 constant, prior 0.1, λ_n = {NoisePrecision}, M = 1; student 1-100-2 (mean, log-variance), plain SGD lr 1e-2 × 0.8 every {sizes.StudentDecayEvery} steps, γ = 0.001, "
            + $"|D'| = 1 from U(−6, 6), B = 0, H = 1; {sizes.Iterations} iterations; ensemble: burn-in {sizes.EnsembleBurnIn}, thinning {sizes.EnsembleThinning}";

        var table = result.AddTable("toy1d", $"Toy 1-D regression: mean |student − SGLD ensemble| over a grid of {sizes.Grid} points on [−6, 6], mean ± sd over {context.Seeds.Count} seeds",
            "region", "|Δ mean|", "|Δ mean| sd", "|Δ sd|", "|Δ sd| sd", "ensemble sd");
        var rows = new[] { ("inside the data [−4, 4]", true), ("outside the data", false) };
        var stats = rows.Select(_ => (Mean: new List<double>(), Sd: new List<double>(), Ensemble: new List<double>())).ToArray();
        Figure? figure = null;
        foreach (ulong seed in context.Seeds)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var seeds = new Rng(seed * 104729 + 3);
            var teacher = new Mlp(new Rng(seeds.NextUInt64()), 1, 100, 1);
            var student = new Mlp(new Rng(seeds.NextUInt64()), 1, 100, 2);
            var studentOpt = new Sgd(student.Parameters(), 1e-2, weightDecay: 1e-3);
            var run = new DistilledSgld(DarkKnowledgeTask.Regression, teacher, new Sgld(teacher.Parameters(), 1e-4, 0.1, n, seeds.NextUInt64()), null,
                student, studentOpt, new StepDecay(studentOpt, sizes.StudentDecayEvery, 0.8), new UniformBox([-6], [6]), 1, seeds.NextUInt64(),
                noisePrecision: NoisePrecision);
            var vector = new ParameterVector(teacher);
            var store = new SampleStore(vector, (sizes.Iterations - sizes.EnsembleBurnIn) / sizes.EnsembleThinning + 1, sizes.EnsembleBurnIn, sizes.EnsembleThinning);
            context.Time("toy1d distilled SGLD", () =>
            {
                run.Run(data, 1, sizes.Iterations, callbackEvery: 1, callback: p => store.Offer(p.Iteration, vector));
                return 0;
            });
            // The ensemble's predictive: mean of f and variance of f plus the noise 1/λ_n.
            var sum = new double[sizes.Grid];
            var squares = new double[sizes.Grid];
            for (int k = 0; k < store.Count; k++)
            {
                store.LoadInto(k, vector);
                var f = Outputs(teacher, grid);
                for (int i = 0; i < f.Length; i++) { sum[i] += f[i]; squares[i] += (double)f[i] * f[i]; }
            }
            var ensembleMean = new double[sizes.Grid];
            var ensembleSd = new double[sizes.Grid];
            for (int i = 0; i < sizes.Grid; i++)
            {
                ensembleMean[i] = sum[i] / store.Count;
                ensembleSd[i] = Math.Sqrt(Math.Max(0, squares[i] / store.Count - ensembleMean[i] * ensembleMean[i]) + 1 / NoisePrecision);
            }
            var output = Outputs(student, grid);
            var studentMean = new double[sizes.Grid];
            var studentSd = new double[sizes.Grid];
            for (int i = 0; i < sizes.Grid; i++)
            {
                studentMean[i] = output[2 * i];
                studentSd[i] = Math.Exp(0.5 * output[2 * i + 1]);
            }
            for (int r = 0; r < rows.Length; r++)
            {
                var inside = Enumerable.Range(0, sizes.Grid).Where(i => (Math.Abs(gridX[i]) <= 4) == rows[r].Item2).ToArray();
                stats[r].Mean.Add(inside.Average(i => Math.Abs(studentMean[i] - ensembleMean[i])));
                stats[r].Sd.Add(inside.Average(i => Math.Abs(studentSd[i] - ensembleSd[i])));
                stats[r].Ensemble.Add(inside.Average(i => ensembleSd[i]));
            }
            context.Status($"toy1d seed {seed}: {store.Count} ensemble samples; |Δ mean| inside {stats[0].Mean[^1]:F3}, outside {stats[1].Mean[^1]:F3}; |Δ sd| inside {stats[0].Sd[^1]:F3}, outside {stats[1].Sd[^1]:F3}");
            if (figure is null)
            {
                figure = new Figure($"Toy 1-D (seed 1 of {context.Seeds.Count}): SGLD ensemble ({store.Count} samples) vs student, ± 2 sd", 1200, 600);
                var axes = figure.Axes(0, 0, xLabel: "x", yLabel: "y");
                axes.Band(gridX, Sub(ensembleMean, ensembleSd, -2), Sub(ensembleMean, ensembleSd, 2), "SGLD ensemble ± 2 sd", Palette.Get(0));
                axes.Line(gridX, ensembleMean, "SGLD ensemble mean", Palette.Get(0));
                axes.Band(gridX, Sub(studentMean, studentSd, -2), Sub(studentMean, studentSd, 2), "student ± 2σ", Palette.Get(1));
                axes.Line(gridX, studentMean, "student mean μ", Palette.Get(1), dashed: true);
                axes.Scatter(data.Features.Select(v => (double)v).ToArray(), data.Targets.Select(v => (double)v).ToArray(), "data", Color.Ink);
            }
        }
        for (int r = 0; r < rows.Length; r++)
            table.AddRow(rows[r].Item1, stats[r].Mean.Average(), SeedStatistics.StandardDeviation(stats[r].Mean),
                stats[r].Sd.Average(), SeedStatistics.StandardDeviation(stats[r].Sd), stats[r].Ensemble.Average());
        result.Figures["toy1d"] = figure!;
    }

    private static RegressionDataset RegressionToy()
    {
        var rng = new Rng(RegressionSeed);
        var xs = new float[RegressionPoints];
        var ys = new float[RegressionPoints];
        for (int i = 0; i < RegressionPoints; i++)
        {
            double x = rng.Uniform(-4, 4);
            xs[i] = (float)x;
            ys[i] = (float)(x * x * x / 3 + rng.Normal() / Math.Sqrt(NoisePrecision));
        }
        return new RegressionDataset("cubic toy", xs, [1], ys);
    }

    private static float[] Outputs(Module net, Tensor x)
    {
        bool was = net.IsTraining;
        net.Eval();
        float[] values;
        using (TensorScope.Begin())
        using (GradMode.NoGrad())
            values = net.Forward(x).ToArray();
        net.Train(was);
        return values;
    }

    private static double[] Sub(double[] mean, double[] sd, double k) => mean.Select((m, i) => m + k * sd[i]).ToArray();
}
