using Probabilistic.Core.Random;
using Probabilistic.Distill.MultiDomain;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Training;

namespace Probabilistic.Distill.Tests.MultiDomain;

public class ProtocolTests
{
    private static EvaluationReport Report(double accuracy, double crossEntropy) => new(100, accuracy, crossEntropy, 0, 0);

    [Fact]
    public void Summaries_are_the_papers_population_statistics_and_trapezoids()
    {
        // Two runs with test-CE curves 1, 2, 3 and 3, 2, 1: mean curve 2, 2, 2 (trapezoid 4); population sd curve
        // 1, 0, 1 (trapezoid ½ + ½ = 1). Final accuracies 0.8 and 0.6: mean 0.7, population sd 0.1 (sample sd would be 0.141).
        var result = new ProtocolResult(StudentProtocol.IndependentSeeds(2, 3),
        [
            [Report(0.5, 1), Report(0.6, 2), Report(0.8, 3)],
            [Report(0.5, 3), Report(0.6, 2), Report(0.6, 1)],
        ]);
        var (integral, spread) = result.Integral;
        Assert.Equal(4, integral, 12);
        Assert.Equal(1, spread, 12);
        var (mean, sd) = ProtocolResult.MeanAndPopulationSd(result.FinalAccuracy);
        Assert.Equal(0.7, mean, 12);
        Assert.Equal(0.1, sd, 12);
        Assert.Equal([3.0, 1.0], result.FinalCrossEntropy);
    }

    private static LabeledDataset Blobs(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[n * 4];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % 2;
            for (int j = 0; j < 4; j++) x[i * 4 + j] = (float)(rng.Normal() + (y[i] == 0 ? -1 : 1));
        }
        return new LabeledDataset("blobs", x, [4], y, 2);
    }

    [Fact]
    public void Continuation_blocks_carry_one_student_and_independent_seeds_make_fresh_ones()
    {
        var train = Blobs(200, 1);
        var test = Blobs(200, 2);
        var alone = new MultiDomainDistillation(new MultiDomainSettings(SoftWeight: 0));
        var made = new List<Module>();
        Module Create(Rng rng) { var m = new Mlp(rng, 4, 8, 2); made.Add(m); return m; }

        var blocks = StudentProtocol.ContinuationBlocks(3, 2).Run(Create, m => new Adam(m.Parameters(), 0.05f), train, test, alone, null, null, 50, seed: 5);
        Assert.Single(made);
        Assert.Equal(3, blocks.Curves.Count);
        Assert.All(blocks.Curves, c => Assert.Equal(2, c.Count));
        // The second block starts from the first block's weights: its first-epoch test CE is far below a fresh
        // student's first-epoch CE (block 1's), on this easy problem.
        Assert.True(blocks.Curves[1][0].CrossEntropy < blocks.Curves[0][0].CrossEntropy - 0.05,
            $"block 2 epoch 1 CE {blocks.Curves[1][0].CrossEntropy} vs block 1 epoch 1 CE {blocks.Curves[0][0].CrossEntropy}");

        made.Clear();
        var seeds = StudentProtocol.IndependentSeeds(3, 2).Run(Create, m => new Adam(m.Parameters(), 0.05f), train, test, alone, null, null, 50, seed: 5);
        Assert.Equal(3, made.Count);
        Assert.Equal(3, made.Select(m => m.Parameters()[0][0]).Distinct().Count()); // three different initialisations
        // Fresh students: every run's first epoch is at the same (untrained) level, not carried over.
        Assert.All(seeds.Curves, c => Assert.True(c[0].CrossEntropy > blocks.Curves[1][0].CrossEntropy));
        // Deterministic under the seed.
        made.Clear();
        var again = StudentProtocol.IndependentSeeds(3, 2).Run(Create, m => new Adam(m.Parameters(), 0.05f), train, test, alone, null, null, 50, seed: 5);
        Assert.Equal(seeds.FinalCrossEntropy, again.FinalCrossEntropy);
    }

    [Fact]
    public void Bad_protocols_are_refused()
    {
        var data = Blobs(10, 1);
        var alone = new MultiDomainDistillation(new MultiDomainSettings(SoftWeight: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => StudentProtocol.IndependentSeeds(0, 2).Run(r => new Mlp(r, 4, 2), m => new Adam(m.Parameters(), 1e-3f), data, data, alone, null, null, 5, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => StudentProtocol.ContinuationBlocks(2, 0).Run(r => new Mlp(r, 4, 2), m => new Adam(m.Parameters(), 1e-3f), data, data, alone, null, null, 5, 1));
    }
}
