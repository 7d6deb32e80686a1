using Probabilistic.Nn.Data;

namespace Probabilistic.Distill.Bayesian;

/// <summary>
/// A supervised data set as flat arrays: features (Count × FeatureSize, row-major) and either regression targets
/// or class labels. Batches are gathered by index lists.
/// </summary>
public sealed record SupervisedData(float[] Features, int Count, int FeatureSize, float[]? Targets, int[]? Labels)
{
    /// <summary>From a regression data set (one target per row).</summary>
    public static SupervisedData From(RegressionDataset d)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (d.TargetSize != 1) throw new ArgumentException($"SupervisedData: {d.Name} has {d.TargetSize} targets per row; one is supported.");
        return new(d.Features, d.Count, d.FeatureSize, d.Targets, null);
    }

    /// <summary>From a labelled data set.</summary>
    public static SupervisedData From(LabeledDataset d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new(d.Features, d.Count, d.FeatureSize, null, d.Labels);
    }

    /// <summary>The first <paramref name="count"/> rows.</summary>
    public SupervisedData Head(int count)
    {
        count = Math.Min(count, Count);
        return new(Features[..(count * FeatureSize)], count, FeatureSize, Targets?[..count], Labels?[..count]);
    }

    /// <summary>Copies the rows <paramref name="indices"/> into <paramref name="x"/> (and their targets into the likelihood's buffer).</summary>
    public void GatherFeatures(ReadOnlySpan<int> indices, Span<float> x)
    {
        for (int i = 0; i < indices.Length; i++)
            Features.AsSpan(indices[i] * FeatureSize, FeatureSize).CopyTo(x.Slice(i * FeatureSize, FeatureSize));
    }
}

/// <summary>
/// The observation model p(y | f(x)): negative log-likelihood and its gradient with respect to the network output,
/// the paper's test metric ℓ, and a symmetric factor of the output Hessian for the Gauss–Newton matrix.
/// </summary>
public abstract class Likelihood
{
    /// <summary>Σ_i −log p(y_i | f_i) over the batch rows <paramref name="indices"/> (constants dropped); writes
    /// ∂/∂f_i (per sample, not averaged) into <paramref name="dOutput"/>.</summary>
    public abstract double NegLogLikelihood(ReadOnlySpan<float> outputs, SupervisedData data, ReadOnlySpan<int> indices, Span<float> dOutput);

    /// <summary>The paper's test log-likelihood proxy ℓ summed over the rows (−squared error or −cross-entropy).</summary>
    public abstract double MetricSum(ReadOnlySpan<float> outputs, SupervisedData data, ReadOnlySpan<int> indices);

    /// <summary>Writes ∂(−metric_i)/∂f_i per sample: 2(f − y) for squared error, softmax − one-hot for cross-entropy.</summary>
    public abstract void MetricLossGradient(ReadOnlySpan<float> outputs, SupervisedData data, ReadOnlySpan<int> indices, Span<float> dOutput);

    /// <summary>Number of columns of the factor L with ∂²(−log p)/∂f² = L Lᵀ.</summary>
    public abstract int HessianFactorColumns { get; }

    /// <summary>Writes column <paramref name="column"/> of each row's factor L_i into <paramref name="dOutput"/>.</summary>
    public abstract void HessianFactorColumn(ReadOnlySpan<float> outputs, int batch, int column, Span<float> dOutput);
}

/// <summary>y ~ N(f(x), σ²) with a fixed noise standard deviation (0.1 for the synthetic data of P2).</summary>
public sealed class GaussianLikelihood(double noiseStd) : Likelihood
{
    /// <summary>σ.</summary>
    public double NoiseStd { get; } = noiseStd > 0 ? noiseStd : throw new ArgumentOutOfRangeException(nameof(noiseStd), noiseStd, "GaussianLikelihood: σ must be > 0.");

    /// <inheritdoc />
    public override double NegLogLikelihood(ReadOnlySpan<float> outputs, SupervisedData data, ReadOnlySpan<int> indices, Span<float> dOutput)
    {
        var y = data.Targets ?? throw new ArgumentException("GaussianLikelihood: the data set has no regression targets.");
        double precision = 1 / (NoiseStd * NoiseStd), sum = 0;
        for (int i = 0; i < indices.Length; i++)
        {
            double r = outputs[i] - y[indices[i]];
            sum += 0.5 * precision * r * r;
            dOutput[i] = (float)(precision * r);
        }
        return sum;
    }

    /// <inheritdoc />
    public override double MetricSum(ReadOnlySpan<float> outputs, SupervisedData data, ReadOnlySpan<int> indices)
    {
        var y = data.Targets ?? throw new ArgumentException("GaussianLikelihood: the data set has no regression targets.");
        double sum = 0;
        for (int i = 0; i < indices.Length; i++)
        {
            double r = outputs[i] - y[indices[i]];
            sum -= r * r;
        }
        return sum;
    }

    /// <inheritdoc />
    public override void MetricLossGradient(ReadOnlySpan<float> outputs, SupervisedData data, ReadOnlySpan<int> indices, Span<float> dOutput)
    {
        var y = data.Targets ?? throw new ArgumentException("GaussianLikelihood: the data set has no regression targets.");
        for (int i = 0; i < indices.Length; i++) dOutput[i] = 2 * (outputs[i] - y[indices[i]]);
    }

    /// <inheritdoc />
    public override int HessianFactorColumns => 1;

    /// <inheritdoc />
    public override void HessianFactorColumn(ReadOnlySpan<float> outputs, int batch, int column, Span<float> dOutput) =>
        dOutput[..batch].Fill((float)(1 / NoiseStd));
}

/// <summary>y ~ Categorical(softmax(f(x))), computed with a stable log-sum-exp.</summary>
public sealed class SoftmaxLikelihood(int classCount) : Likelihood
{
    /// <summary>K.</summary>
    public int ClassCount { get; } = classCount >= 2 ? classCount : throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "SoftmaxLikelihood: K must be ≥ 2.");

    /// <inheritdoc />
    public override double NegLogLikelihood(ReadOnlySpan<float> outputs, SupervisedData data, ReadOnlySpan<int> indices, Span<float> dOutput)
    {
        var labels = data.Labels ?? throw new ArgumentException("SoftmaxLikelihood: the data set has no labels.");
        int k = ClassCount;
        double sum = 0;
        for (int i = 0; i < indices.Length; i++)
        {
            var z = outputs.Slice(i * k, k);
            double lse = Probabilistic.Core.Numerics.LogSumExp.Of(z);
            int label = labels[indices[i]];
            sum += lse - z[label];
            for (int c = 0; c < k; c++) dOutput[i * k + c] = (float)Math.Exp(z[c] - lse);
            dOutput[i * k + label] -= 1f;
        }
        return sum;
    }

    /// <inheritdoc />
    public override double MetricSum(ReadOnlySpan<float> outputs, SupervisedData data, ReadOnlySpan<int> indices)
    {
        var labels = data.Labels ?? throw new ArgumentException("SoftmaxLikelihood: the data set has no labels.");
        double sum = 0;
        for (int i = 0; i < indices.Length; i++)
        {
            var z = outputs.Slice(i * ClassCount, ClassCount);
            sum -= Probabilistic.Core.Numerics.LogSumExp.Of(z) - z[labels[indices[i]]];
        }
        return sum;
    }

    /// <inheritdoc />
    public override void MetricLossGradient(ReadOnlySpan<float> outputs, SupervisedData data, ReadOnlySpan<int> indices, Span<float> dOutput) =>
        NegLogLikelihood(outputs, data, indices, dOutput);

    /// <inheritdoc />
    public override int HessianFactorColumns => ClassCount;

    /// <summary>diag(p) − ppᵀ = L Lᵀ with column k of L equal to √p_k (e_k − p) (uses Σ p = 1).</summary>
    public override void HessianFactorColumn(ReadOnlySpan<float> outputs, int batch, int column, Span<float> dOutput)
    {
        int k = ClassCount;
        Span<double> p = stackalloc double[k];
        for (int i = 0; i < batch; i++)
        {
            var z = outputs.Slice(i * k, k);
            double lse = Probabilistic.Core.Numerics.LogSumExp.Of(z);
            for (int c = 0; c < k; c++) p[c] = Math.Exp(z[c] - lse);
            double root = Math.Sqrt(p[column]);
            for (int c = 0; c < k; c++) dOutput[i * k + c] = (float)(root * ((c == column ? 1 : 0) - p[c]));
        }
    }
}
