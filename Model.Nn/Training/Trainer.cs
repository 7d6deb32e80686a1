using System.Diagnostics;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Losses;
using Probabilistic.Nn.Metrics;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Training;

/// <summary>
/// The training loop: for each batch, forward, loss, backward, optimizer step, all inside one
/// <see cref="TensorScope"/> so every temporary buffer is reused by the next step. Reports per-epoch training loss
/// and accuracy, and validation metrics (accuracy, cross-entropy, ECE with 15 bins, Brier) when a validation set
/// is given. A non-finite loss or logit stops training with <see cref="NonFiniteLossException"/>.
/// Given the same seeds, repeated runs on one machine give bitwise-identical losses.
/// </summary>
public sealed class Trainer
{
    private readonly Module _model;
    private readonly Optimizer _optimizer;

    /// <summary>Loss of a batch from the model's output (default: cross-entropy of logits against the labels).</summary>
    public Func<Tensor, LabelledBatch, Tensor> LossFunction { get; init; } = static (logits, batch) => Loss.CrossEntropy(logits, batch.Labels);

    /// <summary>Optional schedule, stepped after every epoch.</summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>Callbacks, called in order.</summary>
    public List<TrainingCallback> Callbacks { get; } = new();

    /// <summary>A trainer for <paramref name="model"/> updated by <paramref name="optimizer"/>.</summary>
    public Trainer(Module model, Optimizer optimizer)
    {
        _model = model;
        _optimizer = optimizer;
    }

    /// <summary>
    /// Trains for <paramref name="epochs"/> epochs; <paramref name="trainBatches"/> gives the batches of epoch e
    /// (1-based). <paramref name="validationBatches"/>, when given, is evaluated after every epoch.
    /// </summary>
    public List<EpochReport> Fit(Func<int, IEnumerable<LabelledBatch>> trainBatches, int epochs,
        Func<IEnumerable<LabelledBatch>>? validationBatches = null, int stepsPerEpoch = -1)
    {
        var reports = new List<EpochReport>(epochs);
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            foreach (var c in Callbacks) c.OnEpochStart(epoch, epochs, stepsPerEpoch);
            var clock = Stopwatch.StartNew();
            _model.Train();
            var losses = new List<float>(Math.Max(stepsPerEpoch, 16));
            double lossSum = 0;
            long correct = 0, seen = 0;
            int step = 0;
            foreach (var batch in trainBatches(epoch))
            {
                step++;
                using (TensorScope.Begin())
                {
                    _optimizer.ZeroGrad();
                    var output = _model.Forward(batch.Inputs);
                    var loss = LossFunction(output, batch);
                    float value = loss.Item();
                    if (!float.IsFinite(value))
                    {
                        int bad = FirstNonFinite(output.Span);
                        throw bad >= 0
                            ? new NonFiniteLossException(epoch, step, $"the model output {output.ShapeString} (element {bad})", output.Span[bad])
                            : new NonFiniteLossException(epoch, step, "the loss", value);
                    }
                    loss.Backward();
                    _optimizer.Step();
                    losses.Add(value);
                    lossSum += value;
                    if (output.Rank == 2 && output.Dim(0) == batch.Labels.Length)
                        correct += CountCorrect(output, batch.Labels);
                    seen += batch.Labels.Length;
                }
                foreach (var c in Callbacks) c.OnStep(epoch, step, losses[^1]);
            }
            if (step == 0) throw new InvalidOperationException($"Trainer: epoch {epoch} had no batches.");
            double seconds = clock.Elapsed.TotalSeconds;
            var validation = validationBatches is null ? null : Evaluate(_model, validationBatches());
            var report = new EpochReport(epoch, step, lossSum / step, (double)correct / seen, seconds, validation) { StepLosses = losses.ToArray() };
            reports.Add(report);
            Schedule?.Step();
            foreach (var c in Callbacks) c.OnEpochEnd(report);
        }
        return reports;
    }

    /// <summary>
    /// Evaluates a classifier (logits output) in evaluation mode without recording gradients; restores the
    /// module's previous mode afterwards. Its buffers stay pooled for the next evaluation (call
    /// <see cref="TensorScope.TrimPool"/> after a one-off large pass to give them back).
    /// </summary>
    public static EvaluationReport Evaluate(Module model, IEnumerable<LabelledBatch> batches)
    {
        var (probabilities, labels, classes) = PredictProbabilities(model, batches);
        var p = probabilities.AsSpan();
        return new EvaluationReport(labels.Length,
            ClassificationMetrics.Accuracy(p, classes, labels),
            ClassificationMetrics.CrossEntropy(p, classes, labels),
            ClassificationMetrics.ExpectedCalibrationError(p, classes, labels),
            ClassificationMetrics.Brier(p, classes, labels));
    }

    /// <summary>Softmax probabilities [N·K] of a classifier over the batches, with the labels, in evaluation mode.</summary>
    public static (float[] Probabilities, int[] Labels, int Classes) PredictProbabilities(Module model, IEnumerable<LabelledBatch> batches)
    {
        bool wasTraining = model.IsTraining;
        model.Eval();
        var probs = new List<float>();
        var labels = new List<int>();
        int classes = -1;
        try
        {
            using var noGrad = GradMode.NoGrad();
            foreach (var batch in batches)
            {
                using var scope = TensorScope.Begin();
                var logits = model.Forward(batch.Inputs);
                if (logits.Rank != 2 || logits.Dim(0) != batch.Labels.Length)
                    throw new ArgumentException($"Evaluate: expected logits [{batch.Labels.Length}, K], got {logits.ShapeString}.");
                classes = logits.Dim(1);
                probs.AddRange(Ops.Softmax(logits).Span);
                labels.AddRange(batch.Labels);
            }
        }
        finally
        {
            model.Train(wasTraining);
        }
        if (classes < 0) throw new ArgumentException("Evaluate: no batches.");
        return (probs.ToArray(), labels.ToArray(), classes);
    }

    private static long CountCorrect(Tensor logits, int[] labels)
    {
        int k = logits.Dim(1);
        var s = logits.Span;
        long correct = 0;
        for (int r = 0; r < labels.Length; r++)
            if (ClassificationMetrics.ArgMax(s.Slice(r * k, k)) == labels[r]) correct++;
        return correct;
    }

    private static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++) if (!float.IsFinite(values[i])) return i;
        return -1;
    }
}
