using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Engine;
using Probabilistic.Infer.Graph;

namespace Probabilistic.Infer.Factors;

/// <summary>
/// x ~ N(mean, 1/precision), optionally tempered: N(x | mean, τ)^λ ∝ N(x | mean, λτ). Each argument is shared by the
/// factor's elements or indexed by its range: the mean a constant, data or a Gaussian variable; the precision a
/// constant, data (τᵢ > 0 per element) or a Gamma variable (VMP).
/// <list type="bullet">
/// <item>EP (known precision): to x, N(E[mean], Var[mean] + 1/(λτᵢ)) from the cavity of the mean; to the mean,
/// symmetrically. Evidence ratio log N(x̄; mean̄, v_x + v_mean + 1/(λτᵢ)) + log c(λ, τᵢ) with the cavities' moments,
/// c(λ, τ) = (τ/2π)^{λ/2} (λτ/2π)^{−1/2} the constant the power leaves over.</item>
/// <item>VMP (known or Gamma precision): to x and to the mean, N(·, λE[τᵢ]) centred on the other's mean; to τ,
/// Gamma(1 + λ/2, λ E[(xᵢ − meanᵢ)²]/2) per element (summed over the elements for a shared τ). Bound term
/// λ(½E[log τᵢ] − ½ log 2π − ½E[τᵢ]E[(xᵢ − meanᵢ)²]).</item>
/// </list>
/// </summary>
internal sealed class GaussianFactor : FactorDef
{
    private const string Method = "GaussianFromMeanAndPrecision";

    public GaussianFactor(Node mean, Node precision)
        : base("Gaussian", new Node(null, SharedPlate(mean, precision), Family<Gaussian>.Instance),
            new[] { mean, precision }, SharedPlate(mean, precision))
    { }

    private static Range? SharedPlate(Node mean, Node precision) => Variable.CommonPlate(Method, ("mean", mean), ("precision", precision));

    internal override void Check(IReadOnlyList<Node> inputs, Node output)
    {
        RequireGaussianOrData(Method, "mean", inputs[0]);
        var tau = inputs[1].Resolve();
        if (tau.Family is not (null or Family<Gamma>))
            throw new NotSupportedException($"{Method}: the precision '{tau.Name}' is {Describe(tau)}; supported: a constant, observed value(s) > 0, or a Gamma variable (VMP), shared or indexed by the factor's range.");
        switch (tau.Observed)
        {
            case double d when !(d > 0 && d < double.PositiveInfinity):
                throw new ArgumentException($"{Method}: the precision '{tau.Name}' must be finite and > 0, got {d}.");
            case double[] a:
                for (int i = 0; i < a.Length; i++)
                    if (!(a[i] > 0 && a[i] < double.PositiveInfinity))
                        throw new ArgumentException($"{Method}: the precision '{tau.Name}'[{i}] must be finite and > 0, got {a[i]}.");
                break;
        }
    }

    public override FactorOperator CreateOperator(RunState state) => new Operator(this, state);

    private sealed class Operator : FactorOperator
    {
        private readonly GaussianPort _x, _mean;
        private readonly double _tau;           // the precision when it is one known value
        private readonly double[]? _taus;       // the precisions when they are observed per element
        private readonly VarState<Gamma>? _tauVar;     // the precision when it is a Gamma variable (VMP)
        private readonly EdgeState<Gamma>? _tauEdge;
        private readonly double _power;

        public Operator(GaussianFactor def, RunState s) : base(def, s)
        {
            _power = def.Power;
            _mean = new GaussianPort(s, this, def.Inputs[0], Count, isOutput: false);
            var precision = def.Inputs[1].Resolve();
            _tauVar = s.Find<Gamma>(precision, def, "precision");
            if (_tauVar == null)
            {
                switch (precision.Observed)
                {
                    case double d: _tau = d; break;
                    case double[] a when a.Length == Count && precision.Plate == def.Plate: _taus = a; break;
                    case var o:
                        throw new ArgumentException($"{Method}: the precision '{precision.Name}' must be a double or one double per element of "
                                                    + $"{def.Plate?.Name ?? "the factor"} ({Count}), got {o?.GetType().Name ?? "no value"}.");
                }
                def.Check(new[] { def.Inputs[0].Resolve(), precision }, def.Output.Resolve());   // the values are > 0
            }
            else
            {
                if (s.IsEP)
                    throw new NotSupportedException($"{def.Name}: a Gamma-distributed precision ('{precision.Name}') needs VMP (new VariationalMessagePassing()); EP supports known precisions (constants or observed arrays).");
                if (_tauVar.Count != 1 && _tauVar.Count != Count)
                    throw new NotSupportedException($"{def.Name}: a random precision must be a Gamma variable, shared or indexed by the factor's range.");
                _tauEdge = _tauVar.AddEdge(this, isForward: false);
            }
            _x = new GaussianPort(s, this, def.Output, Count, isOutput: true);
        }

        private double MeanTau(int i) =>
            _tauVar != null ? _tauVar.Q[_tauVar.Count == 1 ? 0 : i].GetMean() : _taus != null ? _taus[i] : _tau;

        private double MeanLogTau(int i) =>
            _tauVar != null ? _tauVar.Q[_tauVar.Count == 1 ? 0 : i].GetMeanLog() : Math.Log(_taus != null ? _taus[i] : _tau);

        public override bool ReadsIncoming(Node input) => _x.IsRandom || _tauVar != null;

        public override void UpdateForward(bool force)
        {
            if (!_x.IsRandom || (!force && _x.Var!.Predictive)) return;
            for (int i = 0; i < Count; i++) _x.Set(i, MessageFrom(_mean.Incoming(i), _power * MeanTau(i)));
            _x.Commit();
        }

        public override void UpdateBackward()
        {
            if (_tauVar != null)
            {
                // VMP: the precision first, from the current beliefs (a coordinate step of the bound).
                if (_tauVar.Count == 1)
                {
                    double rate = 0;
                    for (int i = 0; i < Count; i++) rate += ExpectedSquaredDifference(i);
                    _tauEdge!.M[0] = GaussianOp.PrecisionAverageLogarithm(rate, Count, _power);
                    _tauVar.Refresh(0, this);
                }
                else
                {
                    for (int i = 0; i < Count; i++)
                        _tauEdge!.M[i] = GaussianOp.PrecisionAverageLogarithm(ExpectedSquaredDifference(i), 1, _power);
                    _tauVar.RefreshAll(this);
                }
            }
            if (!_mean.IsRandom) return;
            for (int i = 0; i < Count; i++) _mean.Set(i, MessageFrom(_x.Incoming(i), _power * MeanTau(i)));
            _mean.Commit();
        }
        /// <summary>The message to one side given the other side's incoming message and precision τ.</summary>
        private Gaussian MessageFrom(Gaussian other, double tau) =>
            S.IsEP ? GaussianOp.SampleAverageConditional(other, tau) : GaussianOp.SampleAverageLogarithm(other, tau);

        private double ExpectedSquaredDifference(int i) => GaussianOp.ExpectedSquaredDifference(_x.Belief(i), _mean.Belief(i));

        public override double LogEvidenceRatio()
        {
            if (_x.IsRandom && _x.Var!.Predictive) return 0;
            double s = 0;
            for (int i = 0; i < Count; i++)
            {
                double tau = MeanTau(i), tauEff = _power * tau;
                double logC = 0.5 * _power * Math.Log(tau / (2 * Math.PI)) - 0.5 * Math.Log(tauEff / (2 * Math.PI));
                var cx = _x.Incoming(i);
                var cm = _mean.Incoming(i);
                double v = (cx.IsPointMass ? 0 : cx.GetVariance()) + (cm.IsPointMass ? 0 : cm.GetVariance()) + 1 / tauEff;
                double d = cx.GetMean() - cm.GetMean();
                s += -0.5 * (Math.Log(2 * Math.PI * v) + d * d / v) + logC
                     + _x.CavityLogNormalizerGap(i) + _mean.CavityLogNormalizerGap(i);
            }
            return s;
        }

        public override double AverageLogFactor()
        {
            if (_x.IsRandom && _x.Var!.Predictive) return 0;
            double s = 0;
            for (int i = 0; i < Count; i++)
                s += 0.5 * (MeanLogTau(i) - Math.Log(2 * Math.PI)) - 0.5 * MeanTau(i) * ExpectedSquaredDifference(i);
            return _power * s;
        }
    }
}

/// <summary>
/// The message rules of x ~ N(mean, 1/τ), as static functions of the incoming messages (Infer.NET's
/// <c>GaussianOp</c>): EP rules end in <c>AverageConditional</c>, VMP rules in <c>AverageLogarithm</c>. The factor is
/// symmetric in x and the mean, so each rule to the sample is also the rule to the mean.
/// </summary>
public static class GaussianOp
{
    /// <summary>EP message to x (or to the mean) given the other side's incoming message <paramref name="other"/> and a
    /// known precision τ: N(E[other], Var[other] + 1/τ); a point mass at m gives N(m, 1/τ), a uniform message a uniform one.</summary>
    public static Gaussian SampleAverageConditional(Gaussian other, double precision)
    {
        if (other.IsUniform) return Gaussian.Uniform();
        if (other.IsPointMass) return Gaussian.FromMeanAndPrecision(other.MeanTimesPrecision, precision);
        return Gaussian.FromMeanAndVariance(other.GetMean(), other.GetVariance() + 1 / precision);
    }

    /// <summary>EP message to the mean: <see cref="SampleAverageConditional"/> with the sample's incoming message.</summary>
    public static Gaussian MeanAverageConditional(Gaussian sample, double precision) => SampleAverageConditional(sample, precision);

    /// <summary>VMP message to x (or to the mean) given the other side's belief and E[τ]: exp E[log N(x; other, τ)] ∝ N(E[other], 1/E[τ]).</summary>
    public static Gaussian SampleAverageLogarithm(Gaussian other, double meanPrecision) =>
        Gaussian.FromNatural(meanPrecision * other.GetMean(), meanPrecision);

    /// <summary>E[(x − mean)²] = (E x − E mean)² + Var x + Var mean under independent beliefs.</summary>
    public static double ExpectedSquaredDifference(Gaussian sample, Gaussian mean)
    {
        double d = sample.GetMean() - mean.GetMean();
        return d * d + sample.GetVariance() + mean.GetVariance();
    }

    /// <summary>VMP message to a Gamma precision shared by <paramref name="count"/> observations (one per factor element)
    /// whose expected squared differences E[(x − mean)²] sum to <paramref name="sumExpectedSquares"/>, each raised to
    /// <paramref name="power"/>: Gamma(1 + λ·count/2, λ·Σ E[(x − mean)²]/2).</summary>
    public static Gamma PrecisionAverageLogarithm(double sumExpectedSquares, int count = 1, double power = 1) =>
        Gamma.FromShapeAndRate(1 + 0.5 * power * count, 0.5 * power * sumExpectedSquares);
}
