using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Losses;
using Probabilistic.Nn.Tensors;

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
/// The observation model p(y | f(x)) as autograd losses of Model.Nn (<see cref="Loss"/>): the batch-mean negative
/// log-likelihood, the paper's test metric ℓ, and, for the Gauss–Newton matrix, a symmetric factor of the output
/// Hessian (which has no autograd equivalent).
/// </summary>
public abstract class Likelihood
{
    /// <summary>(1/B) Σ_i −log p(y_i | f_i) over the batch rows <paramref name="indices"/> (constants dropped), as a
    /// one-element autograd tensor of the [B, K] <paramref name="outputs"/>.</summary>
    public abstract Tensor NegLogLikelihood(Tensor outputs, SupervisedData data, ReadOnlySpan<int> indices);

    /// <summary>(1/B) Σ_i −ℓ_i, the mean of the paper's test loss (squared error or cross-entropy), as a one-element
    /// autograd tensor: the loss the code-faithful trainer minimises.</summary>
    public abstract Tensor MetricLoss(Tensor outputs, SupervisedData data, ReadOnlySpan<int> indices);

    /// <summary>The paper's test log-likelihood proxy ℓ summed over the rows (−squared error or −cross-entropy).</summary>
    public double MetricSum(Tensor outputs, SupervisedData data, ReadOnlySpan<int> indices)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        using var noGrad = GradMode.NoGrad();
        return -(double)MetricLoss(outputs, data, indices).Span[0] * indices.Length;
    }

    /// <summary>Number of columns of the factor L with ∂²(−log p)/∂f² = L Lᵀ.</summary>
    public abstract int HessianFactorColumns { get; }

    /// <summary>Writes column <paramref name="column"/> of each row's factor L_i of the output Hessian (the
    /// generalised Gauss–Newton factor, J_iᵀ L_i per column) into <paramref name="dOutput"/>.</summary>
    public abstract void HessianFactorColumn(ReadOnlySpan<float> outputs, int batch, int column, Span<float> dOutput);

    /// <summary>The rows' regression targets as a [B, 1] tensor.</summary>
    private protected static Tensor Targets(string owner, SupervisedData data, ReadOnlySpan<int> indices)
    {
        ArgumentNullException.ThrowIfNull(data);
        var y = data.Targets ?? throw new ArgumentException($"{owner}: the data set has no regression targets.");
        var t = new float[indices.Length];
        for (int i = 0; i < indices.Length; i++) t[i] = y[indices[i]];
        return new Tensor(t, indices.Length, 1);
    }
}

/// <summary>y ~ N(f(x), σ²) with a fixed noise standard deviation (0.1 for the synthetic data of P2).</summary>
public sealed class GaussianLikelihood(double noiseStd) : Likelihood
{
    /// <summary>σ.</summary>
    public double NoiseStd { get; } = noiseStd > 0 ? noiseStd : throw new ArgumentOutOfRangeException(nameof(noiseStd), noiseStd, "GaussianLikelihood: σ must be > 0.");

    /// <summary>−log N(y; f, σ²) = (τ/2)(f − y)² + const with τ = 1/σ²: (τ/2)·MSE.</summary>
    public override Tensor NegLogLikelihood(Tensor outputs, SupervisedData data, ReadOnlySpan<int> indices) =>
        Ops.Scale(Loss.Mse(outputs, Targets(nameof(GaussianLikelihood), data, indices)), (float)(0.5 / (NoiseStd * NoiseStd)));

    /// <summary>−ℓ = MSE.</summary>
    public override Tensor MetricLoss(Tensor outputs, SupervisedData data, ReadOnlySpan<int> indices) =>
        Loss.Mse(outputs, Targets(nameof(GaussianLikelihood), data, indices));

    /// <inheritdoc />
    public override int HessianFactorColumns => 1;

    /// <summary>The output Hessian is τ: L = 1/σ.</summary>
    public override void HessianFactorColumn(ReadOnlySpan<float> outputs, int batch, int column, Span<float> dOutput) =>
        dOutput[..batch].Fill((float)(1 / NoiseStd));
}

/// <summary>y ~ Categorical(softmax(f(x))): the cross-entropy of the logits.</summary>
public sealed class SoftmaxLikelihood(int classCount) : Likelihood
{
    /// <summary>K.</summary>
    public int ClassCount { get; } = classCount >= 2 ? classCount : throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "SoftmaxLikelihood: K must be ≥ 2.");

    /// <summary>The mean cross-entropy.</summary>
    public override Tensor NegLogLikelihood(Tensor outputs, SupervisedData data, ReadOnlySpan<int> indices)
    {
        ArgumentNullException.ThrowIfNull(data);
        var labels = data.Labels ?? throw new ArgumentException("SoftmaxLikelihood: the data set has no labels.");
        Span<int> batch = indices.Length <= 1024 ? stackalloc int[indices.Length] : new int[indices.Length];
        for (int i = 0; i < indices.Length; i++) batch[i] = labels[indices[i]];
        return Loss.CrossEntropy(outputs, batch);
    }

    /// <summary>−ℓ = the mean cross-entropy (the same loss as <see cref="NegLogLikelihood"/>).</summary>
    public override Tensor MetricLoss(Tensor outputs, SupervisedData data, ReadOnlySpan<int> indices) =>
        NegLogLikelihood(outputs, data, indices);

    /// <inheritdoc />
    public override int HessianFactorColumns => ClassCount;

    /// <summary>The generalised Gauss–Newton factor of the softmax cross-entropy: diag(p) − ppᵀ = L Lᵀ with column k of
    /// L equal to √p_k (e_k − p) (uses Σ p = 1).</summary>
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
