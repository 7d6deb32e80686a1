/// Theorems B1 (neuron removal), B2 (layer removal) and the structure-path theorem as FsCheck properties.
module Probabilistic.PropertyTests.BayesianAlignmentProperties

open Xunit
open FsCheck.FSharp
open MathNet.Numerics.LinearAlgebra
open Probabilistic.Core.Random
open Probabilistic.Infer.Distributions
open Probabilistic.Theorems
open Probabilistic.Theorems.BayesianNetwork
open Probabilistic.PropertyTests
open Probabilistic.PropertyTests.Run

[<Fact>]
let ``B1: Schur route equals the precision route`` () =
    check 200 31UL (gapWithin 1e-9 Generators.neuronCases NeuronRemovalTheorem.schurMatchesPrecision)

/// Model.Infer's conditioning and marginalisation in natural form (what the alignment runs on) against the
/// precision route of Theorems, with the partition built by Theorems' own index arithmetic (not the product's
/// NetworkStructure): mean and covariance, gap scaled by 1 + the largest entry.
let private inferMatchesPrecisionRoute (widths: int[]) (spd: Cases.SpdCase) (conditioned: int[]) (values: float[]) (kept: int[]) =
    let rng = Rng(uint64 spd.Seed + 1UL)
    let mean = Vector<float>.Build.Dense(spd.Dim, fun _ -> rng.Normal())
    let cov = Cases.spdMatrix spd
    let cset = Set.ofArray conditioned
    let kset = Set.ofArray kept
    let marginalised = [| for p in 0 .. spd.Dim - 1 do if not (cset.Contains p || kset.Contains p) then yield p |]
    let q = VectorGaussian.FromMeanAndVariance(mean, cov).ConditionAndMarginalise(conditioned, values, marginalised, kept)
    let refMean, refCov = precisionRoute mean cov conditioned values kept
    let dm = Discrepancy.scaled (q.GetMean().ToArray()) (refMean.ToArray())
    let dc = Discrepancy.scaled (q.GetVariance().ToColumnMajorArray()) (refCov.ToColumnMajorArray())
    if dm.Gap >= dc.Gap then dm else dc

[<Fact>]
let ``B1 on Model.Infer: conditioning outgoing weights on 0 and marginalising incoming ones equals the precision route`` () =
    check 200 38UL (gapWithin 1e-9 Generators.neuronCases (fun c ->
        let conditioned, kept = neuronRemovalSets c.Widths c.Layer c.Neurons
        inferMatchesPrecisionRoute c.Widths c.Covariance conditioned (Array.zeroCreate conditioned.Length) kept))

[<Fact>]
let ``B2 on Model.Infer: conditioning a square layer on the identity equals the precision route`` () =
    check 200 39UL (gapWithin 1e-9 Generators.layerCases (fun c ->
        let conditioned, values, kept = layerRemovalSets c.Widths c.Layer
        inferMatchesPrecisionRoute c.Widths c.Covariance conditioned values kept))

[<Fact>]
let ``B1: zeroing outgoing columns equals deleting the neurons exactly`` () =
    check 200 32UL (gapWithin 0.0 Generators.neuronCases NeuronRemovalTheorem.zeroedColumnsEqualDeletedNeurons)

[<Fact>]
let ``B1: the dimension drops by k(n_{t-1} + n_{t+1}), and by 2k n_t only when those agree`` () =
    check 200 33UL (
        Prop.forAll Generators.neuronCases (fun c ->
            let corrected = NeuronRemovalTheorem.parameterDropCorrected c
            let seed = NeuronRemovalTheorem.parameterDropSeed c
            let seedShouldHold = c.Widths.[c.Layer - 1] + c.Widths.[c.Layer + 1] = 2 * c.Widths.[c.Layer]
            corrected.Gap = 0.0 && (seed.Gap = 0.0) = seedShouldHold))

[<Fact>]
let ``B1: removing several neurons jointly equals one by one`` () =
    check 200 34UL (gapWithin 1e-9 Generators.neuronCases NeuronRemovalTheorem.jointEqualsSequential)

[<Fact>]
let ``B2: conditioning on the identity with (i − m) equals the precision route`` () =
    check 200 35UL (gapWithin 1e-9 Generators.layerCases LayerRemovalTheorem.schurMatchesPrecision)

[<Fact>]
let ``B2: with ReLU a network with U_t = I equals the network without layer t exactly`` () =
    check 200 36UL (gapWithin 0.0 Generators.layerCases (LayerRemovalTheorem.identityLayerIsRemovable BayesianNetwork.relu))

[<Fact>]
let ``B2 counterexample: LeakyReLU(0.01) breaks the identity-layer equivalence`` () =
    // A fixed case of methods.md Check 4 (net [3, 4, 4, 2], U_2 = I): some hidden unit goes negative.
    let c : LayerRemovalTheorem.LayerCase = { Widths = [| 3; 4; 4; 2 |]; Layer = 2; Covariance = { Dim = 36; LogCondition = 1.0; Seed = 4 } }
    let d = LayerRemovalTheorem.identityLayerIsRemovable BayesianNetwork.leakyRelu c
    Assert.True(d.Gap > 1e-3, $"gap {d.Gap}")
    Assert.Equal(0.0, (LayerRemovalTheorem.identityLayerIsRemovable BayesianNetwork.relu c).Gap)

[<Fact>]
let ``Structure path: the planner reaches exactly the reachable students through valid structures`` () =
    check 300 37UL (gapWithin 0.0 Generators.structurePairs StructurePathTheorem.plannerIsCorrectAndComplete)

[<Fact>]
let ``Structure path counterexample: a width-dominated shallower student can be unreachable`` () =
    // Teacher [3, 1, 5, 2], student [3, 5, 2]: the width-1 layer next to the raw input can never be merged away.
    let p : StructurePathTheorem.StructurePair = { Teacher = [| 3; 1; 5; 2 |]; Student = [| 3; 5; 2 |] }
    Assert.True(StructurePathTheorem.widthDominated p)
    Assert.Equal(1.0, (StructurePathTheorem.seedEveryDominatedStudentIsReachable p).Gap)
    Assert.Equal(0.0, (StructurePathTheorem.plannerIsCorrectAndComplete p).Gap)
