using System.Collections;
using Probabilistic.Core.Random;
using Probabilistic.Nn.Layers;

namespace Probabilistic.Nn.Samplers;

/// <summary>Which samples a full <see cref="SampleStore"/> keeps.</summary>
public enum SampleRetention
{
    /// <summary>The K most recent kept samples (a ring buffer; the oldest is overwritten).</summary>
    MostRecent,

    /// <summary>
    /// A uniform random subset of size K of every kept sample so far (reservoir sampling, Vitter's algorithm R, from
    /// the store's own seeded generator): after n ≥ K kept samples each of them is in the store with probability K/n.
    /// </summary>
    Reservoir,
}

/// <summary>One stored parameter sample: the sampler step it was taken at and a copy of the flat parameter values.</summary>
/// <param name="Step">The step number passed to <see cref="SampleStore.Offer(long, ReadOnlySpan{float})"/>.</param>
/// <param name="Values">The parameter values (P floats, in <see cref="ParameterVector"/> order); do not hold on to them
/// past the next <see cref="SampleStore.Offer(long, ReadOnlySpan{float})"/>, which may overwrite the slot.</param>
public readonly record struct StoredSample(long Step, ReadOnlyMemory<float> Values);

/// <summary>
/// Burn-in, thinning and a bounded store of parameter samples from a Markov chain (SGLD, HMC) over a module's
/// parameters. The sampler offers its state after each step with <see cref="Offer(long, ReadOnlySpan{float})"/>; the
/// store keeps step t exactly when t &gt; B and (t − B) is a multiple of H (burn-in B ≥ 0, thinning H ≥ 1), so with
/// B = 1000, H = 100 it keeps steps 1100, 1200, …; steps must be offered in increasing order. Of the kept samples it
/// holds at most K (<see cref="Capacity"/>), chosen by <see cref="Retention"/>. Each slot is a copy (P floats),
/// allocated once, so a long chain does not allocate per step. Indexing and enumeration run oldest to newest for
/// <see cref="SampleRetention.MostRecent"/>; for <see cref="SampleRetention.Reservoir"/> they run in slot order
/// (ordered by <see cref="StoredSample.Step"/> only until the store first fills).
/// </summary>
public sealed class SampleStore : IReadOnlyList<StoredSample>
{
    private readonly float[][] _slots;
    private readonly long[] _steps;
    private readonly Rng? _rng;
    private int _count;
    private int _next; // MostRecent: the slot the next kept sample goes to (also the oldest once full).
    private long _lastStep = long.MinValue;

    /// <summary>
    /// A store for samples of <paramref name="parameterCount"/> values (P ≥ 1), holding at most
    /// <paramref name="capacity"/> (K ≥ 1), with burn-in <paramref name="burnIn"/> (B ≥ 0) and thinning
    /// <paramref name="thinning"/> (H ≥ 1); <paramref name="seed"/> drives the reservoir (unused for
    /// <see cref="SampleRetention.MostRecent"/>).
    /// </summary>
    public SampleStore(int parameterCount, int capacity, long burnIn = 0, long thinning = 1,
        SampleRetention retention = SampleRetention.MostRecent, ulong seed = 0)
    {
        if (parameterCount < 1) throw new ArgumentOutOfRangeException(nameof(parameterCount), parameterCount, "SampleStore: need at least one parameter.");
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "SampleStore: the capacity K must be ≥ 1.");
        if (burnIn < 0) throw new ArgumentOutOfRangeException(nameof(burnIn), burnIn, "SampleStore: the burn-in B must be ≥ 0.");
        if (thinning < 1) throw new ArgumentOutOfRangeException(nameof(thinning), thinning, "SampleStore: the thinning H must be ≥ 1.");
        if (retention is not (SampleRetention.MostRecent or SampleRetention.Reservoir))
            throw new ArgumentOutOfRangeException(nameof(retention), retention, "SampleStore: unknown retention.");
        ParameterCount = parameterCount;
        Capacity = capacity;
        BurnIn = burnIn;
        Thinning = thinning;
        Retention = retention;
        _slots = new float[capacity][];
        _steps = new long[capacity];
        if (retention == SampleRetention.Reservoir) _rng = new Rng(seed);
    }

    /// <summary>A store sized for the parameters of <paramref name="parameters"/> (P = its <see cref="ParameterVector.Count"/>).</summary>
    public SampleStore(ParameterVector parameters, int capacity, long burnIn = 0, long thinning = 1,
        SampleRetention retention = SampleRetention.MostRecent, ulong seed = 0)
        : this((parameters ?? throw new ArgumentNullException(nameof(parameters))).Count, capacity, burnIn, thinning, retention, seed)
    {
    }

    /// <summary>P, the number of values in each sample.</summary>
    public int ParameterCount { get; }

    /// <summary>K, the most samples held.</summary>
    public int Capacity { get; }

    /// <summary>B: steps up to and including B are never kept.</summary>
    public long BurnIn { get; }

    /// <summary>H: after the burn-in, every H-th step is kept.</summary>
    public long Thinning { get; }

    /// <summary>Which samples are held once more than K were kept.</summary>
    public SampleRetention Retention { get; }

    /// <summary>Samples kept so far (passed burn-in and thinning), including those no longer held.</summary>
    public long Kept { get; private set; }

    /// <summary>Samples held now: min(<see cref="Kept"/>, K).</summary>
    public int Count => _count;

    /// <summary>True when step <paramref name="step"/> passes burn-in and thinning: step &gt; B and (step − B) mod H = 0.</summary>
    public bool Keeps(long step) => step > BurnIn && (step - BurnIn) % Thinning == 0;

    /// <summary>
    /// Offers the chain's state after step <paramref name="step"/> (steps increasing; 1 after the first update).
    /// Copies <paramref name="values"/> (exactly P long) when the step is kept and retention admits it; returns
    /// whether the store now holds it.
    /// </summary>
    public bool Offer(long step, ReadOnlySpan<float> values)
    {
        if (values.Length != ParameterCount)
            throw new ArgumentException($"SampleStore.Offer: got {values.Length} values, the store holds {ParameterCount}.", nameof(values));
        if (step <= _lastStep)
            throw new ArgumentException($"SampleStore.Offer: steps must increase, got {step} after {_lastStep}.", nameof(step));
        _lastStep = step;
        if (!Keeps(step)) return false;
        Kept++;
        int slot;
        if (_count < Capacity)
        {
            slot = _count++;
            _next = _count % Capacity;
        }
        else if (Retention == SampleRetention.MostRecent)
        {
            slot = _next;
            _next = (_next + 1) % Capacity;
        }
        else
        {
            long j = Kept <= int.MaxValue ? _rng!.NextInt((int)Kept) : (long)(_rng!.NextDouble() * Kept);
            if (j >= Capacity) return false;
            slot = (int)j;
        }
        values.CopyTo(_slots[slot] ??= new float[ParameterCount]);
        _steps[slot] = step;
        return true;
    }

    /// <summary>Offers the current values of <paramref name="parameters"/> (copied only when kept); see <see cref="Offer(long, ReadOnlySpan{float})"/>.</summary>
    public bool Offer(long step, ParameterVector parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Count != ParameterCount)
            throw new ArgumentException($"SampleStore.Offer: the parameter vector has {parameters.Count} values, the store holds {ParameterCount}.", nameof(parameters));
        if (step <= _lastStep)
            throw new ArgumentException($"SampleStore.Offer: steps must increase, got {step} after {_lastStep}.", nameof(step));
        if (!Keeps(step))
        {
            _lastStep = step;
            return false;
        }
        var scratch = _scratch ??= new float[ParameterCount];
        parameters.CopyTo(scratch);
        return Offer(step, scratch);
    }

    private float[]? _scratch;

    /// <summary>The <paramref name="index"/>-th held sample (0 ≤ index &lt; <see cref="Count"/>), in the order described on the class.</summary>
    public StoredSample this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count)
                throw new ArgumentOutOfRangeException(nameof(index), index, $"SampleStore: index outside the {_count} held samples.");
            int slot = Retention == SampleRetention.MostRecent && _count == Capacity ? (_next + index) % Capacity : index;
            return new StoredSample(_steps[slot], _slots[slot]);
        }
    }

    /// <summary>Writes the <paramref name="index"/>-th held sample into the module's parameters through <paramref name="parameters"/>.</summary>
    public void LoadInto(int index, ParameterVector parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Count != ParameterCount)
            throw new ArgumentException($"SampleStore.LoadInto: the parameter vector has {parameters.Count} values, the store holds {ParameterCount}.", nameof(parameters));
        parameters.CopyFrom(this[index].Values.Span);
    }

    /// <summary>The held samples, in the order described on the class.</summary>
    public IEnumerator<StoredSample> GetEnumerator()
    {
        for (int i = 0; i < _count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
