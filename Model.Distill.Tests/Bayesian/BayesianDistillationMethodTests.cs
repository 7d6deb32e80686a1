using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Core.Random;
using Probabilistic.Distill.Bayesian;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.Tests.Bayesian;

public class BayesianDistillationMethodTests
{
    private static SupervisedData RandomRegression(int n, int d, ulong seed)
    {
        var rng = new Rng(seed);
        var x = Enumerable.Range(0, n * d).Select(_ => (float)rng.Normal()).ToArray();
        var y = Enumerable.Range(0, n).Select(i => (float)(Math.Sin(x[i * d]) + 0.5 * x[i * d + 1] + 0.1 * rng.Normal())).ToArray();
        return new SupervisedData(x, n, d, y, null);
    }

    private static IBayesianDistillationMethod Make(string name, TeacherPosteriorKind kind, NeuronOrderingKind ordering = NeuronOrderingKind.Random,
        IReadOnlyList<AlignmentStep>? plan = null) =>
        MethodRegistry.Create<IBayesianDistillationMethod>(name, new BayesianDistillationSettings(kind, ordering, OrderingSeed: 5, Plan: plan));

    [Fact]
    public void Both_methods_are_registered_in_the_bayesian_family()
    {
        var names = MethodRegistry.All.Where(d => d.Family == "bayesian").Select(d => d.Name).ToArray();
        Assert.Equal(["bayesian-neuron-removal", "bayesian-layer-removal"], names);
        Assert.IsType<NeuronRemovalDistillation>(MethodRegistry.Create<IBayesianDistillationMethod>("bayesian-neuron-removal"));
        Assert.IsType<LayerRemovalDistillation>(MethodRegistry.Create<IBayesianDistillationMethod>("bayesian-layer-removal"));
    }

    [Theory]
    [InlineData("bayesian-neuron-removal", new[] { 3, 4, 3, 1 })]
    [InlineData("bayesian-layer-removal", new[] { 3, 5, 1 })]
    public void Full_laplace_alignment_equals_the_sequential_covariance_route_on_the_executed_steps(string name, int[] studentWidths)
    {
        var data = RandomRegression(60, 3, 11);
        var teacherStructure = new NetworkStructure([3, 6, 5, 1]);
        var student = new NetworkStructure(studentWidths);
        var method = Make(name, TeacherPosteriorKind.LaplaceFull);
        var teacher = method.FitTeacher(teacherStructure, data, data, new GaussianLikelihood(0.3), new TrainingSettings(300, EvaluateEvery: 100, Seed: 12), new Rng(13));
        Assert.NotNull(teacher.Full);
        var aligned = method.Align(teacher, student, method.MakeOrdering(teacher, data, new GaussianLikelihood(0.3)));
        Assert.Equal(student, aligned.Student);

        // Independent route: invert Λ once and apply the executed steps one at a time in covariance form.
        var covariance = teacher.Full!.Precision.Inverse();
        var sequential = GaussianAlignment.Apply(new FullGaussianPosterior(teacherStructure, teacher.Full.Mean, 0.5 * (covariance + covariance.Transpose())), aligned.Steps);
        Assert.Equal(student, sequential.Structure);
        double scale = 1 + sequential.Covariance.Enumerate().Max(Math.Abs);
        for (int i = 0; i < student.ParameterCount; i++)
        {
            Assert.True(Math.Abs(sequential.Mean[i] - aligned.Mean[i]) < 1e-8 * (1 + Math.Abs(sequential.Mean[i])), $"mean[{i}]: {aligned.Mean[i]} vs {sequential.Mean[i]}");
            Assert.True(Math.Abs(sequential.Covariance[i, i] - aligned.Variance[i]) < 1e-8 * scale, $"variance[{i}]: {aligned.Variance[i]} vs {sequential.Covariance[i, i]}");
        }
        Assert.IsType<FullGaussianPrior>(aligned.Prior);
    }

    [Fact]
    public void Diagonal_alignment_keeps_the_teacher_moments_of_the_kept_weights()
    {
        var data = RandomRegression(40, 3, 21);
        var teacherStructure = new NetworkStructure([3, 6, 5, 1]);
        var method = Make("bayesian-neuron-removal", TeacherPosteriorKind.LaplaceDiagonal, NeuronOrderingKind.OptimalBrainDamage);
        var teacher = method.FitTeacher(teacherStructure, data, data, new GaussianLikelihood(0.3), new TrainingSettings(200, EvaluateEvery: 100), new Rng(22));
        var aligned = method.Align(teacher, new NetworkStructure([3, 4, 2, 1]), method.MakeOrdering(teacher, data, new GaussianLikelihood(0.3)));
        var kept = ComposedAlignment.Compose(teacherStructure, aligned.Steps).Kept;
        for (int i = 0; i < kept.Length; i++)
        {
            Assert.Equal(teacher.Trained.Mean[kept[i]], aligned.Mean[i], 6);
            Assert.Equal(1 / teacher.HessianDiagonal[kept[i]], aligned.Variance[i], 12);
        }
    }

    [Fact]
    public void Each_method_refuses_the_other_kind_of_path_and_a_teacher_of_another_kind()
    {
        var data = RandomRegression(30, 3, 31);
        var structure = new NetworkStructure([3, 6, 5, 1]);
        var neuron = Make("bayesian-neuron-removal", TeacherPosteriorKind.LaplaceDiagonal);
        var teacher = neuron.FitTeacher(structure, data, data, new GaussianLikelihood(0.3), new TrainingSettings(100, EvaluateEvery: 100), new Rng(32));
        var ordering = neuron.MakeOrdering(teacher, data, new GaussianLikelihood(0.3));
        var e = Assert.Throws<ArgumentException>(() => neuron.Align(teacher, new NetworkStructure([3, 5, 1]), ordering));
        Assert.Contains("bayesian-layer-removal", e.Message);
        var layer = Make("bayesian-layer-removal", TeacherPosteriorKind.LaplaceDiagonal);
        e = Assert.Throws<ArgumentException>(() => layer.Align(teacher, new NetworkStructure([3, 4, 4, 1]), ordering));
        Assert.Contains("bayesian-neuron-removal", e.Message);
        var meanField = Make("bayesian-neuron-removal", TeacherPosteriorKind.MeanField);
        e = Assert.Throws<ArgumentException>(() => meanField.Align(teacher, new NetworkStructure([3, 4, 4, 1]), ordering));
        Assert.Contains("LaplaceDiagonal", e.Message);
        // A fixed plan that leads elsewhere is named.
        var wrongPlan = Make("bayesian-neuron-removal", TeacherPosteriorKind.LaplaceDiagonal, plan: [new NeuronRemoval(1, [0])]);
        e = Assert.Throws<ArgumentException>(() => wrongPlan.Align(teacher, new NetworkStructure([3, 4, 4, 1]), ordering));
        Assert.Contains("not to the student", e.Message);
    }
}

public class NetworkModuleTests
{
    [Theory]
    [InlineData(false, HiddenActivation.Relu)]
    [InlineData(true, HiddenActivation.LeakyRelu)]
    public void Module_with_the_flat_layout_computes_the_reference_network(bool biases, HiddenActivation activation)
    {
        var net = new NetworkModule(new NetworkStructure([5, 7, 4, 3]), biases, activation);
        var theta = net.InitialParameters(new Rng(41));
        var rng = new Rng(42);
        const int n = 23;
        var x = Enumerable.Range(0, n * 5).Select(_ => (float)rng.Normal()).ToArray();
        var labels = Enumerable.Range(0, n).Select(_ => (int)(rng.NextUInt64() % 3)).ToArray();
        var data = new SupervisedData(x, n, 5, null, labels);
        var likelihood = new SoftmaxLikelihood(3);
        var expected = likelihood.MetricSum(new Tensor(net.Forward(theta, x, n, net.CreateWorkspace(n)).ToArray(), n, 3), data, Enumerable.Range(0, n).ToArray()) / n;
        // Batches of 10 (the last one partial) through the module.
        double actual = BayesianTraining.TestLogLikelihood(net, theta, data, likelihood, batchSize: 10);
        Assert.Equal(expected, actual, 5);
        // Weights 5·7 + 7·4 + 4·3 = 75, then biases 7 + 4 + 3: b_2 starts at 75 + 7.
        Assert.Equal(biases ? 89 : 75, net.ParameterCount);
        Assert.Equal(net.ParameterCount, NetworkModule.ParameterCountOf(net.Structure, biases));
        if (biases) Assert.Equal(82, net.BiasOffset(2));
    }
}
