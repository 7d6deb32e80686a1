namespace Probabilistic.Distill.Bayesian;

/// <summary>One structural alignment step.</summary>
public abstract record AlignmentStep
{
    /// <summary>The structure after this step.</summary>
    public abstract NetworkStructure ApplyTo(NetworkStructure structure);
}

/// <summary>Remove the given neurons (indices in the current structure) of hidden layer <paramref name="Layer"/> (B1).</summary>
public sealed record NeuronRemoval(int Layer, int[] Neurons) : AlignmentStep
{
    /// <inheritdoc />
    public override NetworkStructure ApplyTo(NetworkStructure structure)
    {
        structure.NeuronRemovalPartition(Layer, Neurons); // validates the neuron indices
        return structure.WithoutNeurons(Layer, Neurons.Length);
    }

    /// <inheritdoc />
    public override string ToString() => $"φ(layer {Layer}, neurons [{string.Join(", ", Neurons)}])";
}

/// <summary>Remove square layer U_<paramref name="Layer"/> by conditioning it on the identity (B2).</summary>
public sealed record LayerRemoval(int Layer) : AlignmentStep
{
    /// <inheritdoc />
    public override NetworkStructure ApplyTo(NetworkStructure structure) => structure.WithoutLayer(Layer);

    /// <inheritdoc />
    public override string ToString() => $"ψ(layer {Layer})";
}

/// <summary>A sequence of steps and the structures it passes through (teacher first, student last).</summary>
public sealed record StructurePlan(IReadOnlyList<AlignmentStep> Steps, IReadOnlyList<NetworkStructure> Structures);

/// <summary>Chooses which <paramref name="count"/> neurons of hidden layer <paramref name="layer"/> to remove.</summary>
public delegate int[] NeuronChooser(NetworkStructure current, int layer, int count);

/// <summary>
/// Maps a teacher structure to any smaller student structure (same input and output sizes) as a sequence of
/// neuron removals φ and layer removals ψ (thesis sequence theorem, methods.md §2.1).
/// <para>Each student hidden layer l is matched to a teacher hidden layer τ(l) (increasing, m_l ≤ n_τ(l)); the
/// matched layers are shrunk to the student widths first. Every run of unmatched teacher layers is then merged
/// into a neighbour: a run layer is shrunk to the neighbour's width, which makes the weight matrix between them
/// square, and that matrix is removed. Merging right (into the next matched layer or the output) needs every run
/// width ≥ the right width; merging left needs every run width ≥ the left width and a hidden left neighbour
/// (layer 1 acts on the raw input and is never removed). A matching is searched for by dynamic programming;
/// if none exists the structure is unreachable and an error says so.</para>
/// </summary>
public static class StructurePlanner
{
    /// <summary>Removes the highest-numbered neurons (keeps the first ones).</summary>
    public static readonly NeuronChooser RemoveLastNeurons =
        (current, layer, count) => Enumerable.Range(current.Widths[layer] - count, count).ToArray();

    /// <summary>
    /// Removes neurons chosen uniformly at random (the "random" ordering of methods.md §2.4), reproducibly from
    /// <paramref name="rng"/>.
    /// </summary>
    public static NeuronChooser RandomNeurons(Probabilistic.Core.Random.Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        return (current, layer, count) =>
        {
            int[] permutation = rng.Permutation(current.Widths[layer]);
            int[] chosen = permutation[..count];
            Array.Sort(chosen);
            return chosen;
        };
    }

    /// <summary>Plans teacher → student. <paramref name="chooser"/> picks the neurons (default: the last ones).</summary>
    public static StructurePlan Plan(NetworkStructure teacher, NetworkStructure student, NeuronChooser? chooser = null)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(student);
        chooser ??= RemoveLastNeurons;
        if (teacher.InputSize != student.InputSize || teacher.OutputSize != student.OutputSize)
            throw new ArgumentException($"StructurePlanner: teacher {teacher} and student {student} must have the same input and output sizes.");
        if (student.LayerCount > teacher.LayerCount)
            throw new ArgumentException($"StructurePlanner: student {student} is deeper than teacher {teacher}; only removals are possible.");

        int[] match = FindMatching(teacher, student)
            ?? throw new ArgumentException($"StructurePlanner: student {student} cannot be reached from teacher {teacher} by neuron and layer removals " +
                "(no order-preserving matching of student hidden layers to wide-enough teacher layers leaves removable layers in between).");

        var steps = new List<AlignmentStep>();
        var structures = new List<NetworkStructure> { teacher };
        var current = teacher;
        void Do(AlignmentStep step)
        {
            current = step.ApplyTo(current);
            steps.Add(step);
            structures.Add(current);
        }
        void Shrink(int layer, int target)
        {
            int count = current.Widths[layer] - target;
            if (count <= 0) return;
            int[] neurons = chooser(current, layer, count);
            if (neurons.Length != count)
                throw new InvalidOperationException($"StructurePlanner: the neuron chooser returned {neurons.Length} neurons for layer {layer} of {current}, expected {count}.");
            Do(new NeuronRemoval(layer, neurons));
        }

        int studentHidden = student.LayerCount - 1;
        // 1. Shrink the matched layers to the student widths (no layer removed yet: teacher indices are current).
        for (int l = 1; l <= studentHidden; l++) Shrink(match[l], student.Widths[l]);

        // 2. Merge the runs of unmatched layers, rightmost run first so lower indices stay valid.
        for (int l = studentHidden + 1; l >= 1; l--)
        {
            int left = match[l - 1], right = match[l];
            int runLength = right - left - 1;
            if (runLength == 0) continue;
            int rightWidth = current.Widths[right];
            int runMin = MinWidth(teacher, left + 1, right - 1);
            if (runMin >= rightWidth)
            {
                for (int h = right - 1; h > left; h--)
                {
                    Shrink(h, rightWidth);
                    Do(new LayerRemoval(h + 1));
                }
            }
            else
            {
                int leftWidth = current.Widths[left];
                for (int r = 0; r < runLength; r++)
                {
                    Shrink(left + 1, leftWidth);
                    Do(new LayerRemoval(left + 1));
                }
            }
        }
        if (!current.Equals(student))
            throw new InvalidOperationException($"StructurePlanner: internal error, reached {current} instead of {student}.");
        return new StructurePlan(steps, structures);
    }

    /// <summary>
    /// match[0] = 0 (input), match[L] = T (output), match[l] = teacher hidden layer for student hidden layer l;
    /// null if no feasible matching exists. Chooses the earliest feasible teacher layer at each step.
    /// </summary>
    private static int[]? FindMatching(NetworkStructure teacher, NetworkStructure student)
    {
        int bigT = teacher.LayerCount, bigL = student.LayerCount;
        var memo = new Dictionary<(int, int), bool>();
        var match = new int[bigL + 1];
        match[bigL] = bigT;

        // Can student hidden layers l..L−1 be placed after teacher position `previous` (matched to student l−1)?
        bool Feasible(int l, int previous)
        {
            if (memo.TryGetValue((l, previous), out bool known)) return known;
            bool ok = false;
            if (l == bigL)
            {
                ok = RunRemovable(teacher, previous, bigT, LeftWidth(l - 1), teacher.OutputSize);
            }
            else
            {
                for (int q = previous + 1; q <= bigT - 1 - (bigL - 1 - l) && !ok; q++)
                {
                    if (student.Widths[l] > teacher.Widths[q]) continue;
                    if (!RunRemovable(teacher, previous, q, LeftWidth(l - 1), student.Widths[l])) continue;
                    ok = Feasible(l + 1, q);
                }
            }
            memo[(l, previous)] = ok;
            return ok;
        }
        // Width of the matched layer left of a run, or 0 when that neighbour is the input (no merge there).
        int LeftWidth(int l) => l == 0 ? 0 : student.Widths[l];

        if (!Feasible(1, 0)) return null;
        // Re-walk the memo to read off the earliest feasible choices.
        int prev = 0;
        for (int l = 1; l < bigL; l++)
        {
            for (int q = prev + 1; q <= bigT - 1; q++)
            {
                if (student.Widths[l] > teacher.Widths[q]) continue;
                if (!RunRemovable(teacher, prev, q, LeftWidth(l - 1), student.Widths[l])) continue;
                if (!Feasible(l + 1, q)) continue;
                match[l] = q;
                break;
            }
            prev = match[l];
        }
        return match;
    }

    // The teacher hidden layers strictly between positions left and right can all be merged away.
    private static bool RunRemovable(NetworkStructure teacher, int left, int right, int leftWidth, int rightWidth)
    {
        if (right - left - 1 == 0) return true;
        int runMin = MinWidth(teacher, left + 1, right - 1);
        return runMin >= rightWidth || (leftWidth > 0 && runMin >= leftWidth);
    }

    private static int MinWidth(NetworkStructure s, int from, int to)
    {
        int min = int.MaxValue;
        for (int h = from; h <= to; h++) min = Math.Min(min, s.Widths[h]);
        return min;
    }
}
