using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Infer.Distillation;
using Probabilistic.Theorems;

// The distillation regression of methods.md §1.1/§1.3 as a factor graph (Model.Infer, EP):
//   w ~ N(0, α⁻¹I)
//   y_i ~ N(wᵀx_i, τ)                 i ∉ I
//   y_i ~ N(wᵀx_i, τ)^(1−λ)           i ∈ I   (tempered: normalised to N(wᵀx_i, (1−λ)τ))
//   s_i ~ N(wᵀx_i, τ_s)^λ             i ∈ I   (the teacher's outputs; normalised to N(wᵀx_i, λτ_s))
// On synthetic data: the posterior over w, Theorem A2's check, a predictive distribution, and λ, σ_s chosen by
// maximising the model evidence.

const int m = 200, n = 5, mTest = 2000;
const double sigma = 0.8, teacherSigma = 0.3;
var rng = new Rng(2024);
var wTrue = Vector<double>.Build.Dense(n, _ => rng.Normal());
Matrix<double> Inputs(int rows) => Matrix<double>.Build.Dense(rows, n, (_, _) => rng.Normal());
var x = Inputs(m);
var y = x * wTrue + Vector<double>.Build.Dense(m, _ => sigma * rng.Normal());
var s = x * wTrue + Vector<double>.Build.Dense(m, _ => teacherSigma * rng.Normal());   // a better-informed teacher
var inI = Enumerable.Range(0, m).Select(i => i % 5 != 0).ToArray();                      // 80% of objects have s_i
var xTest = Inputs(mTest);
var yTest = xTest * wTrue + Vector<double>.Build.Dense(mTest, _ => sigma * rng.Normal());

Console.WriteLine($"Synthetic data: m = {m}, n = {n}, |I| = {inI.Count(b => b)}, σ = {sigma}, teacher noise sd = {teacherSigma}");
Console.WriteLine();

// ---- 1. The seed's setting: λ = 0.5, σ_s = σ ----
var seed = new RegressionDistillation(x, y, s, inI) { Tau = 1 / (sigma * sigma), TauS = 1 / (sigma * sigma), Lambda = 0.5, PriorPrecision = 1e-10 };
var post = seed.Fit();
var mean = post.Weights.GetMean();
var cov = post.Weights.GetVariance();
Console.WriteLine("Posterior over w (λ = 0.5, σ_s = σ, vague prior):");
Console.WriteLine($"  {"j",2} {"w_true",9} {"E[w_j]",9} {"sd",7}");
for (int j = 0; j < n; j++) Console.WriteLine($"  {j,2} {wTrue[j],9:F4} {mean[j],9:F4} {Math.Sqrt(cov[j, j]),7:F4}");
// Theorem A2's weighted least squares ŵ = (XᵀΣ⁻¹X)⁻¹Xᵀy', the reference formula of the Theorems project.
var theorem = new RegressionTheorem.Problem(x, y.ToArray(), s.ToArray(), inI, seed.Lambda, seed.Tau, seed.TauS);
Console.WriteLine($"  Theorem A2: |E[w] − (XᵀΣ⁻¹X)⁻¹Xᵀy'|∞ = {(mean - RegressionTheorem.generalisedLeastSquares(theorem)).AbsoluteMaximum():E2}");
Console.WriteLine($"  EP iterations: {post.Run.Iterations}, log evidence {post.LogEvidence:F3}");
var pred = post.Predict(xTest.Row(0));
Console.WriteLine($"  predictive at a test point: N({pred.GetMean():F3}, sd {Math.Sqrt(pred.GetVariance()):F3}); truth y = {yTest[0]:F3}");
Console.WriteLine();

// ---- 2. λ and σ_s by maximising the evidence ----
var grid = Enumerable.Range(0, 11).Select(k => Math.Round(0.05 + 0.09 * k, 2)).ToArray();
RegressionDistillation Model(double lambda, double sigmaS) =>
    new(x, y, s, inI) { Tau = 1 / (sigma * sigma), TauS = 1 / (sigmaS * sigmaS), Lambda = lambda, PriorPrecision = 1e-2 };
var selection = RegressionDistillation.SelectByEvidence(Model, grid, 0.01, 10);
Console.WriteLine("Evidence profile (σ_s optimised for each λ by golden-section search on log σ_s):");
Console.WriteLine($"  {"λ",5} {"σ_s*",8} {"σ_s*/√λ",8} {"log evidence",13}");
foreach (var r in selection.Profile)
    Console.WriteLine($"  {r.Lambda,5:F2} {r.SigmaS,8:F4} {r.SigmaS / Math.Sqrt(r.Lambda),8:F4} {r.LogEvidence,13:F3}{(r.Lambda == selection.Lambda ? "  <- max" : "")}");
Console.WriteLine($"Chosen: λ = {selection.Lambda}, σ_s = {selection.SigmaS:F4} (the teacher's terms act with precision λ/σ_s² = "
                  + $"{selection.Lambda / (selection.SigmaS * selection.SigmaS):F2}; the true teacher precision is {1 / (teacherSigma * teacherSigma):F2})");
Console.WriteLine("Only λτ_s and (1−λ)τ are identified by the normalised model, so the evidence prefers a small λ (keeping the");
Console.WriteLine("y terms at their true precision) and a σ_s that makes λτ_s match the teacher's noise.");
Console.WriteLine();

// ---- 3. What it buys on held-out data ----
double Rmse(Vector<double> w) => Math.Sqrt((xTest * w - yTest).PointwiseMultiply(xTest * w - yTest).Average());
var noTeacher = Model(0, 1).Fit().Weights.GetMean();
var chosen = Model(selection.Lambda, selection.SigmaS).Fit().Weights.GetMean();
Console.WriteLine($"Test RMSE ({mTest} points; noise floor {sigma}):");
Console.WriteLine($"  without the teacher (λ = 0)      {Rmse(noTeacher):F4}");
Console.WriteLine($"  seed setting (λ = 0.5, σ_s = σ)  {Rmse(mean):F4}");
Console.WriteLine($"  evidence-chosen λ, σ_s           {Rmse(chosen):F4}");
Console.WriteLine($"  |E[w] − w_true|: {(noTeacher - wTrue).L2Norm():F4} / {(mean - wTrue).L2Norm():F4} / {(chosen - wTrue).L2Norm():F4}");
