using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Graph;
using Range = Probabilistic.Infer.Graph.Range;

namespace Probabilistic.Infer.Tests;

/// <summary>
/// What the engine cannot run is refused while the model is built (at the factor's creation, at <c>x[i] = …</c>, or when
/// a value is observed), with one line naming the factor, the argument and what is supported. No inference runs here
/// except where the algorithm, chosen only at inference, decides (a Gamma precision under EP).
/// </summary>
public class BuildTimeErrorTests
{
    private static Variable<Vector<double>> Weights(int n) =>
        Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n)).Named("w");

    private static Vector<double>[] Rows(int m, int n) =>
        Enumerable.Range(0, m).Select(r => Vector<double>.Build.Dense(n, c => r + 0.1 * c)).ToArray();

    private static void OneLine(Exception ex, params string[] parts)
    {
        Assert.DoesNotContain('\n', ex.Message);
        foreach (var p in parts) Assert.Contains(p, ex.Message);
    }

    [Fact]
    public void ObservedPrecisionArrayOnAnotherRangeIsRefusedAtTheFactor()
    {
        var i = new Range(4).Named("i");
        var j = new Range(4).Named("j");
        var x = Variable.Observed(Rows(4, 2), i).Named("x");
        var tau = Variable.Observed(new[] { 1.0, 2, 3, 4 }, j).Named("tau");
        var w = Weights(2);
        var ex = Assert.Throws<ArgumentException>(() => Variable.GaussianFromMeanAndPrecision(Variable.InnerProduct(w, x[i]), tau[j]));
        OneLine(ex, "GaussianFromMeanAndPrecision", "precision 'tau'", "indexed by j", "same range");
    }

    [Fact]
    public void RightHandSideOnAnotherRangeIsRefusedAtTheAssignment()
    {
        var i = new Range(3).Named("i");
        var j = new Range(3).Named("j");
        var tau = Variable.Observed(new[] { 1.0, 2, 3 }, j).Named("tau");
        var y = Variable.Array<double>(i).Named("y");
        var ex = Assert.Throws<ArgumentException>(() => y[i] = Variable.GaussianFromMeanAndPrecision(0.5, tau[j]));
        OneLine(ex, "y[i]", "Gaussian(", "indexed by j", "must be indexed by i");
    }

    [Fact]
    public void GaussianPrecisionIsRefusedAtTheFactorAndAtALaterAssignment()
    {
        var p = Variable.GaussianFromMeanAndVariance(1, 1).Named("p");
        var ex = Assert.Throws<NotSupportedException>(() => Variable.GaussianFromMeanAndPrecision(0.0, p));
        OneLine(ex, "GaussianFromMeanAndPrecision", "precision 'p'", "Gaussian-distributed", "Gamma variable");

        // Used first, defined later: refused at the definition, and the model is left as it was.
        var i = new Range(3).Named("i");
        var tau = Variable.Array<double>(i).Named("tau");
        var y = Variable.Array<double>(i).Named("y");
        y[i] = Variable.GaussianFromMeanAndPrecision(0.0, tau[i]);
        var ex2 = Assert.Throws<NotSupportedException>(() => tau[i] = Variable.GaussianFromMeanAndVariance(1, 1));
        OneLine(ex2, "GaussianFromMeanAndPrecision", "precision", "Gaussian-distributed");
        tau[i] = Variable.GammaFromShapeAndRate(2, 1);
        y.ObservedValue = new[] { 0.1, -0.3, 0.8 };
        Assert.Equal(3, new InferenceEngine(new VariationalMessagePassing()).Infer<Gamma[]>(tau).Length);
    }

    [Fact]
    public void NonGaussianMeanOrLogOddsIsRefused()
    {
        var g = Variable.GammaFromShapeAndRate(1, 1).Named("g");
        OneLine(Assert.Throws<NotSupportedException>(() => Variable.GaussianFromMeanAndPrecision(g, 1.0)),
            "GaussianFromMeanAndPrecision", "mean 'g'", "Gamma-distributed", "Gaussian variable");
        OneLine(Assert.Throws<NotSupportedException>(() => Variable.BernoulliFromLogOdds(g)), "BernoulliFromLogOdds", "log-odds 'g'");
        OneLine(Assert.Throws<NotSupportedException>(() => Variable.Plus(Variable.GaussianFromMeanAndVariance(0, 1), g)), "Plus", "second argument 'g'");
    }

    [Fact]
    public void NonPositiveObservedPrecisionIsRefusedAndTheOldValueKept()
    {
        var i = new Range(3).Named("i");
        var bad = Variable.Observed(new[] { 1.0, 0, 2 }, i).Named("bad");
        OneLine(Assert.Throws<ArgumentException>(() => Variable.GaussianFromMeanAndPrecision(0.0, bad[i])),
            "GaussianFromMeanAndPrecision", "precision 'bad'[1]", "> 0");

        var tau = Variable.Observed(new[] { 1.0, 2, 4 }, i).Named("tau");
        var mu = Variable.GaussianFromMeanAndVariance(0, 1).Named("mu");
        var y = Variable.Array<double>(i).Named("y");
        y[i] = Variable.GaussianFromMeanAndPrecision(mu, tau[i]);
        y.ObservedValue = new[] { 0.5, 0.5, 0.5 };
        OneLine(Assert.Throws<ArgumentException>(() => tau.ObservedValue = new[] { 1.0, -2, 4 }), "precision 'tau'[1]", "> 0");
        Assert.Equal(new[] { 1.0, 2, 4 }, tau.ObservedValue);
        // Posterior precision 1 + Σ τ = 8 (the refused values did not enter).
        Assert.Equal(8, new InferenceEngine().Infer<Gaussian>(mu).Precision, 9);
    }

    [Fact]
    public void ObservedArrayOfTheWrongLengthIsRefused()
    {
        var i = new Range(4).Named("i");
        OneLine(Assert.Throws<ArgumentException>(() => Variable.Observed(new[] { 1.0, 2, 3 }, i)), "3 values", "size 4");
        var x = Variable.Array<Vector<double>>(i).Named("x");
        OneLine(Assert.Throws<ArgumentException>(() => x.ObserveRows(new double[10], 3)), "ObserveRows", "'x'");
    }

    [Fact]
    public void VectorsOfTheWrongDimensionAreRefusedAtTheFactorAndAtObservation()
    {
        var i = new Range(3).Named("i");
        var x = Variable.Observed(Rows(3, 4), i).Named("x");
        OneLine(Assert.Throws<ArgumentException>(() => Variable.InnerProduct(Weights(2), x[i])),
            "InnerProduct", "'x' have 4 entries", "'w' have dimension 2");

        var later = Variable.Array<Vector<double>>(i).Named("later");
        var w = Weights(2);
        var z = Variable.InnerProduct(w, later[i]);
        OneLine(Assert.Throws<ArgumentException>(() => later.ObserveRows(new double[9], 3)), "InnerProduct", "3 entries", "dimension 2");

        var c = new Range(3).Named("c");
        var wc = Variable.Array<Vector<double>>(c).Named("wc");
        wc[c] = Weights(2);
        OneLine(Assert.Throws<ArgumentException>(() => Variable.DiscreteFromLinearSoftmax(wc, x[i])), "DiscreteFromLinearSoftmax", "dimension 2");
    }

    [Fact]
    public void RandomVectorsAndObservedInnerProductsAreRefused()
    {
        var i = new Range(2).Named("i");
        var random = Weights(2).Named("r");
        OneLine(Assert.Throws<NotSupportedException>(() => Variable.InnerProduct(Weights(2), random)), "InnerProduct", "vector 'r' is random", "observed vectors");

        var observedW = Variable.Observed(Vector<double>.Build.Dense(2, 1.0)).Named("ow");
        var x = Variable.Observed(Rows(2, 2), i).Named("x");
        OneLine(Assert.Throws<NotSupportedException>(() => Variable.InnerProduct(observedW, x[i])), "InnerProduct", "weights 'ow' are observed");

        var z = Variable.Array<double>(i).Named("z");
        z[i] = Variable.InnerProduct(Weights(2), x[i]);
        OneLine(Assert.Throws<NotSupportedException>(() => z.ObservedValue = new[] { 1.0, 2 }), "InnerProduct", "'z' is observed", "observe a Gaussian of it");

        var z2 = Variable.Array<double>(i).Named("z2");
        z2.ObservedValue = new[] { 1.0, 2 };
        OneLine(Assert.Throws<NotSupportedException>(() => z2[i] = Variable.InnerProduct(Weights(2), x[i])), "InnerProduct", "is observed");
    }

    [Fact]
    public void UnsupportedValueTypesAreRefused()
    {
        var i = new Range(2).Named("i");
        OneLine(Assert.Throws<NotSupportedException>(() => Variable.Array<float>(i)), "Variable.Array", "Single", "double, bool, int or Vector<double>");
        OneLine(Assert.Throws<NotSupportedException>(() => Variable.Observed("text")), "Variable.Observed", "String");
        OneLine(Assert.Throws<NotSupportedException>(() => Variable.Constant(1.5m)), "Variable.Constant", "Decimal");
    }

    /// <summary>EP or VMP is chosen only at inference: a Gamma precision array is refused there, before any message.</summary>
    [Fact]
    public void GammaPrecisionArrayIsRefusedUnderEpBeforeAnyMessage()
    {
        var i = new Range(3).Named("i");
        var tau = Variable.Array<double>(i).Named("tau");
        tau[i] = Variable.GammaFromShapeAndRate(1, 1);
        var y = Variable.Array<double>(i).Named("y");
        y[i] = Variable.GaussianFromMeanAndPrecision(0.0, tau[i]);
        y.ObservedValue = new[] { 0.1, 0.2, 0.3 };
        var ex = Assert.Throws<NotSupportedException>(() => new InferenceEngine(new ExpectationPropagation()).Infer<Gamma[]>(tau));
        OneLine(ex, "Gaussian(", "precision ('tau')", "needs VMP", "EP supports known precisions");
    }

    // ---------- composable softmax: Softmax(g[i]) of g[i][c] = InnerProduct(B[c], x[i]), Discrete(Softmax(…)) ----------

    private static (Range C, Range I, VariableArray<Vector<double>> B, VariableArray<Vector<double>> X) SoftmaxParts()
    {
        var c = new Range(3).Named("c");
        var i = new Range(4).Named("i");
        var b = Variable.Array<Vector<double>>(c).Named("B");
        b[c] = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(2), Matrix<double>.Build.DenseIdentity(2));
        var x = Variable.Observed(Rows(4, 2), i).Named("x");
        return (c, i, b, x);
    }

    [Fact]
    public void SoftmaxOfAnythingButAJaggedRowOfInnerProductsIsRefused()
    {
        var (c, i, b, x) = SoftmaxParts();
        var plain = Variable.Array<double>(c).Named("plain");
        plain[c] = Variable.GaussianFromMeanAndVariance(0, 1);
        OneLine(Assert.Throws<NotSupportedException>(() => Variable.Softmax(plain)), "Variable.Softmax", "'plain'", "supported: a row g[i] of a jagged array");
        OneLine(Assert.Throws<NotSupportedException>(() => Variable.Softmax(Weights(3).Named("v"))), "Variable.Softmax", "'v'", "VectorGaussian", "supported: a row g[i]");
        var g = Variable.Array(Variable.Array<double>(c), i).Named("g");
        OneLine(Assert.Throws<InvalidOperationException>(() => Variable.Softmax(g[i])), "Variable.Softmax", "'g[i]'", "not defined yet");
    }

    [Fact]
    public void JaggedElementsOtherThanInnerProductsOfTheRightRangesAreRefused()
    {
        var (c, i, b, x) = SoftmaxParts();
        var g = Variable.Array(Variable.Array<double>(c), i).Named("g");
        OneLine(Assert.Throws<NotSupportedException>(() => g[i][c] = Variable.GaussianFromMeanAndVariance(0, 1)),
            "Assignment to g[i][c]", "supported: Variable.InnerProduct(B[c], x[i])");
        var d = new Range(4).Named("d");
        var xd = Variable.Observed(Rows(4, 2), d).Named("xd");
        OneLine(Assert.Throws<ArgumentException>(() => g[i][c] = Variable.InnerProduct(b[c], xd[d])),
            "Assignment to g[i][c]", "indexed by c (inner)", "by i (outer)");
        g[i][c] = Variable.InnerProduct(b[c], x[i]);
        OneLine(Assert.Throws<InvalidOperationException>(() => g[i][c] = Variable.InnerProduct(b[c], x[i])), "already defined");
        OneLine(Assert.Throws<NotSupportedException>(() => g[i].ObservedValue = new double[3]), "'g'", "jagged array");
    }

    [Fact]
    public void InnerProductOverTwoRangesIsRefusedOutsideAJaggedArray()
    {
        var (c, i, b, x) = SoftmaxParts();
        // Infer.NET's multiclass model adds a bias per class: not supported, refused by the factor that receives it.
        var bias = Variable.Array<double>(c).Named("bias");
        bias[c] = Variable.GaussianFromMeanAndVariance(0, 1);
        OneLine(Assert.Throws<NotSupportedException>(() => Variable.InnerProduct(b[c], x[i]) + bias[c]),
            "Plus", "InnerProduct(B[c], x[i]) over two ranges", "supported: only as the elements g[i][c] of a jagged array");
        var z = Variable.Array<double>(i).Named("z");
        OneLine(Assert.Throws<NotSupportedException>(() => z[i] = Variable.InnerProduct(b[c], x[i])),
            "Assignment to z[i]", "over two ranges", "jagged array");
        OneLine(Assert.Throws<NotSupportedException>(() => Variable.BernoulliFromLogOdds(Variable.InnerProduct(b[c], x[i]))), "Logistic", "over two ranges");
        var random = Variable.Array<Vector<double>>(i).Named("rx");
        random[i] = Variable.VectorGaussianFromMeanAndPrecision(Vector<double>.Build.Dense(2), Matrix<double>.Build.DenseIdentity(2));
        OneLine(Assert.Throws<NotSupportedException>(() => Variable.InnerProduct(b[c], random[i])), "InnerProduct", "vector 'rx' is random", "observed vectors");
        var observedB = Variable.Observed(new[] { Vector<double>.Build.Dense(2), Vector<double>.Build.Dense(2), Vector<double>.Build.Dense(2) }, c).Named("ob");
        OneLine(Assert.Throws<NotSupportedException>(() => Variable.InnerProduct(observedB[c], x[i])), "InnerProduct", "'ob[c]' are observed", "VectorGaussian");
    }

    [Fact]
    public void SoftmaxOnlyFeedsDiscreteAndDiscreteOnlyTakesSoftmaxDirichletOrData()
    {
        var (c, i, b, x) = SoftmaxParts();
        var g = Variable.Array(Variable.Array<double>(c), i).Named("g");
        g[i][c] = Variable.InnerProduct(b[c], x[i]);
        var p = Variable.Softmax(g[i]);
        OneLine(Assert.Throws<NotSupportedException>(() => Variable.InnerProduct(Weights(2), p)), "InnerProduct: the argument", "Softmax of InnerProduct(B[c], x[i])", "only as the argument of Variable.Discrete");
        OneLine(Assert.Throws<NotSupportedException>(() => Variable.Discrete(Weights(3).Named("gv"))),
            "Variable.Discrete", "'gv'", "VectorGaussian", "a Dirichlet variable or Variable.Softmax(g[i])");
        // The accepted composition builds the softmax factor; its checks (observed labels in range) apply as to the fused form.
        var y = Variable.Array<int>(i).Named("y");
        y[i] = Variable.Discrete(p);
        var engine = new InferenceEngine(new ExpectationPropagation());
        y.ObservedValue = new[] { 0, 1, 2, 0 };
        OneLine(Assert.Throws<NotSupportedException>(() => engine.Infer<VectorGaussian[]>(b)), "softmax", "VariationalMessagePassing");
        var vmp = new InferenceEngine(new VariationalMessagePassing());
        OneLine(Assert.Throws<NotSupportedException>(() => vmp.Infer<Discrete[]>(p)), "InferenceEngine.Run", "Softmax of", "infer the weights or the labels");
        OneLine(Assert.Throws<NotSupportedException>(() => vmp.Infer<Gaussian[]>(g)), "InferenceEngine.Run", "'g'", "jagged");
    }
}
