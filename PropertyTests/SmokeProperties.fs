module Probabilistic.PropertyTests.SmokeProperties

open Xunit
open FsCheck
open FsCheck.FSharp

[<Fact>]
let ``FsCheck runs from xunit`` () =
    Check.One(Config.QuickThrowOnFailure.WithMaxTest 200, fun (a: int) (b: int) -> a + b = b + a)
