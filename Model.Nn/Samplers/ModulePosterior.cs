using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Samplers;

/// <summary>
/// The log posterior of a module's parameters θ for <see cref="Hmc"/>: log p(θ | D) = −NLL(θ) − (λ/2)|θ|² + const,
/// with NLL the full-batch negative log-likelihood SUM that <c>negativeLogLikelihood</c> computes from the module's
/// current parameters (through autograd: any loss built from Model.Nn ops, e.g. <c>Loss.CrossEntropy</c> times N)
/// and a Gaussian prior N(0, λ⁻¹ I) over the parameters in the <see cref="ParameterVector"/>. <see cref="Evaluate"/>
/// writes θ into the module, runs the loss and its backward pass inside a <see cref="TensorScope"/>, and returns the
/// value and gradient in double; the module's parameters are left at the last evaluated θ, so call <see cref="Load"/>
/// with the chain's state before using the module. Put the module in the mode the likelihood means (usually
/// <see cref="Module.Eval"/>, so that dropout is off).
/// </summary>
public sealed class ModulePosterior
{
    private readonly Func<Tensor> _negativeLogLikelihood;
    private readonly float[] _values, _gradient;

    /// <summary>
    /// The posterior over <paramref name="parameters"/> with the likelihood term <paramref name="negativeLogLikelihood"/>
    /// (a one-element tensor that depends on those parameters) and prior precision <paramref name="priorPrecision"/>
    /// (λ ≥ 0; 0 is a flat prior).
    /// </summary>
    public ModulePosterior(ParameterVector parameters, Func<Tensor> negativeLogLikelihood, double priorPrecision)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(negativeLogLikelihood);
        if (!(priorPrecision >= 0) || !double.IsFinite(priorPrecision))
            throw new ArgumentOutOfRangeException(nameof(priorPrecision), priorPrecision, "ModulePosterior: the prior precision λ must be ≥ 0 and finite.");
        Parameters = parameters;
        PriorPrecision = priorPrecision;
        _negativeLogLikelihood = negativeLogLikelihood;
        _values = new float[parameters.Count];
        _gradient = new float[parameters.Count];
    }

    /// <summary>The parameters θ (a view on the module's tensors).</summary>
    public ParameterVector Parameters { get; }

    /// <summary>λ, the Gaussian prior's precision.</summary>
    public double PriorPrecision { get; }

    /// <summary>D, the number of parameters.</summary>
    public int Dimension => Parameters.Count;

    /// <summary>The module's current parameters as doubles (a starting point for <see cref="Hmc"/>).</summary>
    public double[] Current()
    {
        Parameters.CopyTo(_values);
        return Array.ConvertAll(_values, v => (double)v);
    }

    /// <summary>Writes <paramref name="theta"/> (D values, rounded to float) into the module's parameters.</summary>
    public void Load(ReadOnlySpan<double> theta)
    {
        if (theta.Length != Dimension)
            throw new ArgumentException($"ModulePosterior.Load: got {theta.Length} values, the module has {Dimension} parameters.", nameof(theta));
        for (int i = 0; i < theta.Length; i++) _values[i] = (float)theta[i];
        Parameters.CopyFrom(_values);
    }

    /// <summary>log p(θ | D) up to a constant at <paramref name="theta"/>, its gradient written into <paramref name="gradient"/>; a <see cref="LogDensityWithGradient"/>.</summary>
    public double Evaluate(ReadOnlySpan<double> theta, Span<double> gradient)
    {
        if (gradient.Length != Dimension)
            throw new ArgumentException($"ModulePosterior.Evaluate: the gradient has {gradient.Length} values, the module {Dimension} parameters.", nameof(gradient));
        Load(theta);
        foreach (var s in Parameters.Segments) s.Parameter.ZeroGrad();
        double nll;
        using (TensorScope.Begin())
        {
            var loss = _negativeLogLikelihood();
            if (loss.Length != 1)
                throw new InvalidOperationException($"ModulePosterior.Evaluate: the negative log-likelihood must be one value, got shape {loss.ShapeString}.");
            nll = loss.Item();
            if (!double.IsFinite(nll)) return double.NaN;
            loss.Backward();
            Parameters.CopyGradientsTo(_gradient);
        }
        double lambda = PriorPrecision, squares = 0;
        for (int i = 0; i < gradient.Length; i++)
        {
            double t = _values[i];
            squares += t * t;
            gradient[i] = -_gradient[i] - lambda * t;
        }
        return -nll - 0.5 * lambda * squares;
    }

    /// <summary>An HMC chain on this posterior started at the module's current parameters (see <see cref="Hmc"/>).</summary>
    public Hmc CreateHmc(double stepSize, int leapfrogSteps, ulong seed) => new(Evaluate, Current(), stepSize, leapfrogSteps, seed);
}
