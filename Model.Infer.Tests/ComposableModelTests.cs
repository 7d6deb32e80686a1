using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Evidence;
using Probabilistic.Infer.Factors;
using Probabilistic.Infer.Graph;
using Probabilistic.Infer.Numerics;
using Probabilistic.TestSupport;
using Xunit.Abstractions;
using Range = Probabilistic.Infer.Graph.Range;

namespace Probabilistic.Infer.Tests;

/// <summary>
/// The three models of issue #12 written as an Infer.NET user writes them (the code blocks between "README:" markers
/// are copied verbatim into Model.Infer/README.md), checked against closed forms and importance sampling; the
/// composed softmax against the fused shortcut; Knowles–Minka at K = 10.
/// </summary>
public class ComposableModelTests(ITestOutputHelper output)
{
    private static (double[] X, int[] Labels) SoftmaxProblem(int m, int n, int k, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new double[m * n];
        for (int j = 0; j < x.Length; j++) x[j] = rng.Normal();
        var w = new double[k * n];
        for (int j = 0; j < w.Length; j++) w[j] = rng.Normal();
        var labels = new int[m];
        var z = new double[k];
        for (int r = 0; r < m; r++)
        {
            for (int c = 0; c < k; c++)
            {
                double s = 0;
                for (int j = 0; j < n; j++) s += w[c * n + j] * x[r * n + j];
                z[c] = s;
            }
            labels[r] = Discrete.FromLogProbabilities(z).Sample(rng);
        }
        return (x, labels);
    }

    private static Matrix<double> AsMatrix(double[] x, int m, int n) => Matrix<double>.Build.DenseOfRowMajor(m, n, x);

    // ---------- 1. per-row-precision linear regression ----------

    [Fact]
    public void ReadmeLinearRegressionWithPerRowPrecisionIsTheClosedForm()
    {
        var rng = new Rng(5);
        int m = 30, n = 3;
        var X = TestData.RandomMatrix(rng, m, n);
        var Y = (X * TestData.RandomVector(rng, n) + TestData.RandomVector(rng, m, 0.5)).ToArray();
        var taus = Enumerable.Range(0, m).Select(r => r % 3 == 0 ? 0.5 : 4.0).ToArray();
        foreach (var algorithm in new InferenceAlgorithm[] { new ExpectationPropagation(), new VariationalMessagePassing() })
        {
            // README: linear regression, one known precision per row
            var i = new Range(m);
            var w = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n) * 0.01);
            var x = Variable.Array<Vector<double>>(i);
            x.ObserveRows(X);
            var tau = Variable.Observed(taus, i);
            var y = Variable.Array<double>(i);
            y[i] = Variable.GaussianFromMeanAndPrecision(Variable.InnerProduct(w, x[i]), tau[i]);
            y.ObservedValue = Y;
            var engine = new InferenceEngine(algorithm);
            VectorGaussian posterior = engine.Infer<VectorGaussian>(w);
            double logEvidence = engine.LogEvidence(w);
            // README end

            var exact = TestData.LinearGaussian(X, Vector<double>.Build.Dense(Y), Vector<double>.Build.Dense(taus),
                Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n) * 0.01);
            Assert.True(TestData.MaxAbsDiff(exact.Mean, posterior.GetMean()) < 1e-8, algorithm.GetType().Name);
            Assert.True(TestData.MaxAbsDiff(exact.Covariance, posterior.GetVariance()) < 1e-8, algorithm.GetType().Name);
            Assert.Equal(exact.LogEvidence, logEvidence, 6);
        }
    }

    // ---------- 2. composable multiclass softmax ----------

    /// <summary>The README's composed model (jagged scores, Softmax, Discrete) and the fused shortcut build the same
    /// factor, so every operator gives the same posterior and bound, to rounding.</summary>
    [Theory]
    [InlineData(SoftmaxOperator.Bohning)]
    [InlineData(SoftmaxOperator.KnowlesMinka)]
    [InlineData(SoftmaxOperator.JointQuadrature)]
    public void ReadmeComposedSoftmaxEqualsTheFusedShortcut(SoftmaxOperator op)
    {
        const int m = 60, n = 4, K = 3;
        var (X, labels) = SoftmaxProblem(m, n, K, 17);

        var composed = RunComposed(X, labels, m, n, K, op);
        var fused = RunFused(X, labels, m, n, K, op);
        Assert.True(composed.Result.Converged && fused.Result.Converged);
        Assert.Equal(fused.Result.Iterations, composed.Result.Iterations);
        Assert.Equal(fused.Result.LogEvidence, composed.Result.LogEvidence, 10);
        for (int c = 0; c < K; c++)
        {
            Assert.True(TestData.MaxAbsDiff(fused.Posterior[c].GetMean(), composed.Posterior[c].GetMean()) < 1e-10);
            Assert.True(TestData.MaxAbsDiff(fused.Posterior[c].GetVariance(), composed.Posterior[c].GetVariance()) < 1e-10);
        }
    }

    private static (InferenceResult Result, VectorGaussian[] Posterior) RunComposed(double[] X, int[] labels, int m, int n, int K, SoftmaxOperator op)
    {
        // README: multiclass softmax regression, composed
        var c = new Range(K);
        var i = new Range(m);
        var B = Variable.Array<Vector<double>>(c);
        B[c] = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n));
        var x = Variable.Array<Vector<double>>(i);
        x.ObserveRows(X, n);
        var g = Variable.Array(Variable.Array<double>(c), i);
        g[i][c] = Variable.InnerProduct(B[c], x[i]);
        var p = Variable.Array<Vector<double>>(i);
        p[i] = Variable.Softmax(g[i]);
        var y = Variable.Array<int>(i);
        y[i] = Variable.Discrete(p[i]);
        y.ObservedValue = labels;
        var engine = new InferenceEngine(new VariationalMessagePassing()) { SoftmaxOperator = op, NumberOfIterations = 2000, Tolerance = 1e-7 };
        VectorGaussian[] posterior = engine.Infer<VectorGaussian[]>(B);
        double logEvidence = engine.LogEvidence(B);
        // README end
        Assert.Equal(1, engine.RunCount);
        Assert.Equal(engine.LastResult!.LogEvidence, logEvidence);
        return (engine.LastResult, posterior);
    }

    private static (InferenceResult Result, VectorGaussian[] Posterior) RunFused(double[] X, int[] labels, int m, int n, int K, SoftmaxOperator op, double damping = 0)
    {
        var c = new Range(K);
        var i = new Range(m);
        var B = Variable.Array<Vector<double>>(c);
        B[c] = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n));
        var x = Variable.Array<Vector<double>>(i);
        x.ObserveRows(X, n);
        var y = Variable.Array<int>(i);
        y[i] = Variable.DiscreteFromLinearSoftmax(B, x[i]);
        y.ObservedValue = labels;
        var engine = new InferenceEngine(new VariationalMessagePassing()) { SoftmaxOperator = op, NumberOfIterations = 2000, Tolerance = 1e-7, Damping = damping };
        var result = engine.Run(B);
        return (result, result.Marginal<VectorGaussian[]>(B));
    }

    /// <summary>Without the intermediate array p: <c>y[i] = Discrete(Softmax(g[i]))</c>, against importance sampling of
    /// the exact evidence (Student-t at the Laplace approximation): every bound lies below it (to 3 standard errors),
    /// ordered Böhning ≤ Knowles–Minka ≤ default, and the default within 1 nat (0.05 on the 300-row goal problem).</summary>
    [Fact]
    public void ComposedSoftmaxBoundsLieBelowImportanceSampledEvidence()
    {
        const int m = 60, n = 4, K = 3;
        var (X, labels) = SoftmaxProblem(m, n, K, 17);
        var bounds = new Dictionary<SoftmaxOperator, double>();
        foreach (var op in new[] { SoftmaxOperator.Bohning, SoftmaxOperator.KnowlesMinka, SoftmaxOperator.JointQuadrature })
        {
            var c = new Range(K);
            var i = new Range(m);
            var B = Variable.Array<Vector<double>>(c);
            B[c] = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n));
            var x = Variable.Array<Vector<double>>(i);
            x.ObserveRows(X, n);
            var g = Variable.Array(Variable.Array<double>(c), i);
            g[i][c] = Variable.InnerProduct(B[c], x[i]);
            var y = Variable.Array<int>(i);
            y[i] = Variable.Discrete(Variable.Softmax(g[i]));
            y.ObservedValue = labels;
            var r = new InferenceEngine(new VariationalMessagePassing()) { SoftmaxOperator = op, NumberOfIterations = 2000, Tolerance = 1e-7 }.Run(B);
            Assert.True(r.Converged, op.ToString());
            bounds[op] = r.LogEvidence;
        }
        var model = new SoftmaxRegressionPosterior(X, m, n, labels, K, priorPrecision: 1);
        var (mean, cov) = model.Laplace();
        var est = ImportanceSampledEvidence.Estimate(model.LogJointBatch, mean, cov, 20_000, seed: 3);
        output.WriteLine($"IS {est.LogEvidence:F4} ± {est.StandardError:F4} (ESS {est.EffectiveSampleSize:F0}); "
                         + string.Join(", ", bounds.Select(kv => $"{kv.Key} {kv.Value:F4}")));
        Assert.True(est.StandardError < 0.05, $"IS standard error {est.StandardError}");
        foreach (var (op, b) in bounds)
            Assert.True(b <= est.LogEvidence + 3 * est.StandardError, $"{op}: bound {b} above IS {est.LogEvidence} ± {est.StandardError}");
        Assert.True(bounds[SoftmaxOperator.Bohning] <= bounds[SoftmaxOperator.KnowlesMinka] + 1e-6);
        Assert.True(bounds[SoftmaxOperator.KnowlesMinka] <= bounds[SoftmaxOperator.JointQuadrature] + 1e-6);
        Assert.True(est.LogEvidence - bounds[SoftmaxOperator.JointQuadrature] < 1.0);
    }

    // ---------- 3. BernoulliFromLogOdds(InnerProduct(w, x[i])) ----------

    private static (double[] X, bool[] Labels) LogisticProblem(int m, int n, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new double[m * n];
        for (int j = 0; j < x.Length; j++) x[j] = rng.Normal();
        var w = new double[n];
        for (int j = 0; j < n; j++) w[j] = rng.Normal();
        var labels = new bool[m];
        for (int r = 0; r < m; r++)
        {
            double z = 0;
            for (int j = 0; j < n; j++) z += w[j] * x[r * n + j];
            labels[r] = rng.NextDouble() < LogisticMoments.Sigmoid(z);
        }
        return (x, labels);
    }

    /// <summary>The exact log joint log N(w; 0, I) + Σ_r log σ(±x_rᵀw), the target of importance sampling.</summary>
    private static Func<double[], double> LogisticLogJoint(double[] X, bool[] labels, int n) => w =>
    {
        double s = -0.5 * n * Math.Log(2 * Math.PI);
        for (int j = 0; j < n; j++) s -= 0.5 * w[j] * w[j];
        for (int r = 0; r < labels.Length; r++)
        {
            double z = 0;
            for (int j = 0; j < n; j++) z += w[j] * X[r * n + j];
            s += LogisticMoments.LogSigmoid(labels[r] ? z : -z);
        }
        return s;
    };

    /// <summary>
    /// The README's logistic regression under EP and VMP against importance sampling of the exact posterior
    /// (Student-t proposal at the EP posterior, 20,000 samples): EP's evidence within 4 standard errors + 0.02 nats and
    /// its means within 4 SE + 5% of a posterior sd; VMP's Jaakkola–Jordan value is a lower bound (≤ IS + 3 SE), less
    /// than 2 nats below, its means within 4 SE + 35% of a posterior sd (mean-field JJ is known to shrink).
    /// </summary>
    [Fact]
    public void ReadmeLogisticRegressionUnderEpAndVmpAgreesWithImportanceSampling()
    {
        const int m = 50, n = 3;
        var (X, labels) = LogisticProblem(m, n, 29);
        var results = new Dictionary<string, (VectorGaussian Posterior, double LogEvidence)>();
        foreach (var algorithm in new InferenceAlgorithm[] { new ExpectationPropagation(), new VariationalMessagePassing() })
        {
            // README: Bayesian logistic regression
            var i = new Range(m);
            var w = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n));
            var x = Variable.Array<Vector<double>>(i);
            x.ObserveRows(X, n);
            var y = Variable.Array<bool>(i);
            y[i] = Variable.BernoulliFromLogOdds(Variable.InnerProduct(w, x[i]));
            y.ObservedValue = labels;
            var engine = new InferenceEngine(algorithm);
            VectorGaussian posterior = engine.Infer<VectorGaussian>(w);
            double logEvidence = engine.LogEvidence(w);
            // README end
            results[algorithm.GetType().Name] = (posterior, logEvidence);
        }
        var ep = results[nameof(ExpectationPropagation)];
        var vmp = results[nameof(VariationalMessagePassing)];
        var logJoint = LogisticLogJoint(X, labels, n);
        var est = ImportanceSampledEvidence.Estimate(logJoint, ep.Posterior.GetMean(), ep.Posterior.GetVariance(), 20_000, seed: 11);
        output.WriteLine($"log evidence: IS {est.LogEvidence:F5} ± {est.StandardError:F5} (ESS {est.EffectiveSampleSize:F0}), EP {ep.LogEvidence:F5}, VMP {vmp.LogEvidence:F5}");
        Assert.True(est.StandardError < 0.01, $"IS standard error {est.StandardError}");
        Assert.True(Math.Abs(ep.LogEvidence - est.LogEvidence) < 4 * est.StandardError + 0.02, $"EP {ep.LogEvidence} vs IS {est.LogEvidence}");
        Assert.True(vmp.LogEvidence <= est.LogEvidence + 3 * est.StandardError, $"VMP bound {vmp.LogEvidence} above IS {est.LogEvidence}");
        Assert.True(est.LogEvidence - vmp.LogEvidence < 2, $"VMP bound {vmp.LogEvidence} vs IS {est.LogEvidence}");

        // Posterior means by self-normalised importance sampling with the same proposal (Student-t, ν = 5).
        var (isMean, isSe) = SelfNormalisedMean(logJoint, ep.Posterior, 20_000, 13);
        for (int j = 0; j < n; j++)
        {
            double sd = Math.Sqrt(ep.Posterior.GetVariance()[j, j]);
            output.WriteLine($"w[{j}]: IS {isMean[j]:F4} ± {isSe[j]:F4}, EP {ep.Posterior.GetMean()[j]:F4}, VMP {vmp.Posterior.GetMean()[j]:F4} (sd {sd:F3})");
            Assert.True(Math.Abs(ep.Posterior.GetMean()[j] - isMean[j]) < 4 * isSe[j] + 0.05 * sd, $"EP w[{j}]");
            Assert.True(Math.Abs(vmp.Posterior.GetMean()[j] - isMean[j]) < 4 * isSe[j] + 0.35 * sd, $"VMP w[{j}]");
        }
    }

    /// <summary>E[w] under the posterior by self-normalised importance sampling from a Student-t (ν = 5) at q, with the
    /// delta-method standard error.</summary>
    private static (double[] Mean, double[] Se) SelfNormalisedMean(Func<double[], double> logJoint, VectorGaussian q, int samples, ulong seed)
    {
        int d = q.Dimension;
        var rng = new Rng(seed);
        var l = q.GetVariance().Cholesky().Factor;
        var mu = q.GetMean();
        const double nu = 5;
        var logW = new double[samples];
        var draws = new double[samples][];
        for (int s = 0; s < samples; s++)
        {
            var eps = Vector<double>.Build.Dense(d, _ => rng.Normal());
            double chi = 0;
            for (int t = 0; t < nu; t++) { double e = rng.Normal(); chi += e * e; }
            double scale = Math.Sqrt(nu / chi);
            var dev = l * eps * scale;
            var w = (mu + dev).ToArray();
            double maha = (eps * eps);   // (w − μ)ᵀΣ⁻¹(w − μ) / scale²
            double logQ = -0.5 * (nu + d) * Math.Log(1 + maha * scale * scale / nu);   // up to a constant
            logW[s] = logJoint(w) - logQ;
            draws[s] = w;
        }
        double max = logW.Max();
        var wts = logW.Select(v => Math.Exp(v - max)).ToArray();
        double total = wts.Sum();
        var mean = new double[d];
        var se = new double[d];
        for (int j = 0; j < d; j++)
        {
            double acc = 0;
            for (int s = 0; s < samples; s++) acc += wts[s] * draws[s][j];
            mean[j] = acc / total;
            double v = 0;
            for (int s = 0; s < samples; s++) v += wts[s] * wts[s] * (draws[s][j] - mean[j]) * (draws[s][j] - mean[j]);
            se[j] = Math.Sqrt(v) / total;
        }
        return (mean, se);
    }

    // ---------- 4. Knowles–Minka at K = 10 ----------

    /// <summary>
    /// K = 10 classes, 10 features, 20 rows: undamped class-by-class NCVMP falls into a 2-cycle of the bound here
    /// (measured while the damping was being added: −50.846 / −50.869 alternating, 2000 iterations without
    /// converging); with the adaptive damping it converges, to the same fixed point as a fixed Damping = 0.5. Its bound
    /// lies below the importance-sampled evidence (the IS estimate of log Z is biased low when its effective sample
    /// size is small, so the check errs on the strict side) and above Böhning's bound on the same data.
    /// </summary>
    [Fact]
    [Trait(Category.Name, Category.Slow)]
    public void KnowlesMinkaConvergesAtTenClassesBetweenBohningAndTheTruth()
    {
        const int m = 20, n = 10, K = 10;
        var (X, labels) = SoftmaxProblem(m, n, K, 101);
        var km = RunComposed(X, labels, m, n, K, SoftmaxOperator.KnowlesMinka).Result;
        var fixedDamping = RunFused(X, labels, m, n, K, SoftmaxOperator.KnowlesMinka, damping: 0.5).Result;
        var bohning = RunComposed(X, labels, m, n, K, SoftmaxOperator.Bohning).Result;
        var model = new SoftmaxRegressionPosterior(X, m, n, labels, K, priorPrecision: 1);
        var (mean, cov) = model.Laplace();
        var est = ImportanceSampledEvidence.Estimate(model.LogJointBatch, mean, cov, 100_000, seed: 5);
        output.WriteLine($"KM {km.LogEvidence:F4} in {km.Iterations} iterations (converged {km.Converged}); with Damping = 0.5 {fixedDamping.LogEvidence:F4} in {fixedDamping.Iterations}; "
                         + $"Böhning {bohning.LogEvidence:F4} in {bohning.Iterations}; IS {est.LogEvidence:F4} ± {est.StandardError:F4} (ESS {est.EffectiveSampleSize:F0})");
        Assert.True(km.Converged, $"KM did not converge in {km.Iterations} iterations");
        Assert.True(fixedDamping.Converged, $"KM with Damping = 0.5 did not converge in {fixedDamping.Iterations} iterations");
        Assert.Equal(fixedDamping.LogEvidence, km.LogEvidence, 4);
        Assert.True(km.LogEvidence <= est.LogEvidence + 3 * est.StandardError, $"KM bound {km.LogEvidence} above IS {est.LogEvidence} ± {est.StandardError}");
        Assert.True(km.LogEvidence > bohning.LogEvidence, $"KM {km.LogEvidence} not tighter than Böhning {bohning.LogEvidence}");
    }

    // ---------- the README shows this file's code ----------

    /// <summary>Every block between "// README: …" and "// README end" in this file appears verbatim (dedented) as a
    /// code block of Model.Infer/README.md, so the documented models are the tested ones.</summary>
    [Fact]
    public void ReadmeSnippetsAreTheTestedCode()
    {
        string thisFile = SourcePath();
        var readmePath = Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "Model.Infer", "README.md");
        Assert.True(File.Exists(thisFile) && File.Exists(readmePath), $"sources not found next to {thisFile}");
        var readme = File.ReadAllText(readmePath).Replace("\r\n", "\n");
        var lines = File.ReadAllLines(thisFile);
        int blocks = 0;
        for (int l = 0; l < lines.Length; l++)
        {
            if (!lines[l].TrimStart().StartsWith("// README: ", StringComparison.Ordinal)) continue;
            int indent = lines[l].Length - lines[l].TrimStart().Length, end = l + 1;
            while (!lines[end].TrimStart().StartsWith("// README end", StringComparison.Ordinal)) end++;
            var block = string.Join("\n", lines[(l + 1)..end].Select(s => s.Length >= indent ? s[indent..] : s.TrimStart()));
            Assert.True(readme.Contains("```csharp\n" + block + "\n```", StringComparison.Ordinal), $"README lacks the block '{lines[l].Trim()}'");
            blocks++;
            l = end;
        }
        Assert.Equal(3, blocks);
    }

    private static string SourcePath([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
}
