using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Distill.Bayesian;

namespace Probabilistic.Distill.Tests.Bayesian;

public class JointAlignmentTests
{
    private static FullGaussianPosterior RandomPosterior(NetworkStructure s, ulong seed)
    {
        var rng = new Rng(seed);
        int n = s.ParameterCount;
        var b = Matrix<double>.Build.Dense(n, n, (_, _) => rng.Normal());
        var cov = b * b.Transpose() / n + Matrix<double>.Build.DenseIdentity(n) * 0.1;
        return new FullGaussianPosterior(s, Vector<double>.Build.Dense(n, _ => rng.Normal()), cov);
    }

    // Neuron removals in two layers, a neuron removal that makes a layer square, and a layer removal:
    // [3, 5, 4, 4, 2] → [3, 3, 4, 4, 2] → [3, 3, 3, 4, 2] → [3, 3, 3, 3, 2] → [3, 3, 3, 2].
    private static readonly AlignmentStep[] MixedPlan =
    [
        new NeuronRemoval(1, [1, 3]),
        new NeuronRemoval(2, [0]),
        new NeuronRemoval(3, [2]),
        new LayerRemoval(3),
    ];

    private static void AssertClose(Vector<double> a, Vector<double> b, double tol) =>
        Assert.True((a - b).AbsoluteMaximum() < tol, $"vectors differ by {(a - b).AbsoluteMaximum()}");

    private static void AssertClose(Matrix<double> a, Matrix<double> b, double tol) =>
        Assert.True((a - b).Enumerate().Max(Math.Abs) < tol, $"matrices differ by {(a - b).Enumerate().Max(Math.Abs)}");

    [Fact]
    public void Composed_plan_maps_every_teacher_parameter_to_exactly_one_role()
    {
        var s = new NetworkStructure([3, 5, 4, 4, 2]);
        var plan = ComposedAlignment.Compose(s, MixedPlan);
        Assert.Equal(new NetworkStructure([3, 3, 3, 2]), plan.Target);
        Assert.Equal(plan.Target.ParameterCount, plan.Kept.Length);
        var all = plan.Conditioned.Concat(plan.Marginalised).Concat(plan.Kept).OrderBy(i => i).ToArray();
        Assert.Equal(Enumerable.Range(0, s.ParameterCount), all);
        // The removed layer's 9 entries are conditioned on vec(I): three ones.
        Assert.Equal(3.0, plan.Values.Sum());
    }

    [Fact]
    public void Joint_precision_route_equals_the_sequential_schur_route()
    {
        var s = new NetworkStructure([3, 5, 4, 4, 2]);
        var p = RandomPosterior(s, 21);
        var sequential = GaussianAlignment.Apply(p, MixedPlan);
        var precision = new PrecisionGaussianPosterior(s, p.Mean, p.Covariance.Inverse());
        var joint = JointAlignment.Apply(precision, MixedPlan);
        Assert.Equal(sequential.Structure, joint.Structure);
        AssertClose(sequential.Mean, joint.Mean, 1e-9);
        AssertClose(sequential.Covariance, joint.Covariance, 1e-9);
    }

    [Fact]
    public void Joint_covariance_route_equals_the_sequential_schur_route()
    {
        var s = new NetworkStructure([3, 5, 4, 4, 2]);
        var p = RandomPosterior(s, 22);
        var sequential = GaussianAlignment.Apply(p, MixedPlan);
        var joint = JointAlignment.Apply(p, MixedPlan);
        AssertClose(sequential.Mean, joint.Mean, 1e-10);
        AssertClose(sequential.Covariance, joint.Covariance, 1e-10);
    }

    [Fact]
    public void Ordered_alignment_in_precision_form_matches_the_covariance_form_for_a_fixed_ordering()
    {
        var s = new NetworkStructure([3, 6, 5, 2]);
        var p = RandomPosterior(s, 23);
        var skeleton = StructurePlanner.Plan(s, new NetworkStructure([3, 4, 2])).Steps;
        var (viaCovariance, stepsA) = OrderedAlignment.Align(p, skeleton, NeuronOrdering.Random(new Rng(5)));
        var (viaPrecision, stepsB) = OrderedAlignment.Align(new PrecisionGaussianPosterior(s, p.Mean, p.Covariance.Inverse()), skeleton, NeuronOrdering.Random(new Rng(5)));
        Assert.Equal(stepsA.Count, stepsB.Count);
        for (int k = 0; k < stepsA.Count; k++) Assert.Equal(stepsA[k].ToString(), stepsB[k].ToString());
        AssertClose(viaCovariance.Mean, viaPrecision.Mean, 1e-9);
        AssertClose(viaCovariance.Covariance, viaPrecision.Covariance, 1e-9);
        Assert.Throws<NotSupportedException>(() => OrderedAlignment.Align(new PrecisionGaussianPosterior(s, p.Mean, p.Covariance.Inverse()), skeleton, NeuronOrdering.DensityRatio()));
    }
}
