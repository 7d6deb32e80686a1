using System.Numerics;
using System.Runtime.InteropServices;
using Probabilistic.Core.Random;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Optim;

/// <summary>
/// Stochastic gradient Langevin dynamics (Welling and Teh, 2011) as an optimiser over any module's parameters: from the
/// gradient g of the minibatch's MEAN negative log-likelihood (the usual loss, e.g. cross-entropy), one step is
/// θ ← θ + (η/2)·(−λθ − N·g) + z, z ~ N(0, η·I), i.e. the Langevin step on log p(θ) + (N/M)·Σ_minibatch log p(y|x, θ)
/// with a Gaussian prior of precision λ (<see cref="ParameterGroup.WeightDecay"/> is that λ) and N the data set's size.
/// η is the group's learning rate, so any <see cref="LearningRateSchedule"/> stepped once per iteration sets the step
/// schedule (e.g. <see cref="PolynomialDecay"/> for a(b + t)^−γ). The injected noise is drawn from the sampler's own
/// seeded generator, one <see cref="Rng.FillNormal"/> per parameter tensor per step (into a buffer reused across
/// steps), so a chain is deterministic under its seed.
/// </summary>
public sealed class Sgld : Optimizer
{
    private readonly Rng _rng;
    private float[] _noise = [];

    /// <summary>N: the number of training examples the minibatch mean stands for (the likelihood scale N/M·M).</summary>
    public double DatasetSize { get; }

    /// <summary>Steps taken so far.</summary>
    public long Steps { get; private set; }

    /// <summary>
    /// SGLD over <paramref name="parameters"/> with step size <paramref name="stepSize"/> (η), prior precision
    /// <paramref name="priorPrecision"/> (λ ≥ 0; 0 is a flat prior) and data set size <paramref name="datasetSize"/>
    /// (N ≥ 1), its noise from <paramref name="seed"/>.
    /// </summary>
    public Sgld(IEnumerable<Tensor> parameters, double stepSize, double priorPrecision, double datasetSize, ulong seed)
        : base(OneGroup(parameters, stepSize, priorPrecision))
    {
        if (!(datasetSize >= 1) || !double.IsFinite(datasetSize))
            throw new ArgumentOutOfRangeException(nameof(datasetSize), datasetSize, "Sgld: the data set size N must be ≥ 1.");
        DatasetSize = datasetSize;
        _rng = new Rng(seed);
    }

    /// <inheritdoc/>
    protected override void Update(ParameterGroup group, Tensor parameter, Span<float> value, ReadOnlySpan<float> grad)
    {
        double eta = group.LearningRate, lambda = group.WeightDecay, n = DatasetSize;
        float half = (float)(eta / 2), noise = (float)Math.Sqrt(eta), prior = (float)lambda, scale = (float)n;
        if (_noise.Length < value.Length) _noise = new float[value.Length];
        var z = _noise.AsSpan(0, value.Length);
        _rng.FillNormal(z);
        int i = 0;
        if (Vector.IsHardwareAccelerated && value.Length >= Vector<float>.Count)
        {
            var vv = MemoryMarshal.Cast<float, Vector<float>>(value);
            var gv = MemoryMarshal.Cast<float, Vector<float>>(grad);
            var zv = MemoryMarshal.Cast<float, Vector<float>>(z);
            Vector<float> h = new(-half), p = new(prior), s = new(scale), sd = new(noise);
            for (int k = 0; k < vv.Length; k++)
                vv[k] += h * (p * vv[k] + s * gv[k]) + sd * zv[k];
            i = vv.Length * Vector<float>.Count;
        }
        for (; i < value.Length; i++)
            value[i] += -half * (prior * value[i] + scale * grad[i]) + noise * z[i];
    }

    /// <inheritdoc/>
    protected override void AfterStep() => Steps++;
}

/// <summary>
/// The SGLD step schedule η_t = a·(b + t)^−γ of Welling and Teh (2011), with t the number of <see cref="LearningRateSchedule.Step"/>
/// calls (step it once per iteration); γ ∈ (0.5, 1] makes Σ η = ∞ and Σ η² &lt; ∞. The group's initial rate is ignored.
/// </summary>
public sealed class PolynomialDecay : LearningRateSchedule
{
    /// <summary>a.</summary>
    public double Scale { get; }

    /// <summary>b.</summary>
    public double Offset { get; }

    /// <summary>γ.</summary>
    public double Exponent { get; }

    /// <summary>The schedule a(b + t)^−γ on <paramref name="optimizer"/>'s groups; sets the rate at t = 0 at once.</summary>
    public PolynomialDecay(Optimizer optimizer, double a, double b, double gamma) : base(optimizer)
    {
        if (!(a > 0)) throw new ArgumentOutOfRangeException(nameof(a), a, "PolynomialDecay: a must be positive.");
        if (!(b > 0)) throw new ArgumentOutOfRangeException(nameof(b), b, "PolynomialDecay: b must be positive.");
        if (!(gamma >= 0)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "PolynomialDecay: γ must be ≥ 0.");
        Scale = a;
        Offset = b;
        Exponent = gamma;
        foreach (var g in optimizer.Groups) g.LearningRate = RateAt(0, g.InitialLearningRate);
    }

    /// <summary>
    /// The schedule through two points: η(0) = <paramref name="first"/> and η(<paramref name="steps"/>) =
    /// <paramref name="last"/> with exponent <paramref name="gamma"/> (as the Welling–Teh toy: 0.01 → 1e-4 over 10⁶ steps, γ = 0.55).
    /// </summary>
    public static PolynomialDecay Between(Optimizer optimizer, double first, double last, long steps, double gamma)
    {
        if (!(first > last && last > 0)) throw new ArgumentException($"PolynomialDecay.Between: need first > last > 0, got {first} and {last}.");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "PolynomialDecay.Between: at least one step.");
        // (b + T)/b = (first/last)^(1/γ)  ⇒  b = T / ((first/last)^(1/γ) − 1), a = first·b^γ.
        double ratio = Math.Pow(first / last, 1 / gamma);
        double b = steps / (ratio - 1);
        return new PolynomialDecay(optimizer, first * Math.Pow(b, gamma), b, gamma);
    }

    /// <inheritdoc/>
    public override double RateAt(int epoch, double initial) => Scale * Math.Pow(Offset + epoch, -Exponent);
}
