namespace Probabilistic.Theorems

open System

/// Discrepancy reported by a theorem check: both sides (at the entry where they differ most) and their gap.
type Discrepancy = { Lhs: float; Rhs: float; Gap: float }

/// Ways of measuring the gap between the two sides of a statement.
module Discrepancy =
    /// Absolute gap between two numbers.
    let absolute (lhs: float) (rhs: float) = { Lhs = lhs; Rhs = rhs; Gap = abs (lhs - rhs) }

    /// Gap relative to |rhs|.
    let relative (lhs: float) (rhs: float) = { Lhs = lhs; Rhs = rhs; Gap = abs (lhs - rhs) / abs rhs }

    /// Largest entrywise gap divided by (1 + max |rhs|): relative for large entries, absolute for small ones.
    let scaled (lhs: float[]) (rhs: float[]) =
        if lhs.Length <> rhs.Length then
            invalidArg "lhs" $"Discrepancy.scaled: lengths differ ({lhs.Length} vs {rhs.Length})."
        let scale = 1.0 + (rhs |> Array.fold (fun m v -> max m (abs v)) 0.0)
        let mutable worst = { Lhs = nan; Rhs = nan; Gap = 0.0 }
        for i in 0 .. lhs.Length - 1 do
            let gap = abs (lhs.[i] - rhs.[i]) / scale
            // NaN on either side must count as a failure, so compare with "not <=".
            if not (gap <= worst.Gap) then worst <- { Lhs = lhs.[i]; Rhs = rhs.[i]; Gap = (if Double.IsNaN gap then infinity else gap) }
        if Double.IsNaN worst.Lhs && lhs.Length > 0 then { Lhs = lhs.[0]; Rhs = rhs.[0]; Gap = 0.0 } else worst

/// Whether a statement is checked as the seed wrote it or in its corrected form.
type Source =
    | Seed
    | Corrected

/// One line of the verdict table.
type VerdictRow =
    { Theorem: string
      Source: Source
      Statement: string
      Cases: int
      SmallestGap: float
      LargestGap: float
      Tolerance: string
      Holds: bool }

/// Small numerical helpers shared by the theorems.
module Numerics =
    /// Stable log-softmax of z / T (log-sum-exp with the maximum subtracted).
    let logSoftmax (temperature: float) (z: float[]) =
        let x = z |> Array.map (fun v -> v / temperature)
        let m = Array.max x
        let lse = m + log (x |> Array.sumBy (fun v -> exp (v - m)))
        x |> Array.map (fun v -> v - lse)

    /// softmax(z / T).
    let softmax temperature z = logSoftmax temperature z |> Array.map exp

    /// n! as a float.
    let factorial n = Seq.fold (fun acc k -> acc * float k) 1.0 (seq { 1 .. n })
