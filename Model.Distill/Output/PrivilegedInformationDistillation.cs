using Probabilistic.Distill.Teachers;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.Output;

/// <summary>
/// Vapnik's learning using privileged information, as generalized distillation (Lopez-Paz, Bottou, Schölkopf and
/// Vapnik, 2016): each object has features x that the student sees and, for the objects in I, privileged features x*
/// that exist at training time only. A teacher f trained on x* gives soft labels s_i = softmax(f(x*_i)/T_t)
/// (<see cref="TeacherProbabilities"/>: computed on the privileged view, for the objects of the student's view), and the
/// student g on x minimises per batch mean_i [w_i·CE_i − λ·[i ∈ I]·Σ_k s_ik log softmax(z_i/T_s)_k], w_i = 1 − λ on I
/// and 1 elsewhere: the λ-weighted Hinton/LUPI loss L_st, a cross-entropy with the soft labels and no T² factor.
/// With x* = x it is Hinton's setting.
/// </summary>
public sealed class PrivilegedInformationDistillation : IClassificationDistillation
{
    /// <summary>The settings (λ, the teacher temperature T_t of the soft labels, the student temperature T_s).</summary>
    public DistillationSettings Settings { get; }

    /// <inheritdoc/>
    public string Name => "privileged";

    /// <summary>Generalized distillation with <paramref name="settings"/>.</summary>
    public PrivilegedInformationDistillation(DistillationSettings settings)
    {
        Settings = DistillationSettings.Checked(settings, Name);
    }

    /// <summary>
    /// The teacher's soft labels softmax(f(x*)/T_t) (N·K, at <see cref="DistillationSettings.TeacherTemperature"/>),
    /// computed on <paramref name="privileged"/>, the privileged view x* of the objects of <paramref name="student"/>,
    /// the student's view x (the same objects in the same order: same count, labels and classes). Rows of objects
    /// outside I are computed too and ignored by <see cref="Loss"/>.
    /// </summary>
    /// <param name="teacher">The frozen teacher, a classifier of the privileged features (a Model.Nn module converts to one).</param>
    /// <param name="privileged">The privileged view x*.</param>
    /// <param name="student">The student's view x of the same objects.</param>
    public float[] TeacherProbabilities(Teacher teacher, LabeledDataset privileged, LabeledDataset student)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(privileged);
        ArgumentNullException.ThrowIfNull(student);
        if (privileged.Count != student.Count || privileged.ClassCount != student.ClassCount)
            throw new ArgumentException($"{Name}: the privileged view has {privileged.Count} objects of {privileged.ClassCount} classes, the student's view {student.Count} of {student.ClassCount}; they must describe the same objects.");
        if (!privileged.Labels.AsSpan().SequenceEqual(student.Labels))
            throw new ArgumentException($"{Name}: the privileged view and the student's view have different labels; they must list the same objects in the same order.");
        return DistillationTraining.TeacherProbabilities(teacher, privileged, Settings.TeacherTemperature);
    }

    /// <inheritdoc/>
    public Tensor Loss(Tensor logits, ReadOnlySpan<int> labels, ReadOnlySpan<float> teacherProbabilities, ReadOnlySpan<bool> inIndexSet)
    {
        int n = ClassificationTerms.Batch(Name, logits, inIndexSet).N;
        double lambda = Settings.Lambda;
        var hard = new double[n];
        var soft = new double[n];
        for (int b = 0; b < n; b++)
        {
            hard[b] = (inIndexSet[b] ? 1 - lambda : 1) / n;
            soft[b] = inIndexSet[b] ? lambda / n : 0;
        }
        var weights = new TermWeights { HardLabel = hard, SoftLabel = soft, Normalizer = new double[n] };
        return ClassificationTerms.Evaluate(Name, logits, labels, teacherProbabilities, weights, Settings.StudentTemperature,
            NormalizerTerm.None, klForm: false, Settings.ClampEpsilon);
    }
}
