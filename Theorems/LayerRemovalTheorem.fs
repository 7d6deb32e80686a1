/// Theorem B2 of seed 000 (methods.md §2.3), corrected: removing square layer t conditions vec(U_t) = vec(I):
/// N(m_υ + Σ_{υῡ}Σ_{ῡῡ}^{-1}(i − m_ῡ), Σ_{υυ} − Σ_{υῡ}Σ_{ῡῡ}^{-1}Σ_{ῡυ}) (the seed writes (i − ῡ) and Σ_{υῡ} last).
/// The functional premise — a network with U_t = I equals the network without layer t — needs σ∘σ = σ: true for
/// ReLU, false for the LeakyReLU of the authors' code.
module Probabilistic.Theorems.LayerRemovalTheorem

open MathNet.Numerics.LinearAlgebra
open Probabilistic.Core.Random
open Probabilistic.Distill.Bayesian
open Probabilistic.Theorems.Cases
open Probabilistic.Theorems.BayesianNetwork

/// A network whose layer t (2 ≤ t ≤ T) is square, and the posterior covariance.
type LayerCase = { Widths: int[]; Layer: int; Covariance: SpdCase }

/// Networks with T = 2..4 layers, widths 1..5, layer t made square; condition number up to 10^4.
let layerCase (rng: Rng) : LayerCase =
    let widths = Cases.widths 2 4 5 rng
    let layer = between rng 2 (widths.Length - 1)
    widths.[layer] <- widths.[layer - 1]
    let cov = spdCaseOfSize (parameterCount widths) 4.0 rng
    { Widths = widths; Layer = layer; Covariance = cov }

/// Corrected B2: Schur (C#) with (i − m_ῡ) = precision route (F#). Gap = the larger scaled gap of mean / covariance.
let schurMatchesPrecision (c: LayerCase) =
    let rng = Rng(uint64 c.Covariance.Seed + 1UL)
    let mean = Vector<float>.Build.Dense(c.Covariance.Dim, fun _ -> rng.Normal())
    let p = FullGaussianPosterior(NetworkStructure(c.Widths), mean, spdMatrix c.Covariance)
    let aligned = GaussianAlignment.RemoveLayer(p, c.Layer)
    let conditioned, values, kept = layerRemovalSets c.Widths c.Layer
    let m, cov = precisionRoute p.Mean p.Covariance conditioned values kept
    if aligned.Mean.Count <> kept.Length then { Lhs = float aligned.Mean.Count; Rhs = float kept.Length; Gap = infinity }
    else
        let dm = Discrepancy.scaled (aligned.Mean.ToArray()) (m.ToArray())
        let dc = Discrepancy.scaled (aligned.Covariance.ToColumnMajorArray()) (cov.ToColumnMajorArray())
        if dm.Gap >= dc.Gap then dm else dc

/// Functional premise: f(u with U_t = I) = f_without_layer(u_υ) over 16 random inputs, with the given activation.
/// Gap = max scaled output difference (ReLU: exactly 0; LeakyReLU: positive whenever a unit goes negative).
let identityLayerIsRemovable (activation: float -> float) (c: LayerCase) =
    let rng = Rng(uint64 c.Covariance.Seed + 2UL)
    let structure = NetworkStructure(c.Widths)
    let u = Array.init structure.ParameterCount (fun _ -> rng.Normal())
    let partition = structure.LayerRemovalPartition(c.Layer)
    let identity = structure.IdentityLayerValues(c.Layer)
    partition.Conditioned |> Array.iteri (fun i p -> u.[p] <- identity.[i])
    let studentWidths = structure.WithoutLayer(c.Layer).Widths |> Seq.toArray
    let student = partition.Kept |> Array.map (fun p -> u.[p])
    Seq.init 16 (fun _ ->
        let x = Array.init c.Widths.[0] (fun _ -> rng.Normal())
        Discrepancy.scaled (evaluate studentWidths student activation x) (evaluate c.Widths u activation x))
    |> Seq.maxBy (fun d -> d.Gap)
