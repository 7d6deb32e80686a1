/// Theorem A2 of seed 000 (methods.md §1.3): for a linear student g(x) = wᵀx the minimiser of
///   J(w) = Σ_{i∉I} τ(y_i − wᵀx_i)² + (1−λ) Σ_{i∈I} τ(y_i − wᵀx_i)² + λ Σ_{i∈I} τ_s(s_i − wᵀx_i)²
/// is the generalised least-squares solution ŵ = (XᵀΣ^{-1}X)^{-1}XᵀΣ^{-1}y'' with Σ^{-1} = diag(σ'),
/// σ'_i = τ (i∉I), (1−λ)τ + λτ_s (i∈I), y''_i = y'_i/σ'_i. Holds; the seed's last line has a spurious factor 2.
module Probabilistic.Theorems.RegressionTheorem

open MathNet.Numerics.LinearAlgebra
open Probabilistic.Core.Random

/// A regression instance (rows of X are objects).
type Problem =
    { X: Matrix<float>
      Y: float[]
      S: float[]
      Privileged: bool[]
      Lambda: float
      Tau: float
      TauS: float }

/// Random instance of size m×n with |I| ≈ m/2, λ ∈ [0, 1], τ, τ_s ∈ [0.1, 5].
let randomProblem (m: int) (n: int) (seed: uint64) =
    let rng = Rng(seed)
    { X = Matrix<float>.Build.Dense(m, n, fun _ _ -> rng.Normal())
      Y = Array.init m (fun _ -> rng.Normal())
      S = Array.init m (fun _ -> rng.Normal())
      Privileged = Array.init m (fun _ -> rng.NextDouble() < 0.5)
      Lambda = rng.NextDouble()
      Tau = rng.Uniform(0.1, 5.0)
      TauS = rng.Uniform(0.1, 5.0) }

/// Route 1: normal equations of J written term by term: (Σ_terms c XᵀX) w = Σ_terms c Xᵀ target.
let normalEquations (p: Problem) =
    let n = p.X.ColumnCount
    let a = Matrix<float>.Build.Dense(n, n)
    let b = Vector<float>.Build.Dense(n)
    let add (weight: float) (row: Vector<float>) (target: float) =
        a.Add(row.OuterProduct(row) * weight, a)
        b.Add(row * (weight * target), b)
    for i in 0 .. p.X.RowCount - 1 do
        let x = p.X.Row i
        if p.Privileged.[i] then
            add ((1.0 - p.Lambda) * p.Tau) x p.Y.[i]
            add (p.Lambda * p.TauS) x p.S.[i]
        else
            add p.Tau x p.Y.[i]
    a.Solve(b)

/// The theorem's Σ^{-1} diagonal σ' and transformed targets y''.
let theoremWeightsAndTargets (p: Problem) =
    let sigmaInv =
        p.Privileged |> Array.map (fun priv -> if priv then (1.0 - p.Lambda) * p.Tau + p.Lambda * p.TauS else p.Tau)
    let yPrime =
        Array.init p.Y.Length (fun i ->
            if p.Privileged.[i] then (1.0 - p.Lambda) * p.Tau * p.Y.[i] + p.Lambda * p.TauS * p.S.[i]
            else p.Tau * p.Y.[i])
    sigmaInv, Array.map2 (/) yPrime sigmaInv

/// Route 2: the theorem's generalised least squares, solved by QR of the whitened system Σ^{-1/2}X w ≈ Σ^{-1/2}y''.
let generalisedLeastSquares (p: Problem) =
    let sigmaInv, y2 = theoremWeightsAndTargets p
    let root = sigmaInv |> Array.map sqrt
    let xw = Matrix<float>.Build.Dense(p.X.RowCount, p.X.ColumnCount, fun i j -> root.[i] * p.X.[i, j])
    let yw = Vector<float>.Build.Dense(Array.map2 (*) root y2)
    xw.QR().Solve(yw)

/// Route 3: gradient descent on J from 0, step 1/L with L the largest eigenvalue of the Hessian, until the
/// gradient norm falls below 1e-13 or 200,000 steps.
let gradientDescent (p: Problem) =
    let sigmaInv, _ = theoremWeightsAndTargets p
    let hessian = p.X.TransposeThisAndMultiply(Matrix<float>.Build.DenseOfDiagonalArray sigmaInv * p.X) * 2.0
    let step = 1.0 / hessian.Evd().EigenValues.Real().Maximum()
    let mutable w = Vector<float>.Build.Dense(p.X.ColumnCount)
    let mutable steps = 0
    let mutable fin = false
    while not fin do
        // ∇J = −2 Σ_terms c x (target − wᵀx), accumulated from the residuals of J's three sums.
        let grad = Vector<float>.Build.Dense(p.X.ColumnCount)
        for i in 0 .. p.X.RowCount - 1 do
            let x = p.X.Row i
            let fit = x.DotProduct w
            if p.Privileged.[i] then
                grad.Add(x * (-2.0 * (1.0 - p.Lambda) * p.Tau * (p.Y.[i] - fit)), grad)
                grad.Add(x * (-2.0 * p.Lambda * p.TauS * (p.S.[i] - fit)), grad)
            else
                grad.Add(x * (-2.0 * p.Tau * (p.Y.[i] - fit)), grad)
        w <- w - grad * step
        steps <- steps + 1
        fin <- grad.L2Norm() < 1e-13 || steps >= 200_000
    w

/// Corrected statement: normal equations = theorem's GLS. Gap scaled (relative to 1 + max|ŵ|).
let glsMatchesNormalEquations (p: Problem) =
    Discrepancy.scaled ((generalisedLeastSquares p).ToArray()) ((normalEquations p).ToArray())

/// Corrected statement: gradient descent on J reaches the theorem's GLS solution. Gap scaled.
let gradientDescentMatches (p: Problem) =
    Discrepancy.scaled ((gradientDescent p).ToArray()) ((generalisedLeastSquares p).ToArray())

/// Seed's last line: ŵ = 2(XᵀΣ^{-1}X)^{-1}XᵀΣ^{-1}y'' (the factor 2). Gap scaled against the true minimiser.
let seedFactorTwo (p: Problem) =
    Discrepancy.scaled ((generalisedLeastSquares p * 2.0).ToArray()) ((normalEquations p).ToArray())

/// J at the predictions g_i = wᵀx_i: Σ_{i∉I} τ(y_i − g_i)² + (1−λ) Σ_{i∈I} τ(y_i − g_i)² + λ Σ_{i∈I} τ_s(s_i − g_i)².
let objectiveAt (p: Problem) (g: float[]) =
    Array.init p.Y.Length (fun i ->
        let ry, rs = p.Y.[i] - g.[i], p.S.[i] - g.[i]
        if p.Privileged.[i] then (1.0 - p.Lambda) * p.Tau * ry * ry + p.Lambda * p.TauS * rs * rs else p.Tau * ry * ry)
    |> Array.sum

/// Size and seed of a random regression problem.
type ProblemCase = { Rows: int; Columns: int; Seed: int }

/// n = 1..6 features, m = n + 2 .. 40 objects.
let problemCase (rng: Rng) : ProblemCase =
    let n = Cases.between rng 1 6
    let m = Cases.between rng (n + 2) 40
    { Rows = m; Columns = n; Seed = rng.NextInt System.Int32.MaxValue }

/// The problem a case describes.
let problemOf (c: ProblemCase) = randomProblem c.Rows c.Columns (uint64 c.Seed)
