using System.Diagnostics;
using Probabilistic.Nn.Data;

namespace Probabilistic.Reproduce.Experiments;

/// <summary>What an experiment gets from the runner: the options, the data, a status log, and a stopwatch.</summary>
public sealed class ExperimentContext
{
    private readonly List<KeyValuePair<string, double>> _timings = [];
    private readonly string _experimentName;

    /// <summary>A context; <paramref name="runs"/> (null: runs in this process, one at a time, results kept in memory) carries out the runs the experiment splits off.</summary>
    public ExperimentContext(string experimentName, bool quick, IReadOnlyList<ulong> seeds, DataCatalog data, TextWriter log, CancellationToken cancellation,
        Running.RunService? runs = null)
    {
        Runs = runs ?? Running.RunService.InProcess(Running.RunBodies.Students(new Probabilistic.Sweep.RunBodyRegistry(), data));
        _experimentName = experimentName;
        Quick = quick;
        Seeds = seeds;
        Data = data;
        Log = log;
        Cancellation = cancellation;
    }

    /// <summary>Smaller settings (fewer epochs, fewer samples) for a smoke run; the experiment decides what that means.</summary>
    public bool Quick { get; }

    /// <summary>The seeds of the repeated runs (0..N-1 for <c>--seeds N</c>).</summary>
    public IReadOnlyList<ulong> Seeds { get; }

    /// <summary>The data sets, loaded once per process and shared between experiments.</summary>
    public DataCatalog Data { get; }

    /// <summary>Where status lines go (standard error), so standard output holds only the tables.</summary>
    public TextWriter Log { get; }

    /// <summary>
    /// Carries out the runs the experiment splits its work into (e.g. the students of a sweep), wherever the command
    /// line said runs happen; results come back in request order.
    /// </summary>
    public Running.RunService Runs { get; }

    /// <summary>Set when the user presses Ctrl+C.</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>Named wall-clock timings in seconds, in the order they were taken.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Timings => _timings;

    /// <summary>Writes one short status line to the log.</summary>
    public void Status(string message) => Log.WriteLine($"[{_experimentName}] {message}");

    /// <summary>Runs <paramref name="work"/> and records its wall-clock time under <paramref name="phase"/>.</summary>
    public T Time<T>(string phase, Func<T> work)
    {
        var watch = Stopwatch.StartNew();
        try { return work(); }
        finally { _timings.Add(new(phase, watch.Elapsed.TotalSeconds)); }
    }

    /// <summary>
    /// FashionMNIST (its loading timed), or null when it is missing or unreadable: then a status line and a note with
    /// the loader's message (which names the set-up command or the bad file) are recorded, so the experiment's other
    /// parts still run.
    /// </summary>
    public FashionMnist? FashionMnistOrNote(Results.ExperimentResult result)
    {
        try
        {
            return Time("load FashionMNIST", () => Data.FashionMnist);
        }
        catch (Exception e) when (e is DataNotFoundException or DataFormatException)
        {
            Status($"FashionMNIST unavailable: {e.Message}");
            result.Notes.Add(e.Message);
            return null;
        }
    }
}
