/// FsCheck generators and shrinkers for the theorem checks: simplex points (interior, nearly equal components,
/// near a vertex), SPD matrices with a controlled condition number, layer structures. Heavy objects are built
/// from a seed with the toolkit's Rng, so FsCheck shrinks the few numbers that describe a case.
module Probabilistic.Theorems.Generators

open System
open FsCheck
open FsCheck.FSharp
open MathNet.Numerics.LinearAlgebra
open Probabilistic.Core.Random

/// Region of the simplex a generated point comes from.
type SimplexRegion =
    | Interior
    | NearlyEqual
    | NearVertex

/// A point of the open simplex and the region it was drawn from.
type SimplexPoint = { Region: SimplexRegion; G: float[] }

let private normalise (w: float[]) =
    let s = Array.sum w
    w |> Array.map (fun v -> v / s)

let private weights k = Gen.arrayOfLength k (Gen.choose (1, 1000)) |> Gen.map (Array.map float)

/// Simplex points with K drawn from <paramref name="sizes"/>: interior points with weights 1..1000, points with
/// two components at relative distance 10^-e (e = 2..16, or exactly equal), points within 10^-e of a vertex (e = 2..12).
let simplexPointIn (sizes: int list) (regions: SimplexRegion list) : Gen<SimplexPoint> =
    gen {
        let! k = Gen.elements sizes
        let! region = Gen.elements regions
        let! w = weights k
        match region with
        | Interior -> return { Region = region; G = normalise w }
        | NearlyEqual ->
            let! e = Gen.choose (2, 17)
            let delta = if e = 17 then 0.0 else 10.0 ** float -e
            let w = Array.copy w
            w.[1] <- w.[0] * (1.0 + delta)
            return { Region = region; G = normalise w }
        | NearVertex ->
            let! e = Gen.choose (2, 12)
            let epsilon = 10.0 ** float -e
            let rest = normalise w.[1..]
            let g = Array.append [| 1.0 - epsilon |] (rest |> Array.map (fun v -> epsilon * v))
            return { Region = region; G = g }
    }

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

/// Arbitrary over simplex points.
let simplexPoints sizes regions = Arb.fromGenShrink (simplexPointIn sizes regions, shrinkSimplexPoint)

/// An SPD matrix of size Dim with condition number exactly 10^LogCondition, built from Seed.
type SpdCase = { Dim: int; LogCondition: float; Seed: int }

/// Σ = Q diag(λ) Qᵀ with Q orthogonal (QR of a Gaussian matrix) and λ log-spaced at random in [1, 10^c],
/// both ends included.
let spdMatrix (c: SpdCase) : Matrix<float> =
    let rng = Rng(uint64 c.Seed)
    let n = c.Dim
    let q = Matrix<float>.Build.Dense(n, n, fun _ _ -> rng.Normal()).QR().Q
    let exponents = Array.init n (fun i -> if i = 0 then 0.0 elif i = 1 then 1.0 else rng.NextDouble())
    let lambda = exponents |> Array.map (fun u -> 10.0 ** (c.LogCondition * u))
    let sigma = q * Matrix<float>.Build.DenseOfDiagonalArray lambda * q.Transpose()
    (sigma + sigma.Transpose()) * 0.5

/// SPD cases of the given size with log10 condition number in [0, maxLogCondition].
let spdCaseOfSize (dim: int) (maxLogCondition: float) : Gen<SpdCase> =
    gen {
        let! tenths = Gen.choose (0, int (10.0 * maxLogCondition))
        let! seed = Gen.choose (0, Int32.MaxValue)
        return { Dim = dim; LogCondition = float tenths / 10.0; Seed = seed }
    }

/// Shrinks the condition number towards 1 and the seed towards 0.
let shrinkSpdCase (c: SpdCase) : seq<SpdCase> =
    seq {
        if c.LogCondition > 0.0 then yield { c with LogCondition = floor (c.LogCondition / 2.0 * 10.0) / 10.0 }
        if c.Seed > 0 then yield { c with Seed = c.Seed / 2 }
    }

/// Layer widths n_0..n_T with T in [minLayers, maxLayers] and every width in [1, maxWidth].
let widthsGen (minLayers: int) (maxLayers: int) (maxWidth: int) : Gen<int[]> =
    gen {
        let! layers = Gen.choose (minLayers, maxLayers)
        return! Gen.arrayOfLength (layers + 1) (Gen.choose (1, maxWidth))
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

/// Draws cases with a fixed seed (for the report; the property tests let FsCheck draw).
let sample (count: int) (seed: uint64) (g: Gen<'T>) : 'T[] =
    Gen.sampleWithSeed (Rnd(seed)) 20 count g
