namespace Probabilistic.Theorems

/// Discrepancy reported by a theorem check: both sides and their largest absolute difference.
type Discrepancy = { Lhs: float; Rhs: float; Gap: float }
