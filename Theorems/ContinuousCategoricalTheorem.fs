/// Theorem A1 of seed 000 (methods.md §1.2). Seed: p(s|g) = C Π g_k^{s_k} with
/// C = (−1)^K K^{K/2}/2^{K(K−1)/2} Π g_k ln g_k is a density on S_K — false. Corrected: the normaliser is
/// C = 1/Z with Z(g) = Σ_k g_k / Π_{j≠k} ln(g_k/g_j) (continuous categorical), ∇_a ln Z = E[s] for a = ln g.
/// The production code is Probabilistic.Core.Simplex.ContinuousCategorical (C#); the routes here are independent.
module Probabilistic.Theorems.ContinuousCategoricalTheorem

open System
open MathNet.Numerics.Integration
open Probabilistic.Core.Random
open Probabilistic.Core.Simplex

/// Z by the textbook closed form, written independently of the C# code (cancels near coincident components).
let closedFormZ (g: float[]) =
    g
    |> Array.mapi (fun k gk ->
        let denominator =
            g |> Array.mapi (fun j gj -> if j = k then 1.0 else log (gk / gj)) |> Array.fold (*) 1.0
        gk / denominator)
    |> Array.sum

/// Z by tensor Gauss–Legendre quadrature of Π g^s over S_K mapped from the unit cube by the collapsed (Duffy)
/// coordinates s_i = u_i Π_{l<i}(1 − u_l), whose Jacobian is Π_i Π_{l<i}(1 − u_l). The integrand is entire, so the rule
/// converges exponentially; no cancellation at coincident components. Cost points^(K−1): meant for K ≤ 4.
let quadratureZ (points: int) (g: float[]) =
    let k = g.Length
    let a = g |> Array.map log
    let rule = GaussLegendreRule(0.0, 1.0, points)
    let nodes, weights = rule.Abscissas, rule.Weights
    let dims = k - 1
    let index = Array.zeroCreate dims
    let mutable total = 0.0
    let mutable running = true
    while running do
        // s_i = u_i · remaining, remaining *= (1 − u_i); ∂s_i/∂u_i = remaining; the last component takes the rest.
        let mutable remaining = 1.0
        let mutable exponent = 0.0
        let mutable weight = 1.0
        for i in 0 .. dims - 1 do
            let u = nodes.[index.[i]]
            exponent <- exponent + a.[i] * u * remaining
            weight <- weight * weights.[index.[i]] * remaining
            remaining <- remaining * (1.0 - u)
        exponent <- exponent + a.[k - 1] * remaining
        total <- total + weight * exp exponent
        // odometer over the tensor grid
        let mutable d = 0
        let mutable carry = true
        while carry && d < dims do
            index.[d] <- index.[d] + 1
            if index.[d] = points then
                index.[d] <- 0
                d <- d + 1
            else
                carry <- false
        if carry then running <- false
    total

/// Monte Carlo estimate of Z with n uniform-Dirichlet samples: Z = vol(S_K)·E_U[Π g^s], vol(S_K) = 1/(K−1)!.
/// Returns (estimate, standard error).
let monteCarloZ (samples: int) (seed: uint64) (g: float[]) =
    let k = g.Length
    let a = g |> Array.map log
    let rng = Rng(seed)
    let ones = Array.create k 1.0
    let s = Array.zeroCreate k
    // Welford's running mean and sum of squared deviations: no cancellation when the integrand is nearly constant.
    let mutable mean = 0.0
    let mutable m2 = 0.0
    for i in 1 .. samples do
        rng.Dirichlet(ReadOnlySpan ones, Span s)
        let mutable e = 0.0
        for j in 0 .. k - 1 do
            e <- e + s.[j] * a.[j]
        let f = exp e
        let delta = f - mean
        mean <- mean + delta / float i
        m2 <- m2 + delta * (f - mean)
    let n = float samples
    let stdErr = sqrt (m2 / (n - 1.0) / n)
    let volume = Numerics.factorial (k - 1)
    mean / volume, stdErr / volume

/// Seed statement: C_paper·Z(g) = 1. Gap = |C_paper·Z − 1| (Z from the stable C# code, checked below).
let seedConstantNormalises (g: float[]) =
    Discrepancy.absolute (ContinuousCategorical.PaperConstant(ReadOnlySpan g) * ContinuousCategorical.Normalizer(ReadOnlySpan g)) 1.0

/// Corrected statement: ∫ (1/Z) Π g^s ds = 1, the integral by Monte Carlo. Returns the gap |∫ − 1| and the
/// matching standard error, so a tolerance can be set in standard errors.
let correctedConstantNormalises (samples: int) (seed: uint64) (g: float[]) =
    let z = ContinuousCategorical.Normalizer(ReadOnlySpan g)
    let integral, stdErr = monteCarloZ samples seed g
    Discrepancy.absolute (integral / z) 1.0, stdErr / z

/// Corrected closed form, stable C# evaluation vs independent quadrature (K ≤ 4). Gap relative.
let stableMatchesQuadrature (g: float[]) =
    Discrepancy.relative (ContinuousCategorical.Normalizer(ReadOnlySpan g)) (quadratureZ 40 g)

/// Corrected closed form, stable C# evaluation vs the F# textbook formula (well-separated points). Gap relative.
let stableMatchesClosedForm (g: float[]) =
    Discrepancy.relative (ContinuousCategorical.Normalizer(ReadOnlySpan g)) (closedFormZ g)

/// ∂ ln Z/∂a_k = E_CC[s_k]: the C# mean vs central finite differences of ln Z in a = ln g (step h = 1e-5,
/// truncation error ≈ h²/6·|∂³ ln Z| ≤ 1e-10 since the cumulants of s ∈ S_K are bounded by 1).
let gradientIsMean (g: float[]) =
    let a = g |> Array.map log
    let mean = Array.zeroCreate a.Length
    ContinuousCategorical.LogNormalizerAndMean(ReadOnlySpan a, Span mean) |> ignore
    let h = 1e-5
    let fd =
        Array.init a.Length (fun k ->
            let shifted d = a |> Array.mapi (fun j v -> if j = k then v + d else v)
            (ContinuousCategorical.LogNormalizerOfNatural(ReadOnlySpan(shifted h))
             - ContinuousCategorical.LogNormalizerOfNatural(ReadOnlySpan(shifted -h))) / (2.0 * h))
    Discrepancy.scaled mean fd

/// Continuity / Lipschitz property behind the confluent limit: ln Z is 1-Lipschitz in max-norm of a = ln g
/// (its gradient is a probability vector). Returns the excess |ln Z(g) − ln Z(g')| − ‖a − a'‖_∞ (≤ 0 holds),
/// where g' merges the two nearly equal components 0 and 1 into their geometric mean.
let lipschitzAcrossCoincidence (g: float[]) =
    let a = g |> Array.map log
    let merged = Array.copy a
    let m = 0.5 * (a.[0] + a.[1])
    merged.[0] <- m
    merged.[1] <- m
    let lhs = abs (ContinuousCategorical.LogNormalizerOfNatural(ReadOnlySpan a) - ContinuousCategorical.LogNormalizerOfNatural(ReadOnlySpan merged))
    let rhs = abs (a.[0] - m)
    { Lhs = lhs; Rhs = rhs; Gap = lhs - rhs }
