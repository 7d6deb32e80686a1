using System.Diagnostics;
using System.Globalization;
using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Factors;
using Probabilistic.Infer.Graph;
using Range = Probabilistic.Infer.Graph.Range;

// Speed of Model.Infer on two models at scale. Prints a table and writes results/bench/infer.csv.
//   1. Bayesian linear regression, m = 100,000, n = 100, EP (exact here): posterior + log evidence.
//   2. Softmax regression, n = 50, K = 10, VMP (tolerance 1e-6), every softmax operator: Böhning at m = 10,000;
//      Knowles–Minka and JointQuadrature at m = 300 (at 10,000 rows they take far more than a minute).
//   3. Logistic regression, m = 10,000, n = 20, EP: time and iterations to convergence (tolerance 1e-6).
// Usage: InferBench [--quick] [--only linear|softmax|logistic] [--ops Bohning,KnowlesMinka,JointQuadrature]
//   (--quick shrinks the problems for a smoke run)

bool quick = args.Contains("--quick");
string? only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();             // linear | softmax | logistic
string[]? ops = args.SkipWhile(a => a != "--ops").Skip(1).FirstOrDefault()?.Split(','); // softmax operators to run
int repeats = quick ? 1 : 3;
var rows = new List<(string Model, string Size, string Algorithm, int Iterations, double Seconds, double LogEvidence)>();

// ---------- 1. Bayesian linear regression ----------
if (only == null || only == "linear")
{
    int m = quick ? 10_000 : 100_000, n = 100;
    var rng = new Rng(1);
    var x = new double[m * n];
    for (int i = 0; i < x.Length; i++) x[i] = rng.Normal();
    var wTrue = Enumerable.Range(0, n).Select(_ => rng.Normal()).ToArray();
    var y = new double[m];
    for (int i = 0; i < m; i++)
    {
        double s = 0;
        for (int j = 0; j < n; j++) s += x[i * n + j] * wTrue[j];
        y[i] = s + 0.5 * rng.Normal();
    }

    (double Seconds, int Iterations, double LogEvidence, VectorGaussian Post) Run()
    {
        var sw = Stopwatch.StartNew();
        var r = new Range(m).Named("i");
        var w = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n) * 0.01).Named("w");
        var xs = Variable.Array<Vector<double>>(r).Named("x");
        xs.ObserveRows(x, n);
        var ys = Variable.Array<double>(r).Named("y");
        ys[r] = Variable.GaussianFromMeanAndPrecision(Variable.InnerProduct(w, xs[r]), 4.0);
        ys.ObservedValue = y;
        var engine = new InferenceEngine(new ExpectationPropagation());
        var result = engine.Run(w);
        var post = result.Marginal<VectorGaussian>(w);
        sw.Stop();
        return (sw.Elapsed.TotalSeconds, result.Iterations, result.LogEvidence, post);
    }

    Run();   // warm-up (JIT)
    var runs = Enumerable.Range(0, repeats).Select(_ => Run()).OrderBy(t => t.Seconds).ToList();
    var best = runs[runs.Count / 2];
    double err = best.Post.GetMean().Select((v, j) => Math.Abs(v - wTrue[j])).Max();
    Console.WriteLine($"linear regression: max |E[w] − w_true| = {err:G3} (noise sd 0.5, m = {m})");
    rows.Add(("BayesianLinearRegression", $"m={m} n={n}", "EP", best.Iterations, best.Seconds, best.LogEvidence));
}

// ---------- 2. Softmax regression, every operator ----------
if (only == null || only == "softmax")
{
    int mFull = quick ? 1_000 : 10_000, n = 50, K = 10;

    (double[] X, int[] Labels) Data(int m)
    {
        var rng = new Rng(2);
        var x = new double[m * n];
        for (int i = 0; i < x.Length; i++) x[i] = rng.Normal();
        var wTrue = new double[n * K];
        for (int i = 0; i < wTrue.Length; i++) wTrue[i] = rng.Normal() * 0.3;
        var labels = new int[m];
        var logits = new double[K];
        for (int i = 0; i < m; i++)
        {
            for (int k = 0; k < K; k++)
            {
                double s = 0;
                for (int j = 0; j < n; j++) s += x[i * n + j] * wTrue[j * K + k];
                logits[k] = s;
            }
            labels[i] = Discrete.FromLogProbabilities(logits).Sample(rng);
        }
        return (x, labels);
    }

    (double Seconds, int Iterations, double Bound, bool Converged, double MeanSum) Run(double[] x, int[] labels, SoftmaxOperator op)
    {
        int m = labels.Length;
        var sw = Stopwatch.StartNew();
        var c = new Range(K).Named("class");
        var r = new Range(m).Named("i");
        var w = Variable.Array<Vector<double>>(c).Named("W");
        w[c] = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n));
        var xs = Variable.Array<Vector<double>>(r).Named("x");
        xs.ObserveRows(x, n);
        var ys = Variable.Array<int>(r).Named("y");
        ys[r] = Variable.DiscreteFromLinearSoftmax(w, xs[r]);
        ys.ObservedValue = labels;
        var engine = new InferenceEngine(new VariationalMessagePassing()) { NumberOfIterations = 2000, Tolerance = 1e-6, ShowWarnings = false, SoftmaxOperator = op };
        var result = engine.Run(w);
        sw.Stop();
        double meanSum = result.Marginal<VectorGaussian[]>(w).Sum(q => q.GetMean().Sum(v => Math.Abs(v)));
        return (sw.Elapsed.TotalSeconds, result.Iterations, result.LogEvidence, result.Converged, meanSum);
    }

    // Böhning at full size (median of the repeats); the slower operators once each, at a size whose run stays
    // near a minute on 2 cores (the row says which).
    foreach (var (op, m, reps) in new[]
             {
                 (SoftmaxOperator.Bohning, mFull, repeats),
                 (SoftmaxOperator.KnowlesMinka, quick ? 100 : 300, 1),
                 (SoftmaxOperator.JointQuadrature, quick ? 100 : 300, 1),
             })
    {
        if (ops != null && !ops.Contains(op.ToString(), StringComparer.OrdinalIgnoreCase)) continue;
        var (x, labels) = Data(m);
        if (reps > 1) Run(x, labels, op);   // warm-up (JIT)
        var runs = Enumerable.Range(0, reps).Select(_ => Run(x, labels, op)).OrderBy(t => t.Seconds).ToList();
        var best = runs[runs.Count / 2];
        Console.WriteLine($"softmax {op} m={m}: {best.Iterations} iterations, {best.Seconds:F3} s, bound {best.Bound:R}, Σ|E w| {best.MeanSum:R}"
                          + (best.Converged ? "" : " (did NOT converge within 2000 iterations)"));
        rows.Add(("SoftmaxRegression", $"m={m} n={n} K={K}", $"VMP-{op}", best.Iterations, best.Seconds, best.Bound));
    }
}

// ---------- 3. Logistic regression (EP) ----------
if (only == null || only == "logistic")
{
    int m = quick ? 1_000 : 10_000, n = 20;
    var rng = new Rng(3);
    var x = new double[m * n];
    for (int i = 0; i < x.Length; i++) x[i] = rng.Normal();
    var wTrue = Enumerable.Range(0, n).Select(_ => 0.5 * rng.Normal()).ToArray();
    var labels = new bool[m];
    for (int i = 0; i < m; i++)
    {
        double s = 0;
        for (int j = 0; j < n; j++) s += x[i * n + j] * wTrue[j];
        labels[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-s));
    }

    (double Seconds, int Iterations, double LogEvidence) Run()
    {
        var sw = Stopwatch.StartNew();
        var r = new Range(m);
        var w = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n)).Named("w");
        var xs = Variable.Array<Vector<double>>(r);
        xs.ObserveRows(x, n);
        var ys = Variable.Array<bool>(r);
        ys[r] = Variable.BernoulliFromLogOdds(Variable.InnerProduct(w, xs[r]));
        ys.ObservedValue = labels;
        var result = new InferenceEngine(new ExpectationPropagation()) { Tolerance = 1e-6 }.Run(w);
        sw.Stop();
        return (sw.Elapsed.TotalSeconds, result.Iterations, result.LogEvidence);
    }

    Run();
    var runs = Enumerable.Range(0, repeats).Select(_ => Run()).OrderBy(t => t.Seconds).ToList();
    var best = runs[runs.Count / 2];
    rows.Add(("LogisticRegression", $"m={m} n={n}", "EP", best.Iterations, best.Seconds, best.LogEvidence));
}

Console.WriteLine();
Console.WriteLine($"{"model",-26} {"size",-22} {"alg",-20} {"iters",6} {"seconds",9} {"log evidence / bound",22}");
foreach (var r in rows)
    Console.WriteLine($"{r.Model,-26} {r.Size,-22} {r.Algorithm,-20} {r.Iterations,6} {r.Seconds,9:F3} {r.LogEvidence,22:F4}");

string root = AppContext.BaseDirectory;
while (root != null && !File.Exists(Path.Combine(root, "Probabilistic.sln"))) root = Path.GetDirectoryName(root)!;
string dir = Path.Combine(root ?? ".", "results", "bench");
Directory.CreateDirectory(dir);
string csv = Path.Combine(dir, "infer.csv");
using (var f = new StreamWriter(csv))
{
    f.WriteLine("model,size,algorithm,iterations,seconds,log_evidence,threads,seed,quick,dotnet");
    foreach (var r in rows)
        f.WriteLine(string.Join(",", r.Model, r.Size.Replace(' ', ';'), r.Algorithm, r.Iterations,
            r.Seconds.ToString("F4", CultureInfo.InvariantCulture), r.LogEvidence.ToString("R", CultureInfo.InvariantCulture),
            Environment.ProcessorCount, "1;2;3", quick, Environment.Version));
}
Console.WriteLine($"wrote {csv}");
