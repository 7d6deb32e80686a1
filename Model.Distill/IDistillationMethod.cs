namespace Probabilistic.Distill;

/// <summary>
/// One distillation method: a named way of passing what a teacher knows to a student. Each method is one small
/// class; the family interfaces say how it is used (a per-batch loss on the student's outputs, a prior built from
/// the teacher's posterior, …). Every method is listed in <see cref="MethodRegistry"/> under its <see cref="Name"/>.
/// </summary>
public interface IDistillationMethod
{
    /// <summary>The registry name (lower case, words joined by '-', e.g. "hinton").</summary>
    string Name { get; }
}
