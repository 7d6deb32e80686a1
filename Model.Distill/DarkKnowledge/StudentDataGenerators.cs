using Probabilistic.Core.Random;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.DarkKnowledge;

/// <summary>
/// The student data generator of Bayesian dark knowledge (methods.md §5.1, Algorithm 1 step 4): draws the unlabelled
/// points x' of D' on which the student is taught the current teacher sample's predictive. Every draw comes from the
/// <see cref="Rng"/> passed in, so a run is deterministic under its seed. |D'| is the caller's choice and may differ
/// from the teacher's minibatch size M (§5.4).
/// </summary>
public interface IStudentDataGenerator
{
    /// <summary>The shape of one point x' (e.g. [2] or [1, 28, 28]).</summary>
    int[] SampleShape { get; }

    /// <summary>Values per point (the product of <see cref="SampleShape"/>).</summary>
    int FeatureSize { get; }

    /// <summary>
    /// Fills <paramref name="destination"/> (a whole number of points, row-major, <see cref="FeatureSize"/> values
    /// each) with fresh draws from <paramref name="rng"/>.
    /// </summary>
    void Fill(Rng rng, Span<float> destination);

    /// <summary>A new tensor [<paramref name="count"/>, …<see cref="SampleShape"/>] of fresh draws (allocates; the training loop uses <see cref="Fill"/>).</summary>
    Tensor Sample(Rng rng, int count)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, $"{GetType().Name}.Sample: at least one point.");
        var t = Tensor.Zeros([count, .. SampleShape]);
        Fill(rng, t.Span);
        return t;
    }
}

/// <summary>
/// Points drawn uniformly from the box Π_d [low_d, high_d) (methods.md §5.1: the generator for low-dimensional
/// problems; e.g. U(−6, 6) for the 1-D regression toy of §5.2).
/// </summary>
public sealed class UniformBox : IStudentDataGenerator
{
    private readonly double[] _low;
    private readonly double[] _high;

    /// <summary>The box's lower corner.</summary>
    public IReadOnlyList<double> Low => _low;

    /// <summary>The box's upper corner.</summary>
    public IReadOnlyList<double> High => _high;

    /// <inheritdoc/>
    public int[] SampleShape { get; }

    /// <inheritdoc/>
    public int FeatureSize => _low.Length;

    /// <summary>The box with corners <paramref name="low"/> and <paramref name="high"/> (finite, low &lt; high in every coordinate).</summary>
    public UniformBox(double[] low, double[] high)
    {
        ArgumentNullException.ThrowIfNull(low);
        ArgumentNullException.ThrowIfNull(high);
        if (low.Length == 0 || low.Length != high.Length)
            throw new ArgumentException($"UniformBox: the corners need the same positive length, got {low.Length} and {high.Length}.");
        for (int d = 0; d < low.Length; d++)
            if (!(double.IsFinite(low[d]) && double.IsFinite(high[d]) && low[d] < high[d]))
                throw new ArgumentException($"UniformBox: coordinate {d} needs finite low < high, got [{low[d]}, {high[d]}].");
        _low = (double[])low.Clone();
        _high = (double[])high.Clone();
        SampleShape = [low.Length];
    }

    /// <inheritdoc/>
    public void Fill(Rng rng, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(rng);
        int d = _low.Length;
        if (destination.Length % d != 0)
            throw new ArgumentException($"UniformBox.Fill: {destination.Length} values are not a whole number of {d}-dimensional points.", nameof(destination));
        for (int i = 0; i < destination.Length; i++)
        {
            int c = i % d;
            destination[i] = (float)rng.Uniform(_low[c], _high[c]);
        }
    }
}

/// <summary>
/// Training inputs plus Gaussian noise (methods.md §5.1, the generator for images; §5.3 leaves σ open: 0.05 for
/// Boston, 0.1 or 0.001 for MNIST in §5.2/§5.4): each point is a training row chosen uniformly at random with
/// independent N(0, σ²) noise added to every value (<see cref="Rng.FillNormal"/>, one call per point), optionally clipped to [<see cref="ClipLow"/>,
/// <see cref="ClipHigh"/>] (off by default).
/// </summary>
public sealed class NoisyTrainingInputs : IStudentDataGenerator
{
    private readonly Dataset _data;

    /// <summary>σ, the noise's standard deviation.</summary>
    public double Sigma { get; }

    /// <summary>Whether the noisy values are clipped.</summary>
    public bool Clip { get; }

    /// <summary>The lower clipping bound (used only when <see cref="Clip"/>).</summary>
    public float ClipLow { get; }

    /// <summary>The upper clipping bound (used only when <see cref="Clip"/>).</summary>
    public float ClipHigh { get; }

    /// <inheritdoc/>
    public int[] SampleShape => _data.SampleShape;

    /// <inheritdoc/>
    public int FeatureSize => _data.FeatureSize;

    /// <summary>
    /// Rows of <paramref name="data"/> plus N(0, <paramref name="sigma"/>²) noise (σ ≥ 0); with <paramref name="clip"/>
    /// the values are clipped to [<paramref name="clipLow"/>, <paramref name="clipHigh"/>] (e.g. [0, 1] for pixels).
    /// </summary>
    public NoisyTrainingInputs(Dataset data, double sigma, bool clip = false, float clipLow = 0f, float clipHigh = 1f)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(sigma >= 0 && double.IsFinite(sigma)))
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "NoisyTrainingInputs: σ must be finite and ≥ 0.");
        if (clip && !(clipLow < clipHigh))
            throw new ArgumentException($"NoisyTrainingInputs: the clipping bounds need low < high, got [{clipLow}, {clipHigh}].");
        _data = data;
        Sigma = sigma;
        Clip = clip;
        ClipLow = clipLow;
        ClipHigh = clipHigh;
    }

    /// <inheritdoc/>
    public void Fill(Rng rng, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(rng);
        int d = _data.FeatureSize;
        if (destination.Length % d != 0)
            throw new ArgumentException($"NoisyTrainingInputs.Fill: {destination.Length} values are not a whole number of points of {d} values.", nameof(destination));
        int count = destination.Length / d;
        for (int r = 0; r < count; r++)
        {
            var row = _data.Row(rng.NextInt(_data.Count));
            var dst = destination.Slice(r * d, d);
            rng.FillNormal(dst);
            float sigma = (float)Sigma;
            for (int j = 0; j < d; j++)
            {
                float v = row[j] + sigma * dst[j];
                dst[j] = Clip ? Math.Clamp(v, ClipLow, ClipHigh) : v;
            }
        }
    }
}
