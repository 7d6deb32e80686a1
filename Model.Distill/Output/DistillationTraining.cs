using Probabilistic.Core.Random;
using Probabilistic.Distill.Teachers;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;
using Probabilistic.Nn.Training;

namespace Probabilistic.Distill.Output;

/// <summary>
/// Training a student with a distillation loss, through the shared <see cref="Trainer"/>: the batches come from a
/// shuffled <see cref="BatchLoader"/>, and the loss looks up each batch's teacher rows and index-set flags by the
/// batch's sample indices.
/// </summary>
public static class DistillationTraining
{
    /// <summary>
    /// Trains <paramref name="student"/> for <paramref name="epochs"/> epochs on <paramref name="train"/> (batch
    /// <paramref name="batchSize"/>, shuffled with <paramref name="seed"/>), minimising <paramref name="loss"/> with the
    /// teacher probabilities <paramref name="teacherProbabilities"/> (N·K) and index set <paramref name="inIndexSet"/> (N).
    /// Evaluates on <paramref name="validation"/> after every epoch when given.
    /// </summary>
    public static List<EpochReport> Fit(Module student, Optimizer optimizer, LabeledDataset train, IClassificationDistillation loss,
        float[] teacherProbabilities, bool[] inIndexSet, int epochs, int batchSize, ulong seed, LabeledDataset? validation = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        int k = train.ClassCount;
        if (teacherProbabilities.Length != train.Count * k)
            throw new ArgumentException($"DistillationTraining.Fit: {teacherProbabilities.Length} teacher probabilities for {train.Count} objects × {k} classes.");
        if (inIndexSet.Length != train.Count)
            throw new ArgumentException($"DistillationTraining.Fit: {inIndexSet.Length} index-set flags for {train.Count} objects.");
        var loader = new BatchLoader(train, batchSize, seed);
        var teacherRows = new float[batchSize * k];
        var flags = new bool[batchSize];
        int rows = 0;
        int[] shape = [batchSize, .. train.SampleShape];

        IEnumerable<LabelledBatch> Batches(int epoch)
        {
            foreach (Batch batch in loader.Epoch(epoch - 1))
            {
                rows = batch.Size;
                var indices = batch.IndexSpan;
                for (int r = 0; r < rows; r++)
                {
                    teacherProbabilities.AsSpan(indices[r] * k, k).CopyTo(teacherRows.AsSpan(r * k, k));
                    flags[r] = inIndexSet[indices[r]];
                }
                shape[0] = rows;
                yield return new LabelledBatch(new Tensor(rows == batch.Capacity ? batch.Features : batch.FeatureSpan.ToArray(), shape),
                    rows == batch.Capacity ? batch.Labels : batch.LabelSpan.ToArray());
            }
        }

        var trainer = new Trainer(student, optimizer)
        {
            LossFunction = (logits, b) => loss.Loss(logits, b.Labels, teacherRows.AsSpan(0, rows * k), flags.AsSpan(0, rows)),
        };
        Func<IEnumerable<LabelledBatch>>? validate = validation is null ? null : () => validation.OrderedBatches();
        return trainer.Fit(Batches, epochs, validate, loader.BatchCount);
    }

    /// <summary>
    /// The teacher's soft labels softmax(v(x)/T) for every object (N·K), from its logits without gradients (computed
    /// once, as the authors' code does). Any <see cref="Teacher"/> fits: a Model.Nn module (converted implicitly, run in
    /// evaluation mode) or a network from another framework.
    /// </summary>
    public static float[] TeacherProbabilities(Teacher teacher, LabeledDataset data, double temperature)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(data);
        if (!(temperature > 0)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "TeacherProbabilities: the temperature must be positive.");
        int k = data.ClassCount;
        var result = new float[data.Count * k];
        int offset = 0;
        Span<double> z = stackalloc double[k];
        Span<double> p = stackalloc double[k];
        foreach (var batch in data.OrderedBatches())
        {
            using var scope = TensorScope.Begin();
            var logits = teacher.Logits(batch.Inputs);
            if (logits.Rank != 2 || logits.Dim(1) != k || logits.Dim(0) != batch.Labels.Length)
                throw new ArgumentException($"TeacherProbabilities: the teacher '{teacher.Name}' gave {logits.ShapeString} for {batch.Labels.Length} objects, expected [{batch.Labels.Length}, {k}].");
            var s = logits.Span;
            for (int r = 0; r < logits.Dim(0); r++, offset++)
            {
                for (int j = 0; j < k; j++) z[j] = s[r * k + j] / temperature;
                Probabilistic.Core.Numerics.LogSumExp.LogSoftmax(z, p);
                for (int j = 0; j < k; j++) result[offset * k + j] = (float)Math.Exp(p[j]);
            }
        }
        return result;
    }

    /// <summary>
    /// The index set I as flags: round(fraction·N) objects chosen uniformly at random with <paramref name="seed"/>
    /// (all for fraction 1, none for 0).
    /// </summary>
    public static bool[] RandomIndexSet(int count, double fraction, ulong seed)
    {
        if (!(fraction >= 0 && fraction <= 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "RandomIndexSet: the fraction must lie in [0, 1].");
        var flags = new bool[count];
        int chosen = (int)Math.Round(fraction * count);
        int[] order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        new Rng(seed).Shuffle<int>(order);
        for (int i = 0; i < chosen; i++) flags[order[i]] = true;
        return flags;
    }
}
