using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Distill.Bayesian;

namespace Probabilistic.Distill.Tests.Bayesian;

public class DistillationTests
{
    private static FullGaussianPosterior RandomPosterior(NetworkStructure s, ulong seed)
    {
        var rng = new Rng(seed);
        int n = s.ParameterCount;
        var b = Matrix<double>.Build.Dense(n, n, (_, _) => rng.Normal());
        var cov = b * b.Transpose() / n + Matrix<double>.Build.DenseIdentity(n) * 0.1;
        return new FullGaussianPosterior(s, Vector<double>.Build.Dense(n, _ => rng.Normal()), cov);
    }

    // Replays the executed steps on a teacher-sized vector: the student's parameters go to their kept positions,
    // conditioned entries get their conditioning values (0 for a removed neuron's outgoing weights, I for a removed
    // layer), marginalised ones stay arbitrary (they feed only zeroed outgoing weights).
    private static float[] EmbedInTeacher(NetworkStructure teacher, IReadOnlyList<AlignmentStep> steps, double[] studentParameters, ulong seed)
    {
        var rng = new Rng(seed);
        var full = Enumerable.Range(0, teacher.ParameterCount).Select(_ => (float)rng.Normal()).ToArray();
        // Map each structure's indices back to the teacher's, step by step.
        int[] toTeacher = Enumerable.Range(0, teacher.ParameterCount).ToArray();
        var current = teacher;
        foreach (var step in steps)
        {
            if (step is NeuronRemoval r)
                foreach (int c in current.NeuronRemovalPartition(r.Layer, r.Neurons).Conditioned) full[toTeacher[c]] = 0f;
            else if (step is LayerRemoval l)
            {
                var cond = current.LayerRemovalPartition(l.Layer).Conditioned;
                var identity = current.IdentityLayerValues(l.Layer);
                for (int k = 0; k < cond.Length; k++) full[toTeacher[cond[k]]] = (float)identity[k];
            }
            int[] kept = OrderedAlignment.KeptIndices(current, step);
            toTeacher = kept.Select(i => toTeacher[i]).ToArray();
            current = step.ApplyTo(current);
        }
        for (int i = 0; i < studentParameters.Length; i++) full[toTeacher[i]] = (float)studentParameters[i];
        return full;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Aligned_mean_as_weights_computes_the_teacher_restricted_network(bool full)
    {
        var teacher = new NetworkStructure([3, 6, 5, 2]);
        var student = new NetworkStructure([3, 5, 2]); // φ on layer 1 (6 → 5) then ψ(U_2 = I)
        IReadOnlyList<AlignmentStep> skeleton = [new NeuronRemoval(1, [0]), new LayerRemoval(2)];
        var posterior = RandomPosterior(teacher, 61);
        double[] mean;
        IReadOnlyList<AlignmentStep> steps;
        if (full)
        {
            var r = OrderedAlignment.Align(posterior, skeleton, NeuronOrdering.Random(new Rng(62)));
            (mean, steps) = (r.Posterior.Mean.ToArray(), r.Steps);
        }
        else
        {
            var diag = new DiagonalGaussianPosterior(teacher, posterior.Mean.ToArray(), Enumerable.Range(0, teacher.ParameterCount).Select(i => posterior.Covariance[i, i]).ToArray());
            var r = OrderedAlignment.Align(diag, skeleton, NeuronOrdering.Random(new Rng(62)));
            (mean, steps) = (r.Posterior.Mean.ToArray(), r.Steps);
        }
        Assert.Equal(student.ParameterCount, mean.Length);

        var teacherNet = new NetworkModule(teacher);
        var studentNet = new NetworkModule(student);
        var teacherWeights = EmbedInTeacher(teacher, steps, mean, 63);
        var studentWeights = mean.Select(v => (float)v).ToArray();
        var x = ReferenceMlpTests.RandomInputs(50, 3, 64);
        var yt = teacherNet.Forward(teacherWeights, x, 50, teacherNet.CreateWorkspace(50)).ToArray();
        var ys = studentNet.Forward(studentWeights, x, 50, studentNet.CreateWorkspace(50)).ToArray();
        // ReLU: σ∘σ = σ, so the identity layer and the zeroed columns reproduce the student up to float rounding.
        for (int i = 0; i < yt.Length; i++) Assert.Equal(yt[i], ys[i], 1e-5);
    }

    [Fact]
    public void Reparameterised_gradient_matches_finite_differences_of_the_fixed_noise_expected_loss()
    {
        var net = new NetworkModule(new NetworkStructure([3, 4, 1]));
        int p = net.ParameterCount;
        var rng = new Rng(71);
        var mu = net.InitialParameters(rng);
        var logVar = Enumerable.Range(0, p).Select(_ => (float)rng.Uniform(-3, -1)).ToArray();
        const int samples = 4;
        var eps = Enumerable.Range(0, samples).Select(_ => Enumerable.Range(0, p).Select(_ => (float)rng.Normal()).ToArray()).ToArray();
        var x = ReferenceMlpTests.RandomInputs(5, 3, 72);
        var y = ReferenceMlpTests.RandomInputs(5, 1, 73);
        var ws = net.CreateWorkspace(5);

        double ExpectedLoss(float[] m, float[] lv, float[]? gMu, float[]? gLv)
        {
            double total = 0;
            var w = new float[p];
            var dOut = new float[5];
            foreach (var e in eps)
            {
                Reparameterisation.Sample(m, lv, e, w);
                // −log N(y; f, 1) = ½(f − y)² + const, with output gradient f − y.
                var f = net.Forward(w, x, 5, ws);
                for (int i = 0; i < 5; i++)
                {
                    double r = f[i] - y[i];
                    total += 0.5 * r * r / samples;
                    dOut[i] = (float)r;
                }
                if (gMu is null) continue;
                var gW = new float[p];
                for (int i = 0; i < 5; i++) dOut[i] /= samples;
                net.Backward(w, x, 5, dOut, ws, gW);
                Reparameterisation.Backward(gW, lv, e, gMu, gLv!);
            }
            return total;
        }

        var gradMu = new float[p];
        var gradLv = new float[p];
        ExpectedLoss(mu, logVar, gradMu, gradLv);
        const float h = 5e-3f;
        for (int k = 0; k < p; k++)
        {
            var a = (float[])mu.Clone(); a[k] += h;
            var b = (float[])mu.Clone(); b[k] -= h;
            double fd = (ExpectedLoss(a, logVar, null, null) - ExpectedLoss(b, logVar, null, null)) / (2 * h);
            Assert.True(Math.Abs(fd - gradMu[k]) < 2e-3 * (1 + Math.Abs(fd)), $"μ[{k}]: {gradMu[k]} vs FD {fd}");
            a = (float[])logVar.Clone(); a[k] += h;
            b = (float[])logVar.Clone(); b[k] -= h;
            fd = (ExpectedLoss(mu, a, null, null) - ExpectedLoss(mu, b, null, null)) / (2 * h);
            Assert.True(Math.Abs(fd - gradLv[k]) < 2e-3 * (1 + Math.Abs(fd)), $"ln s²[{k}]: {gradLv[k]} vs FD {fd}");
        }
    }

    [Fact]
    public void Mean_field_vi_on_a_linear_gaussian_model_finds_the_exact_means_and_inverse_precision_diagonal()
    {
        // For a conjugate linear-Gaussian model the optimal mean-field q has μ = the exact posterior mean and
        // s_i² = 1/Λ_ii. One sample per step makes the optimum noisy, so the tolerances are loose but far below
        // the prior's scale (means ~1, prior variance 1).
        const int n = 40, d = 3;
        const double sigma = 0.5;
        var rng = new Rng(81);
        var x = ReferenceMlpTests.RandomInputs(n, d, 82);
        var y = new float[n];
        for (int i = 0; i < n; i++) y[i] = (float)(x[i * d] - 0.5 * x[i * d + 1] + sigma * rng.Normal());
        var data = new SupervisedData(x, n, d, y, null);
        var xm = Matrix<double>.Build.Dense(n, d, (i, j) => x[i * d + j]);
        var precision = xm.TransposeThisAndMultiply(xm) / (sigma * sigma) + Matrix<double>.Build.DenseIdentity(d);
        var meanExact = precision.Solve(xm.TransposeThisAndMultiply(Vector<double>.Build.Dense(n, i => y[i])) / (sigma * sigma));
        var net = new NetworkModule(new NetworkStructure([d, 1]));
        var prior = new DiagonalGaussianPrior(new double[d], [1.0, 1.0, 1.0]);
        var trained = BayesianTraining.TrainVariational(net, new float[d], prior, data, data, new GaussianLikelihood(sigma),
            new TrainingSettings(20000, BatchSize: n, LearningRate: 2e-3, EvaluateEvery: 20000, InitialLogVariance: -2));
        for (int i = 0; i < d; i++)
        {
            Assert.Equal(meanExact[i], trained.Mean[i], 0.03);
            double s2 = Math.Exp(trained.LogVariance![i]);
            Assert.InRange(s2 * precision[i, i], 0.6, 1.5);
        }
    }

    [Fact]
    public void Area_is_the_trapezoid_of_the_curve_difference()
    {
        var student = new LearningCurve([100, 200, 300], [-3, -2, -1]);
        var distilled = new LearningCurve([100, 200, 300], [-1, -1, -1]);
        // Differences 2, 1, 0: trapezoid 100·(2+1)/2 + 100·(1+0)/2 = 200.
        Assert.Equal(200, LearningCurve.Area(distilled, student), 1e-12);
        Assert.Equal(-200, LearningCurve.Area(student, distilled), 1e-12);
        Assert.Throws<ArgumentException>(() => LearningCurve.Area(distilled, new LearningCurve([100, 300], [0, 0])));
    }

    [Fact]
    public void Belsley_relevance_matches_an_explicit_eigendecomposition_of_the_covariance()
    {
        var s = new NetworkStructure([2, 3, 2]);
        var posterior = RandomPosterior(s, 91);
        var cov = posterior.Covariance;
        var precision = cov.Inverse();
        // Explicit route (methods.md §2.4): SVD of Σ, ξ = argmax λ_max/λ_j, q_iξ = (u_iξ²/λ_ξ)/Σ_j u_ij²/λ_j.
        var evd = cov.Evd();
        var lambda = evd.EigenValues.Select(c => c.Real).ToArray();
        int xi = Array.IndexOf(lambda, lambda.Min());
        int n = s.ParameterCount;
        var q = new double[n];
        for (int i = 0; i < n; i++)
        {
            double denom = Enumerable.Range(0, n).Sum(j => evd.EigenVectors[i, j] * evd.EigenVectors[i, j] / lambda[j]);
            q[i] = evd.EigenVectors[i, xi] * evd.EigenVectors[i, xi] / lambda[xi] / denom;
        }
        // The ordering removes the neuron of layer 1 whose row + column have the largest summed q.
        var ordering = NeuronOrdering.Belsley(precision, iterations: 3000);
        int[] chosen = ordering.Choose(s, 1, 1, posterior.Mean.ToArray(), new double[n]);
        var neuronQ = Enumerable.Range(0, 3).Select(j =>
            Enumerable.Range(0, 2).Sum(i => q[s.ParameterIndex(1, j, i)]) + Enumerable.Range(0, 2).Sum(r => q[s.ParameterIndex(2, r, j)])).ToArray();
        Assert.Equal(Array.IndexOf(neuronQ, neuronQ.Max()), chosen[0]);
    }

    [Fact]
    public void Belsley_component_is_the_top_eigenpair_of_the_precision()
    {
        var posterior = RandomPosterior(new NetworkStructure([3, 5, 2]), 92);
        var precision = posterior.Covariance.Inverse();
        precision = 0.5 * (precision + precision.Transpose());
        var top = NeuronOrdering.BelsleyComponent(precision);
        var evd = precision.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
        double largest = evd.EigenValues.Max(c => c.Real);
        Assert.True(top.Residual < 1e-9, $"residual {top.Residual} after {top.Iterations} iterations");
        Assert.True(Math.Abs(top.Value - largest) < 1e-8 * largest, $"{top.Value} vs {largest}");
        int k = evd.EigenValues.Select(c => c.Real).ToList().IndexOf(largest);
        double alignment = Math.Abs(Enumerable.Range(0, top.Vector.Length).Sum(i => top.Vector[i] * evd.EigenVectors[i, k]));
        Assert.True(alignment > 1 - 1e-8, $"|<u, u_max>| = {alignment}");
    }

    [Fact]
    public void Obd_and_density_ratio_remove_the_neuron_with_the_least_saliency()
    {
        var s = new NetworkStructure([2, 3, 1]);
        // Neuron 1's weights are tiny: lowest OBD saliency h u²/2 and lowest |μ|/σ.
        double[] mean = [1, 1, 0.01, 0.01, 1, 1, 1, 0.01, 1];
        double[] hessian = Enumerable.Repeat(1.0, 9).ToArray();
        Assert.Equal([1], NeuronOrdering.OptimalBrainDamage(hessian, mean).Choose(s, 1, 1, mean, hessian));
        Assert.Equal([1], NeuronOrdering.DensityRatio().Choose(s, 1, 1, mean, hessian));
    }
}
