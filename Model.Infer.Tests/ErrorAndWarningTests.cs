using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Engine;
using Probabilistic.Infer.Factors;
using Probabilistic.Infer.Graph;
using Range = Probabilistic.Infer.Graph.Range;

namespace Probabilistic.Infer.Tests;

/// <summary>Improper messages are errors that say where and when; the iteration cap is a warning, not a failure.</summary>
public class ErrorAndWarningTests
{
    /// <summary>A deliberately broken factor: from iteration 3 on it sends a message of precision −5.</summary>
    private sealed class BrokenFactor : FactorDef
    {
        public BrokenFactor(Node input) : base("Broken", new Node("broken_out", null, Family.Output("Observation")) { Observed = 0.0 }, new[] { input }, null) { }
        public override FactorOperator CreateOperator(RunState state) => new Op(this, state);

        private sealed class Op : FactorOperator
        {
            private readonly GaussianPort _port;
            public Op(BrokenFactor def, RunState s) : base(def, s) { _port = new GaussianPort(s, this, def.Inputs[0], 1, isOutput: false); }
            public override void UpdateForward(bool force) { }
            public override void UpdateBackward()
            {
                _port.Set(0, S.Iteration >= 3 ? Gaussian.FromNatural(0, -5) : Gaussian.FromNatural(0.01 * S.Iteration, 0.5));
                _port.Commit();
            }
            public override double LogEvidenceRatio() => 0;
        }
    }

    [Fact]
    public void ImproperMessageNamesFactorVariableAndIterationAndSuggestsDamping()
    {
        var mu = Variable.GaussianFromMeanAndVariance(0, 1).Named("mu");
        _ = new BrokenFactor(mu.Node);
        var engine = new InferenceEngine();
        var ex = Assert.Throws<ImproperDistributionException>(() => engine.Infer<Gaussian>(mu));
        Assert.Contains("Broken(mu)", ex.Message);
        Assert.Contains("'mu'", ex.Message);
        Assert.Contains("iteration 3", ex.Message);
        Assert.Contains("Damping", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void IterationCapReturnsTheResultWithAWarning()
    {
        var rng = new Rng(51);
        const int m = 30;
        var X = TestData.RandomMatrix(rng, m, 2);
        var labels = Enumerable.Range(0, m).Select(_ => rng.NextDouble() < 0.5).ToArray();
        var i = new Range(m);
        var w = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(2), Matrix<double>.Build.DenseIdentity(2));
        var x = Variable.Observed(TestData.Rows(X), i);
        var y = Variable.Array<bool>(i);
        y[i] = Variable.BernoulliFromLogOdds(Variable.InnerProduct(w, x[i]));
        y.ObservedValue = labels;
        var engine = new InferenceEngine { NumberOfIterations = 2, ShowWarnings = false };
        var result = engine.Run(w);
        Assert.False(result.Converged);
        Assert.Equal(2, result.Iterations);
        Assert.Single(result.Warnings);
        Assert.Contains("iteration cap of 2", result.Warnings[0]);
        Assert.True(result.Marginal<VectorGaussian>(w).IsProper());
    }

    [Fact]
    public void UnsupportedCombinationsFailWithClearMessages()
    {
        var mu = Variable.GaussianFromMeanAndVariance(0, 1).Named("m");
        var tau = Variable.GammaFromShapeAndRate(1, 1).Named("t");
        var y = Variable.GaussianFromMeanAndPrecision(mu, tau);
        y.ObservedValue = 0.3;
        var ex = Assert.Throws<NotSupportedException>(() => new InferenceEngine(new ExpectationPropagation()).Infer<Gaussian>(mu));
        Assert.Contains("needs VMP", ex.Message);
        var free = Variable.Array<double>(new Range(3)).Named("free");
        var ex2 = Assert.Throws<InvalidOperationException>(() => new InferenceEngine().Infer<Gaussian[]>(free));
        Assert.Contains("'free' is neither observed nor defined", ex2.Message);
    }
}
