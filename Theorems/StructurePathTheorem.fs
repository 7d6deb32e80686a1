/// Sequence theorem (thesis, methods.md §2.1): a smaller student structure with the same input and output sizes is
/// reached from the teacher by neuron removals φ and layer removals ψ. Checked on the C# StructurePlanner:
/// every plan ends at the student through valid structures, and the planner succeeds exactly when an independent
/// breadth-first search over single-neuron and single-layer removals (layer 1 excluded, see NetworkStructure)
/// can reach the student. The seed's claim "every structure with n_i ≤ n'_i is reachable" is refined: a removed
/// layer narrower than both of its final neighbours is a bottleneck that cannot be removed.
module Probabilistic.Theorems.StructurePathTheorem

open System.Collections.Generic
open Probabilistic.Core.Random
open Probabilistic.Distill.Bayesian
open Probabilistic.Theorems.Cases

/// A teacher and a candidate student (same input and output sizes, not deeper).
type StructurePair = { Teacher: int[]; Student: int[] }

/// Teachers with T = 1..4 layers and widths 1..6; students of depth 1..T with hidden widths 1..6.
let structurePair (rng: Rng) : StructurePair =
    let teacher = Cases.widths 1 4 6 rng
    let t = teacher.Length - 1
    let depth = between rng 1 t
    let hidden = Array.init (depth - 1) (fun _ -> between rng 1 6)
    { Teacher = teacher; Student = Array.concat [ [| teacher.[0] |]; hidden; [| teacher.[t] |] ] }

/// Structures reachable from the teacher by single removals (breadth-first search).
let reachable (teacher: int[]) =
    let seen = HashSet<string>()
    let key (w: int[]) = System.String.Join(",", w)
    let queue = Queue<int[]>([ teacher ])
    seen.Add(key teacher) |> ignore
    while queue.Count > 0 do
        let w = queue.Dequeue()
        let next =
            [ for t in 1 .. w.Length - 2 do
                  if w.[t] > 1 then
                      let n = Array.copy w
                      n.[t] <- n.[t] - 1
                      yield n
              for t in 2 .. w.Length - 1 do
                  if w.[t] = w.[t - 1] then yield Array.append w.[.. t - 1] w.[t + 1 ..] ]
        for n in next do
            if seen.Add(key n) then queue.Enqueue n
    seen

/// Gap 0 when the planner agrees with the search and its plan is valid and ends at the student; 1 otherwise.
/// Lhs = 1 if the planner produced a plan, Rhs = 1 if the search reaches the student.
let plannerIsCorrectAndComplete (p: StructurePair) =
    let searchReaches = (reachable p.Teacher).Contains(System.String.Join(",", p.Student))
    let plan =
        // Random neuron choices (seeded by the case) exercise the planner with a non-default chooser.
        let chooser = StructurePlanner.RandomNeurons(Probabilistic.Core.Random.Rng(uint64 (Array.sum p.Teacher * 31 + Array.sum p.Student)))
        try Some(StructurePlanner.Plan(NetworkStructure(p.Teacher), NetworkStructure(p.Student), chooser))
        with :? System.ArgumentException -> None
    let valid =
        match plan with
        | None -> not searchReaches
        | Some plan ->
            searchReaches
            && plan.Structures.[0].Equals(NetworkStructure(p.Teacher))
            && plan.Structures.[plan.Structures.Count - 1].Equals(NetworkStructure(p.Student))
            && Seq.forall2 (fun (step: AlignmentStep) i -> step.ApplyTo(plan.Structures.[i]).Equals(plan.Structures.[i + 1]))
                plan.Steps (seq { 0 .. plan.Steps.Count - 1 })
            && plan.Structures |> Seq.forall (fun s -> s.InputSize = p.Teacher.[0] && s.OutputSize = p.Teacher.[p.Teacher.Length - 1])
    { Lhs = (if plan.IsSome then 1.0 else 0.0); Rhs = (if searchReaches then 1.0 else 0.0); Gap = (if valid then 0.0 else 1.0) }

/// The student's hidden widths can be matched, in order, to teacher hidden layers at least as wide (greedy,
/// earliest match — optimal for order-preserving matchings). This is the premise "n_i ≤ n'_i" read for students
/// that may be shallower.
let widthDominated (p: StructurePair) =
    let teacherHidden = p.Teacher.[1 .. p.Teacher.Length - 2]
    let mutable next = 0
    let mutable ok = p.Teacher.[0] = p.Student.[0] && p.Teacher.[p.Teacher.Length - 1] = p.Student.[p.Student.Length - 1]
    for m in p.Student.[1 .. p.Student.Length - 2] do
        while next < teacherHidden.Length && teacherHidden.[next] < m do next <- next + 1
        if next >= teacherHidden.Length then ok <- false else next <- next + 1
    ok

/// Seed/thesis reading: every width-dominated student is reachable. Gap 1 when the search cannot reach it.
let seedEveryDominatedStudentIsReachable (p: StructurePair) =
    let reaches = (reachable p.Teacher).Contains(System.String.Join(",", p.Student))
    { Lhs = (if reaches then 1.0 else 0.0); Rhs = 1.0; Gap = (if reaches then 0.0 else 1.0) }
