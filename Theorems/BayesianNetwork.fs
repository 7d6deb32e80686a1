/// Independent F# counterparts of the C# Bayesian alignment code: the parameter vectorisation of methods.md §0.2
/// (U_1 first, row-major), a bias-free network f(x) = σ∘U_T … σ∘U_1 x, and Gaussian conditioning through the
/// precision matrix Λ = Σ^{-1} (the "precision route", as opposed to the C# Schur-complement route).
module Probabilistic.Theorems.BayesianNetwork

open MathNet.Numerics.LinearAlgebra

/// Index of U_t[row, col] (t = 1..T) for widths n_0..n_T.
let parameterIndex (widths: int[]) (t: int) (row: int) (col: int) =
    let offset = Seq.sum (seq { for l in 1 .. t - 1 -> widths.[l] * widths.[l - 1] })
    offset + row * widths.[t - 1] + col

/// Number of parameters Σ_t n_t n_{t−1}.
let parameterCount (widths: int[]) = Seq.sum (seq { for t in 1 .. widths.Length - 1 -> widths.[t] * widths.[t - 1] })

/// Network output with activation σ after every layer (the theory's f, including the output layer).
let evaluate (widths: int[]) (u: float[]) (activation: float -> float) (x: float[]) =
    let mutable h = x
    for t in 1 .. widths.Length - 1 do
        h <-
            Array.init widths.[t] (fun r ->
                let mutable sum = 0.0
                for c in 0 .. widths.[t - 1] - 1 do
                    sum <- sum + u.[parameterIndex widths t r c] * h.[c]
                activation sum)
    h

/// ReLU.
let relu (x: float) = max x 0.0

/// LeakyReLU with slope 0.01 (the authors' code).
let leakyRelu (x: float) = if x >= 0.0 then x else 0.01 * x

/// Neuron removal index sets: outgoing columns of U_{t+1} (conditioned), incoming rows of U_t (marginalised),
/// and the kept indices in ascending order.
let neuronRemovalSets (widths: int[]) (t: int) (neurons: int[]) =
    let conditioned = [| for r in 0 .. widths.[t + 1] - 1 do for j in neurons -> parameterIndex widths (t + 1) r j |] |> Array.sort
    let marginalised = [| for j in neurons do for c in 0 .. widths.[t - 1] - 1 -> parameterIndex widths t j c |] |> Array.sort
    let removed = Set.ofArray (Array.append conditioned marginalised)
    let kept = [| for p in 0 .. parameterCount widths - 1 do if not (removed.Contains p) then yield p |]
    conditioned, kept

/// Layer removal index sets: vec(U_t) with the values of vec(I), and the kept indices.
let layerRemovalSets (widths: int[]) (t: int) =
    let n = widths.[t]
    let conditioned = [| for r in 0 .. n - 1 do for c in 0 .. n - 1 -> parameterIndex widths t r c |]
    let values = [| for r in 0 .. n - 1 do for c in 0 .. n - 1 -> if r = c then 1.0 else 0.0 |]
    let set = Set.ofArray conditioned
    let kept = [| for p in 0 .. parameterCount widths - 1 do if not (set.Contains p) then yield p |]
    conditioned, values, kept

/// Precision route: with Λ = Σ^{-1} and r = all but the conditioned set c, the conditional of x_r given x_c = v is
/// N(m_r − Λ_rr^{-1}Λ_rc(v − m_c), Λ_rr^{-1}); the kept block is then read off (marginalisation).
let precisionRoute (mean: Vector<float>) (cov: Matrix<float>) (conditioned: int[]) (values: float[]) (kept: int[]) =
    let lambda = cov.Inverse()
    let cset = Set.ofArray conditioned
    let rest = [| for p in 0 .. mean.Count - 1 do if not (cset.Contains p) then yield p |]
    let sub (rows: int[]) (cols: int[]) = Matrix<float>.Build.Dense(rows.Length, cols.Length, fun i j -> lambda.[rows.[i], cols.[j]])
    let lrrInv = (sub rest rest).Inverse()
    let d = Vector<float>.Build.Dense(conditioned.Length, fun i -> values.[i] - mean.[conditioned.[i]])
    let meanRest = Vector<float>.Build.Dense(rest.Length, fun i -> mean.[rest.[i]]) - lrrInv * (sub rest conditioned * d)
    let position = kept |> Array.map (fun k -> System.Array.BinarySearch(rest, k))
    Vector<float>.Build.Dense(kept.Length, fun i -> meanRest.[position.[i]]),
    Matrix<float>.Build.Dense(kept.Length, kept.Length, fun i j -> lrrInv.[position.[i], position.[j]])
