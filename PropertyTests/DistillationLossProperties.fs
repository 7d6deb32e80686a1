/// The product's distillation losses (values and hand-written gradients) against the reference formulas of
/// Theorems: the probabilistic objective of methods.md §1.1 with each fourth term, Hinton's baseline and the
/// regression objective J of Theorem A2. Gradients are compared with central finite differences of the references
/// (in double); the product computes in double and stores float32, hence the tolerances.
module Probabilistic.PropertyTests.DistillationLossProperties

open System
open FsCheck.FSharp
open Xunit
open Probabilistic.Nn.Tensors
// The production losses; after their move to Model.Distill this line becomes `open Probabilistic.Distill.Output`
// (and PropertyTests.fsproj references Model.Distill).
open Probabilistic.Distill.Output
open Probabilistic.Theorems
open Probabilistic.Theorems.DistillationObjectiveTheorem
open Probabilistic.PropertyTests.Generators
open Probabilistic.PropertyTests.Run

/// The loss of <paramref name="loss"/> on the batch's logits and its gradient with respect to them, in double.
let private lossAndGradient (loss: Tensor -> int[] -> float32[] -> bool[] -> Tensor) (b: Batch) =
    let n, k = b.Labels.Length, b.StudentLogits.[0].Length
    let logits = Tensor.FromArray(ReadOnlySpan(b.StudentLogits |> Array.concat |> Array.map float32), n, k)
    logits.RequiresGrad <- true
    let teacher = b.Teacher |> Array.concat |> Array.map float32
    let value = loss logits b.Labels teacher b.Privileged
    value.Backward()
    float (value.Item()), (nonNull logits.Grad).ToArray() |> Array.map float

/// A reference loss written as a sum over objects: row i's term given that object's logits.
type private RowReference = int -> float[] -> float

/// The reference loss of the batch.
let private total (b: Batch) (row: RowReference) = Array.init b.Labels.Length (fun i -> row i b.StudentLogits.[i]) |> Array.sum

/// Central finite differences (step 1e-5) of a reference loss with respect to every student logit (row by row:
/// logit (i, j) moves only row i's term).
let private finiteDifferences (b: Batch) (row: RowReference) =
    let h = 1e-5
    [| for i in 0 .. b.Labels.Length - 1 do
           let z = b.StudentLogits.[i]
           for j in 0 .. z.Length - 1 do
               let shifted d = z |> Array.mapi (fun c v -> if c = j then v + d else v)
               yield (row i (shifted h) - row i (shifted -h)) / (2.0 * h) |]

/// The loss value within <paramref name="valueTolerance"/> (relative) and the gradient within
/// <paramref name="gradientTolerance"/> (scaled by 1 + its largest entry) of the reference.
let private matchesReference valueTolerance gradientTolerance (value: float, gradient: float[]) (b: Batch) (row: RowReference) =
    let v = Discrepancy.relative value (total b row)
    let g = Discrepancy.scaled gradient (finiteDifferences b row)
    (v.Gap <= valueTolerance && g.Gap <= gradientTolerance)
    |> Prop.label $"value {v.Lhs} vs {v.Rhs} (gap {v.Gap}); gradient {g.Lhs} vs {g.Rhs} (gap {g.Gap})"

let private perObjectSum lambda t includeNormaliser =
    DistillationSettings(lambda, StudentTemperature = t, Reduction = DistillationReduction.PerObjectSum, IncludeNormalizer = includeNormaliser)

/// The formula's loss, per-object sums: the negated three-term objective plus λ times the fourth term on I.
let private withNormaliser (normaliser: float[] -> float) (lambda: float) (t: float) (b: Batch) : RowReference =
    fun i z ->
        let privileged = b.Privileged.[i]
        -(seedObjectiveTerm lambda t privileged z b.Labels.[i] b.Teacher.[i]) + (if privileged then lambda * normaliser z else 0.0)

/// The loss under the authors' code reduction: hard terms (weight 1 − λ on I, 1 elsewhere) over the batch mean, the
/// teacher terms and the fourth term with weight λ over the B·K elements.
let private codeBatchMean (normaliser: float[] -> float) (lambda: float) (t: float) (b: Batch) : RowReference =
    let n = float b.Labels.Length
    fun i z ->
        let k = float z.Length
        let hard = -(hardTerm z b.Labels.[i])
        if b.Privileged.[i] then (1.0 - lambda) * hard / n + lambda / (n * k) * (normaliser z - softTerm t z b.Teacher.[i])
        else hard / n

[<Fact>]
let ``Probabilistic loss without the fourth term is the negated three-term objective, value and gradient, any λ, I, T0`` () =
    check 200 51UL (
        Prop.forAll objectiveCases (fun c ->
            let loss = ProbabilisticDistillation(perObjectSum c.Lambda c.T0 false, NormalizerTerm.None)
            matchesReference 1e-7 1e-6 (lossAndGradient (fun z y s i -> loss.Loss(z, ReadOnlySpan y, ReadOnlySpan s, ReadOnlySpan i)) c.Batch)
                c.Batch (withNormaliser (fun _ -> 0.0) c.Lambda c.T0 c.Batch)))

[<Fact>]
let ``Probabilistic loss with the paper's clamped fourth term matches its formula`` () =
    // Values only: the clamp makes the term non-differentiable, and its slope 1 + 1/ℓ is unbounded as g → 1.
    check 200 52UL (
        Prop.forAll objectiveCases (fun c ->
            let loss = ProbabilisticDistillation(perObjectSum c.Lambda c.T0 true, NormalizerTerm.Paper)
            let value, _ = lossAndGradient (fun z y s i -> loss.Loss(z, ReadOnlySpan y, ReadOnlySpan s, ReadOnlySpan i)) c.Batch
            let d = Discrepancy.relative value (total c.Batch (withNormaliser (paperNormaliserTerm loss.Settings.ClampEpsilon c.T0) c.Lambda c.T0 c.Batch))
            d.Gap <= 1e-7 |> Prop.label $"{d}"))

/// Student temperature for the corrected term: at least T0, and large enough that no row's z/T spans more than 20
/// (there the 40-point quadrature of Z is accurate to ~1e-12).
let private quadratureTemperature (c: ObjectiveCase) =
    let spread = c.Batch.StudentLogits |> Array.map (fun z -> Array.max z - Array.min z) |> Array.max
    max c.T0 (spread / 20.0)

[<Fact>]
let ``Probabilistic loss with the corrected fourth term adds λ log Z(g), Z by quadrature (K ≤ 4), value and gradient`` () =
    check 200 53UL (
        Prop.forAll smallObjectiveCases (fun c ->
            let t = quadratureTemperature c
            let loss = ProbabilisticDistillation(perObjectSum c.Lambda t true, NormalizerTerm.Corrected)
            matchesReference 2e-7 1e-6 (lossAndGradient (fun z y s i -> loss.Loss(z, ReadOnlySpan y, ReadOnlySpan s, ReadOnlySpan i)) c.Batch)
                c.Batch (withNormaliser (correctedNormaliserTerm t) c.Lambda t c.Batch)))

[<Fact>]
let ``Probabilistic loss under the code's batch-mean reduction, corrected term, value and gradient`` () =
    check 200 54UL (
        Prop.forAll smallObjectiveCases (fun c ->
            let t = quadratureTemperature c
            let settings = DistillationSettings(c.Lambda, StudentTemperature = t, Reduction = DistillationReduction.CodeBatchMean)
            let loss = ProbabilisticDistillation(settings, NormalizerTerm.Corrected)
            matchesReference 2e-7 1e-6 (lossAndGradient (fun z y s i -> loss.Loss(z, ReadOnlySpan y, ReadOnlySpan s, ReadOnlySpan i)) c.Batch)
                c.Batch (codeBatchMean (correctedNormaliserTerm t) c.Lambda t c.Batch)))

[<Fact>]
let ``Hinton's loss is the batch mean of (1 − λ)CE + λT²KL on I and CE elsewhere, value and gradient`` () =
    check 200 55UL (
        Prop.forAll objectiveCases (fun c ->
            let loss = HintonDistillation(DistillationSettings(c.Lambda, StudentTemperature = c.T0))
            // The KL form is non-negative and can be tiny: compare its value on the scale of the CE terms.
            let value, gradient = lossAndGradient (fun z y s i -> loss.Loss(z, ReadOnlySpan y, ReadOnlySpan s, ReadOnlySpan i)) c.Batch
            let reference = hintonKlLoss c.Lambda c.T0 c.Batch
            let v = abs (value - reference) / (1.0 + abs reference)
            let b = c.Batch
            let n = float b.Labels.Length
            let g = Discrepancy.scaled gradient (finiteDifferences b (fun i z -> hintonKlTerm c.Lambda c.T0 b.Privileged.[i] z b.Labels.[i] b.Teacher.[i] / n))
            (v <= 1e-7 && g.Gap <= 1e-6) |> Prop.label $"value {value} vs {reference}; gradient gap {g}"))

[<Fact>]
let ``Regression loss is Theorem A2's J at the predictions, value and gradient`` () =
    check 200 56UL (
        Prop.forAll problemCases (fun c ->
            let p0 = RegressionTheorem.problemOf c
            let single = Array.map toSingle
            let p = { p0 with Y = single p0.Y; S = single p0.S }
            let rng = Probabilistic.Core.Random.Rng(uint64 c.Seed + 7UL)
            let g = Array.init p.Y.Length (fun _ -> toSingle (rng.Normal()))
            let settings =
                DistillationSettings(p.Lambda, Reduction = DistillationReduction.PerObjectSum, Precision = p.Tau, TeacherPrecision = p.TauS)
            let predictions = Tensor.FromArray(ReadOnlySpan(g |> Array.map float32), g.Length)
            predictions.RequiresGrad <- true
            let value = RegressionDistillation(settings).Loss(predictions, ReadOnlySpan(p.Y |> Array.map float32), ReadOnlySpan(p.S |> Array.map float32), ReadOnlySpan p.Privileged)
            value.Backward()
            let h = 1e-5
            let fd =
                Array.init g.Length (fun i ->
                    let shifted d = g |> Array.mapi (fun j v -> if j = i then v + d else v)
                    (RegressionTheorem.objectiveAt p (shifted h) - RegressionTheorem.objectiveAt p (shifted -h)) / (2.0 * h))
            let v = Discrepancy.relative (float (value.Item())) (RegressionTheorem.objectiveAt p g)
            let d = Discrepancy.scaled ((nonNull predictions.Grad).ToArray() |> Array.map float) fd
            // The product forms the residuals y − g in float32 before squaring them in double: each squared residual
            // carries up to ~2·2⁻²⁴ relative error, and the total one more rounding, so 3e-7 (not the 6e-8 of one rounding).
            (v.Gap <= 3e-7 && d.Gap <= 1e-6) |> Prop.label $"value {v}; gradient {d}"))
