using Probabilistic.Distill.Bayesian;

namespace Probabilistic.Reproduce.Experiments.Bayesian;

/// <summary>
/// COMPATIBILITY ONLY: the authors' code copies teacher weights with a selection mask built as [in, out] but applied to
/// PyTorch's [out, in] flattened storage (methods.md §2.5, Check 5). For a student layer that keeps teacher output
/// neurons O and input neurons I of a teacher layer with n_out × n_in weights, the mask is true at positions
/// i·n_out + o (i ∈ I, o ∈ O) of a row-major [n_in, n_out] array; those positions, ascending, are read from the
/// teacher's row-major [n_out, n_in] storage and fill the student's [|O|, |I|] matrix in order. The copied values
/// are therefore a scrambled subset of the teacher's weights, not the chosen sub-network. The default everywhere is
/// the correct sub-network; this exists only to reproduce the code's numbers.
/// </summary>
public static class TransposedMaskQuirk
{
    /// <summary>
    /// The code-compat aligned prior with its weights copied the authors' way: each student weight's mean and variance
    /// are the teacher's point estimate and learned prior variance at <see cref="TeacherIndices"/> instead of at the
    /// correct sub-network's index; the biases are left as aligned.
    /// </summary>
    public static AlignedStudentPrior Apply(TeacherPosterior teacher, AlignedStudentPrior aligned)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(aligned);
        var priorLogVariance = teacher.Trained.PriorLogVariance
            ?? throw new ArgumentException("TransposedMaskQuirk: the teacher was not trained in code-faithful mode.");
        var plan = ComposedAlignment.Compose(teacher.Network.Structure, aligned.Steps);
        int[] copied = TeacherIndices(teacher.Network.Structure, plan.Target, plan.Kept);
        var mean = (double[])aligned.Mean.Clone();
        var variance = (double[])aligned.Variance.Clone();
        for (int k = 0; k < copied.Length; k++)
        {
            mean[k] = teacher.Trained.Mean[copied[k]];
            variance[k] = Math.Exp(priorLogVariance[copied[k]]);
        }
        return aligned with { Mean = mean, Variance = variance, Prior = new DiagonalGaussianPrior(mean, variance) };
    }

    /// <summary>
    /// For each student weight, the teacher weight index the code copies. <paramref name="kept"/> is the correct
    /// mapping (<see cref="ComposedAlignment.Kept"/>: the teacher index of each student weight).
    /// </summary>
    public static int[] TeacherIndices(NetworkStructure teacher, NetworkStructure student, IReadOnlyList<int> kept)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(kept);
        if (kept.Count != student.ParameterCount)
            throw new ArgumentException($"TransposedMaskQuirk: {kept.Count} kept indices for student {student} with {student.ParameterCount} weights.");
        var result = new int[kept.Count];
        for (int l = 1; l <= student.LayerCount; l++)
        {
            int start = student.LayerOffset(l), count = student.Widths[l] * student.Widths[l - 1];
            // The teacher layer this student layer comes from, and its kept output rows and input columns.
            int t = TeacherLayerOf(teacher, kept[start]);
            int offset = teacher.LayerOffset(t), nIn = teacher.Widths[t - 1], nOut = teacher.Widths[t];
            var rows = new SortedSet<int>();
            var cols = new SortedSet<int>();
            for (int k = start; k < start + count; k++)
            {
                int local = kept[k] - offset;
                if (local < 0 || local >= nOut * nIn)
                    throw new ArgumentException($"TransposedMaskQuirk: student layer {l} draws from more than one teacher layer.");
                rows.Add(local / nIn);
                cols.Add(local % nIn);
            }
            if (rows.Count * cols.Count != count)
                throw new ArgumentException($"TransposedMaskQuirk: student layer {l} is not a rows × columns sub-matrix of teacher layer {t}.");
            // The mask is read in ascending flat order, which is i-major, o-minor.
            int k2 = start;
            foreach (int i in cols)
                foreach (int o in rows)
                    result[k2++] = offset + i * nOut + o;
        }
        return result;
    }

    private static int TeacherLayerOf(NetworkStructure teacher, int index)
    {
        for (int t = teacher.LayerCount; t >= 1; t--)
            if (index >= teacher.LayerOffset(t)) return t;
        throw new ArgumentOutOfRangeException(nameof(index), index, "TransposedMaskQuirk: negative parameter index.");
    }
}
