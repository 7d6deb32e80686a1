using Probabilistic.Core.Random;

namespace Probabilistic.Nn.Samplers;

/// <summary>
/// An unnormalised log density over θ ∈ R^D: returns log π(θ) (up to a constant) and writes ∇ log π(θ) into
/// <paramref name="gradient"/> (D long). Return −∞ or NaN outside the support; the sampler rejects such proposals.
/// </summary>
/// <param name="theta">The point, D values.</param>
/// <param name="gradient">Receives the gradient, D values.</param>
public delegate double LogDensityWithGradient(ReadOnlySpan<double> theta, Span<double> gradient);

/// <summary>
/// Hamiltonian Monte Carlo (Duane et al. 1987; Neal 2011) with identity mass matrix: each transition draws a momentum
/// p ~ N(0, I), follows L leapfrog steps of size ε of the Hamiltonian H(θ, p) = −log π(θ) + ½|p|², and accepts the
/// end point with probability min(1, exp(H_start − H_end)) (the Metropolis correction that makes π exactly
/// invariant); otherwise the chain stays put. A proposal whose log density is not finite is rejected. Meant as the
/// exact reference sampler for small models (full-batch gradients, double precision). Deterministic under its seed;
/// a transition does not allocate.
/// </summary>
public sealed class Hmc
{
    private readonly LogDensityWithGradient _logDensity;
    private readonly Rng _rng;
    private readonly double[] _position, _gradient, _proposal, _proposalGradient, _momentum;
    private double _logDensityValue;

    /// <summary>
    /// A chain on <paramref name="logDensity"/> started at <paramref name="initial"/> (D ≥ 1 values, where the log
    /// density must be finite), with step size <paramref name="stepSize"/> (ε &gt; 0), <paramref name="leapfrogSteps"/>
    /// (L ≥ 1) leapfrog steps per transition, and its momenta and accept decisions from <paramref name="seed"/>.
    /// </summary>
    public Hmc(LogDensityWithGradient logDensity, ReadOnlySpan<double> initial, double stepSize, int leapfrogSteps, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(logDensity);
        if (initial.Length < 1) throw new ArgumentException("Hmc: the initial point has no coordinates.", nameof(initial));
        if (!(stepSize > 0) || !double.IsFinite(stepSize)) throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "Hmc: the step size ε must be positive and finite.");
        if (leapfrogSteps < 1) throw new ArgumentOutOfRangeException(nameof(leapfrogSteps), leapfrogSteps, "Hmc: need at least one leapfrog step.");
        _logDensity = logDensity;
        _rng = new Rng(seed);
        int d = initial.Length;
        _position = initial.ToArray();
        _gradient = new double[d];
        _proposal = new double[d];
        _proposalGradient = new double[d];
        _momentum = new double[d];
        StepSize = stepSize;
        LeapfrogSteps = leapfrogSteps;
        _logDensityValue = logDensity(_position, _gradient);
        if (!double.IsFinite(_logDensityValue))
            throw new ArgumentException($"Hmc: the log density at the initial point is {_logDensityValue}.", nameof(initial));
    }

    /// <summary>D, the number of coordinates.</summary>
    public int Dimension => _position.Length;

    /// <summary>ε, the leapfrog step size.</summary>
    public double StepSize { get; }

    /// <summary>L, leapfrog steps per transition.</summary>
    public int LeapfrogSteps { get; }

    /// <summary>The chain's current state (valid until the next <see cref="Step"/>).</summary>
    public ReadOnlySpan<double> Position => _position;

    /// <summary>log π at <see cref="Position"/>.</summary>
    public double LogDensity => _logDensityValue;

    /// <summary>Transitions made so far.</summary>
    public long Transitions { get; private set; }

    /// <summary>Transitions whose proposal was accepted.</summary>
    public long Accepted { get; private set; }

    /// <summary>Accepted / transitions over the whole chain so far (NaN before the first transition).</summary>
    public double AcceptanceRate => Transitions == 0 ? double.NaN : (double)Accepted / Transitions;

    /// <summary>One HMC transition; returns whether the proposal was accepted.</summary>
    public bool Step()
    {
        int d = _position.Length;
        double eps = StepSize, kineticStart = 0;
        for (int i = 0; i < d; i++)
        {
            double p = _rng.Normal();
            _momentum[i] = p;
            kineticStart += p * p;
        }
        kineticStart *= 0.5;
        _position.CopyTo(_proposal, 0);
        _gradient.CopyTo(_proposalGradient, 0);
        double logDensity = _logDensityValue;
        for (int l = 0; l < LeapfrogSteps; l++)
        {
            for (int i = 0; i < d; i++) _momentum[i] += 0.5 * eps * _proposalGradient[i];
            for (int i = 0; i < d; i++) _proposal[i] += eps * _momentum[i];
            logDensity = _logDensity(_proposal, _proposalGradient);
            if (!double.IsFinite(logDensity)) break;
            for (int i = 0; i < d; i++) _momentum[i] += 0.5 * eps * _proposalGradient[i];
        }
        Transitions++;
        if (!double.IsFinite(logDensity)) return false;
        double kineticEnd = 0;
        for (int i = 0; i < d; i++) kineticEnd += _momentum[i] * _momentum[i];
        kineticEnd *= 0.5;
        double logAccept = (logDensity - kineticEnd) - (_logDensityValue - kineticStart);
        if (!(logAccept >= 0) && !(Math.Log(_rng.NextDouble()) < logAccept)) return false;
        _proposal.CopyTo(_position, 0);
        _proposalGradient.CopyTo(_gradient, 0);
        _logDensityValue = logDensity;
        Accepted++;
        return true;
    }

    /// <summary>
    /// Runs <paramref name="burnIn"/> transitions, then returns <paramref name="count"/> states, one after every
    /// <paramref name="thinning"/> further transitions (the same burn-in and thinning as a <see cref="SampleStore"/>
    /// offered the state after every transition, counting from this call).
    /// </summary>
    public double[][] Sample(int count, int burnIn = 0, int thinning = 1)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "Hmc.Sample: the count must be ≥ 0.");
        if (burnIn < 0) throw new ArgumentOutOfRangeException(nameof(burnIn), burnIn, "Hmc.Sample: the burn-in must be ≥ 0.");
        if (thinning < 1) throw new ArgumentOutOfRangeException(nameof(thinning), thinning, "Hmc.Sample: the thinning must be ≥ 1.");
        for (int t = 0; t < burnIn; t++) Step();
        var samples = new double[count][];
        for (int s = 0; s < count; s++)
        {
            for (int t = 0; t < thinning; t++) Step();
            samples[s] = _position.ToArray();
        }
        return samples;
    }
}
