namespace Probabilistic.Distill.Inference;

/// <summary>
/// The "inference" family: probabilistic distillation with the student fitted as a Bayesian model by Model.Infer's
/// factor graphs (a posterior over the weights, hyperparameters chosen by evidence) rather than by gradient descent.
/// </summary>
internal static class InferenceFamily
{
    /// <summary>The family's descriptors.</summary>
    public static MethodDescriptor[] Methods =>
    [
        new MethodDescriptor<BayesianLogisticSettings>("probabilistic-bayesian-logistic", "inference",
            "softmax regression with the teacher's soft labels weighted by λ, VMP posterior over the weights; λ and the prior precision by evidence",
            BayesianLogisticSettings.Default, s => new BayesianLogisticStudent(s)),
        new MethodDescriptor<BayesianRegressionSettings>("probabilistic-bayesian-regression", "inference",
            "linear regression on targets and teacher answers (Theorem A2's reweighting), EP posterior over the weights; λ, σ and σ_s by evidence",
            BayesianRegressionSettings.Default, s => new BayesianRegressionStudent(s)),
    ];
}
