/// Theorem A1-d of seed 000 (methods.md §1.1): the weighted log-likelihood objective
///   Σ_{i∉I} log g_{y_i}|_{T=1} + (1−λ) Σ_{i∈I} log g_{y_i}|_{T=1} + λ Σ_{i∈I} Σ_k s_ik log g_k|_{T=T0}
/// equals −½ L_st (Hinton's loss) when I = all and λ = ½, for any T0, and the maximum-likelihood objective
/// Σ_i log g_{y_i} when I is empty. This module gives the reference formulas (plain arrays of logits, a stable
/// log-softmax in double) and checks the two statements on the product's loss, so the verdicts are about the code
/// that trains the students, not an identity between two helpers.
module Probabilistic.Theorems.DistillationObjectiveTheorem

open System
open Probabilistic.Core.Random
open Probabilistic.Nn.Tensors
// The production classification losses (ProbabilisticDistillation, DistillationSettings, NormalizerTerm); after their
// move to Model.Distill this line becomes `open Probabilistic.Distill.Output` (and Theorems.fsproj references Model.Distill).
open Probabilistic.Distill.Output
open Probabilistic.Theorems.Numerics

/// A distillation batch: student logits z_i, the teacher's probabilities s_i (rows outside I are ignored by the
/// objectives), labels y_i and the privileged set I.
type Batch =
    { StudentLogits: float[][]
      Teacher: float[][]
      Labels: int[]
      Privileged: bool[] }

/// log g_y at T = 1: the label's log-likelihood under softmax(z).
let hardTerm (z: float[]) (y: int) = (logSoftmax 1.0 z).[y]

/// Σ_k s_k log g_k with g = softmax(z/T): the teacher term of one object (to be maximised).
let softTerm (t: float) (z: float[]) (s: float[]) = Array.map2 (*) s (logSoftmax t z) |> Array.sum

/// One object's term of the seed's objective: log g_y, or (1−λ) log g_y + λ Σ_k s_k log g_k|_{T0} when it is in I.
let seedObjectiveTerm (lambda: float) (t0: float) (privileged: bool) (z: float[]) (y: int) (s: float[]) =
    let hard = hardTerm z y
    if privileged then (1.0 - lambda) * hard + lambda * softTerm t0 z s else hard

/// The seed's three-term objective (to be maximised).
let seedObjective (lambda: float) (t0: float) (b: Batch) =
    Array.init b.Labels.Length (fun i -> seedObjectiveTerm lambda t0 b.Privileged.[i] b.StudentLogits.[i] b.Labels.[i] b.Teacher.[i])
    |> Array.sum

/// Hinton/LUPI loss over every object: L_st = −Σ_i log g_{y_i}|_{T=1} − Σ_i Σ_k s_ik log g_k|_{T0}.
let hintonLoss (t0: float) (b: Batch) =
    Array.init b.Labels.Length (fun i -> -(hardTerm b.StudentLogits.[i] b.Labels.[i]) - softTerm t0 b.StudentLogits.[i] b.Teacher.[i])
    |> Array.sum

/// One object's term of Hinton's baseline loss (before the batch mean): w·CE + λ·T²·KL(s ‖ softmax(z/T)) in I
/// (w = 1 − λ), CE elsewhere.
let hintonKlTerm (lambda: float) (t: float) (privileged: bool) (z: float[]) (y: int) (s: float[]) =
    let ce = -(hardTerm z y)
    if privileged then
        let entropyPart = s |> Array.sumBy (fun v -> if v > 0.0 then v * log v else 0.0)
        (1.0 - lambda) * ce + lambda * t * t * (entropyPart - softTerm t z s)
    else ce

/// Hinton's loss as the library's baseline defines it: the batch mean of w_i·CE_i + λ·T²·KL(s_i ‖ softmax(z_i/T)),
/// w_i = 1 − λ on I and 1 elsewhere; the KL term only on I.
let hintonKlLoss (lambda: float) (t: float) (b: Batch) =
    (Array.init b.Labels.Length (fun i -> hintonKlTerm lambda t b.Privileged.[i] b.StudentLogits.[i] b.Labels.[i] b.Teacher.[i]) |> Array.sum)
    / float b.Labels.Length

/// Maximum-likelihood objective Σ_i log g_{y_i} written directly as z_y − log Σ_k e^{z_k}.
let maximumLikelihood (b: Batch) =
    Array.init b.Labels.Length (fun i ->
        let z = b.StudentLogits.[i]
        let m = Array.max z
        z.[b.Labels.[i]] - m - log (z |> Array.sumBy (fun v -> exp (v - m))))
    |> Array.sum

/// The paper's fourth term for one object, −Σ_k [log ĝ_k + log(−log ĝ_k)] with ĝ = softmax(z/T) clamped to
/// [ε, 1 − ε] (the authors' code), added to the loss with weight λ.
let paperNormaliserTerm (epsilon: float) (t: float) (z: float[]) =
    -(logSoftmax t z |> Array.sumBy (fun l -> let l = Math.Clamp(l, log epsilon, log (1.0 - epsilon)) in l + log (-l)))

/// The corrected fourth term for one object, + log Z(softmax(z/T)) with Z by Gauss–Legendre quadrature over the
/// simplex (ContinuousCategoricalTheorem.quadratureZ, 40 points a dimension: K ≤ 4).
let correctedNormaliserTerm (t: float) (z: float[]) = log (ContinuousCategoricalTheorem.quadratureZ 40 (softmax t z))

/// A batch with a temperature T0 and a weight λ.
type ObjectiveCase = { Batch: Batch; T0: float; Lambda: float }

/// x rounded to the nearest float32 (the product's tensors hold float32), so both sides see the same numbers.
let toSingle (x: float) = float (float32 x)

/// m = 1..maxObjects objects, K in [2, maxClasses], student and teacher logits in [−10, 10] (hundredths), s = softmax(v/T0),
/// T0 ∈ [0.1, 20], λ ∈ [0, 1], random I; every number is a float32.
let objectiveCaseWith (maxObjects: int) (maxClasses: int) (rng: Rng) : ObjectiveCase =
    let m = Cases.between rng 1 maxObjects
    let k = Cases.between rng 2 maxClasses
    let logits () = Array.init m (fun _ -> Array.init k (fun _ -> toSingle (float (Cases.between rng -1000 1000) / 100.0)))
    let z = logits ()
    let v = logits ()
    let y = Array.init m (fun _ -> rng.NextInt k)
    let privileged = Array.init m (fun _ -> Cases.coin rng)
    let t0 = float (Cases.between rng 1 200) / 10.0
    let lambda = float (Cases.between rng 0 100) / 100.0
    { Batch = { StudentLogits = z; Teacher = v |> Array.map (softmax t0 >> Array.map toSingle); Labels = y; Privileged = privileged }
      T0 = t0
      Lambda = lambda }

/// Objective cases with m = 1..20 objects and K = 2..10 classes.
let objectiveCase rng = objectiveCaseWith 20 10 rng

/// The product's probabilistic loss (ProbabilisticDistillation) on a batch, in double.
let productLoss (settings: DistillationSettings) (normaliser: NormalizerTerm) (b: Batch) =
    let n, k = b.Labels.Length, b.StudentLogits.[0].Length
    let logits = Tensor.FromArray(ReadOnlySpan(b.StudentLogits |> Array.concat |> Array.map float32), n, k)
    let teacher = b.Teacher |> Array.concat |> Array.map float32
    float ((ProbabilisticDistillation(settings, normaliser)).Loss(logits, ReadOnlySpan b.Labels, ReadOnlySpan teacher, ReadOnlySpan b.Privileged).Item())

/// Settings of the formula's objective: per-object sums, no fourth term, student temperature T0.
let formulaSettings (lambda: float) (t0: float) =
    DistillationSettings(lambda, StudentTemperature = t0, Reduction = DistillationReduction.PerObjectSum, IncludeNormalizer = false)

/// I = all, λ = ½: the product's loss (the negated objective) = ½ L_st. Gap relative.
let productIsHalfHinton (c: ObjectiveCase) =
    let all = { c.Batch with Privileged = Array.create c.Batch.Labels.Length true }
    Discrepancy.relative (productLoss (formulaSettings 0.5 c.T0) NormalizerTerm.None all) (0.5 * hintonLoss c.T0 all)

/// I = ∅ (any λ): the product's loss = −(maximum-likelihood objective). Gap relative.
let productWithEmptySetIsMaximumLikelihood (c: ObjectiveCase) =
    let none = { c.Batch with Privileged = Array.create c.Batch.Labels.Length false }
    Discrepancy.relative (productLoss (formulaSettings c.Lambda c.T0) NormalizerTerm.None none) (-(maximumLikelihood none))
