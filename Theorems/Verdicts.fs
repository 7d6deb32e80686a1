/// Runs every theorem check over deterministic samples of its case sampler (Model.Core's Rng, fixed seeds) and
/// summarises each as a verdict row. The same samplers drive the FsCheck properties in PropertyTests (there with
/// FsCheck-drawn seeds and shrinking).
module Probabilistic.Theorems.Verdicts

open Probabilistic.Theorems.Cases

/// Case counts used by the report (the Monte Carlo rows are expensive and use fewer).
type Budget = { Cases: int; MonteCarloCases: int; MonteCarloSamples: int }

/// The report's default budget: 200 cases per row, 40 Monte Carlo cases of 1e5 samples each.
let defaultBudget = { Cases = 200; MonteCarloCases = 40; MonteCarloSamples = 100_000 }

let private row theorem source statement (tolerance: float) (toleranceText: string) (gaps: float[]) =
    { Theorem = theorem
      Source = source
      Statement = statement
      Cases = gaps.Length
      SmallestGap = Array.min gaps
      LargestGap = Array.max gaps
      Tolerance = toleranceText
      Holds = gaps |> Array.forall (fun g -> g <= tolerance) }

let private gaps (check: 'T -> Discrepancy) (cases: 'T[]) = cases |> Array.map (fun c -> (check c).Gap)

/// Simplex points of methods.md §1.2 with the printed Z values.
let tablePoints =
    let geometric = Array.init 10 (fun k -> 2.0 ** float -(k + 1))
    let s = Array.sum geometric
    [| [| 0.3; 0.7 |], 0.47209
       [| 0.501; 0.499 |], 0.50000
       [| 0.2; 0.3; 0.5 |], 0.15813
       [| 0.1; 0.15; 0.75 |], 0.12382
       [| 0.05; 0.1; 0.15; 0.3; 0.4 |], 6.771e-3
       geometric |> Array.map (fun v -> v / s), 7.293e-8 |]

/// Theorem A1 rows.
let continuousCategorical (b: Budget) =
    let all = sample b.Cases 1UL (simplexPoint [ 2 .. 10 ] [ Interior; NearlyEqual; NearVertex ])
    let small = sample b.Cases 2UL (simplexPoint [ 2; 3; 4 ] [ Interior; NearlyEqual; NearVertex ])
    // Plain Monte Carlo cannot see the peak of near-vertex integrands (its standard error is then meaningless);
    // those points are covered by the quadrature row.
    let mc = sample b.MonteCarloCases 3UL (simplexPoint [ 2; 3; 5; 10 ] [ Interior; NearlyEqual ])
    let nearlyEqual = sample b.Cases 4UL (simplexPoint [ 2 .. 10 ] [ NearlyEqual ])
    let separated = sample b.Cases 5UL separatedPoint
    let mcGap (g: float[]) seed =
        let d, stdErr = ContinuousCategoricalTheorem.correctedConstantNormalises b.MonteCarloSamples seed g
        // A constant integrand (all components equal) has zero standard error; allow for rounding (n·ε) there.
        d.Gap / (stdErr + 1e-11)
    [ row "A1" Seed "C_paper·Z(g) = 1, i.e. the seed's C normalises Π g^s" 1e-6 "1e-6"
          (gaps (fun p -> ContinuousCategoricalTheorem.seedConstantNormalises p.G) all)
      row "A1" Corrected "Z(g) reproduces the table of methods.md §1.2" 2e-4 "rel 2e-4 (printed digits)"
          (tablePoints |> Array.map (fun (g, z) -> (Discrepancy.relative (Probabilistic.Core.Simplex.ContinuousCategorical.Normalizer(System.ReadOnlySpan g)) z).Gap))
      row "A1" Corrected "∫ (1/Z) Π g^s ds = 1 at the table points (MC 1e5 Dirichlet(1)/(K−1)!)" 5e-3 "rel 5e-3"
          (tablePoints |> Array.mapi (fun i (g, _) -> (fst (ContinuousCategoricalTheorem.correctedConstantNormalises b.MonteCarloSamples (uint64 (100 + i)) g)).Gap))
      row "A1" Corrected $"∫ (1/Z) Π g^s ds = 1, K ∈ {{2,3,5,10}} (MC {b.MonteCarloSamples} samples; gap in std. errors)" 4.5 "4.5 SE"
          (mc |> Array.mapi (fun i p -> mcGap p.G (uint64 (1000 + i))))
      row "A1" Corrected "stable Z (C#) = Gauss–Legendre quadrature, K ≤ 4, incl. coincident / near-vertex" 1e-9 "rel 1e-9"
          (gaps (fun p -> ContinuousCategoricalTheorem.stableMatchesQuadrature p.G) small)
      row "A1" Corrected "stable Z (C#) = closed form Σ g_k/Π ln(g_k/g_j), separated points" 1e-9 "rel 1e-9"
          (gaps (fun p -> ContinuousCategoricalTheorem.stableMatchesClosedForm p.G) separated)
      row "A1" Corrected "∂ ln Z/∂a_k = E_CC[s_k] (C# mean vs finite differences)" 1e-7 "1e-7"
          (gaps (fun p -> ContinuousCategoricalTheorem.gradientIsMean p.G) all)
      row "A1" Corrected "continuity: |ln Z(a) − ln Z(a')| ≤ ‖a − a'‖∞ as components coincide" 1e-12 "excess ≤ 1e-12"
          (gaps (fun p -> ContinuousCategoricalTheorem.lipschitzAcrossCoincidence p.G) nearlyEqual) ]

/// Theorem A1-d and A2 rows.
let likelihoodObjectives (b: Budget) =
    let objectives = sample b.Cases 6UL DistillationObjectiveTheorem.objectiveCase
    let problems = sample b.Cases 7UL RegressionTheorem.problemCase |> Array.map RegressionTheorem.problemOf
    [ row "A1-d" Seed "I = all, λ = ½: the product's loss (negated objective) = ½ L_st (any T0)" 1e-7 "rel 1e-7 (float32 loss)"
          (gaps DistillationObjectiveTheorem.productIsHalfHinton objectives)
      row "A1-d" Seed "I = ∅: the product's loss is the maximum-likelihood loss −Σ log g_y" 1e-7 "rel 1e-7 (float32 loss)"
          (gaps DistillationObjectiveTheorem.productWithEmptySetIsMaximumLikelihood objectives)
      row "A2" Corrected "argmin J = (XᵀΣ⁻¹X)⁻¹XᵀΣ⁻¹y'' (normal equations vs theorem's GLS)" 1e-9 "1e-9"
          (gaps RegressionTheorem.glsMatchesNormalEquations problems)
      row "A2" Corrected "gradient descent on J reaches the theorem's GLS solution" 1e-6 "1e-6"
          (gaps RegressionTheorem.gradientDescentMatches problems)
      row "A2" Seed "seed's last line ŵ = 2(XᵀΣ⁻¹X)⁻¹XᵀΣ⁻¹y'' (factor 2)" 1e-9 "1e-9"
          (gaps RegressionTheorem.seedFactorTwo problems) ]

/// Theorem B1, B2 and structure-path rows.
let bayesianAlignment (b: Budget) =
    let neurons = sample b.Cases 8UL NeuronRemovalTheorem.neuronCase
    let layers = sample b.Cases 9UL LayerRemovalTheorem.layerCase
    let pairs = sample b.Cases 10UL StructurePathTheorem.structurePair
    let sameDepth =
        sample b.Cases 11UL StructurePathTheorem.structurePair
        |> Array.map (fun p ->
            // same depth, student widths ≤ teacher widths (the seed's premise n_l ≤ n_t)
            let student = Array.init p.Teacher.Length (fun i -> if i = 0 || i = p.Teacher.Length - 1 then p.Teacher.[i] else 1 + (p.Teacher.[i] * 7919 + i) % p.Teacher.[i])
            { p with Student = student })
    let onlyNeuronRemovals (p: StructurePathTheorem.StructurePair) =
        try
            let plan = Probabilistic.Distill.Bayesian.StructurePlanner.Plan(Probabilistic.Distill.Bayesian.NetworkStructure(p.Teacher), Probabilistic.Distill.Bayesian.NetworkStructure(p.Student))
            if plan.Steps |> Seq.forall (fun s -> s :? Probabilistic.Distill.Bayesian.NeuronRemoval) then 0.0 else 1.0
        with :? System.ArgumentException -> 1.0
    [ row "B1" Corrected "Schur route (C#) = precision route Λ = Σ⁻¹ (F#), mean and covariance" 1e-9 "1e-9 scaled"
          (gaps NeuronRemovalTheorem.schurMatchesPrecision neurons)
      row "B1" Seed "zeroing the outgoing column = deleting the neuron (network function)" 0.0 "exact"
          (gaps NeuronRemovalTheorem.zeroedColumnsEqualDeletedNeurons neurons)
      row "B1" Corrected "dimension drops by k(n_{t−1} + n_{t+1})" 0.0 "exact"
          (gaps NeuronRemovalTheorem.parameterDropCorrected neurons)
      row "B1" Seed "dimension drops by 2k·n_t" 0.0 "exact"
          (gaps NeuronRemovalTheorem.parameterDropSeed neurons)
      row "B1" Corrected "removing several neurons jointly = one by one" 1e-9 "1e-9 scaled"
          (gaps NeuronRemovalTheorem.jointEqualsSequential neurons)
      row "B2" Corrected "conditioning U_t = I with (i − m_ῡ): Schur (C#) = precision route (F#)" 1e-9 "1e-9 scaled"
          (gaps LayerRemovalTheorem.schurMatchesPrecision layers)
      row "B2" Seed "ReLU: network with U_t = I = network without layer t" 0.0 "exact"
          (gaps (LayerRemovalTheorem.identityLayerIsRemovable BayesianNetwork.relu) layers)
      row "B2" Seed "same with the code's LeakyReLU(0.01) (premise σ∘σ = σ)" 0.0 "exact"
          (gaps (LayerRemovalTheorem.identityLayerIsRemovable BayesianNetwork.leakyRelu) layers)
      row "Path" Seed "same depth, n_l ≤ n_t: reached by neuron removals alone" 0.0 "exact"
          (sameDepth |> Array.filter (fun p -> p.Student.Length = p.Teacher.Length) |> Array.map onlyNeuronRemovals)
      row "Path" Seed "shallower students: every width-dominated student is reachable (BFS)" 0.0 "exact"
          (sample (4 * b.Cases) 13UL StructurePathTheorem.structurePair
           |> Array.filter (fun p -> p.Student.Length < p.Teacher.Length && StructurePathTheorem.widthDominated p)
           |> Array.truncate b.Cases
           |> gaps StructurePathTheorem.seedEveryDominatedStudentIsReachable)
      row "Path" Corrected "planner: valid path to the student ⇔ reachable by single removals (BFS)" 0.0 "exact"
          (gaps StructurePathTheorem.plannerIsCorrectAndComplete pairs) ]

/// Hinton's high-temperature rows.
let highTemperature (b: Budget) =
    let cases = sample b.Cases 12UL HighTemperatureTheorem.logitCase
    [ row "Hinton" Corrected "soft-CE gradient = (softmax(z/T) − softmax(v/T))/T (finite differences)" 1e-7 "1e-7 scaled"
          (gaps HighTemperatureTheorem.gradientMatchesFiniteDifferences cases)
      row "Hinton" Seed "∇_z → (z − v)/(K T²); rate: |T(KT²∇ − (z−v)) − c| ≤ 2M³/T (gap in M³/T)" 2.0 "2 (units M³/T)"
          (gaps HighTemperatureTheorem.hintonLimitRate cases) ]

/// Every verdict row, in the report's order.
let all (b: Budget) =
    List.concat [ continuousCategorical b; likelihoodObjectives b; bayesianAlignment b; highTemperature b ]
