using Probabilistic.Core.Numerics;
using Probabilistic.Core.Random;
using Probabilistic.Distill.Teachers;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Training;

namespace Probabilistic.Distill.MultiDomain;

/// <summary>How the repeated student runs of a multi-domain experiment are made (methods.md §3.3, §3.5).</summary>
public enum ProtocolKind
{
    /// <summary>
    /// The authors' protocol: ONE student trained in consecutive blocks, the optimiser re-created at the start of each
    /// block but the weights carried over; "mean ± sd" is over the last epoch of each block. Needed to compare with
    /// the paper's numbers; its spread mostly measures block 1 against the later blocks, not seed noise.
    /// </summary>
    ContinuationBlocks,

    /// <summary>The sound protocol: a fresh student (its own initialisation and shuffling seed) for every run.</summary>
    IndependentSeeds,
}

/// <summary>A protocol: its kind, the number of runs (blocks or seeds) and the epochs of each run.</summary>
/// <param name="Kind">Continuation blocks or independent seeds.</param>
/// <param name="Runs">Blocks or seeds (≥ 1).</param>
/// <param name="EpochsPerRun">Epochs per block or per seed (≥ 1).</param>
public sealed record StudentProtocol(ProtocolKind Kind, int Runs, int EpochsPerRun)
{
    /// <summary>The authors' protocol, 5 blocks of 20 epochs by default.</summary>
    public static StudentProtocol ContinuationBlocks(int blocks = 5, int epochsPerBlock = 20) => new(ProtocolKind.ContinuationBlocks, blocks, epochsPerBlock);

    /// <summary>Independent students, 5 seeds of 20 epochs by default.</summary>
    public static StudentProtocol IndependentSeeds(int seeds = 5, int epochs = 20) => new(ProtocolKind.IndependentSeeds, seeds, epochs);

    /// <summary>A short name for tables ("continuation" or "independent").</summary>
    public string Label => Kind == ProtocolKind.ContinuationBlocks ? "continuation" : "independent";

    /// <summary>
    /// Runs the protocol: students made by <paramref name="createStudent"/> (from a generator seeded by
    /// <paramref name="seed"/>, plus the run index for independent seeds), each run optimised by a fresh optimiser from
    /// <paramref name="createOptimizer"/>, trained by <see cref="MultiDomainTraining.FitStudent"/> with
    /// <paramref name="loss"/>, the frozen <paramref name="teacher"/> (a Model.Nn module converts to one) and <paramref name="map"/>, and evaluated on
    /// <paramref name="test"/> after every epoch. <paramref name="onRun"/> is told of each finished run.
    /// </summary>
    public ProtocolResult Run(Func<Rng, Module> createStudent, Func<Module, Optimizer> createOptimizer, LabeledDataset train,
        LabeledDataset test, MultiDomainDistillation loss, Teacher? teacher, IDomainMap? map, int batchSize, ulong seed,
        Action<int, IReadOnlyList<EpochReport>>? onRun = null)
    {
        ArgumentNullException.ThrowIfNull(createStudent);
        ArgumentNullException.ThrowIfNull(createOptimizer);
        if (Runs < 1) throw new ArgumentOutOfRangeException(nameof(Runs), Runs, "StudentProtocol: at least one run (block or seed) is needed.");
        if (EpochsPerRun < 1) throw new ArgumentOutOfRangeException(nameof(EpochsPerRun), EpochsPerRun, "StudentProtocol: at least one epoch per run is needed.");
        var curves = new List<IReadOnlyList<EvaluationReport>>(Runs);
        Module? student = null;
        var master = new Rng(seed);
        for (int run = 0; run < Runs; run++)
        {
            // Independent runs: student and shuffling from seed + run. Continuation: one student, and a new shuffling
            // seed per block from one stream (the authors' code reused one order by accident, §3.2).
            var rng = Kind == ProtocolKind.IndependentSeeds ? new Rng(seed + (ulong)run) : master;
            if (Kind == ProtocolKind.IndependentSeeds || student is null) student = createStudent(rng);
            ulong shuffle = rng.NextUInt64();
            var reports = MultiDomainTraining.FitStudent(student, createOptimizer(student), train, loss, teacher, map,
                EpochsPerRun, batchSize, shuffle, test);
            curves.Add(reports.Select(r => r.Validation!).ToArray());
            onRun?.Invoke(run, reports);
        }
        return new ProtocolResult(this, curves);
    }
}

/// <summary>
/// The test metrics of every run of a <see cref="StudentProtocol"/>, epoch by epoch, and the summaries the paper
/// reports: accuracy and cross-entropy at each run's last epoch (mean ± population sd, as the paper's numpy std), and
/// the integral criterion (Grabovoy 2022): the trapezoid of the run-averaged test-CE curve over epochs 1..E, with its
/// "±" the trapezoid of the curve of population sds.
/// </summary>
/// <param name="Protocol">The protocol that made the runs.</param>
/// <param name="Curves">Per run, the test report after each epoch.</param>
public sealed record ProtocolResult(StudentProtocol Protocol, IReadOnlyList<IReadOnlyList<EvaluationReport>> Curves)
{
    /// <summary>Each run's test accuracy after its last epoch.</summary>
    public double[] FinalAccuracy => Curves.Select(c => c[^1].Accuracy).ToArray();

    /// <summary>Each run's test cross-entropy after its last epoch.</summary>
    public double[] FinalCrossEntropy => Curves.Select(c => c[^1].CrossEntropy).ToArray();

    /// <summary>Per epoch, the mean over runs and the population sd of <paramref name="metric"/>.</summary>
    public (double[] Mean, double[] Sd) Curve(Func<EvaluationReport, double> metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        int epochs = Curves.Min(c => c.Count);
        var mean = new double[epochs];
        var sd = new double[epochs];
        var values = new double[Curves.Count];
        for (int e = 0; e < epochs; e++)
        {
            for (int r = 0; r < values.Length; r++) values[r] = metric(Curves[r][e]);
            (mean[e], sd[e]) = MeanAndPopulationSd(values);
        }
        return (mean, sd);
    }

    /// <summary>The integral criterion and its "±": trapezoids (unit spacing) of the mean and sd test-CE curves.</summary>
    public (double Value, double Spread) Integral
    {
        get
        {
            var (mean, sd) = Curve(r => r.CrossEntropy);
            return (Trapezoid.Integrate(mean), Trapezoid.Integrate(sd));
        }
    }

    /// <summary>Mean and population sd (divisor n) of <paramref name="values"/>, as the paper reports them.</summary>
    public static (double Mean, double Sd) MeanAndPopulationSd(ReadOnlySpan<double> values)
    {
        if (values.Length == 0) throw new ArgumentException("ProtocolResult: no values.");
        double mean = 0;
        foreach (double v in values) mean += v;
        mean /= values.Length;
        double ss = 0;
        foreach (double v in values) ss += (v - mean) * (v - mean);
        return (mean, Math.Sqrt(ss / values.Length));
    }
}
