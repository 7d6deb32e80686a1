using Probabilistic.Core.Random;
using Probabilistic.Nn.Bayesian;

namespace Probabilistic.Nn.Tests.Bayesian;

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
