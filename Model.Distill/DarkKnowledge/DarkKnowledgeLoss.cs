using Probabilistic.Distill.Teachers;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Losses;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.DarkKnowledge;

/// <summary>What the teacher and the student predict: class probabilities, or a Gaussian over one real target.</summary>
public enum DarkKnowledgeTask
{
    /// <summary>Classification: the teacher outputs logits [B, K]; the student is taught softmax of them.</summary>
    Classification,

    /// <summary>
    /// Regression (methods.md §5.1): the teacher outputs its mean f_θ(x) as [B, 1] with the fixed noise precision λ_n;
    /// the student outputs [B, 2], its mean μ (column 0) and log-variance α (column 1).
    /// </summary>
    Regression,
}

/// <summary>
/// The per-task losses of Bayesian dark knowledge (methods.md §5.1): the teacher's minibatch mean negative
/// log-likelihood (what the SGLD step differentiates) and the student's loss on D' against one teacher sample's
/// predictive, both as autograd graphs over the existing ops and losses.
/// </summary>
public static class DarkKnowledgeLoss
{
    // Column selectors [2, 1]: out·e₀ = μ, out·e₁ = α (constants, so the matrix product routes the gradient back
    // into the right column of the student's output).
    private static readonly Tensor MeanColumn = new([1f, 0f], 2, 1);
    private static readonly Tensor LogVarianceColumn = new([0f, 1f], 2, 1);

    /// <summary>
    /// Classification student loss: the mean over D' of −Σ_k p(y = k|x', θ)·log S_k(x', w), i.e.
    /// <see cref="Loss.SoftCrossEntropy"/> at T = 1 of the student's logits [B, K] against the teacher's probabilities
    /// [B, K] (constants). Its gradient with respect to the logits is (S − p)/|D'| (§5.4).
    /// </summary>
    public static Tensor Classification(Tensor studentLogits, Tensor teacherProbabilities)
    {
        ArgumentNullException.ThrowIfNull(studentLogits);
        ArgumentNullException.ThrowIfNull(teacherProbabilities);
        if (teacherProbabilities.RequiresGrad)
            throw new ArgumentException("DarkKnowledgeLoss.Classification: the teacher's probabilities must be constants (compute them under GradMode.NoGrad).");
        return Loss.SoftCrossEntropy(studentLogits, teacherProbabilities, 1f);
    }

    /// <summary>
    /// Regression student loss (§5.1): with the teacher p(y|x, θ) = N(f_θ(x), λ_n⁻¹) and the student
    /// N(μ(x, w), e^{α(x, w)}), the mean over D' of ½[α + e^{−α}((μ − f_θ)² + λ_n⁻¹)] — the expected student negative
    /// log-likelihood under the teacher's predictive, without the constant ½·log 2π. It is
    /// <see cref="Loss.GaussianNll"/>(μ, α; f_θ) plus ½·λ_n⁻¹·mean(e^{−α}), the term from the teacher's own noise.
    /// </summary>
    /// <param name="studentOutput">The student's output [B, 2]: μ in column 0, α = log σ² in column 1.</param>
    /// <param name="teacherMean">The teacher sample's mean f_θ(x') [B, 1] (a constant).</param>
    /// <param name="noisePrecision">λ_n &gt; 0, the teacher's observation-noise precision.</param>
    public static Tensor Regression(Tensor studentOutput, Tensor teacherMean, double noisePrecision)
    {
        ArgumentNullException.ThrowIfNull(studentOutput);
        ArgumentNullException.ThrowIfNull(teacherMean);
        if (studentOutput.Rank != 2 || studentOutput.Dim(1) != 2)
            throw new ArgumentException($"DarkKnowledgeLoss.Regression: the student's output must be [B, 2] (mean, log-variance), got {studentOutput.ShapeString}.");
        int b = studentOutput.Dim(0);
        if (teacherMean.Rank != 2 || teacherMean.Dim(0) != b || teacherMean.Dim(1) != 1)
            throw new ArgumentException($"DarkKnowledgeLoss.Regression: the teacher's mean must be [{b}, 1], got {teacherMean.ShapeString}.");
        if (teacherMean.RequiresGrad)
            throw new ArgumentException("DarkKnowledgeLoss.Regression: the teacher's mean must be a constant (compute it under GradMode.NoGrad).");
        CheckPrecision(noisePrecision, "DarkKnowledgeLoss.Regression");
        var mu = Ops.MatMul(studentOutput, MeanColumn);
        var alpha = Ops.MatMul(studentOutput, LogVarianceColumn);
        var fit = Loss.GaussianNll(mu, alpha, teacherMean);
        var noise = Ops.Scale(Ops.Mean(Ops.Exp(Ops.Scale(alpha, -1f))), (float)(0.5 / noisePrecision));
        return Ops.Add(fit, noise);
    }

    /// <summary>
    /// The teacher's minibatch mean negative log-likelihood, the loss whose gradient the SGLD step scales by N
    /// (methods.md §5.1): cross-entropy of the logits [M, K] against <paramref name="labels"/> for classification;
    /// for regression, the Gaussian N(f_θ(x), λ_n⁻¹) one, (λ_n/2)·mean (y − f_θ(x))² (the constant ½·log(2π/λ_n)
    /// dropped), with the output and <paramref name="targets"/> both [M, 1].
    /// </summary>
    public static Tensor TeacherNll(DarkKnowledgeTask task, Tensor teacherOutput, ReadOnlySpan<int> labels, Tensor? targets, double noisePrecision)
    {
        ArgumentNullException.ThrowIfNull(teacherOutput);
        if (task == DarkKnowledgeTask.Classification) return Loss.CrossEntropy(teacherOutput, labels);
        if (targets is null) throw new ArgumentNullException(nameof(targets), "DarkKnowledgeLoss.TeacherNll: regression needs the targets.");
        if (teacherOutput.Rank != 2 || teacherOutput.Dim(1) != 1)
            throw new ArgumentException($"DarkKnowledgeLoss.TeacherNll: a regression teacher must output [M, 1], got {teacherOutput.ShapeString}.");
        CheckPrecision(noisePrecision, "DarkKnowledgeLoss.TeacherNll");
        return Ops.Scale(Loss.Mse(teacherOutput, targets), (float)(noisePrecision / 2));
    }

    /// <summary>
    /// The current teacher sample's predictive on <paramref name="inputs"/>, computed without gradient (a temporary of
    /// the current <see cref="TensorScope"/>): softmax of the logits for classification, the mean f_θ(x') for
    /// regression. The module is run in the mode it is in (the caller picks evaluation, or training for an MC-dropout
    /// mask): this is the online path of <see cref="DistilledSgld"/>, whose teacher is a module it trains. For a fixed
    /// teacher use the <see cref="Teacher"/> overload.
    /// </summary>
    public static Tensor TeacherPredictive(DarkKnowledgeTask task, Module teacher, Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(inputs);
        Tensor output;
        using (GradMode.NoGrad()) output = teacher.Forward(inputs);
        return Predictive(task, output);
    }

    /// <summary>
    /// A fixed (frozen) teacher's predictive on <paramref name="inputs"/>, without gradient (a temporary of the current
    /// <see cref="TensorScope"/>): softmax of its logits for classification, its output f(x') [B, 1] as the mean for
    /// regression. A <see cref="ModuleTeacher"/> runs its module in evaluation mode (or in the mode it was built with).
    /// </summary>
    public static Tensor TeacherPredictive(DarkKnowledgeTask task, Teacher teacher, Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(inputs);
        return Predictive(task, teacher.Logits(inputs));
    }

    private static Tensor Predictive(DarkKnowledgeTask task, Tensor output)
    {
        using var noGrad = GradMode.NoGrad();
        return task == DarkKnowledgeTask.Classification ? Ops.Softmax(output) : output;
    }

    /// <summary>The student's loss on D' for <paramref name="task"/> (<see cref="Classification"/> or <see cref="Regression"/>).</summary>
    public static Tensor Student(DarkKnowledgeTask task, Tensor studentOutput, Tensor teacherPredictive, double noisePrecision) =>
        task == DarkKnowledgeTask.Classification
            ? Classification(studentOutput, teacherPredictive)
            : Regression(studentOutput, teacherPredictive, noisePrecision);

    internal static void CheckPrecision(double noisePrecision, string where)
    {
        if (!(noisePrecision > 0 && double.IsFinite(noisePrecision)))
            throw new ArgumentOutOfRangeException(nameof(noisePrecision), noisePrecision, $"{where}: the noise precision λ_n must be finite and positive.");
    }
}
