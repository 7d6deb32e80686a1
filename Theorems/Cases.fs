/// Case samplers for the theorem checks, drawn with the toolkit's Rng: simplex points (interior, nearly equal
/// components, near a vertex), SPD matrices with a controlled condition number, layer structures. Heavy objects are
/// built from the few numbers that describe a case (a seed, a size), so the property tests can shrink those numbers.
/// The report samples these with fixed seeds; PropertyTests wraps them as FsCheck arbitraries with shrinkers.
module Probabilistic.Theorems.Cases

open System
open MathNet.Numerics.LinearAlgebra
open Probabilistic.Core.Random

/// A uniform integer in [low, high] (both included).
let between (rng: Rng) (low: int) (high: int) = low + rng.NextInt(high - low + 1)

/// One of the given items, uniformly.
let pick (rng: Rng) (items: 'T list) = items.[rng.NextInt items.Length]

/// A fair coin.
let coin (rng: Rng) = rng.NextInt 2 = 1

/// Draws <paramref name="count"/> cases from a fixed seed (one Rng for the whole sample).
let sample (count: int) (seed: uint64) (sampler: Rng -> 'T) : 'T[] =
    let rng = Rng(seed)
    Array.init count (fun _ -> sampler rng)

/// Draws from <paramref name="sampler"/> until <paramref name="accept"/> holds (rejection sampling).
let rec until (accept: 'T -> bool) (sampler: Rng -> 'T) (rng: Rng) : 'T =
    let c = sampler rng
    if accept c then c else until accept sampler rng

/// Region of the simplex a generated point comes from.
type SimplexRegion =
    | Interior
    | NearlyEqual
    | NearVertex

/// A point of the open simplex and the region it was drawn from.
type SimplexPoint = { Region: SimplexRegion; G: float[] }

/// w / Σ w.
let normalise (w: float[]) =
    let s = Array.sum w
    w |> Array.map (fun v -> v / s)

/// Simplex points with K drawn from <paramref name="sizes"/>: interior points with weights 1..1000, points with
/// two components at relative distance 10^-e (e = 2..16, or exactly equal), points within 10^-e of a vertex (e = 2..12).
let simplexPoint (sizes: int list) (regions: SimplexRegion list) (rng: Rng) : SimplexPoint =
    let k = pick rng sizes
    let region = pick rng regions
    let w = Array.init k (fun _ -> float (between rng 1 1000))
    match region with
    | Interior -> { Region = region; G = normalise w }
    | NearlyEqual ->
        let e = between rng 2 17
        let delta = if e = 17 then 0.0 else 10.0 ** float -e
        w.[1] <- w.[0] * (1.0 + delta)
        { Region = region; G = normalise w }
    | NearVertex ->
        let epsilon = 10.0 ** float -(between rng 2 12)
        let rest = normalise w.[1..]
        { Region = region; G = Array.append [| 1.0 - epsilon |] (rest |> Array.map (fun v -> epsilon * v)) }

/// Well-separated interior points (every pair of log-components at least 0.5 apart), K = 2..5.
let separatedPoint (rng: Rng) : SimplexPoint =
    let separated (p: SimplexPoint) =
        let a = p.G |> Array.map log |> Array.sort
        Array.pairwise a |> Array.forall (fun (x, y) -> y - x >= 0.5)
    until separated (simplexPoint [ 2; 3; 4; 5 ] [ Interior ]) rng

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

/// SPD cases of the given size with log10 condition number in [0, maxLogCondition] (tenths).
let spdCaseOfSize (dim: int) (maxLogCondition: float) (rng: Rng) : SpdCase =
    let tenths = between rng 0 (int (10.0 * maxLogCondition))
    { Dim = dim; LogCondition = float tenths / 10.0; Seed = rng.NextInt Int32.MaxValue }

/// Layer widths n_0..n_T with T in [minLayers, maxLayers] and every width in [1, maxWidth].
let widths (minLayers: int) (maxLayers: int) (maxWidth: int) (rng: Rng) : int[] =
    let layers = between rng minLayers maxLayers
    Array.init (layers + 1) (fun _ -> between rng 1 maxWidth)
