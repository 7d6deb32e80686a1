/// Theorems A1-d (three-term objective, on the product's loss) and A2 (regression ⇔ weighted least squares) as
/// FsCheck properties.
module Probabilistic.PropertyTests.LikelihoodProperties

open Xunit
open Probabilistic.Theorems
open Probabilistic.Theorems.DistillationObjectiveTheorem
open Probabilistic.Theorems.RegressionTheorem
open Probabilistic.PropertyTests.Generators
open Probabilistic.PropertyTests.Run

[<Fact>]
let ``A1-d: with I = all and λ = ½ the product's loss is half of Hinton's L_st for any T0`` () =
    check 200 21UL (gapWithin 1e-7 objectiveCases productIsHalfHinton)

[<Fact>]
let ``A1-d: with I empty the product's loss is the maximum-likelihood loss`` () =
    check 200 22UL (gapWithin 1e-7 objectiveCases productWithEmptySetIsMaximumLikelihood)

[<Fact>]
let ``A2: normal equations equal the theorem's generalised least squares`` () =
    check 200 23UL (gapWithin 1e-9 problemCases (problemOf >> glsMatchesNormalEquations))

[<Fact>]
let ``A2: gradient descent on J reaches the theorem's solution`` () =
    check 200 24UL (gapWithin 1e-6 problemCases (problemOf >> gradientDescentMatches))

[<Fact>]
let ``A2 seed: the literal formula with the factor 2 is wrong whenever the solution is non-zero`` () =
    check 200 25UL (gapAbove 1e-6 problemCases (problemOf >> seedFactorTwo))

[<Fact>]
let ``A2: methods.md Check 2 setting (m = 40, n = 4, λ = 0.3, τ = 2, τ_s = 0.7)`` () =
    let p = { randomProblem 40 4 2UL with Lambda = 0.3; Tau = 2.0; TauS = 0.7 }
    Assert.True((glsMatchesNormalEquations p).Gap < 1e-9)
    Assert.True((gradientDescentMatches p).Gap < 1e-6)
    Assert.True((seedFactorTwo p).Gap > 1e-3)
