/// Model.Infer's engines on generated models: EP is exact on linear-Gaussian models (posterior and evidence equal
/// the closed-form Bayesian linear regression, computed here with MathNet), the regression distillation posterior
/// mean is Theorem A2's weighted least squares under a vague prior, and VMP's bound never decreases over iterations
/// (logistic and softmax regression, the classification distillation model with soft labels, and linear regression
/// with an unknown noise precision).
module Probabilistic.PropertyTests.InferenceProperties

open System
open FsCheck
open FsCheck.FSharp
open MathNet.Numerics.LinearAlgebra
open Xunit
open Probabilistic.Core.Random
open Probabilistic.Infer.Distillation
open Probabilistic.Infer.Distributions
open Probabilistic.Infer.Graph
open Probabilistic.Theorems
open Probabilistic.Theorems.Cases
open Probabilistic.PropertyTests.Generators
open Probabilistic.PropertyTests.Run

/// A linear-Gaussian model: prior N(m0, P0⁻¹) over w, observations y = Xw + noise of precision τ.
type LinearGaussianCase =
    { X: Matrix<float>
      Y: float[]
      PriorMean: Vector<float>
      PriorPrecision: Matrix<float>
      Tau: float }

/// m = 1..30 objects, n = 1..5 features, a prior precision with condition number up to 10², τ ∈ [0.2, 5].
let linearGaussianCase (rng: Rng) =
    let m = between rng 1 30
    let n = between rng 1 5
    let spd = spdCaseOfSize n 2.0 rng
    let scale = exp (rng.Uniform(log 0.1, log 10.0))
    { X = Matrix<float>.Build.Dense(m, n, fun _ _ -> rng.Normal())
      Y = Array.init m (fun _ -> rng.Normal(0.0, 2.0))
      PriorMean = Vector<float>.Build.Dense(n, fun _ -> rng.Normal())
      PriorPrecision = (spdMatrix spd).Inverse() * scale
      Tau = exp (rng.Uniform(log 0.2, log 5.0)) }

/// The closed form: P = P0 + τXᵀX, mean = P⁻¹(P0 m0 + τXᵀy), evidence log N(y; X m0, X P0⁻¹ Xᵀ + I/τ).
let closedForm (c: LinearGaussianCase) =
    let p = c.PriorPrecision + c.X.TransposeThisAndMultiply(c.X) * c.Tau
    let cov = p.Inverse()
    let mean = cov * (c.PriorPrecision * c.PriorMean + c.X.TransposeThisAndMultiply(Vector<float>.Build.Dense c.Y) * c.Tau)
    let m = c.X.RowCount
    let marginal = c.X * c.PriorPrecision.Inverse() * c.X.Transpose() + Matrix<float>.Build.DenseIdentity(m) / c.Tau
    let d = Vector<float>.Build.Dense c.Y - c.X * c.PriorMean
    let chol = marginal.Cholesky()
    let logEvidence = -0.5 * (float m * log (2.0 * Math.PI) + chol.DeterminantLn + d.DotProduct(chol.Solve d))
    mean, cov, logEvidence

/// Rows of a matrix as vectors (the observed inputs of a plate).
let private rows (x: Matrix<float>) = Array.init x.RowCount (fun i -> x.Row i)

[<Fact>]
let ``EP is exact on linear-Gaussian models: posterior mean, covariance and evidence equal the closed form`` () =
    check 200 61UL (
        Prop.forAll (arbitrary linearGaussianCase (fun _ -> Seq.empty)) (fun c ->
            let i = Range(c.X.RowCount)
            let w = Variable.VectorGaussianFromMeanAndPrecision(c.PriorMean, c.PriorPrecision)
            let x = Variable.Observed(rows c.X, i)
            let y = Variable.Array<float>(i)
            y.[i] <- Variable.GaussianFromMeanAndPrecision(Variable.InnerProduct(w, x.[i]), Variable.Constant c.Tau)
            y.ObservedValue <- c.Y
            let result = InferenceEngine(ExpectationPropagation(), ShowWarnings = false).Run(w)
            let posterior = result.Marginal<VectorGaussian>(w)
            let mean, cov, logEvidence = closedForm c
            let dm = Discrepancy.scaled (posterior.GetMean().ToArray()) (mean.ToArray())
            let dc = Discrepancy.scaled (posterior.GetVariance().ToColumnMajorArray()) (cov.ToColumnMajorArray())
            let de = abs (result.LogEvidence - logEvidence) / (1.0 + abs logEvidence)
            (dm.Gap <= 1e-9 && dc.Gap <= 1e-9 && de <= 1e-9)
            |> Prop.label $"mean {dm}; covariance {dc}; evidence {result.LogEvidence} vs {logEvidence}"))

[<Fact>]
let ``Regression distillation posterior mean under a vague prior is Theorem A2's weighted least squares (both tempering forms)`` () =
    check 200 62UL (
        Prop.forAll problemCases (fun c ->
            let p = RegressionTheorem.problemOf c
            let wHat = (RegressionTheorem.generalisedLeastSquares p).ToArray()
            let fit form =
                RegressionDistillation(p.X, Vector<float>.Build.Dense p.Y, Vector<float>.Build.Dense p.S, p.Privileged,
                    Tau = p.Tau, TauS = p.TauS, Lambda = p.Lambda, PriorPrecision = 1e-12, Tempering = form).Fit()
            let gaps = [ TemperingForm.Normalised; TemperingForm.Power ] |> List.map (fun form -> Discrepancy.scaled ((fit form).Weights.GetMean().ToArray()) wHat)
            gaps |> List.forall (fun d -> d.Gap <= 1e-7) |> Prop.label $"%A{gaps}"))

/// A classification data set: inputs, labels, the teacher's soft labels, the privileged set and the prior precision.
type ClassificationCase =
    { Inputs: Matrix<float>
      Labels: int[]
      Soft: Vector<float>[]
      Privileged: bool[]
      Classes: int
      Prior: float
      Lambda: float }

/// m = 5..40 objects, n = 1..4 features, K = 2..4 classes, labels drawn from a random softmax model with weights
/// of scale 0.3..3, soft labels at teacher temperature 2, prior precision 0.1..10, λ ∈ [0, 1].
let classificationCase (rng: Rng) =
    let m = between rng 5 40
    let n = between rng 1 4
    let k = between rng 2 4
    let x = Matrix<float>.Build.Dense(m, n, fun _ _ -> rng.Normal())
    let w = Matrix<float>.Build.Dense(n, k, fun _ _ -> rng.Normal()) * exp (rng.Uniform(log 0.3, log 3.0))
    let logits = x * w
    let labels = Array.init m (fun i -> Discrete.FromLogProbabilities(ReadOnlySpan(logits.Row(i).ToArray())).Sample rng)
    let soft = Array.init m (fun i -> Vector<float>.Build.Dense(Numerics.softmax 2.0 (logits.Row(i).ToArray())))
    { Inputs = x
      Labels = labels
      Soft = soft
      Privileged = Array.init m (fun _ -> coin rng)
      Classes = k
      Prior = exp (rng.Uniform(log 0.1, log 10.0))
      Lambda = rng.NextDouble() }

let private classificationCases = arbitrary classificationCase (fun _ -> Seq.empty)

/// Every bound at least its predecessor (up to 1e-9 relative rounding), with at least two iterations recorded.
let private nonDecreasing (bounds: Collections.Generic.IReadOnlyList<float>) =
    let drops =
        [ for t in 1 .. bounds.Count - 1 do
              if bounds.[t] < bounds.[t - 1] - 1e-9 * abs bounds.[t - 1] then yield t, bounds.[t - 1], bounds.[t] ]
    (bounds.Count >= 2 && drops.IsEmpty) |> Prop.label $"{bounds.Count} bounds; drops (iteration, before, after): %A{drops}"

[<Fact>]
let ``VMP bound never decreases: logistic regression (Jaakkola bound)`` () =
    check 200 63UL (
        Prop.forAll classificationCases (fun c ->
            let i = Range(c.Inputs.RowCount)
            let n = c.Inputs.ColumnCount
            let w = Variable.VectorGaussianFromMeanAndPrecision(Vector<float>.Build.Dense n, Matrix<float>.Build.DenseIdentity n * c.Prior)
            let x = Variable.Observed(rows c.Inputs, i)
            let y = Variable.Array<bool>(i)
            y.[i] <- Variable.BernoulliFromLogOdds(Variable.InnerProduct(w, x.[i]))
            y.ObservedValue <- c.Labels |> Array.map (fun l -> l = 0)
            let result = InferenceEngine(VariationalMessagePassing(), NumberOfIterations = 30, ShowWarnings = false).Run(w)
            nonDecreasing result.BoundHistory))

[<Fact>]
let ``VMP bound never decreases: softmax regression (Böhning bound)`` () =
    check 200 64UL (
        Prop.forAll classificationCases (fun c ->
            let i = Range(c.Inputs.RowCount)
            let k = Range(c.Classes)
            let n = c.Inputs.ColumnCount
            let w = Variable.Array<Vector<float>>(k)
            w.[k] <- Variable.VectorGaussianFromMeanAndPrecision(Vector<float>.Build.Dense n, Matrix<float>.Build.DenseIdentity n * c.Prior)
            let x = Variable.Observed(rows c.Inputs, i)
            let y = Variable.Array<int>(i)
            y.[i] <- Variable.DiscreteFromLinearSoftmax(w, x.[i])
            y.ObservedValue <- c.Labels
            let result = InferenceEngine(VariationalMessagePassing(), NumberOfIterations = 30, ShowWarnings = false).Run(w)
            nonDecreasing result.BoundHistory))

[<Fact>]
let ``VMP bound never decreases: classification distillation with tempered labels and soft labels`` () =
    check 200 65UL (
        Prop.forAll classificationCases (fun c ->
            let model =
                ClassificationDistillation(c.Inputs, c.Labels, c.Soft, c.Privileged, c.Classes,
                    Lambda = c.Lambda, PriorPrecision = c.Prior, Iterations = 30, Tolerance = 1e-12)
            nonDecreasing (model.Fit().Run.BoundHistory)))

[<Fact>]
let ``VMP bound never decreases: linear regression with an unknown noise precision (Gamma)`` () =
    check 200 66UL (
        Prop.forAll problemCases (fun c ->
            let p = RegressionTheorem.problemOf c
            let n = p.X.ColumnCount
            let i = Range(p.X.RowCount)
            let w = Variable.VectorGaussianFromMeanAndPrecision(Vector<float>.Build.Dense n, Matrix<float>.Build.DenseIdentity n * p.Tau)
            let tau = Variable.GammaFromShapeAndRate(1.0 + p.Lambda, p.TauS)
            let x = Variable.Observed(rows p.X, i)
            let y = Variable.Array<float>(i)
            y.[i] <- Variable.GaussianFromMeanAndPrecision(Variable.InnerProduct(w, x.[i]), tau)
            y.ObservedValue <- p.Y
            let result = InferenceEngine(VariationalMessagePassing(), NumberOfIterations = 30, ShowWarnings = false).Run(w, tau)
            nonDecreasing result.BoundHistory))
