using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Distill.Output;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;
using static Probabilistic.Distill.Tests.FiniteDifferences;
using static Probabilistic.Nn.Tests.Autograd.GradCheck;

namespace Probabilistic.Distill.Tests.Output;

/// <summary>Theorem A2 (methods.md §1.3): a linear student trained on the regression objective reaches the weighted least squares solution.</summary>
public class RegressionObjectiveTests
{
    [Fact]
    public void LinearStudentConvergesToTheoremA2WeightedLeastSquares()
    {
        // Check 2's setting: m = 40, n = 4, |I| = 25, λ = 0.3, τ = 2, τ_s = 0.7.
        const int m = 40, n = 4;
        const double lambda = 0.3, tau = 2, tauS = 0.7;
        var rng = new Rng(21);
        var x = new float[m * n];
        var y = new float[m];
        var s = new float[m];
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.Normal();
        for (int i = 0; i < m; i++)
        {
            y[i] = (float)(x[i * n] - 2 * x[i * n + 1] + 0.5 * rng.Normal());
            s[i] = (float)(0.8 * x[i * n] + x[i * n + 3] + 0.3 * rng.Normal());
        }
        var inI = DistillationTraining.RandomIndexSet(m, 25.0 / m, seed: 3);
        Assert.Equal(25, inI.Count(f => f));

        // Theorem A2: ŵ = (Xᵀ Σ⁻¹ X)⁻¹ Xᵀ y′, Σ⁻¹ = diag(σ′).
        var X = Matrix<double>.Build.Dense(m, n, (i, j) => x[i * n + j]);
        var sigma = Vector<double>.Build.Dense(m, i => inI[i] ? (1 - lambda) * tau + lambda * tauS : tau);
        var yPrime = Vector<double>.Build.Dense(m, i => inI[i] ? (1 - lambda) * tau * y[i] + lambda * tauS * s[i] : tau * y[i]);
        var wls = (X.Transpose() * Matrix<double>.Build.DenseOfDiagonalVector(sigma) * X).Solve(X.Transpose() * yPrime);

        var student = new Linear(n, 1, rng, bias: false);
        var loss = MethodRegistry.Create<RegressionDistillation>("probabilistic-regression", new DistillationSettings(lambda, Precision: tau, TeacherPrecision: tauS));
        var optimizer = new Sgd(student.Parameters(), lr: 0.05);
        var inputs = Tensor.FromArray(x, m, n);
        for (int step = 0; step < 3000; step++)
        {
            using var scope = TensorScope.Begin();
            optimizer.ZeroGrad();
            loss.Loss(student.Forward(inputs), y, s, inI).Backward();
            optimizer.Step();
        }
        for (int j = 0; j < n; j++) Assert.Equal(wls[j], student.Weight[j], 4);
    }

    [Fact]
    public void GradientMatchesFiniteDifferences()
    {
        var rng = new Rng(22);
        float[] y = [0.5f, -1f, 2f, 0.1f, 1f], s = [0.4f, -0.2f, 1f, 0.3f, 0f];
        bool[] inI = [true, false, true, true, false];
        var loss = new RegressionDistillation(new DistillationSettings(0.4, Precision: 1.5, TeacherPrecision: 0.5, Reduction: DistillationReduction.PerObjectSum));
        Check(p => loss.Loss(p[0], y, s, inI), Random(rng, 1f, 5, 1));
    }
}
