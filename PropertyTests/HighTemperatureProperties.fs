/// Hinton's high-temperature limit as FsCheck properties.
module Probabilistic.PropertyTests.HighTemperatureProperties

open Xunit
open Probabilistic.Theorems.HighTemperatureTheorem
open Probabilistic.PropertyTests
open Probabilistic.PropertyTests.Run

[<Fact>]
let ``Soft cross-entropy gradient is (q − p)/T`` () =
    check 200 41UL (gapWithin 1e-7 Generators.logitCases gradientMatchesFiniteDifferences)

[<Fact>]
let ``Hinton limit: T(K T² ∇ − (z − v)) approaches c within 2M³/T`` () =
    check 200 42UL (gapWithin 2.0 Generators.logitCases hintonLimitRate)
