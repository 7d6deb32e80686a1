using Probabilistic.Core.Random;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.DarkKnowledge;

/// <summary>Where the teacher's samples θ^s come from.</summary>
public enum TeacherSampler
{
    /// <summary>SGLD (Algorithm 1): the teacher is moved by an <see cref="Sgld"/> step and its predictive is taken in evaluation mode.</summary>
    Sgld,

    /// <summary>
    /// MC dropout (the slides' variant, methods.md §5.3): the teacher is trained by an ordinary optimiser with dropout,
    /// and each step's sample θ^s is a fresh dropout mask, its predictive taken in training mode.
    /// </summary>
    McDropout,
}

/// <summary>What one iteration of <see cref="DistilledSgld"/> did, passed to the <see cref="DistilledSgld.Run"/> callback.</summary>
/// <param name="Iteration">Iterations completed (teacher steps), counting this one.</param>
/// <param name="StudentUpdates">Student steps taken so far.</param>
/// <param name="StudentUpdated">Whether this iteration took a student step.</param>
/// <param name="TeacherLoss">The teacher's minibatch mean negative log-likelihood before its step.</param>
/// <param name="StudentLoss">The student's loss on D' before its step (NaN when this iteration took none).</param>
public sealed record DistilledSgldProgress(long Iteration, long StudentUpdates, bool StudentUpdated, double TeacherLoss, double StudentLoss);

/// <summary>
/// Algorithm 1, "distilled SGLD" (Bayesian dark knowledge, methods.md §5.1), online: each iteration t = 0, 1, … takes
/// one teacher step on a labelled minibatch (SGLD on the minibatch mean negative log-likelihood, or an ordinary step
/// for an MC-dropout teacher), then, when t ≥ B (burn-in) and t mod H = 0 (update period), draws D' from the
/// generator, computes the CURRENT teacher sample's predictive on it (no gradient) and takes one student step on
/// the task's loss (<see cref="DarkKnowledgeLoss"/>). No ensemble is stored. With B = 0 and H = 1 (the defaults)
/// it is Algorithm 1 exactly.
/// <para>
/// The student prior γ is L2 added to the gradient (Algorithm 1 step 5: w ← w − ρ(∇L̂ + γw)): pass γ as the
/// student optimiser's weight decay. <see cref="Sgd"/> gives step 5 exactly; <see cref="Adam"/> also adds its
/// weight decay to the gradient (coupled L2, methods.md §5.3), while AdamW's decoupled decay is a different prior.
/// The teacher schedule is stepped once per iteration, the student schedule once per student step.
/// </para>
/// <para>
/// The teacher is a Model.Nn <see cref="Module"/>, not a frozen <see cref="Teachers.Teacher"/>: the chain moves its
/// weights every iteration (SGLD or dropout training), so an opaque fixed teacher (an ONNX graph) cannot be used here.
/// A fixed teacher's predictive is <see cref="DarkKnowledgeLoss.TeacherPredictive(DarkKnowledgeTask, Teachers.Teacher, Tensor)"/>.
/// </para>
/// <para>
/// Each iteration runs inside one <see cref="TensorScope"/>; the inputs of both networks live in buffers allocated
/// once, so an iteration allocates nothing the tensor pool does not recycle (beyond what the shared losses do).
/// </para>
/// </summary>
public sealed class DistilledSgld
{
    private readonly Rng _rng;
    private readonly ulong _loaderSeed;
    private readonly Tensor _studentInput;
    private float[] _teacherFeatures = [];
    private Tensor? _teacherInput;
    private Tensor? _teacherTargets;
    private Batch? _runBatch;

    /// <summary>Classification or regression.</summary>
    public DarkKnowledgeTask Task { get; }

    /// <summary>SGLD or MC-dropout samples.</summary>
    public TeacherSampler Sampler { get; }

    /// <summary>The teacher network (its parameters are the chain's current state θ_t).</summary>
    public Module Teacher { get; }

    /// <summary>The teacher's optimiser: an <see cref="Nn.Optim.Sgld"/> sampler, or any optimiser for <see cref="TeacherSampler.McDropout"/>.</summary>
    public Optimizer TeacherOptimizer { get; }

    /// <summary>The teacher's step schedule η_t (stepped once per iteration), or null for a constant step.</summary>
    public LearningRateSchedule? TeacherSchedule { get; }

    /// <summary>The student network.</summary>
    public Module Student { get; }

    /// <summary>The student's optimiser (its weight decay is the student prior γ).</summary>
    public Optimizer StudentOptimizer { get; }

    /// <summary>The student's step schedule ρ_t (stepped once per student step), or null for a constant step.</summary>
    public LearningRateSchedule? StudentSchedule { get; }

    /// <summary>The generator of D'.</summary>
    public IStudentDataGenerator Generator { get; }

    /// <summary>|D'|, the points per student step.</summary>
    public int StudentBatchSize { get; }

    /// <summary>B: iterations before the first student step.</summary>
    public int BurnIn { get; }

    /// <summary>H: the student steps on iterations t with t mod H = 0.</summary>
    public int UpdatePeriod { get; }

    /// <summary>λ_n, the regression teacher's noise precision (unused for classification).</summary>
    public double NoisePrecision { get; }

    /// <summary>Iterations completed (teacher steps taken); the next iteration is t = <see cref="Iteration"/>.</summary>
    public long Iteration { get; private set; }

    /// <summary>Student steps taken.</summary>
    public long StudentUpdates { get; private set; }

    /// <summary>
    /// Distilled SGLD of <paramref name="teacher"/> (moved by <paramref name="teacherOptimizer"/>, an
    /// <see cref="Nn.Optim.Sgld"/> for <see cref="TeacherSampler.Sgld"/>) into <paramref name="student"/> (moved by
    /// <paramref name="studentOptimizer"/>, whose weight decay is γ), on |D'| = <paramref name="studentBatchSize"/>
    /// points per student step from <paramref name="generator"/>, with burn-in <paramref name="burnIn"/> (B ≥ 0) and
    /// update period <paramref name="updatePeriod"/> (H ≥ 1). D' and the minibatch order of <see cref="Run"/> come
    /// from <paramref name="seed"/>; the SGLD noise from the sampler's own seed; dropout masks from the modules' own
    /// generators. A regression student must output [B, 2] (mean, log-variance) and its teacher [B, 1].
    /// </summary>
    public DistilledSgld(DarkKnowledgeTask task, Module teacher, Optimizer teacherOptimizer, LearningRateSchedule? teacherSchedule,
        Module student, Optimizer studentOptimizer, LearningRateSchedule? studentSchedule, IStudentDataGenerator generator,
        int studentBatchSize, ulong seed, int burnIn = 0, int updatePeriod = 1, double noisePrecision = 1,
        TeacherSampler sampler = TeacherSampler.Sgld)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(teacherOptimizer);
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(studentOptimizer);
        ArgumentNullException.ThrowIfNull(generator);
        if (ReferenceEquals(teacher, student)) throw new ArgumentException("DistilledSgld: the teacher and the student must be different modules.");
        if (studentBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(studentBatchSize), studentBatchSize, "DistilledSgld: |D'| must be at least 1.");
        if (burnIn < 0) throw new ArgumentOutOfRangeException(nameof(burnIn), burnIn, "DistilledSgld: the burn-in B must be ≥ 0.");
        if (updatePeriod < 1) throw new ArgumentOutOfRangeException(nameof(updatePeriod), updatePeriod, "DistilledSgld: the update period H must be ≥ 1.");
        if (task == DarkKnowledgeTask.Regression) DarkKnowledgeLoss.CheckPrecision(noisePrecision, "DistilledSgld");
        if (sampler == TeacherSampler.Sgld && teacherOptimizer is not Nn.Optim.Sgld)
            throw new ArgumentException($"DistilledSgld: an SGLD teacher needs an Sgld optimiser, got {teacherOptimizer.GetType().Name} (use TeacherSampler.McDropout for an ordinary optimiser with dropout).");
        if (sampler == TeacherSampler.McDropout && !teacher.NamedModules().Any(m => m.Value is Dropout))
            throw new ArgumentException("DistilledSgld: an MC-dropout teacher needs a Dropout layer; this teacher has none, so its samples would all be equal.");
        Task = task;
        Sampler = sampler;
        Teacher = teacher;
        TeacherOptimizer = teacherOptimizer;
        TeacherSchedule = teacherSchedule;
        Student = student;
        StudentOptimizer = studentOptimizer;
        StudentSchedule = studentSchedule;
        Generator = generator;
        StudentBatchSize = studentBatchSize;
        BurnIn = burnIn;
        UpdatePeriod = updatePeriod;
        NoisePrecision = noisePrecision;
        _rng = new Rng(seed);
        _loaderSeed = _rng.NextUInt64();
        _studentInput = Tensor.Zeros([studentBatchSize, .. generator.SampleShape]);
    }

    /// <summary>Whether iteration <paramref name="t"/> (0-based) takes a student step: t ≥ B and t mod H = 0.</summary>
    public bool UpdatesStudentAt(long t) => t >= BurnIn && t % UpdatePeriod == 0;

    /// <summary>
    /// One iteration on the labelled minibatch <paramref name="teacherBatch"/> (labels for classification, one target
    /// per row for regression): the teacher step, then the student step when <see cref="UpdatesStudentAt"/> the
    /// current iteration. Returns what it did.
    /// </summary>
    public DistilledSgldProgress Step(Batch teacherBatch)
    {
        ArgumentNullException.ThrowIfNull(teacherBatch);
        int m = teacherBatch.Size;
        if (m < 1) throw new ArgumentException("DistilledSgld.Step: the teacher's minibatch is empty.", nameof(teacherBatch));
        if (Task == DarkKnowledgeTask.Classification && teacherBatch.Labels.Length == 0)
            throw new ArgumentException("DistilledSgld.Step: a classification teacher needs a labelled batch (from a LabeledDataset).", nameof(teacherBatch));
        if (Task == DarkKnowledgeTask.Regression && teacherBatch.TargetSpan.Length != m)
            throw new ArgumentException($"DistilledSgld.Step: a regression teacher needs one target per row, got {teacherBatch.TargetSpan.Length} for {m} rows.", nameof(teacherBatch));
        if (teacherBatch.FeatureSize != Generator.FeatureSize)
            throw new ArgumentException($"DistilledSgld.Step: the batch has {teacherBatch.FeatureSize} features per row but the generator draws {Generator.FeatureSize}.", nameof(teacherBatch));

        long t = Iteration;
        double teacherLoss, studentLoss = double.NaN;
        bool update = UpdatesStudentAt(t);
        using (TensorScope.Begin())
        {
            var x = TeacherInput(teacherBatch);
            Teacher.Train();
            TeacherOptimizer.ZeroGrad();
            var output = Teacher.Forward(x);
            var loss = DarkKnowledgeLoss.TeacherNll(Task, output, teacherBatch.LabelSpan, _teacherTargets, NoisePrecision);
            teacherLoss = loss.Item();
            if (!double.IsFinite(teacherLoss)) throw new InvalidOperationException($"DistilledSgld: the teacher's loss is {teacherLoss} at iteration {t}.");
            loss.Backward();
            TeacherOptimizer.Step();
            TeacherSchedule?.Step();
        }
        if (update)
        {
            using (TensorScope.Begin()) studentLoss = StudentStep();
            StudentUpdates++;
        }
        Iteration = t + 1;
        return new DistilledSgldProgress(Iteration, StudentUpdates, update, teacherLoss, studentLoss);
    }

    /// <summary>
    /// <paramref name="iterations"/> iterations on minibatches of <paramref name="teacherBatchSize"/> (M) rows of
    /// <paramref name="train"/>, each epoch a fresh seeded permutation (a short last batch is dropped, so M is fixed);
    /// calls <paramref name="callback"/> after every <paramref name="callbackEvery"/>-th iteration (0: never).
    /// Continues from <see cref="Iteration"/>, so successive calls make one run. For an SGLD teacher the sampler's N
    /// must be the training set's size.
    /// </summary>
    public void Run(Dataset train, int teacherBatchSize, long iterations, int callbackEvery = 0, Action<DistilledSgldProgress>? callback = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (iterations < 0) throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "DistilledSgld.Run: the number of iterations must be ≥ 0.");
        if (callbackEvery < 0) throw new ArgumentOutOfRangeException(nameof(callbackEvery), callbackEvery, "DistilledSgld.Run: the callback period must be ≥ 0.");
        if (teacherBatchSize < 1 || teacherBatchSize > train.Count)
            throw new ArgumentOutOfRangeException(nameof(teacherBatchSize), teacherBatchSize, $"DistilledSgld.Run: the minibatch size M must lie in [1, {train.Count}] (the training set's size).");
        if (TeacherOptimizer is Nn.Optim.Sgld sgld && sgld.DatasetSize != train.Count)
            throw new ArgumentException($"DistilledSgld.Run: the SGLD sampler's N = {sgld.DatasetSize} differs from the training set's {train.Count} examples.", nameof(train));
        var loader = new BatchLoader(train, teacherBatchSize, _loaderSeed, shuffle: true, dropLast: true);
        if (_runBatch is null || _runBatch.Capacity != teacherBatchSize || _runBatch.FeatureSize != train.FeatureSize)
            _runBatch = new Batch(train, teacherBatchSize);
        for (long i = 0; i < iterations; i++)
        {
            long t = Iteration;
            loader.Fill(checked((int)(t / loader.BatchCount)), (int)(t % loader.BatchCount), _runBatch);
            var progress = Step(_runBatch);
            if (callback is not null && callbackEvery > 0 && progress.Iteration % callbackEvery == 0) callback(progress);
        }
    }

    private double StudentStep()
    {
        Generator.Fill(_rng, _studentInput.Span);
        bool wasTraining = Teacher.IsTraining;
        Teacher.Train(Sampler == TeacherSampler.McDropout);
        Tensor target;
        try
        {
            target = DarkKnowledgeLoss.TeacherPredictive(Task, Teacher, _studentInput);
        }
        finally
        {
            Teacher.Train(wasTraining);
        }
        Student.Train();
        StudentOptimizer.ZeroGrad();
        var loss = DarkKnowledgeLoss.Student(Task, Student.Forward(_studentInput), target, NoisePrecision);
        double value = loss.Item();
        if (!double.IsFinite(value)) throw new InvalidOperationException($"DistilledSgld: the student's loss is {value} at iteration {Iteration}.");
        loss.Backward();
        StudentOptimizer.Step();
        StudentSchedule?.Step();
        return value;
    }

    /// <summary>The batch's features in the reused teacher-input buffer (and its targets, for regression).</summary>
    private Tensor TeacherInput(Batch batch)
    {
        int m = batch.Size, d = batch.FeatureSize;
        if (_teacherInput is null || _teacherInput.Dim(0) != m)
        {
            _teacherFeatures = new float[m * d];
            _teacherInput = new Tensor(_teacherFeatures, [m, .. Generator.SampleShape]);
            _teacherTargets = Task == DarkKnowledgeTask.Regression ? Tensor.Zeros(m, 1) : null;
        }
        batch.FeatureSpan.CopyTo(_teacherFeatures);
        if (_teacherTargets is not null) batch.TargetSpan.CopyTo(_teacherTargets.Span);
        return _teacherInput;
    }
}
