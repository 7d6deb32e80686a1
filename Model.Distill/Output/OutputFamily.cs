namespace Probabilistic.Distill.Output;

/// <summary>
/// The output-level methods of the registry: losses on the student's outputs given the teacher's answers
/// (<see cref="IClassificationDistillation"/>, and <see cref="RegressionDistillation"/> for a real-valued student).
/// All take <see cref="DistillationSettings"/>; the defaults are general-purpose values, not any paper's.
/// </summary>
internal static class OutputFamily
{
    /// <summary>The family's name in listings.</summary>
    public const string Name = "output";

    private static MethodDescriptor<DistillationSettings> Method(string name, string summary, DistillationSettings defaults,
        Func<DistillationSettings, IDistillationMethod> factory) => new(name, Name, summary, defaults, factory);

    /// <summary>The family's descriptors, in listing order.</summary>
    public static MethodDescriptor[] Methods =>
    [
        Method("ml", "no teacher: the student's cross-entropy with the hard labels (maximum likelihood)",
            new DistillationSettings(Lambda: 0), s => new MaximumLikelihood(s)),
        Method("hinton", "Hinton et al. (2015): (1 − λ)·CE + λ·T²·KL(teacher ‖ student) at temperature T",
            new DistillationSettings(Lambda: 0.5, TeacherTemperature: 4, StudentTemperature: 4), s => new HintonDistillation(s)),
        Method("hinton-reverse-kl", "compat only: Hinton's loss written as KL(student ‖ teacher), no T², PyTorch element mean",
            new DistillationSettings(Lambda: 0.5, TeacherTemperature: 4, StudentTemperature: 4), s => new ReverseKlHintonDistillation(s)),
        Method("privileged", "Vapnik's privileged information (generalized distillation): teacher on x*, student on x, soft-label CE",
            new DistillationSettings(Lambda: 0.5, TeacherTemperature: 2, StudentTemperature: 1), s => new PrivilegedInformationDistillation(s)),
        Method("probabilistic-paper", "probabilistic distillation, classification, with the paper's normaliser term",
            new DistillationSettings(Lambda: 0.5), s => new ProbabilisticDistillation(s, NormalizerTerm.Paper)),
        Method("probabilistic-corrected", "probabilistic distillation, classification, with the continuous-categorical normaliser log Z(g)",
            new DistillationSettings(Lambda: 0.5), s => new ProbabilisticDistillation(s, NormalizerTerm.Corrected)),
        Method("probabilistic-regression", "probabilistic distillation, regression: precision-weighted squared errors to labels and teacher",
            new DistillationSettings(Lambda: 0.5), s => new RegressionDistillation(s)),
    ];
}
