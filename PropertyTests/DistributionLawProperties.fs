/// The laws of Model.Infer's distributions. Algebraic laws on the natural parameters: a product then a ratio
/// returns the original, products commute and associate, power 1 is the identity, power a then b is power ab, and
/// p·p = p². Laws against an independent route: the product's density is the pointwise product of the densities
/// up to a constant, which equals log ∫ p_a p_b (numerical integration, a covariance-form closed form, Gauss–Legendre
/// quadrature over the simplex, or enumeration), and p^a is the pointwise power up to a constant.
module Probabilistic.PropertyTests.DistributionLawProperties

open System
open FsCheck
open FsCheck.FSharp
open MathNet.Numerics
open MathNet.Numerics.LinearAlgebra
open Xunit
open Probabilistic.Core.Random
open Probabilistic.Infer.Distributions
open Probabilistic.Theorems
open Probabilistic.Theorems.Cases
open Probabilistic.PropertyTests.Generators
open Probabilistic.PropertyTests.Run

/// What the laws need of a family: a sampler of members of a given dimension, their natural parameters, the
/// operations, a point of the support and the log density there, and (when it has one) the power (the C#
/// operator ^, op_ExclusiveOr from F#).
type Family<'D, 'X> =
    { Draw: int -> Rng -> 'D
      Dimensions: int * int
      Natural: 'D -> float[]
      Product: 'D -> 'D -> 'D
      Ratio: 'D -> 'D -> 'D
      Power: ('D -> float -> 'D) option
      Point: int -> Rng -> 'X
      LogDensity: 'D -> 'X -> float }

/// Three members of one dimension, two exponents in [−2, 2] and the seed for points of the support.
type LawCase<'D> = { A: 'D; B: 'D; C: 'D; Dim: int; P: float; Q: float; Seed: int }

let private lawCases (f: Family<'D, 'X>) =
    arbitrary (fun rng ->
        let dim = between rng (fst f.Dimensions) (snd f.Dimensions)
        { A = f.Draw dim rng; B = f.Draw dim rng; C = f.Draw dim rng; Dim = dim
          P = rng.Uniform(-2.0, 2.0); Q = rng.Uniform(-2.0, 2.0); Seed = rng.NextInt Int32.MaxValue }) (fun _ -> Seq.empty)

/// Natural parameters equal up to 1e-11 relative to their scale (sums and differences of numbers of order 1..100).
let private same (f: Family<'D, 'X>) (x: 'D) (y: 'D) = (Discrepancy.scaled (f.Natural x) (f.Natural y)).Gap <= 1e-11

/// The algebraic laws, each named in the label when it fails.
let private algebraicLaws (f: Family<'D, 'X>) (c: LawCase<'D>) =
    let mul, div = f.Product, f.Ratio
    let laws =
        [ "(a·b)/b = a", same f (div (mul c.A c.B) c.B) c.A
          "a·b = b·a", same f (mul c.A c.B) (mul c.B c.A)
          "(a·b)·c = a·(b·c)", same f (mul (mul c.A c.B) c.C) (mul c.A (mul c.B c.C)) ]
        @ (match f.Power with
           | None -> []
           | Some pow ->
               [ "a^1 = a", same f (pow c.A 1.0) c.A
                 "(a^p)^q = a^(pq)", same f (pow (pow c.A c.P) c.Q) (pow c.A (c.P * c.Q))
                 "a·a = a^2", same f (mul c.A c.A) (pow c.A 2.0) ])
    let broken = laws |> List.filter (snd >> not) |> List.map fst
    broken.IsEmpty |> Prop.label $"broken: %A{broken}"

/// log p_ab(x) − log p_a(x) − log p_b(x) at several points: constant, and equal to −log ∫ p_a p_b from the
/// independent route <paramref name="logOverlap"/>.
let private productIsPointwise (f: Family<'D, 'X>) (logOverlap: 'D -> 'D -> float) (tolerance: float) (c: LawCase<'D>) =
    let rng = Rng(uint64 c.Seed)
    let ab = f.Product c.A c.B
    let offsets = Array.init 5 (fun _ -> let x = f.Point c.Dim rng in f.LogDensity ab x - f.LogDensity c.A x - f.LogDensity c.B x)
    let expected = -(logOverlap c.A c.B)
    let worst = offsets |> Array.map (fun o -> abs (o - expected)) |> Array.max
    worst <= tolerance * (1.0 + abs expected) |> Prop.label $"offsets %A{offsets}, −log ∫ p_a p_b = {expected}"

/// log p^q(x) − q·log p(x) is the same at several points (p^q is the pointwise power, normalised); only for q with
/// a proper result.
let private powerIsPointwise (f: Family<'D, 'X>) (isProper: 'D -> bool) (c: LawCase<'D>) =
    match f.Power with
    | None -> Prop.ofTestable true
    | Some pow ->
        let q = abs c.Q + 0.1
        let aq = pow c.A q
        if not (isProper aq) then Prop.ofTestable true
        else
            let rng = Rng(uint64 c.Seed)
            let offsets = Array.init 5 (fun _ -> let x = f.Point c.Dim rng in f.LogDensity aq x - q * f.LogDensity c.A x)
            let spread = Array.max offsets - Array.min offsets
            spread <= 1e-9 * (1.0 + Array.max (offsets |> Array.map abs)) |> Prop.label $"offsets %A{offsets}"

/// log ∫ exp(logF x) dx over [low, high] by adaptive Gauss–Kronrod, scaled by the integrand at <paramref name="centre"/>.
let private logIntegral (logF: float -> float) (low: float) (high: float) (centre: float) =
    let c = logF centre
    c + log (Integrate.GaussKronrod((fun x -> exp (logF x - c)), low, high, 1e-13, 20, 61))

let private logUniform (rng: Rng) low high = exp (rng.Uniform(log low, log high))

// ---- the families ----

let gaussian : Family<Gaussian, float> =
    { Draw = fun _ rng -> Gaussian.FromMeanAndPrecision(rng.Uniform(-5.0, 5.0), logUniform rng 0.05 20.0)
      Dimensions = 1, 1
      Natural = fun g -> [| g.MeanTimesPrecision; g.Precision |]
      Product = fun a b -> a * b
      Ratio = fun a b -> a / b
      Power = Some(fun g p -> Gaussian.op_ExclusiveOr(g, p))
      Point = fun _ rng -> rng.Uniform(-6.0, 6.0)
      LogDensity = fun g x -> g.LogDensity x }

/// log ∫ N_a N_b by Gauss–Kronrod over the product's mean ± 40 sd.
let gaussianOverlap (a: Gaussian) (b: Gaussian) =
    let ab = a * b
    let m, s = ab.GetMean(), sqrt (ab.GetVariance())
    logIntegral (fun x -> a.LogDensity x + b.LogDensity x) (m - 40.0 * s) (m + 40.0 * s) m

let gamma : Family<Gamma, float> =
    { Draw = fun _ rng -> Gamma.FromShapeAndRate(rng.Uniform(1.0, 20.0), logUniform rng 0.1 10.0)
      Dimensions = 1, 1
      Natural = fun g -> [| g.Shape; g.Rate |]
      Product = fun a b -> a * b
      Ratio = fun a b -> a / b
      Power = Some(fun g p -> Gamma.op_ExclusiveOr(g, p))
      Point = fun _ rng -> logUniform rng 0.01 20.0
      LogDensity = fun g x -> g.LogDensity x }

/// log ∫ Gamma_a Gamma_b over (0, mean + 60 sd) of the product.
let gammaOverlap (a: Gamma) (b: Gamma) =
    let ab = a * b
    let m, s = ab.GetMean(), sqrt (ab.GetVariance())
    logIntegral (fun x -> a.LogDensity x + b.LogDensity x) 0.0 (m + 60.0 * s) m

let bernoulli : Family<Bernoulli, bool> =
    { Draw = fun _ rng -> Bernoulli.FromLogOdds(rng.Uniform(-10.0, 10.0))
      Dimensions = 1, 1
      Natural = fun b -> [| b.LogOdds |]
      Product = fun a b -> a * b
      Ratio = fun a b -> a / b
      Power = Some(fun b p -> Bernoulli.op_ExclusiveOr(b, p))
      Point = fun _ rng -> coin rng
      LogDensity = fun b x -> b.LogDensity x }

/// log Σ_x p_a(x) p_b(x) by enumeration.
let bernoulliOverlap (a: Bernoulli) (b: Bernoulli) =
    log ([ true; false ] |> List.sumBy (fun x -> exp (a.LogDensity x + b.LogDensity x)))

let beta : Family<Beta, float> =
    { Draw = fun _ rng -> Beta.FromCounts(rng.Uniform(1.0, 20.0), rng.Uniform(1.0, 20.0))
      Dimensions = 1, 1
      Natural = fun b -> [| b.TrueCount; b.FalseCount |]
      Product = fun a b -> a * b
      Ratio = fun a b -> a / b
      Power = None
      Point = fun _ rng -> rng.Uniform(0.01, 0.99)
      LogDensity = fun b x -> b.LogDensity x }

/// log ∫_0^1 Beta_a Beta_b.
let betaOverlap (a: Beta) (b: Beta) =
    logIntegral (fun x -> a.LogDensity x + b.LogDensity x) 0.0 1.0 ((a * b).GetMean())

let dirichlet : Family<Dirichlet, float[]> =
    { Draw = fun k rng -> Dirichlet.FromPseudoCounts(ReadOnlySpan(Array.init k (fun _ -> rng.Uniform(1.0, 10.0))))
      Dimensions = 2, 5
      Natural = fun d -> d.PseudoCounts.ToArray()
      Product = fun a b -> a * b
      Ratio = fun a b -> a / b
      Power = None
      Point = fun k rng -> Array.init k (fun _ -> rng.Uniform(0.05, 1.0)) |> normalise
      LogDensity = fun d p -> d.LogDensity p }

/// log ∫ Dir_a Dir_b over the simplex: a one-dimensional integral for K = 2; for K > 2 not computed (NaN), and the
/// property then checks only that the offset is the same at every point.
let dirichletOverlap (a: Dirichlet) (b: Dirichlet) =
    if a.Dimension = 2 then
        let f x = let p = [| x; 1.0 - x |] in a.LogDensity p + b.LogDensity p
        logIntegral f 0.0 1.0 ((a * b).GetMean().[0])
    else nan

let discrete : Family<Discrete, int> =
    { Draw = fun k rng -> Discrete.FromProbabilities(ReadOnlySpan(Array.init k (fun _ -> rng.Uniform(0.05, 1.0))))
      Dimensions = 2, 6
      Natural = fun d -> d.Probabilities.ToArray()
      Product = fun a b -> a * b
      Ratio = fun a b -> a / b
      Power = None
      Point = fun k rng -> rng.NextInt k
      LogDensity = fun d x -> d.LogDensity x }

/// log Σ_k p_a(k) p_b(k) by enumeration.
let discreteOverlap (a: Discrete) (b: Discrete) =
    log (Array.init a.Dimension (fun k -> exp (a.LogDensity k + b.LogDensity k)) |> Array.sum)

let vectorGaussian : Family<VectorGaussian, Vector<float>> =
    { Draw =
        fun n rng ->
            let spd = spdCaseOfSize n 3.0 rng
            VectorGaussian.FromMeanAndPrecision(Vector<float>.Build.Dense(n, fun _ -> rng.Normal(0.0, 2.0)), spdMatrix spd * logUniform rng 0.1 10.0)
      Dimensions = 1, 4
      Natural = fun g -> Array.append (g.PrecisionTimesMean.ToArray()) (g.Precision.ToColumnMajorArray())
      Product = fun a b -> a * b
      Ratio = fun a b -> a / b
      Power = Some(fun g p -> VectorGaussian.op_ExclusiveOr(g, p))
      Point = fun n rng -> Vector<float>.Build.Dense(n, fun _ -> rng.Normal(0.0, 2.0))
      LogDensity = fun g x -> g.LogDensity x }

/// log ∫ N(x; m_a, Σ_a) N(x; m_b, Σ_b) dx = log N(m_a; m_b, Σ_a + Σ_b), in covariance form.
let vectorGaussianOverlap (a: VectorGaussian) (b: VectorGaussian) =
    let s = a.GetVariance() + b.GetVariance()
    let d = a.GetMean() - b.GetMean()
    let chol = s.Cholesky()
    -0.5 * (float d.Count * log (2.0 * Math.PI) + chol.DeterminantLn + d.DotProduct(chol.Solve d))

let continuousCategorical : Family<ContinuousCategorical, float[]> =
    { Draw = fun k rng -> ContinuousCategorical.FromNatural(ReadOnlySpan(Array.init k (fun _ -> rng.Uniform(-5.0, 5.0))))
      Dimensions = 2, 4
      Natural = fun d -> d.NaturalParameters.ToArray()
      Product = fun a b -> a * b
      Ratio = fun a b -> a / b
      Power = Some(fun d p -> ContinuousCategorical.op_ExclusiveOr(d, p))
      Point = fun k rng -> Array.init k (fun _ -> rng.Uniform(0.05, 1.0)) |> normalise
      LogDensity = fun d s -> d.LogDensity s }

/// log ∫ CC_a CC_b over the simplex = log Z(a + b) − log Z(a) − log Z(b), each Z by the Gauss–Legendre quadrature
/// of Theorem A1 (ContinuousCategoricalTheorem.quadratureZ).
let continuousCategoricalOverlap (a: ContinuousCategorical) (b: ContinuousCategorical) =
    let logZ (x: float[]) = log (ContinuousCategoricalTheorem.quadratureZ 40 (x |> Array.map exp))
    let na, nb = a.NaturalParameters.ToArray(), b.NaturalParameters.ToArray()
    logZ (Array.map2 (+) na nb) - logZ na - logZ nb

[<Fact>]
let ``Gaussian: product, ratio and power laws`` () = check 300 71UL (Prop.forAll (lawCases gaussian) (algebraicLaws gaussian))

[<Fact>]
let ``Gaussian: the product is the pointwise product over ∫ N_a N_b (Gauss–Kronrod), and GetLogAverageOf agrees`` () =
    check 200 72UL (
        Prop.forAll (lawCases gaussian) (fun c ->
            let overlap = gaussianOverlap c.A c.B
            let average = c.A.GetLogAverageOf c.B
            productIsPointwise gaussian gaussianOverlap 1e-9 c
            .&. (abs (average - overlap) <= 1e-9 * (1.0 + abs overlap) |> Prop.label $"GetLogAverageOf {average} vs {overlap}")
            .&. powerIsPointwise gaussian (fun g -> g.IsProper()) c))

[<Fact>]
let ``Gamma: product, ratio and power laws`` () = check 300 73UL (Prop.forAll (lawCases gamma) (algebraicLaws gamma))

[<Fact>]
let ``Gamma: the product is the pointwise product over ∫ Gamma_a Gamma_b (Gauss–Kronrod); the power is pointwise`` () =
    check 200 74UL (
        Prop.forAll (lawCases gamma) (fun c ->
            let ab = c.A * c.B
            let library = ab.GetLogNormalizer() - c.A.GetLogNormalizer() - c.B.GetLogNormalizer()
            let overlap = gammaOverlap c.A c.B
            productIsPointwise gamma gammaOverlap 1e-9 c
            .&. (abs (library - overlap) <= 1e-9 * (1.0 + abs overlap) |> Prop.label $"log normalisers {library} vs {overlap}")
            .&. powerIsPointwise gamma (fun g -> g.IsProper()) c))

[<Fact>]
let ``Bernoulli: product, ratio and power laws`` () = check 300 75UL (Prop.forAll (lawCases bernoulli) (algebraicLaws bernoulli))

[<Fact>]
let ``Bernoulli: the product and the power are pointwise (enumeration)`` () =
    check 300 76UL (
        Prop.forAll (lawCases bernoulli) (fun c ->
            productIsPointwise bernoulli bernoulliOverlap 1e-12 c .&. powerIsPointwise bernoulli (fun b -> b.IsProper()) c))

[<Fact>]
let ``Beta: product and ratio laws`` () = check 300 77UL (Prop.forAll (lawCases beta) (algebraicLaws beta))

[<Fact>]
let ``Beta: the product is the pointwise product over ∫ Beta_a Beta_b (Gauss–Kronrod), and the log normalisers agree`` () =
    check 200 78UL (
        Prop.forAll (lawCases beta) (fun c ->
            let library = (c.A * c.B).GetLogNormalizer() - c.A.GetLogNormalizer() - c.B.GetLogNormalizer()
            let overlap = betaOverlap c.A c.B
            productIsPointwise beta betaOverlap 1e-9 c
            .&. (abs (library - overlap) <= 1e-9 * (1.0 + abs overlap) |> Prop.label $"log normalisers {library} vs {overlap}")))

[<Fact>]
let ``Dirichlet: product and ratio laws`` () = check 300 79UL (Prop.forAll (lawCases dirichlet) (algebraicLaws dirichlet))

[<Fact>]
let ``Dirichlet: the product is pointwise, with ∫ Dir_a Dir_b by Gauss–Kronrod for K = 2`` () =
    check 200 80UL (
        Prop.forAll (lawCases dirichlet) (fun c ->
            if c.Dim = 2 then productIsPointwise dirichlet dirichletOverlap 1e-9 c
            else
                // K > 2: the offset log p_ab − log p_a − log p_b is the same at every point, and equals the library's
                // log B(a + b − 1) − log B(a) − log B(b) only through that constancy (no second route here).
                let library = (c.A * c.B).GetLogNormalizer() - c.A.GetLogNormalizer() - c.B.GetLogNormalizer()
                productIsPointwise dirichlet (fun _ _ -> library) 1e-11 c))

[<Fact>]
let ``Discrete: product and ratio laws`` () = check 300 81UL (Prop.forAll (lawCases discrete) (algebraicLaws discrete))

[<Fact>]
let ``Discrete: the product is the pointwise product, normalised by enumeration`` () =
    check 300 82UL (Prop.forAll (lawCases discrete) (productIsPointwise discrete discreteOverlap 1e-12))

[<Fact>]
let ``VectorGaussian: product, ratio and power laws`` () = check 300 83UL (Prop.forAll (lawCases vectorGaussian) (algebraicLaws vectorGaussian))

[<Fact>]
let ``VectorGaussian: the product's normaliser is log N(m_a; m_b, Σ_a + Σ_b) and its moments are the covariance-form ones`` () =
    check 200 84UL (
        Prop.forAll (lawCases vectorGaussian) (fun c ->
            let ab = c.A * c.B
            // Σ = Σ_a (Σ_a + Σ_b)⁻¹ Σ_b, m = Σ_b (Σ_a + Σ_b)⁻¹ m_a + Σ_a (Σ_a + Σ_b)⁻¹ m_b.
            let sa, sb = c.A.GetVariance(), c.B.GetVariance()
            let total = (sa + sb).Inverse()
            let cov = sa * total * sb
            let mean = sb * total * c.A.GetMean() + sa * total * c.B.GetMean()
            let dm = Discrepancy.scaled (ab.GetMean().ToArray()) (mean.ToArray())
            let dc = Discrepancy.scaled (ab.GetVariance().ToColumnMajorArray()) (cov.ToColumnMajorArray())
            productIsPointwise vectorGaussian vectorGaussianOverlap 1e-9 c
            .&. ((dm.Gap <= 1e-9 && dc.Gap <= 1e-9) |> Prop.label $"mean {dm}; covariance {dc}")
            .&. powerIsPointwise vectorGaussian (fun g -> g.IsProper()) c))

[<Fact>]
let ``ContinuousCategorical: product, ratio and power laws`` () =
    check 300 85UL (Prop.forAll (lawCases continuousCategorical) (algebraicLaws continuousCategorical))

[<Fact>]
let ``ContinuousCategorical: the product's normaliser matches Theorem A1's quadrature; product and power are pointwise`` () =
    check 200 86UL (
        Prop.forAll (lawCases continuousCategorical) (fun c ->
            let ab = c.A * c.B
            let library = ab.GetLogNormalizer() - c.A.GetLogNormalizer() - c.B.GetLogNormalizer()
            let overlap = continuousCategoricalOverlap c.A c.B
            productIsPointwise continuousCategorical continuousCategoricalOverlap 1e-9 c
            .&. (abs (library - overlap) <= 1e-9 * (1.0 + abs overlap) |> Prop.label $"log normalisers {library} vs {overlap}")
            .&. powerIsPointwise continuousCategorical (fun _ -> true) c))
