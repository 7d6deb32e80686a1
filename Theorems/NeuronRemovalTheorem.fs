/// Theorem B1 of seed 000 (methods.md §2.2): removing hidden neuron(s) j of layer t from a Gaussian posterior
/// N(m, Σ) — condition the outgoing column(s) of U_{t+1} on 0, marginalise the incoming row(s) of U_t — gives a
/// Gaussian over N − k(n_{t−1} + n_{t+1}) parameters (the seed says N − 2n_t). The C# Schur route
/// (Probabilistic.Distill.Bayesian.GaussianAlignment) is checked against the F# precision route.
module Probabilistic.Theorems.NeuronRemovalTheorem

open System
open MathNet.Numerics.LinearAlgebra
open Probabilistic.Core.Random
open Probabilistic.Distill.Bayesian
open Probabilistic.Theorems.Cases
open Probabilistic.Theorems.BayesianNetwork

/// A network, a hidden layer, the neurons to remove and the posterior covariance.
type NeuronCase = { Widths: int[]; Layer: int; Neurons: int[]; Covariance: SpdCase }

/// Networks with T = 2..3 layers, widths 1..5 (hidden layer t has ≥ 2 neurons), 1..n_t − 1 neurons removed,
/// covariance condition number up to 10^4.
let neuronCase (rng: Rng) : NeuronCase =
    let widths = Cases.widths 2 3 5 rng
    let layer = between rng 1 (widths.Length - 2)
    widths.[layer] <- max 2 widths.[layer]
    let count = between rng 1 (widths.[layer] - 1)
    let order = rng.Permutation widths.[layer]
    let cov = spdCaseOfSize (parameterCount widths) 4.0 rng
    { Widths = widths; Layer = layer; Neurons = Array.sort order.[.. count - 1]; Covariance = cov }

let private posterior (c: NeuronCase) =
    let rng = Rng(uint64 c.Covariance.Seed + 1UL)
    let mean = Vector<float>.Build.Dense(c.Covariance.Dim, fun _ -> rng.Normal())
    FullGaussianPosterior(NetworkStructure(c.Widths), mean, spdMatrix c.Covariance)

/// Corrected B1: Schur (C#) = precision route (F#), mean and covariance. Gap = the larger scaled gap
/// (relative to 1 + the largest entry).
let schurMatchesPrecision (c: NeuronCase) =
    let p = posterior c
    let aligned = GaussianAlignment.RemoveNeurons(p, c.Layer, c.Neurons)
    let conditioned, kept = neuronRemovalSets c.Widths c.Layer c.Neurons
    let mean, cov = precisionRoute p.Mean p.Covariance conditioned (Array.zeroCreate conditioned.Length) kept
    if aligned.Mean.Count <> kept.Length then { Lhs = float aligned.Mean.Count; Rhs = float kept.Length; Gap = infinity }
    else
        let dm = Discrepancy.scaled (aligned.Mean.ToArray()) (mean.ToArray())
        let dc = Discrepancy.scaled (aligned.Covariance.ToColumnMajorArray()) (cov.ToColumnMajorArray())
        if dm.Gap >= dc.Gap then dm else dc

/// Zeroing the outgoing columns gives the same network function as deleting the neurons (kept parameters taken
/// with the C# partition). Gap = max |f_teacher − f_student| over 16 random inputs; expected exactly 0.
let zeroedColumnsEqualDeletedNeurons (c: NeuronCase) =
    let rng = Rng(uint64 c.Covariance.Seed + 2UL)
    let structure = NetworkStructure(c.Widths)
    let u = Array.init structure.ParameterCount (fun _ -> rng.Normal())
    let partition = structure.NeuronRemovalPartition(c.Layer, c.Neurons)
    let zeroed = Array.copy u
    for p in partition.Conditioned do zeroed.[p] <- 0.0
    let studentWidths = structure.WithoutNeurons(c.Layer, c.Neurons.Length).Widths |> Seq.toArray
    let student = partition.Kept |> Array.map (fun p -> u.[p])
    Seq.init 16 (fun _ ->
        let x = Array.init c.Widths.[0] (fun _ -> rng.Normal())
        Discrepancy.scaled (evaluate studentWidths student relu x) (evaluate c.Widths zeroed relu x))
    |> Seq.maxBy (fun d -> d.Gap)

/// Parameter count after removing k neurons: corrected N − k(n_{t−1} + n_{t+1}). Gap = |drop − k(n_{t−1}+n_{t+1})|.
let parameterDropCorrected (c: NeuronCase) =
    let s = NetworkStructure(c.Widths)
    let drop = s.ParameterCount - s.WithoutNeurons(c.Layer, c.Neurons.Length).ParameterCount
    Discrepancy.absolute (float drop) (float (c.Neurons.Length * (c.Widths.[c.Layer - 1] + c.Widths.[c.Layer + 1])))

/// Seed's dimension N − 2n_t (per removed neuron). Gap = |drop − 2k n_t|; 0 only when n_{t−1} + n_{t+1} = 2n_t.
let parameterDropSeed (c: NeuronCase) =
    let s = NetworkStructure(c.Widths)
    let drop = s.ParameterCount - s.WithoutNeurons(c.Layer, c.Neurons.Length).ParameterCount
    Discrepancy.absolute (float drop) (float (2 * c.Neurons.Length * c.Widths.[c.Layer]))

/// Removing the neurons jointly = one at a time (highest index first, so the others keep their indices). Gap scaled.
let jointEqualsSequential (c: NeuronCase) =
    let p = posterior c
    let joint = GaussianAlignment.RemoveNeurons(p, c.Layer, c.Neurons)
    let sequential =
        c.Neurons |> Array.sortDescending |> Array.fold (fun (q: FullGaussianPosterior) j -> GaussianAlignment.RemoveNeurons(q, c.Layer, [| j |])) p
    let dm = Discrepancy.scaled (joint.Mean.ToArray()) (sequential.Mean.ToArray())
    let dc = Discrepancy.scaled (joint.Covariance.ToColumnMajorArray()) (sequential.Covariance.ToColumnMajorArray())
    if dm.Gap >= dc.Gap then dm else dc
