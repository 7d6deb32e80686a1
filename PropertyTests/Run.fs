/// How every property runs: FsCheck with a fixed replay seed (deterministic in CI), shrinking on, throwing on failure.
module Probabilistic.PropertyTests.Run

open FsCheck
open FsCheck.FSharp
open Probabilistic.Theorems

// The property modules run one at a time. Once, under heavy load with the modules in parallel, the paper-term property
// of DistillationLossProperties saw a loss of −2.6e37 on its first (fixed-seed) case, which passes alone and in
// every other run: a cross-test interaction not yet found (see the closing note of this change). Until it is, the
// modules do not share the process's threads.
[<assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)>]
do ()

/// Checks <paramref name="prop"/> on <paramref name="cases"/> cases drawn from a fixed seed.
let check (cases: int) (seed: uint64) (prop: Property) =
    let config = Config.QuickThrowOnFailure.WithMaxTest(cases).WithReplay(Some { Rnd = Rnd(seed); Size = None })
    Check.One(config, prop)

/// The property "gap ≤ tolerance" over an arbitrary; the label shows both sides when it fails.
let gapWithin (tolerance: float) (arb: Arbitrary<'T>) (check: 'T -> Discrepancy) =
    Prop.forAll arb (fun c ->
        let d = check c
        d.Gap <= tolerance |> Prop.label $"lhs = {d.Lhs}, rhs = {d.Rhs}, gap = {d.Gap} > {tolerance}")

/// The property "gap > threshold" (a seed statement refuted on every case).
let gapAbove (threshold: float) (arb: Arbitrary<'T>) (check: 'T -> Discrepancy) =
    Prop.forAll arb (fun c ->
        let d = check c
        d.Gap > threshold |> Prop.label $"lhs = {d.Lhs}, rhs = {d.Rhs}, gap = {d.Gap} ≤ {threshold}")
