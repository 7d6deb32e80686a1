/// Hinton's high-temperature limit (seed 000 §1.1 background): for zero-mean student logits z and teacher logits v,
/// the gradient of the soft cross-entropy C = −Σ_k p_k log q_k (p = softmax(v/T), q = softmax(z/T)) with respect
/// to z is (q − p)/T and approaches (z − v)/(K T²) as T grows. Asserted rate: with r(T) = K T² ∇C − (z − v),
///   T·r(T) → c,  c_k = ½[(z_k² − v_k²) − (mean(z²) − mean(v²))],  |T·r(T) − c|_∞ ≤ 2M³/T for T ≥ 10M,
/// M = max(|z|_∞, |v|_∞) (third-order Taylor terms of softmax are bounded by (5/6)(M/T)³ per side). So the relative
/// error of Hinton's approximation is O(1/T), with an explicit leading coefficient.
module Probabilistic.Theorems.HighTemperatureTheorem

open Probabilistic.Core.Random
open Probabilistic.Theorems.Numerics

/// Zero-mean student and teacher logits and a temperature multiple T = Factor·M.
type LogitCase = { Student: float[]; Teacher: float[]; Factor: float }

/// Centres logits on zero mean (the premise of the limit).
let centre (x: float[]) =
    let m = Array.average x
    x |> Array.map (fun v -> v - m)

/// K = 2..10, logits in [−5, 5] (hundredths), centred; Factor ∈ {10, 30, 100, 300, 1000}.
let logitCase (rng: Rng) : LogitCase =
    let k = Cases.between rng 2 10
    let toLogits = Array.map (fun i -> float i / 100.0) >> centre
    let z = Array.init k (fun _ -> Cases.between rng -500 500)
    let v = Array.init k (fun _ -> Cases.between rng -500 500)
    let factor = Cases.pick rng [ 10.0; 30.0; 100.0; 300.0; 1000.0 ]
    { Student = toLogits z; Teacher = toLogits v; Factor = factor }

/// ∇_z of the soft cross-entropy at temperature T: (softmax(z/T) − softmax(v/T))/T.
let softCrossEntropyGradient (t: float) (z: float[]) (v: float[]) =
    Array.map2 (fun q p -> (q - p) / t) (softmax t z) (softmax t v)

/// Soft cross-entropy −Σ p log q at temperature T.
let softCrossEntropy (t: float) (z: float[]) (v: float[]) =
    -(Array.map2 (*) (softmax t v) (logSoftmax t z) |> Array.sum)

/// The analytic gradient vs central finite differences (h = 1e-5, T = Factor/100 ∈ [0.1, 10]). Gap scaled.
let gradientMatchesFiniteDifferences (c: LogitCase) =
    let t = c.Factor / 100.0
    let h = 1e-5
    let fd =
        Array.init c.Student.Length (fun k ->
            let shifted d = c.Student |> Array.mapi (fun j x -> if j = k then x + d else x)
            (softCrossEntropy t (shifted h) c.Teacher - softCrossEntropy t (shifted -h) c.Teacher) / (2.0 * h))
    Discrepancy.scaled (softCrossEntropyGradient t c.Student c.Teacher) fd

/// The asserted rate: gap = |T·r(T) − c|_∞ divided by M³/T; the statement holds when it is ≤ 2.
let hintonLimitRate (c: LogitCase) =
    let k = float c.Student.Length
    let m = max (c.Student |> Array.map abs |> Array.max) (c.Teacher |> Array.map abs |> Array.max)
    let m = max m 1e-3
    let t = c.Factor * m
    let grad = softCrossEntropyGradient t c.Student c.Teacher
    let meanSq x = x |> Array.averageBy (fun v -> v * v)
    let lhs = Array.init grad.Length (fun i -> t * (k * t * t * grad.[i] - (c.Student.[i] - c.Teacher.[i])))
    let rhs =
        Array.init grad.Length (fun i ->
            0.5 * ((c.Student.[i] ** 2.0 - c.Teacher.[i] ** 2.0) - (meanSq c.Student - meanSq c.Teacher)))
    let worst = Array.init lhs.Length (fun i -> abs (lhs.[i] - rhs.[i])) |> Array.max
    let i = Array.init lhs.Length (fun i -> abs (lhs.[i] - rhs.[i])) |> Array.findIndex ((=) worst)
    { Lhs = lhs.[i]; Rhs = rhs.[i]; Gap = worst / (m ** 3.0 / t) }
