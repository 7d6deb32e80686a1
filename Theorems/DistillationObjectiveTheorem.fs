/// Theorem A1-d of seed 000 (methods.md §1.1): the weighted log-likelihood objective
///   Σ_{i∉I} log g_{y_i}|_{T=1} + (1−λ) Σ_{i∈I} log g_{y_i}|_{T=1} + λ Σ_{i∈I} Σ_k s_ik log g_k|_{T=T0}
/// equals −½ L_st (Hinton's loss) when I = all and λ = ½, for any T0, and the maximum-likelihood objective
/// Σ_i log g_{y_i} when I is empty. Objectives work on plain arrays of logits with a stable log-softmax.
module Probabilistic.Theorems.DistillationObjectiveTheorem

open Probabilistic.Theorems.Numerics

/// A distillation batch: student logits z_i, teacher logits v_i, labels y_i, privileged set I.
type Batch =
    { StudentLogits: float[][]
      TeacherLogits: float[][]
      Labels: int[]
      Privileged: bool[] }

/// Hinton/LUPI loss L_st = −Σ_i log g_{y_i}|_{T=1} − Σ_i Σ_k f_k|_{T0} log g_k|_{T0}.
let hintonLoss (t0: float) (b: Batch) =
    Array.init b.Labels.Length (fun i ->
        let hard = (logSoftmax 1.0 b.StudentLogits.[i]).[b.Labels.[i]]
        let soft = Array.map2 (*) (softmax t0 b.TeacherLogits.[i]) (logSoftmax t0 b.StudentLogits.[i]) |> Array.sum
        -hard - soft)
    |> Array.sum

/// The seed's three-term objective (to be maximised), with teacher targets s_i = softmax_{T0}(v_i).
let threeTermObjective (lambda: float) (t0: float) (b: Batch) =
    Array.init b.Labels.Length (fun i ->
        let hard = (logSoftmax 1.0 b.StudentLogits.[i]).[b.Labels.[i]]
        if b.Privileged.[i] then
            let soft = Array.map2 (*) (softmax t0 b.TeacherLogits.[i]) (logSoftmax t0 b.StudentLogits.[i]) |> Array.sum
            (1.0 - lambda) * hard + lambda * soft
        else hard)
    |> Array.sum

/// Maximum-likelihood objective Σ_i log g_{y_i} written directly as z_{y} − log Σ_k e^{z_k}.
let maximumLikelihood (b: Batch) =
    Array.init b.Labels.Length (fun i ->
        let z = b.StudentLogits.[i]
        let m = Array.max z
        z.[b.Labels.[i]] - m - log (z |> Array.sumBy (fun v -> exp (v - m))))
    |> Array.sum

/// I = all, λ = ½: objective = −½ L_st. Gap relative.
let halfHinton (t0: float) (b: Batch) =
    let all = { b with Privileged = Array.create b.Labels.Length true }
    Discrepancy.relative (threeTermObjective 0.5 t0 all) (-0.5 * hintonLoss t0 all)

/// I = ∅ (any λ): objective = maximum likelihood. Gap relative.
let emptyPrivilegedIsMaximumLikelihood (lambda: float) (t0: float) (b: Batch) =
    let none = { b with Privileged = Array.create b.Labels.Length false }
    Discrepancy.relative (threeTermObjective lambda t0 none) (maximumLikelihood none)

/// A batch with a temperature T0 and a weight λ.
type ObjectiveCase = { Batch: Batch; T0: float; Lambda: float }

/// m = 1..20 objects, K = 2..10 classes, logits in [−10, 10], T0 ∈ [0.1, 20], λ ∈ [0, 1], random I.
let objectiveCases : FsCheck.Gen<ObjectiveCase> =
    let logit = FsCheck.FSharp.Gen.choose (-1000, 1000) |> FsCheck.FSharp.Gen.map (fun i -> float i / 100.0)
    FsCheck.FSharp.GenBuilder.gen {
        let! m = FsCheck.FSharp.Gen.choose (1, 20)
        let! k = FsCheck.FSharp.Gen.choose (2, 10)
        let rows = FsCheck.FSharp.Gen.arrayOfLength m (FsCheck.FSharp.Gen.arrayOfLength k logit)
        let! z = rows
        let! v = rows
        let! y = FsCheck.FSharp.Gen.arrayOfLength m (FsCheck.FSharp.Gen.choose (0, k - 1))
        let! privileged = FsCheck.FSharp.Gen.arrayOfLength m (FsCheck.FSharp.Gen.elements [ true; false ])
        let! t0 = FsCheck.FSharp.Gen.choose (1, 200)
        let! lambda = FsCheck.FSharp.Gen.choose (0, 100)
        return
            { Batch = { StudentLogits = z; TeacherLogits = v; Labels = y; Privileged = privileged }
              T0 = float t0 / 10.0
              Lambda = float lambda / 100.0 }
    }

/// Shrinks to fewer objects.
let objectiveCaseArb =
    FsCheck.FSharp.Arb.fromGenShrink (
        objectiveCases,
        fun c ->
            let b = c.Batch
            seq {
                if b.Labels.Length > 1 then
                    yield { c with Batch = { StudentLogits = b.StudentLogits.[1..]; TeacherLogits = b.TeacherLogits.[1..]; Labels = b.Labels.[1..]; Privileged = b.Privileged.[1..] } }
            })
