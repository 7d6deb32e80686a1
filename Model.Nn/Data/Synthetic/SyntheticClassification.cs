using Probabilistic.Core.Random;

namespace Probabilistic.Nn.Data;

/// <summary>
/// The synthetic 3-class problem of P1 (methods.md §1.4a), drawn with numpy's legacy generator so that the arrays
/// are the authors' own: <c>np.random.seed(0)</c>; W = randn(10, 3) first; X_train = randn(1000, 10); then for each
/// row in turn y_i = choice([0,1,2], p = softmax(x_i W)); then X_test = randn(1000, 10) and its labels the same way.
/// The teacher of the experiment labels with softmax(x W / T); <see cref="TeacherWeights"/> is that W.
/// </summary>
public sealed record SyntheticClassification(LabeledDataset Train, LabeledDataset Test, double[] TeacherWeights)
{
    /// <summary>n: features per object.</summary>
    public const int FeatureCount = 10;

    /// <summary>K: classes.</summary>
    public const int ClassCount = 3;

    /// <summary>Objects per split (the code's 1000; the paper's "100 test objects" is not what ran).</summary>
    public const int SplitCount = 1000;

    /// <summary>Generates the data set; seed 0 (the default) reproduces the original arrays.</summary>
    public static SyntheticClassification Generate(uint seed = 0)
    {
        var random = new NumpyRandomState(seed);
        double[] w = random.Randn(FeatureCount, ClassCount);
        LabeledDataset train = Draw("synthetic-classification/train", random, w);
        LabeledDataset test = Draw("synthetic-classification/test", random, w);
        return new SyntheticClassification(train, test, w);
    }

    /// <summary>
    /// The teacher's soft labels softmax(x W / <paramref name="temperature"/>) for every row of <paramref name="data"/>,
    /// row-major N × K, computed in double (the experiment uses T = 10).
    /// </summary>
    public float[] SoftLabels(Dataset data, double temperature)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.FeatureSize != FeatureCount)
            throw new ArgumentException($"SoftLabels: '{data.Name}' has {data.FeatureSize} features; the teacher expects {FeatureCount}.", nameof(data));
        if (!(temperature > 0)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "SoftLabels: the temperature must be positive.");
        var result = new float[data.Count * ClassCount];
        Span<double> x = stackalloc double[FeatureCount];
        Span<double> p = stackalloc double[ClassCount];
        for (int i = 0; i < data.Count; i++)
        {
            ReadOnlySpan<float> row = data.Row(i);
            for (int j = 0; j < FeatureCount; j++) x[j] = row[j];
            Softmax(x, TeacherWeights, 1.0 / temperature, p);
            for (int k = 0; k < ClassCount; k++) result[i * ClassCount + k] = (float)p[k];
        }
        return result;
    }

    private static LabeledDataset Draw(string name, NumpyRandomState random, double[] w)
    {
        double[] x = random.Randn(SplitCount, FeatureCount);
        var labels = new int[SplitCount];
        Span<double> p = stackalloc double[ClassCount];
        for (int i = 0; i < SplitCount; i++)
        {
            Softmax(x.AsSpan(i * FeatureCount, FeatureCount), w, 1.0, p);
            labels[i] = random.Choice(p);
        }
        return new LabeledDataset(name, Array.ConvertAll(x, v => (float)v), [FeatureCount], labels, ClassCount);
    }

    /// <summary>p = softmax(scale · x W) with the max subtracted first (stable; equal to the naive form to rounding).</summary>
    private static void Softmax(ReadOnlySpan<double> x, double[] w, double scale, Span<double> p)
    {
        for (int k = 0; k < ClassCount; k++)
        {
            double z = 0;
            for (int j = 0; j < FeatureCount; j++) z += x[j] * w[j * ClassCount + k];
            p[k] = scale * z;
        }
        Probabilistic.Core.Numerics.LogSumExp.Softmax(p[..ClassCount], p);
    }
}
