/// FsCheck arbitraries over the theorem cases: FsCheck draws the seed of Theorems' Rng-based sampler (one
/// definition of every case distribution), and the shrinkers here reduce a failing case towards a smaller one
/// (fewer components, better conditioned, fewer objects) of the same kind.
module Probabilistic.PropertyTests.Generators

open System
open FsCheck
open FsCheck.FSharp
open Probabilistic.Core.Random
open Probabilistic.Theorems
open Probabilistic.Theorems.Cases

/// Cases of <paramref name="sampler"/> from an FsCheck-drawn seed.
let fromSampler (sampler: Rng -> 'T) : Gen<'T> =
    Gen.choose (0, Int32.MaxValue) |> Gen.map (fun seed -> sampler (Rng(uint64 seed)))

/// An arbitrary over <paramref name="sampler"/> with the given shrinker.
let arbitrary (sampler: Rng -> 'T) (shrink: 'T -> seq<'T>) = Arb.fromGenShrink (fromSampler sampler, shrink)

/// Shrinks towards fewer components and towards the centre of the simplex, staying in the same region.
let shrinkSimplexPoint (p: SimplexPoint) : seq<SimplexPoint> =
    seq {
        let k = p.G.Length
        if k > 2 then
            yield { p with G = normalise p.G.[.. k - 2] }
        if p.Region = Interior then
            let centred = p.G |> Array.map (fun v -> 0.5 * v + 0.5 / float k)
            if Array.exists2 (fun a b -> abs (a - b) > 1e-3) centred p.G then
                yield { p with G = centred }
    }

/// Simplex points with K from <paramref name="sizes"/> in the given regions.
let simplexPoints sizes regions = arbitrary (simplexPoint sizes regions) shrinkSimplexPoint

/// Well-separated interior points (K = 2..5). Shrinking by dropping a component keeps the separation.
let separatedPoints = arbitrary separatedPoint (shrinkSimplexPoint >> Seq.filter (fun p -> p.Region = Interior && p.G.Length < 6))

/// Shrinks the condition number towards 1 and the seed towards 0.
let shrinkSpdCase (c: SpdCase) : seq<SpdCase> =
    seq {
        if c.LogCondition > 0.0 then yield { c with LogCondition = floor (c.LogCondition / 2.0 * 10.0) / 10.0 }
        if c.Seed > 0 then yield { c with Seed = c.Seed / 2 }
    }

/// Shrinks one width by one (never below 1).
let shrinkWidths (widths: int[]) : seq<int[]> =
    seq {
        for i in 0 .. widths.Length - 1 do
            if widths.[i] > 1 then
                let w = Array.copy widths
                w.[i] <- w.[i] - 1
                yield w
    }

/// Neuron-removal cases; shrinks the covariance, then removes fewer neurons.
let neuronCases =
    arbitrary NeuronRemovalTheorem.neuronCase (fun c ->
        seq {
            for cov in shrinkSpdCase c.Covariance -> { c with Covariance = cov }
            if c.Neurons.Length > 1 then yield { c with Neurons = c.Neurons.[1..] }
        })

/// Layer-removal cases; shrinks the covariance.
let layerCases =
    arbitrary LayerRemovalTheorem.layerCase (fun c ->
        shrinkSpdCase c.Covariance |> Seq.map (fun cov -> { c with Covariance = cov }))

/// Teacher/student structure pairs; shrinks hidden widths (input and output sizes kept).
let structurePairs =
    arbitrary StructurePathTheorem.structurePair (fun p ->
        let hiddenOnly (w: int[]) = shrinkWidths w |> Seq.filter (fun s -> s.[0] = w.[0] && s.[s.Length - 1] = w.[w.Length - 1])
        Seq.append
            (hiddenOnly p.Teacher |> Seq.map (fun t -> { p with Teacher = t }))
            (hiddenOnly p.Student |> Seq.map (fun s -> { p with Student = s })))

/// Drops the first object of a distillation batch.
let private shrinkObjectiveCase (c: DistillationObjectiveTheorem.ObjectiveCase) =
    let b = c.Batch
    seq {
        if b.Labels.Length > 1 then
            yield { c with Batch = { StudentLogits = b.StudentLogits.[1..]; Teacher = b.Teacher.[1..]; Labels = b.Labels.[1..]; Privileged = b.Privileged.[1..] } }
    }

/// Distillation batches with K = 2..10; shrinks to fewer objects.
let objectiveCases = arbitrary DistillationObjectiveTheorem.objectiveCase shrinkObjectiveCase

/// Distillation batches of 1..6 objects with K = 2..4 (where the quadrature reference of Z is cheap); shrinks to
/// fewer objects.
let smallObjectiveCases = arbitrary (DistillationObjectiveTheorem.objectiveCaseWith 6 4) shrinkObjectiveCase

/// Regression problem sizes and seeds; shrinks to fewer objects / features.
let problemCases =
    arbitrary RegressionTheorem.problemCase (fun c ->
        seq {
            if c.Rows > c.Columns + 2 then yield { c with Rows = c.Rows - 1 }
            if c.Columns > 1 then yield { c with Columns = c.Columns - 1 }
        })

/// High-temperature logit cases; shrinks logits towards 0 (halving) and the temperature factor towards 10.
let logitCases =
    arbitrary HighTemperatureTheorem.logitCase (fun c ->
        seq {
            if c.Factor > 10.0 then yield { c with Factor = 10.0 }
            if Array.exists (fun v -> abs v > 1e-3) c.Student then
                yield { c with Student = c.Student |> Array.map (fun v -> round (50.0 * v) / 100.0) |> HighTemperatureTheorem.centre }
        })
