using Probabilistic.Core.Random;
using Probabilistic.Distill.Vid;
using Probabilistic.Nn.Tensors;
using static Probabilistic.Nn.Tests.Autograd.GradCheck;

namespace Probabilistic.Distill.Tests.Vid;

public class VidLambdaAndLossTests
{
    [Fact]
    public void Pairwise_is_the_identity_for_equal_counts_and_one_teacher_per_student_otherwise()
    {
        var p = VidLambda.Pairwise(4, 4);
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) Assert.Equal(i == j ? 1.0 : 0.0, p[i, j]);
        var q = VidLambda.Pairwise(4, 2); // student 0 ↔ teacher 0, student 1 ↔ teacher 3 (relative depth)
        Assert.Equal(1.0, q[0, 0]);
        Assert.Equal(1.0, q[3, 1]);
        for (int j = 0; j < 2; j++) Assert.Equal(1.0, q.ColumnSum(j));
    }

    [Fact]
    public void All_is_one_in_the_free_form_and_one_over_T_in_the_column_stochastic_form()
    {
        var free = VidLambda.All(4, 3, VidLambdaForm.Free);
        var stochastic = VidLambda.All(4, 3, VidLambdaForm.ColumnStochastic);
        for (int j = 0; j < 3; j++)
        {
            Assert.Equal(4.0, free.ColumnSum(j), 12);
            Assert.Equal(1.0, stochastic.ColumnSum(j), 12);
            for (int i = 0; i < 4; i++) Assert.Equal(0.25, stochastic[i, j]);
        }
    }

    [Fact]
    public void Random_columns_are_seeded_dirichlet_draws_with_the_uniform_dirichlet_moments()
    {
        var a = VidLambda.Random(3, 4000, 17);
        var b = VidLambda.Random(3, 4000, 17);
        var c = VidLambda.Random(3, 4000, 18);
        Assert.Equal(a.ToArray(), b.ToArray());
        Assert.NotEqual(a.ToArray(), c.ToArray());
        Assert.Equal(VidLambdaForm.ColumnStochastic, a.Form);
        // Dirichlet(1,1,1): each component is Beta(1, 2), mean 1/3, variance 1/18 (Monte Carlo over 4000 columns).
        for (int i = 0; i < 3; i++)
        {
            double m = 0, m2 = 0;
            for (int j = 0; j < 4000; j++)
            {
                Assert.True(a[i, j] > 0);
                m += a[i, j];
                m2 += a[i, j] * a[i, j];
            }
            m /= 4000;
            double v = m2 / 4000 - m * m;
            Assert.Equal(1.0 / 3, m, 0.015);      // se = √(1/18/4000) ≈ 0.0037
            Assert.Equal(1.0 / 18, v, 0.005);
        }
        for (int j = 0; j < 4000; j++) Assert.Equal(1.0, a.ColumnSum(j), 12);
    }

    [Fact]
    public void Random_uniform_is_a_seeded_free_matrix_in_the_unit_interval()
    {
        var a = VidLambda.RandomUniform(4, 4, 5);
        Assert.Equal(a.ToArray(), VidLambda.RandomUniform(4, 4, 5).ToArray());
        Assert.Equal(VidLambdaForm.Free, a.Form);
        foreach (double x in a.ToArray()) Assert.InRange(x, 0.0, 1.0);
    }

    [Fact]
    public void Constructors_enforce_their_constraint()
    {
        var ex = Assert.Throws<ArgumentException>(() => VidLambda.ColumnStochastic(new double[,] { { 0.5, 1 }, { 0.4, 0 } }));
        Assert.Contains("column 0", ex.Message);
        Assert.Throws<ArgumentException>(() => VidLambda.ColumnStochastic(new double[,] { { 1.5, 1 }, { -0.5, 0 } }));
        Assert.Throws<ArgumentException>(() => VidLambda.Free(new double[,] { { 1.5 } }));
        Assert.Equal(0.3, VidLambda.Free(new double[,] { { 0.3, 0 } })[0, 0]);
    }

    [Fact]
    public void Loss_builds_only_the_non_zero_connections_and_weights_each_by_lambda()
    {
        var lambda = VidLambda.Free(new double[,] { { 0.5, 0 }, { 0, 0.25 }, { 1, 0 } });
        int[][] teacher = [[2, 4, 4], [5], [3]];
        int[][] student = [[3, 2, 2], [4]];
        var loss = new VidLoss(teacher, student, lambda, new Rng(2));
        Assert.Equal(3, loss.ConnectionCount);
        Assert.Null(loss.Connection(0, 1));
        Assert.NotNull(loss.Connection(2, 0));
        Assert.Equal(loss.Connection(0, 0)!.Parameters().Count + loss.Connection(1, 1)!.Parameters().Count + loss.Connection(2, 0)!.Parameters().Count,
            loss.Parameters().Count);

        var rng = new Rng(4);
        var t = new[] { Random(rng, 1f, 2, 2, 4, 4), Random(rng, 1f, 2, 5), Random(rng, 1f, 2, 3) };
        var s = new[] { Random(rng, 1f, 2, 3, 2, 2), Random(rng, 1f, 2, 4) };
        double expected = 0.5 * loss.Connection(0, 0)!.NegativeLogLikelihood(t[0], s[0]).Item()
                          + 0.25 * loss.Connection(1, 1)!.NegativeLogLikelihood(t[1], s[1]).Item()
                          + 1.0 * loss.Connection(2, 0)!.NegativeLogLikelihood(t[2], s[0]).Item();
        Assert.Equal(expected, loss.Loss(t, s).Item(), 1e-5);
        // And its gradient reaches both student features.
        Check(x => loss.Loss(t, x), s);
    }

    [Fact]
    public void Loss_rejects_mismatched_counts()
    {
        var loss = new VidLoss([[3]], [[2]], VidLambda.Pairwise(1, 1), new Rng(1));
        var ex = Assert.Throws<ArgumentException>(() => loss.Loss([Tensor.Zeros(1, 3)], [Tensor.Zeros(1, 2), Tensor.Zeros(1, 2)]));
        Assert.Contains("VidLoss", ex.Message);
        Assert.Throws<ArgumentException>(() => new VidLoss([[3], [3]], [[2]], VidLambda.Pairwise(1, 1), new Rng(1)));
    }
}
