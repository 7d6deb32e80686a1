/// How every property runs: FsCheck with a fixed replay seed (deterministic in CI), shrinking on, throwing on failure.
module Probabilistic.PropertyTests.Run

open FsCheck
open FsCheck.FSharp
open Probabilistic.Theorems

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
