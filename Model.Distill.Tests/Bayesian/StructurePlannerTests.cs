using Probabilistic.Core.Random;
using Probabilistic.Distill.Bayesian;

namespace Probabilistic.Distill.Tests.Bayesian;

public class StructurePlannerTests
{
    private static NetworkStructure S(params int[] widths) => new(widths);

    [Fact]
    public void ThesisExampleUsesOnlyNeuronRemovals()
    {
        // TH: (10, 6, 7, 10) → (10, 4, 6, 10) via φ(2), φ(2), φ(3) in some order: three neurons in total.
        var plan = StructurePlanner.Plan(S(10, 6, 7, 10), S(10, 4, 6, 10));
        Assert.All(plan.Steps, step => Assert.IsType<NeuronRemoval>(step));
        Assert.Equal(3, plan.Steps.Sum(step => ((NeuronRemoval)step).Neurons.Length));
        Assert.Equal(S(10, 4, 6, 10), plan.Structures[^1]);
    }

    [Fact]
    public void RemovesLayersByMakingThemSquare()
    {
        var plan = StructurePlanner.Plan(S(5, 8, 6, 7, 3), S(5, 4, 3));
        Assert.Equal(S(5, 4, 3), plan.Structures[^1]);
        Assert.Equal(2, plan.Steps.Count(step => step is LayerRemoval));
        for (int i = 0; i < plan.Steps.Count; i++)
            Assert.Equal(plan.Structures[i + 1], plan.Steps[i].ApplyTo(plan.Structures[i]));
    }

    [Fact]
    public void RandomTeacherStudentPairsAreReachedThroughValidStructures()
    {
        var rng = new Rng(21);
        int planned = 0;
        for (int trial = 0; trial < 300; trial++)
        {
            int depth = 1 + rng.NextInt(5);
            var teacher = Enumerable.Range(0, depth + 1).Select(_ => 1 + rng.NextInt(8)).ToArray();
            int studentDepth = 1 + rng.NextInt(depth);
            // Student hidden widths: a random increasing subset of teacher hidden layers, each shrunk at random.
            var hidden = Enumerable.Range(1, depth - 1).OrderBy(_ => rng.NextDouble()).Take(studentDepth - 1).OrderBy(h => h);
            var student = new[] { teacher[0] }.Concat(hidden.Select(h => 1 + rng.NextInt(teacher[h]))).Append(teacher[^1]).ToArray();
            StructurePlan plan;
            try
            {
                plan = StructurePlanner.Plan(S(teacher), S(student));
            }
            catch (ArgumentException)
            {
                continue; // some removal runs have a bottleneck narrower than both neighbours: unreachable
            }
            planned++;
            Assert.Equal(S(student), plan.Structures[^1]);
            Assert.Equal(plan.Steps.Count + 1, plan.Structures.Count);
            for (int i = 0; i < plan.Steps.Count; i++)
                Assert.Equal(plan.Structures[i + 1], plan.Steps[i].ApplyTo(plan.Structures[i]));
        }
        Assert.True(planned > 150, $"only {planned} of 300 random pairs were reachable");
    }

    [Fact]
    public void RejectsImpossibleStudents()
    {
        Assert.Throws<ArgumentException>(() => StructurePlanner.Plan(S(3, 4, 2), S(3, 5, 2)));      // wider
        Assert.Throws<ArgumentException>(() => StructurePlanner.Plan(S(3, 4, 2), S(3, 2, 2, 2)));   // deeper
        Assert.Throws<ArgumentException>(() => StructurePlanner.Plan(S(3, 4, 2), S(4, 4, 2)));      // other input
        // A width-1 bottleneck next to the raw input can never be merged away.
        Assert.Throws<ArgumentException>(() => StructurePlanner.Plan(S(3, 1, 5, 2), S(3, 5, 2)));
    }
}

public class SubNetworkExtractionTests
{
    // Bias-free ReLU network with σ after every layer, parameters vectorised U_1 first, row-major.
    private static double[] Evaluate(NetworkStructure s, IReadOnlyList<double> u, double[] x)
    {
        var h = x;
        for (int t = 1; t <= s.LayerCount; t++)
        {
            var next = new double[s.Widths[t]];
            for (int r = 0; r < next.Length; r++)
            {
                double sum = 0;
                for (int c = 0; c < h.Length; c++) sum += u[s.ParameterIndex(t, r, c)] * h[c];
                next[r] = Math.Max(sum, 0);
            }
            h = next;
        }
        return h;
    }

    [Fact]
    public void AlignedMeanIsTheTeacherSubNetwork()
    {
        // methods.md §6 "B-mask": with neuron removals only, the aligned (diagonal) mean is the true sub-network:
        // the student computes what the teacher computes once the removed neurons' outgoing weights are zeroed.
        var rng = new Rng(17);
        var teacher = new NetworkStructure(new[] { 4, 7, 6, 3 });
        var student = new NetworkStructure(new[] { 4, 3, 2, 3 });
        var mean = Enumerable.Range(0, teacher.ParameterCount).Select(_ => rng.Normal()).ToArray();
        var variance = Enumerable.Repeat(0.5, teacher.ParameterCount).ToArray();
        var plan = StructurePlanner.Plan(teacher, student, StructurePlanner.RandomNeurons(new Rng(0)));
        var aligned = GaussianAlignment.Apply(new DiagonalGaussianPosterior(teacher, mean, variance), plan.Steps);
        Assert.Equal(student, aligned.Structure);

        // Zero, in the teacher, the outgoing weights of every removed neuron (map step-local indices back).
        var zeroed = (double[])mean.Clone();
        var alive = new List<List<int>> { new(), Enumerable.Range(0, 7).ToList(), Enumerable.Range(0, 6).ToList() };
        foreach (NeuronRemoval step in plan.Steps.Cast<NeuronRemoval>())
        {
            foreach (int j in step.Neurons.OrderByDescending(j => j))
            {
                int original = alive[step.Layer][j];
                for (int r = 0; r < teacher.Widths[step.Layer + 1]; r++) zeroed[teacher.ParameterIndex(step.Layer + 1, r, original)] = 0;
                alive[step.Layer].RemoveAt(j);
            }
        }
        for (int trial = 0; trial < 20; trial++)
        {
            var x = Enumerable.Range(0, 4).Select(_ => rng.Normal()).ToArray();
            Assert.Equal(Evaluate(teacher, zeroed, x), Evaluate(student, aligned.Mean, x));
        }
        Assert.All(aligned.Variance, v => Assert.Equal(0.5, v));
    }
}
