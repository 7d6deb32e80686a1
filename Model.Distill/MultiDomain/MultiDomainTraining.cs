using Probabilistic.Distill.Teachers;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;
using Probabilistic.Nn.Training;

namespace Probabilistic.Distill.MultiDomain;

/// <summary>
/// Training with a map φ between domains (methods.md §3), through the shared <see cref="Trainer"/>:
/// <see cref="FitTeacher"/> trains a teacher on φ of its data (φ applied to every batch, so a stochastic map gives
/// fresh draws per batch, as the noise teacher of the seed), and <see cref="FitStudent"/> trains a student on its own
/// inputs with the teacher answering on φ(x) batch by batch (never precomputed, for the same reason).
/// </summary>
public static class MultiDomainTraining
{
    /// <summary>
    /// Trains <paramref name="teacher"/> by cross-entropy on φ(x) for the batches of <paramref name="train"/>
    /// (<paramref name="batchSize"/>, shuffled with <paramref name="seed"/>) for <paramref name="epochs"/> epochs;
    /// evaluates on φ(<paramref name="validation"/>) after every epoch when given (φ of the validation set is drawn
    /// once, before training).
    /// </summary>
    public static List<EpochReport> FitTeacher(Module teacher, Optimizer optimizer, LabeledDataset train, IDomainMap map,
        int epochs, int batchSize, ulong seed, LabeledDataset? validation = null, IEnumerable<TrainingCallback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(map);
        var loader = new BatchLoader(train, batchSize, seed);
        var trainer = new Trainer(teacher, optimizer);
        if (callbacks is not null) trainer.Callbacks.AddRange(callbacks);
        LabeledDataset? mappedValidation = validation is null ? null : Apply(map, validation);
        Func<IEnumerable<LabelledBatch>>? validate = mappedValidation is null ? null : () => mappedValidation.OrderedBatches();
        return trainer.Fit(e => Mapped(loader.LabelledBatches(e - 1), map), epochs, validate, loader.BatchCount);
    }

    /// <summary>
    /// Trains <paramref name="student"/> on <paramref name="train"/> with <paramref name="loss"/>, the frozen
    /// <paramref name="teacher"/> (no gradient; a Model.Nn module converts to a <see cref="ModuleTeacher"/>, run in
    /// evaluation mode) answering on φ(x) of each batch; with no teacher (or a teacher weight of 0) it is the student
    /// alone. Evaluates on <paramref name="validation"/> after every epoch when given.
    /// </summary>
    public static List<EpochReport> FitStudent(Module student, Optimizer optimizer, LabeledDataset train, MultiDomainDistillation loss,
        Teacher? teacher, IDomainMap? map, int epochs, int batchSize, ulong seed, LabeledDataset? validation = null,
        IEnumerable<TrainingCallback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(loss);
        bool useTeacher = loss.Settings.SoftWeight > 0;
        if (useTeacher && teacher is null)
            throw new ArgumentNullException(nameof(teacher), $"{loss.Name}: the teacher weight is {loss.Settings.SoftWeight} but no teacher was given.");
        map ??= IdentityMap.Instance;
        var loader = new BatchLoader(train, batchSize, seed);
        var trainer = new Trainer(student, optimizer)
        {
            LossFunction = (logits, batch) => loss.Loss(logits, batch.Labels, useTeacher ? TeacherOutput(teacher!, map, batch.Inputs) : null),
        };
        if (callbacks is not null) trainer.Callbacks.AddRange(callbacks);
        Func<IEnumerable<LabelledBatch>>? validate = validation is null ? null : () => validation.OrderedBatches();
        return trainer.Fit(e => loader.LabelledBatches(e - 1), epochs, validate, loader.BatchCount);
    }

    /// <summary>
    /// Regression (methods.md §3.1, the code's MSE forms): trains <paramref name="model"/> on <paramref name="train"/>
    /// with <see cref="MultiDomainDistillation.RegressionLoss"/>, the frozen <paramref name="teacher"/> (when the teacher
    /// weight is positive; a Model.Nn module converts to a <see cref="ModuleTeacher"/>, run in evaluation mode) predicting
    /// on φ(x) for <paramref name="map"/>. <paramref name="inputMap"/>, when given, is
    /// applied to the model's own inputs first (how a teacher is trained on φ of its data: teacher weight 0 and
    /// inputMap = φ). Returns the test mean squared error after every epoch (on <paramref name="test"/>, its inputs
    /// through inputMap too), or an empty array without a test set.
    /// </summary>
    public static double[] FitRegression(Module model, Optimizer optimizer, RegressionDataset train, MultiDomainDistillation loss,
        Teacher? teacher, IDomainMap? map, int epochs, int batchSize, ulong seed, RegressionDataset? test = null, IDomainMap? inputMap = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(loss);
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "FitRegression: at least one epoch is needed.");
        bool useTeacher = loss.Settings.SoftWeight > 0;
        if (useTeacher && teacher is null)
            throw new ArgumentNullException(nameof(teacher), $"{loss.Name}: the teacher weight is {loss.Settings.SoftWeight} but no teacher was given.");
        map ??= IdentityMap.Instance;
        var loader = new BatchLoader(train, batchSize, seed);
        var curve = new List<double>(epochs);
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            model.Train();
            foreach (var batch in loader.Epoch(epoch))
            {
                using var scope = TensorScope.Begin();
                optimizer.ZeroGrad();
                var x = Tensor.FromArray(batch.FeatureSpan, [batch.Size, .. train.SampleShape]);
                var y = Tensor.FromArray(batch.TargetSpan, batch.Size, train.TargetSize);
                Tensor input;
                using (GradMode.NoGrad()) input = inputMap is null ? x : inputMap.Apply(x);
                var prediction = model.Forward(input);
                var value = loss.RegressionLoss(prediction, y, useTeacher ? TeacherOutput(teacher!, map, x) : null);
                if (!float.IsFinite(value.Item())) throw new NonFiniteLossException(epoch + 1, 0, "the regression loss", value.Item());
                value.Backward();
                optimizer.Step();
            }
            if (test is not null) curve.Add(MeanSquaredError(model, test, inputMap));
        }
        return curve.ToArray();
    }

    /// <summary>The mean squared error of <paramref name="model"/> on <paramref name="data"/> (inputs through <paramref name="inputMap"/> when given), in evaluation mode.</summary>
    public static double MeanSquaredError(Module model, RegressionDataset data, IDomainMap? inputMap = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        bool wasTraining = model.IsTraining;
        model.Eval();
        double sum = 0;
        try
        {
            using var noGrad = GradMode.NoGrad();
            foreach (var batch in new BatchLoader(data, 1000, seed: 0, shuffle: false).Epoch(0))
            {
                using var scope = TensorScope.Begin();
                var x = Tensor.FromArray(batch.FeatureSpan, [batch.Size, .. data.SampleShape]);
                var prediction = model.Forward(inputMap is null ? x : inputMap.Apply(x)).Span;
                var target = batch.TargetSpan;
                if (prediction.Length != target.Length)
                    throw new ArgumentException($"MeanSquaredError: the model gave {prediction.Length} values for {target.Length} targets.");
                for (int i = 0; i < target.Length; i++) sum += (prediction[i] - (double)target[i]) * (prediction[i] - (double)target[i]);
            }
        }
        finally
        {
            model.Train(wasTraining);
        }
        return sum / ((double)data.Count * data.TargetSize);
    }

    /// <summary>
    /// The frozen teacher's output on φ(<paramref name="inputs"/>) (φ(x) is the teacher's raw input: it is shaped and
    /// normalised as the teacher declares), without recording gradients (a temporary of the current scope). A Model.Nn
    /// module converts to a <see cref="ModuleTeacher"/>, run in evaluation mode.
    /// </summary>
    public static Tensor TeacherOutput(Teacher teacher, IDomainMap map, Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(inputs);
        Tensor mapped;
        using (GradMode.NoGrad()) mapped = map.Apply(inputs);
        return teacher.Logits(mapped);
    }

    /// <summary>
    /// φ of every sample of <paramref name="data"/> (in batches of 1,000, one draw per sample for a stochastic map),
    /// as a new labelled data set with the map's output shape and the same labels.
    /// </summary>
    public static LabeledDataset Apply(IDomainMap map, LabeledDataset data, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(data);
        int[] outShape = map.OutputSampleShape(data.SampleShape);
        int outSize = 1;
        foreach (int d in outShape) outSize *= d;
        var features = new float[(long)data.Count * outSize];
        int offset = 0;
        foreach (var batch in data.OrderedBatches())
        {
            using var scope = TensorScope.Begin();
            using var noGrad = GradMode.NoGrad();
            var mapped = map.Apply(batch.Inputs);
            if (mapped.Length != batch.Labels.Length * outSize)
                throw new InvalidOperationException($"{map.Name}: gave {mapped.ShapeString} for a batch {batch.Inputs.ShapeString}; expected {outSize} values per sample.");
            mapped.Span.CopyTo(features.AsSpan(offset));
            offset += mapped.Length;
        }
        return new LabeledDataset(name ?? $"{map.Name}({data.Name})", features, outShape, data.Labels.ToArray(), data.ClassCount, data.ClassNames);
    }

    private static IEnumerable<LabelledBatch> Mapped(IEnumerable<LabelledBatch> batches, IDomainMap map)
    {
        foreach (var batch in batches)
        {
            Tensor mapped;
            using (GradMode.NoGrad()) mapped = map.Apply(batch.Inputs);
            // A copy, so the batch outlives any scope the map's result belongs to (the trainer opens its own per step).
            yield return mapped == batch.Inputs ? batch : new LabelledBatch(mapped.Clone(), batch.Labels);
        }
    }
}
