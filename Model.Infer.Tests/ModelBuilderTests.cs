using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Graph;
using Range = Probabilistic.Infer.Graph.Range;

namespace Probabilistic.Infer.Tests;

/// <summary>Each model is its own builder: building or changing one model leaves another's cached results alone, and
/// names are the user's.</summary>
public class ModelBuilderTests
{
    /// <summary>μ ~ N(m0, v0), xᵢ ~ N(μ, 1/τ) observed; returns μ.</summary>
    private static Variable<double> GaussianMean(double[] data, string name = "mu")
    {
        var mu = Variable.GaussianFromMeanAndVariance(0, 4).Named(name);
        var i = new Range(data.Length);
        var x = Variable.Array<double>(i);
        x[i] = Variable.GaussianFromMeanAndPrecision(mu, 2.0);
        x.ObservedValue = data;
        return mu;
    }

    /// <summary>Closed-form posterior of the mean: precision 1/v0 + nτ, mean (Σx τ)/precision.</summary>
    private static (double Mean, double Variance) Posterior(double[] data)
    {
        double precision = 0.25 + 2.0 * data.Length;
        return (2.0 * data.Sum() / precision, 1 / precision);
    }

    [Fact]
    public void BuildingAnotherModelKeepsTheEnginesCachedResults()
    {
        var engine = new InferenceEngine();
        var a = GaussianMean(new[] { 0.5, 1.5, 1.0 });
        var first = engine.Infer<Gaussian>(a);
        Assert.Equal(1, engine.RunCount);

        var b = GaussianMean(new[] { -3.0, -2.0 }, "muB");   // another model, built after inferring A
        b.Named("muB");
        var again = engine.Infer<Gaussian>(a);
        Assert.Equal(1, engine.RunCount);                   // answered from the cache: nothing of A changed
        Assert.Equal(first, again);
        var (mean, variance) = Posterior(new[] { 0.5, 1.5, 1.0 });
        Assert.Equal(mean, again.GetMean(), 12);
        Assert.Equal(variance, again.GetVariance(), 12);

        engine.Infer<Gaussian>(b);
        Assert.Equal(2, engine.RunCount);                   // B is another model: a run of its own
    }

    [Fact]
    public void ChangingTheModelInvalidatesTheCache()
    {
        var engine = new InferenceEngine();
        var i = new Range(2);
        var mu = Variable.GaussianFromMeanAndVariance(0, 4);
        var x = Variable.Array<double>(i);
        x[i] = Variable.GaussianFromMeanAndPrecision(mu, 2.0);
        x.ObservedValue = new[] { 1.0, 2.0 };
        engine.Infer<Gaussian>(mu);
        x.ObservedValue = new[] { 5.0, 7.0 };
        var post = engine.Infer<Gaussian>(mu);
        Assert.Equal(2, engine.RunCount);
        Assert.Equal(Posterior(new[] { 5.0, 7.0 }).Mean, post.GetMean(), 12);
    }

    [Fact]
    public void AnyUserNameIsKeptAndNamesMayRepeatAcrossModels()
    {
        var i = new Range(2);
        var v2 = Variable.Array<double>(i).Named("v2");
        var mu = Variable.GaussianFromMeanAndVariance(0, 1).Named("v1");
        v2[i] = Variable.GaussianFromMeanAndPrecision(mu, 1.0);
        Assert.Equal("v2", v2.Name);
        Assert.Equal("v1", mu.Name);

        var engine = new InferenceEngine();
        var a = GaussianMean(new[] { 1.0 }, "theta");
        var b = GaussianMean(new[] { -1.0 }, "theta");
        Assert.Equal("theta", a.Name);
        Assert.Equal("theta", b.Name);
        Assert.Equal(Posterior(new[] { 1.0 }).Mean, engine.Infer<Gaussian>(a).GetMean(), 12);
        Assert.Equal(Posterior(new[] { -1.0 }).Mean, engine.Infer<Gaussian>(b).GetMean(), 12);
    }

    [Fact]
    public void InferringVariablesOfTwoModelsInOneRunIsRefused()
    {
        var a = GaussianMean(new[] { 1.0 }, "a");
        var b = GaussianMean(new[] { 2.0 }, "b");
        var e = Assert.Throws<ArgumentException>(() => new InferenceEngine().Run(a, b));
        Assert.Contains("different models", e.Message);
    }
}
