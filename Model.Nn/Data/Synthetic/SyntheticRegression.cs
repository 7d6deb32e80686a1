using Probabilistic.Core.Random;

namespace Probabilistic.Nn.Data;

/// <summary>
/// The synthetic linear regression of P2 (methods.md §2.5), drawn with numpy's legacy generator so the arrays are
/// the authors' own: <c>np.random.seed(0)</c>; X = randn(1024, 10) first, then w = randn(10), then
/// y = X w + 0.1 · randn(1024) (0.1 is the noise standard deviation). Train = rows 0..899, test = rows 900..1023.
/// </summary>
public sealed record SyntheticRegression(RegressionDataset Train, RegressionDataset Test, double[] TrueWeights)
{
    /// <summary>Features per object.</summary>
    public const int FeatureCount = 10;

    /// <summary>Rows drawn in total.</summary>
    public const int TotalCount = 1024;

    /// <summary>Rows 0..TrainCount-1 are the training set.</summary>
    public const int TrainCount = 900;

    /// <summary>Standard deviation of the additive Gaussian noise.</summary>
    public const double NoiseStd = 0.1;

    /// <summary>Generates the data set; seed 0 (the default) reproduces the original arrays.</summary>
    public static SyntheticRegression Generate(uint seed = 0)
    {
        var random = new NumpyRandomState(seed);
        double[] x = random.Randn(TotalCount, FeatureCount);
        double[] w = random.Randn(1, FeatureCount);
        var y = new float[TotalCount];
        for (int i = 0; i < TotalCount; i++)
        {
            double dot = 0;
            for (int j = 0; j < FeatureCount; j++) dot += x[i * FeatureCount + j] * w[j];
            y[i] = (float)(dot + NoiseStd * random.StandardNormal());
        }
        float[] features = Array.ConvertAll(x, v => (float)v);
        int split = TrainCount * FeatureCount;
        return new SyntheticRegression(
            new RegressionDataset("synthetic-regression/train", features[..split], [FeatureCount], y[..TrainCount]),
            new RegressionDataset("synthetic-regression/test", features[split..], [FeatureCount], y[TrainCount..]),
            w);
    }
}
