/// Prints the verdict table of every theorem of seed 000: theorem, source (the seed's statement or the corrected
/// one), cases tried, smallest and largest discrepancy, tolerance, holds / refuted.
/// Usage: TheoremsReport [cases] [monteCarloCases]  (defaults 200 and 40).
open System
open System.Diagnostics
open Probabilistic.Theorems

[<EntryPoint>]
let main argv =
    let budget =
        match argv with
        | [| cases |] -> { Verdicts.defaultBudget with Cases = int cases }
        | [| cases; mc |] -> { Verdicts.defaultBudget with Cases = int cases; MonteCarloCases = int mc }
        | _ -> Verdicts.defaultBudget
    let clock = Stopwatch.StartNew()
    let rows = Verdicts.all budget
    let source = function Seed -> "seed" | Corrected -> "corrected"
    printfn "%-7s %-10s %-92s %6s %10s %10s %-26s %s" "theorem" "source" "statement" "cases" "min gap" "max gap" "tolerance" "verdict"
    printfn "%s" (String('-', 180))
    for r in rows do
        printfn "%-7s %-10s %-92s %6d %10.3g %10.3g %-26s %s"
            r.Theorem (source r.Source) r.Statement r.Cases r.SmallestGap r.LargestGap r.Tolerance (if r.Holds then "holds" else "REFUTED")
    printfn "%s" (String('-', 180))
    printfn "%d rows, %d hold, %d refuted; %.1f s" rows.Length (rows |> List.filter (fun r -> r.Holds) |> List.length)
        (rows |> List.filter (fun r -> not r.Holds) |> List.length) clock.Elapsed.TotalSeconds
    0
