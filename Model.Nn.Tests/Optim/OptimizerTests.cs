using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Tests.Optim;

/// <summary>
/// Optimizer updates against the update rules of torch.optim (1.13) evaluated in double precision, for a few
/// steps with changing gradients. Float32 state limits agreement to about 1e-6 relative.
/// </summary>
public class OptimizerTests
{
    private static readonly double[] P0 = [0.5, -1.25, 2.0];

    /// <summary>The gradient used at step t (1-based): a fixed, non-trivial function of p and t.</summary>
    private static double Grad(double p, int i, int t) => 0.3 * p + 0.1 * (i + 1) * Math.Cos(t) - 0.05 * t;

    private static Tensor Param()
    {
        var p = Tensor.FromArray(Array.ConvertAll(P0, v => (float)v), 3);
        p.RequiresGrad = true;
        return p;
    }

    private static void SetGrad(Tensor p, int t)
    {
        p.Grad ??= Tensor.Zeros(3);
        for (int i = 0; i < 3; i++) p.Grad[i] = (float)Grad(p[i], i, t);
    }

    [Theory]
    [InlineData(0.0, 0.0, false)]
    [InlineData(0.9, 0.0, false)]
    [InlineData(0.9, 0.01, true)]
    [InlineData(0.5, 0.1, false)]
    public void SgdMatchesPyTorchsRule(double momentum, double wd, bool nesterov)
    {
        const double lr = 0.1;
        var p = Param();
        var opt = new Sgd([p], lr, momentum, wd, nesterov);
        var q = (double[])P0.Clone();
        var buf = new double[3];
        for (int t = 1; t <= 4; t++)
        {
            SetGrad(p, t);
            opt.Step();
            for (int i = 0; i < 3; i++)
            {
                double d = Grad(q[i], i, t) + wd * q[i];
                if (momentum != 0)
                {
                    buf[i] = t == 1 ? d : momentum * buf[i] + d;
                    d = nesterov ? d + momentum * buf[i] : buf[i];
                }
                q[i] -= lr * d;
            }
            for (int i = 0; i < 3; i++) Assert.Equal(q[i], p[i], 2e-6);
        }
    }

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(0.1, false)]
    [InlineData(0.1, true)]
    public void AdamAndAdamWMatchPyTorchsRule(double wd, bool decoupled)
    {
        const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        var p = Param();
        var opt = decoupled ? Adam.AdamW([p], lr, wd) : new Adam([p], lr, weightDecay: wd);
        var q = (double[])P0.Clone();
        var m = new double[3];
        var v = new double[3];
        for (int t = 1; t <= 5; t++)
        {
            SetGrad(p, t);
            opt.Step();
            for (int i = 0; i < 3; i++)
            {
                double g = Grad(q[i], i, t);
                if (decoupled) q[i] *= 1 - lr * wd;
                else g += wd * q[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double bc1 = 1 - Math.Pow(b1, t), bc2 = 1 - Math.Pow(b2, t);
                q[i] -= lr / bc1 * m[i] / (Math.Sqrt(v[i]) / Math.Sqrt(bc2) + eps);
            }
            for (int i = 0; i < 3; i++) Assert.Equal(q[i], p[i], 2e-6);
        }
    }

    [Fact]
    public void AdamVectorPathAgreesWithScalarPath()
    {
        // 37 elements: vectorised body plus a scalar tail; each element must follow the same scalar rule.
        var p = Tensor.Zeros(37);
        for (int i = 0; i < 37; i++) p[i] = 0.1f * i - 1;
        p.RequiresGrad = true;
        p.Grad = Tensor.Zeros(37);
        for (int i = 0; i < 37; i++) p.Grad[i] = 0.05f * (i % 7) - 0.1f;
        new Adam([p], 0.01).Step();
        for (int i = 0; i < 37; i++)
        {
            double g = 0.05f * (i % 7) - 0.1f;
            double expected = (0.1f * i - 1) - (g == 0 ? 0 : 0.01 * Math.Sign(g) * Math.Abs(g) / (Math.Abs(g) + 1e-8));
            Assert.Equal(expected, p[i], 2e-6);
        }
    }

    [Fact]
    public void ParameterGroupsHaveTheirOwnRates()
    {
        var a = Param();
        var b = Param();
        var opt = new Sgd([new ParameterGroup([a], 0.1), new ParameterGroup([b], 0.01)]);
        a.Grad = Tensor.Full(1f, 3);
        b.Grad = Tensor.Full(1f, 3);
        opt.Step();
        Assert.Equal(P0[0] - 0.1, a[0], 6);
        Assert.Equal(P0[0] - 0.01, b[0], 6);
    }

    [Fact]
    public void SchedulesFollowTheirClosedForms()
    {
        var opt = new Sgd([Param()], 0.1);
        var step = new StepDecay(opt, stepSize: 3, gamma: 0.5);
        var rates = new List<double>();
        for (int e = 0; e < 7; e++) { step.Step(); rates.Add(opt.Groups[0].LearningRate); }
        Assert.Equal([0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025], rates.Select(r => Math.Round(r, 10)));

        var opt2 = new Sgd([Param()], 0.2);
        var cos = new CosineAnnealing(opt2, tMax: 4, etaMin: 0.02);
        cos.Step();
        Assert.Equal(0.02 + 0.18 * (1 + Math.Cos(Math.PI / 4)) / 2, opt2.Groups[0].LearningRate, 12);
        cos.Step(); cos.Step(); cos.Step();
        Assert.Equal(0.02, opt2.Groups[0].LearningRate, 12);
    }
}
