using Probabilistic.Core.Random;

namespace Probabilistic.Distill.Bayesian;

/// <summary>How the teacher posterior is obtained (methods.md §2.6).</summary>
public enum TeacherPosteriorKind
{
    /// <summary>Laplace with the full GGN covariance (small networks, Gaussian likelihood), kept in precision form.</summary>
    LaplaceFull,

    /// <summary>Laplace with the diagonal of the GGN.</summary>
    LaplaceDiagonal,

    /// <summary>Mean-field variational teacher (Bayes by backprop, N(0, α^{-1}) prior).</summary>
    MeanField,

    /// <summary>CODE-COMPAT: the authors' procedure (LeakyReLU, biases, deterministic training, point estimate plus
    /// the teacher's learned PRIOR variance, code-faithful students). Not a posterior.</summary>
    CodeCompat,
}

/// <summary>
/// A trained teacher and its posterior over the weights: bias-free modes keep the full posterior in precision form
/// (<see cref="Full"/>) or a diagonal one (<see cref="Diagonal"/>); the code-compat mode keeps the point estimate and
/// the learned prior in <see cref="Trained"/>.
/// </summary>
/// <param name="Kind">How the posterior was obtained.</param>
/// <param name="Network">The teacher network (its structure, biases and activation).</param>
/// <param name="Trained">The trained weights, learning curve and (compat mode) learned prior.</param>
/// <param name="Full">The full Laplace posterior N(ŵ, Λ^{-1}) in precision form (<see cref="TeacherPosteriorKind.LaplaceFull"/>).</param>
/// <param name="Diagonal">The diagonal posterior (diagonal Laplace or mean-field).</param>
/// <param name="HessianDiagonal">diag(Λ) of the GGN precision including the prior (empty in compat mode).</param>
/// <param name="PriorPrecision">The isotropic prior precision α of the teacher's weights.</param>
public sealed record TeacherPosterior(TeacherPosteriorKind Kind, NetworkModule Network, TrainedNetwork Trained, PrecisionGaussianPosterior? Full,
    DiagonalGaussianPosterior? Diagonal, double[] HessianDiagonal, double PriorPrecision)
{
    /// <summary>
    /// Trains a teacher of <paramref name="structure"/> and builds its posterior of the given <paramref name="kind"/>:
    /// MAP training plus the diagonal GGN (and, for <see cref="TeacherPosteriorKind.LaplaceFull"/>, the full GGN
    /// precision, Gaussian likelihood only); mean-field VI; or the code-faithful training of the compat mode, whose
    /// network has biases and LeakyReLU and whose prior N(initial weights, 1) is learned.
    /// </summary>
    /// <param name="kind">The posterior kind.</param>
    /// <param name="structure">The teacher's widths.</param>
    /// <param name="train">Training data.</param>
    /// <param name="test">Data for the logged learning curve.</param>
    /// <param name="likelihood">Observation model.</param>
    /// <param name="settings">Optimisation settings (their seed drives shuffling and noise).</param>
    /// <param name="initialisation">Draws the initial weights.</param>
    /// <param name="priorPrecision">α of the N(0, α^{-1}I) prior (MAP, Laplace and mean-field modes).</param>
    /// <param name="log">Progress messages, or null.</param>
    public static TeacherPosterior Fit(TeacherPosteriorKind kind, NetworkStructure structure, SupervisedData train, SupervisedData test, Likelihood likelihood,
        TrainingSettings settings, Rng initialisation, double priorPrecision, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(structure);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(initialisation);
        if (!(priorPrecision > 0) || !double.IsFinite(priorPrecision))
            throw new ArgumentOutOfRangeException(nameof(priorPrecision), priorPrecision, "TeacherPosterior.Fit: the prior precision must be finite and > 0.");
        bool compat = kind == TeacherPosteriorKind.CodeCompat;
        var net = new NetworkModule(structure, hasBiases: compat, compat ? HiddenActivation.LeakyRelu : HiddenActivation.Relu);
        var init = net.InitialParameters(initialisation);
        log?.Invoke($"teacher {structure} ({kind}), {settings.Steps} steps");
        if (compat)
        {
            var ones = Enumerable.Repeat(1.0, net.ParameterCount).ToArray();
            var trainedCompat = BayesianTraining.TrainCodeFaithful(net, init, init.Select(v => (double)v).ToArray(), ones, train, test, likelihood, settings);
            return new TeacherPosterior(kind, net, trainedCompat, null, null, [], priorPrecision);
        }
        TrainedNetwork trained = kind == TeacherPosteriorKind.MeanField
            ? BayesianTraining.TrainVariational(net, init, new DiagonalGaussianPrior(new double[net.ParameterCount], Enumerable.Repeat(1 / priorPrecision, net.ParameterCount).ToArray()),
                train, test, likelihood, settings)
            : BayesianTraining.TrainMap(net, init, priorPrecision, train, test, likelihood, settings);
        log?.Invoke($"teacher test ℓ {trained.Curve.Final:F4}; posterior");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        double[] hessian = LaplaceApproximation.DiagonalPrecision(net, trained.Mean, train, likelihood, priorPrecision);
        log?.Invoke($"diagonal GGN of {net.ParameterCount} weights over {train.Count} samples: {watch.Elapsed.TotalSeconds:F2} s");
        switch (kind)
        {
            case TeacherPosteriorKind.LaplaceFull:
                var lik = likelihood as GaussianLikelihood
                    ?? throw new ArgumentException("TeacherPosterior.Fit: the full Laplace covariance is implemented for the Gaussian likelihood (scalar output).");
                watch.Restart();
                var full = LaplaceApproximation.FullInPrecisionForm(net, trained.Mean, train, lik, priorPrecision);
                log?.Invoke($"full GGN precision {net.ParameterCount}²: {watch.Elapsed.TotalSeconds:F2} s");
                return new TeacherPosterior(kind, net, trained, full, null, hessian, priorPrecision);
            case TeacherPosteriorKind.LaplaceDiagonal:
                return new TeacherPosterior(kind, net, trained, null,
                    new DiagonalGaussianPosterior(structure, trained.Mean.Select(v => (double)v).ToArray(), hessian.Select(h => 1 / h).ToArray()), hessian, priorPrecision);
            case TeacherPosteriorKind.MeanField:
                return new TeacherPosterior(kind, net, trained, null,
                    new DiagonalGaussianPosterior(structure, trained.Mean.Select(v => (double)v).ToArray(), trained.LogVariance!.Select(Math.Exp).ToArray()), hessian, priorPrecision);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "TeacherPosterior.Fit: unknown posterior kind.");
        }
    }
}
