using Probabilistic.Core.Random;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Samplers;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Tests.Samplers;

/// <summary><see cref="SampleStore"/>: burn-in, thinning and capacity, checked against hand-listed steps and, for the reservoir, inclusion frequencies.</summary>
public class SampleStoreTests
{
    private static float[] ValuesOf(long step) => [step, -step, 0.5f * step];

    [Fact]
    public void BurnInThinningAndMostRecentCapacityAreExact()
    {
        // B = 5, H = 3: kept steps are 8, 11, 14, …, 29 (8 of them); K = 4 keeps the last four, oldest first.
        var store = new SampleStore(parameterCount: 3, capacity: 4, burnIn: 5, thinning: 3);
        var taken = new List<long>();
        for (long t = 1; t <= 30; t++)
            if (store.Offer(t, ValuesOf(t))) taken.Add(t);
        Assert.Equal([8L, 11, 14, 17, 20, 23, 26, 29], taken);
        Assert.Equal(8, store.Kept);
        Assert.Equal(4, store.Count);
        Assert.Equal([20L, 23, 26, 29], store.Select(s => s.Step));
        foreach (var s in store) Assert.Equal(ValuesOf(s.Step), s.Values.ToArray());

        // Before the store fills it holds every kept step, in order.
        var partial = new SampleStore(3, capacity: 10, burnIn: 0, thinning: 2);
        for (long t = 0; t <= 7; t++) partial.Offer(t, ValuesOf(t));
        Assert.Equal([2L, 4, 6], partial.Select(s => s.Step));
    }

    [Fact]
    public void ReservoirKeepsEachSampleWithProbabilityKOverN()
    {
        // K = 3 of n = 10 kept samples: each is held with probability 0.3. 4000 seeds, binomial sd ≈ 0.0072.
        const int runs = 4000;
        var held = new int[10];
        for (int r = 0; r < runs; r++)
        {
            var store = new SampleStore(3, capacity: 3, retention: SampleRetention.Reservoir, seed: (ulong)r + 1);
            for (long t = 1; t <= 10; t++) store.Offer(t, ValuesOf(t));
            Assert.Equal(3, store.Count);
            foreach (var s in store)
            {
                Assert.Equal(ValuesOf(s.Step), s.Values.ToArray());
                held[s.Step - 1]++;
            }
        }
        foreach (int h in held) Assert.InRange(h / (double)runs, 0.3 - 0.03, 0.3 + 0.03);
    }

    private sealed class Pair : Module
    {
        public Pair()
        {
            RegisterParameter("a", Tensor.Zeros(2));
            RegisterParameter("b", Tensor.Zeros(1));
        }

        protected override Tensor ForwardCore(Tensor input) => input;
    }

    [Fact]
    public void OffersFromAModuleCopyAndLoadBack()
    {
        var module = new Pair();
        var vector = new ParameterVector(module);
        var store = new SampleStore(vector, capacity: 2);
        var rng = new Rng(1);
        var offered = new List<float[]>();
        for (long t = 1; t <= 3; t++)
        {
            var v = new[] { (float)rng.Normal(), (float)rng.Normal(), (float)rng.Normal() };
            vector.CopyFrom(v);
            offered.Add(v);
            Assert.True(store.Offer(t, vector));
        }
        vector.CopyFrom([9f, 9f, 9f]); // later changes to the module do not reach the stored copies
        store.LoadInto(0, vector);
        Assert.Equal(offered[1], vector.ToArray());
        store.LoadInto(1, vector);
        Assert.Equal(offered[2], vector.ToArray());
    }

    [Fact]
    public void BadUseThrows()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SampleStore(3, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SampleStore(3, 2, burnIn: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SampleStore(3, 2, thinning: 0));
        var store = new SampleStore(3, 2);
        store.Offer(5, ValuesOf(5));
        Assert.Throws<ArgumentException>(() => store.Offer(5, ValuesOf(5)));
        Assert.Throws<ArgumentException>(() => store.Offer(6, new float[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => store[1]);
    }
}
