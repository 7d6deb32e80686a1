using Probabilistic.Core.Random;
using Probabilistic.Distill.MultiDomain;
using Probabilistic.Nn.Tensors;
using static Probabilistic.Distill.Tests.FiniteDifferences;
using static Probabilistic.Nn.Tests.Autograd.GradCheck;

namespace Probabilistic.Distill.Tests.MultiDomain;

/// <summary>
/// The multi-domain loss against closed forms written here in double (methods.md §3.1: the code's batch means and the
/// slides' sums), its gradient against finite differences (of the double closed form and, for the float op, the
/// shared checker), and its settings' checks.
/// </summary>
public class MultiDomainDistillationTests
{
    private const int B = 5, K = 4;
    private static readonly int[] Labels = [2, 0, 3, 1, 2];

    private static double[] LogSoftmax(ReadOnlySpan<double> row, double temperature)
    {
        double max = double.NegativeInfinity;
        foreach (double v in row) max = Math.Max(max, v / temperature);
        double sum = 0;
        foreach (double v in row) sum += Math.Exp(v / temperature - max);
        double lse = max + Math.Log(sum);
        var result = new double[row.Length];
        for (int r = 0; r < row.Length; r++) result[r] = row[r] / temperature - lse;
        return result;
    }

    /// <summary>hw·mean_i −log softmax(z_i)_{y_i} + sw·mean_i −Σ_r softmax(t_i/T)_r·log softmax(z_i/T)_r, in double.</summary>
    private static double ClosedForm(double[] z, double[] t, int[] labels, double hw, double sw, double temperature)
    {
        double hard = 0, soft = 0;
        for (int i = 0; i < B; i++)
        {
            var zi = z.AsSpan(i * K, K);
            hard -= LogSoftmax(zi, 1)[labels[i]];
            var logG = LogSoftmax(zi, temperature);
            var logP = LogSoftmax(t.AsSpan(i * K, K), temperature);
            for (int r = 0; r < K; r++) soft -= Math.Exp(logP[r]) * logG[r];
        }
        return (hw * hard + sw * soft) / B;
    }

    private static double[] ToDouble(Tensor t) => t.ToArray().Select(v => (double)v).ToArray();

    public static TheoryData<double, double, double> Weights => new()
    {
        { 1, 1, 1 },       // the code's form
        { 1, 1, 2 },
        { 0.3, 0.7, 1 },   // FromLambda(0.3)
        { 0.3, 0.7, 2 },
        { 0, 1, 2 },       // teacher only
        { 1, 0, 1 },       // labels only
    };

    private static MultiDomainSettings Settings(double hw, double sw, double temperature) =>
        hw == 0.3 ? MultiDomainSettings.FromLambda(0.3, temperature) : new MultiDomainSettings(hw, sw, temperature);

    [Theory]
    [MemberData(nameof(Weights))]
    public void ValueIsTheClosedForm(double hw, double sw, double temperature)
    {
        var rng = new Rng(21);
        var z = Random(rng, 2f, B, K);
        var t = Random(rng, 3f, B, K);
        var loss = new MultiDomainDistillation(Settings(hw, sw, temperature));
        double expected = ClosedForm(ToDouble(z), ToDouble(t), Labels, hw, sw, temperature);
        Assert.Equal(expected, loss.Loss(z, Labels, t).Item(), 5);
    }

    [Theory]
    [MemberData(nameof(Weights))]
    public void GradientInTheStudentLogitsMatchesFiniteDifferences(double hw, double sw, double temperature)
    {
        var rng = new Rng(22);
        var z = Random(rng, 2f, B, K);
        var t = Random(rng, 3f, B, K);
        var tDouble = ToDouble(t);
        var loss = new MultiDomainDistillation(Settings(hw, sw, temperature));
        // Backprop against central differences of the double closed form …
        float[] analytic = Analytic(x => loss.Loss(x, Labels, t), z);
        double[] numeric = Numeric(x => ClosedForm(x, tDouble, Labels, hw, sw, temperature), ToDouble(z));
        for (int i = 0; i < numeric.Length; i++) Assert.Equal(numeric[i], analytic[i], 5);
        // … and the float op against its own finite differences (the strict shared checker).
        Check(x => loss.Loss(x[0], Labels, t), Random(rng, 1.5f, B, K));
        // The teacher is a constant: no gradient reaches it even when it asks for one.
        Assert.Null(t.Grad);
    }

    [Fact]
    public void FromLambdaIsTheSlidesLossPerSample()
    {
        // Slides: L = −λ Σ_i log g_{y_i}(x_i) − (1 − λ) Σ_i Σ_r (f∘φ)_r(x_i) log g_r(x_i), a sum over the batch with
        // T = 1; the loss here is its batch mean. The code's default (1 + 1) is twice the slides' λ = ½.
        var rng = new Rng(23);
        var z = Random(rng, 2f, B, K);
        var t = Random(rng, 3f, B, K);
        double[] zd = ToDouble(z), td = ToDouble(t);
        double Slides(double lambda)
        {
            double total = 0;
            for (int i = 0; i < B; i++)
            {
                // g and f∘φ as probabilities, by exp and normalise (not through log-softmax).
                double[] g = new double[K], f = new double[K];
                double gs = 0, fs = 0;
                for (int r = 0; r < K; r++) { g[r] = Math.Exp(zd[i * K + r]); gs += g[r]; f[r] = Math.Exp(td[i * K + r]); fs += f[r]; }
                total -= lambda * Math.Log(g[Labels[i]] / gs);
                for (int r = 0; r < K; r++) total -= (1 - lambda) * f[r] / fs * Math.Log(g[r] / gs);
            }
            return total;
        }
        foreach (double lambda in new[] { 0.0, 0.3, 0.5, 1.0 })
        {
            var settings = MultiDomainSettings.FromLambda(lambda);
            Assert.Equal(lambda, settings.HardWeight);
            Assert.Equal(1 - lambda, settings.SoftWeight);
            Assert.Equal(Slides(lambda), B * new MultiDomainDistillation(settings).Loss(z, Labels, lambda == 1 ? null : t).Item(), 4);
        }
        Assert.Equal(2 * Slides(0.5), B * new MultiDomainDistillation(new MultiDomainSettings()).Loss(z, Labels, t).Item(), 4);
    }

    [Fact]
    public void TeacherWeightZeroNeedsNoTeacher()
    {
        var rng = new Rng(24);
        var z = Random(rng, 2f, B, K);
        var loss = new MultiDomainDistillation(new MultiDomainSettings(HardWeight: 1, SoftWeight: 0));
        double expected = ClosedForm(ToDouble(z), new double[B * K], Labels, 1, 0, 1);
        Assert.Equal(expected, loss.Loss(z, Labels, null).Item(), 5);
        var withTeacher = new MultiDomainDistillation(new MultiDomainSettings());
        Assert.Throws<ArgumentNullException>(() => withTeacher.Loss(z, Labels, null));
    }

    [Fact]
    public void BadSettingsAndInputsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiDomainDistillation(new MultiDomainSettings(HardWeight: -1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiDomainDistillation(new MultiDomainSettings(SoftWeight: -0.5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiDomainDistillation(new MultiDomainSettings(HardWeight: double.NaN)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiDomainDistillation(new MultiDomainSettings(SoftWeight: double.PositiveInfinity)));
        Assert.Throws<ArgumentException>(() => new MultiDomainDistillation(new MultiDomainSettings(0, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiDomainDistillation(new MultiDomainSettings(Temperature: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiDomainDistillation(new MultiDomainSettings(Temperature: -2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiDomainDistillation(new MultiDomainSettings(Temperature: double.NaN)));
        Assert.Throws<ArgumentOutOfRangeException>(() => MultiDomainSettings.FromLambda(-0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => MultiDomainSettings.FromLambda(1.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => MultiDomainSettings.FromLambda(double.NaN));

        var loss = new MultiDomainDistillation(new MultiDomainSettings());
        var z = Tensor.Zeros(B, K);
        Assert.Throws<ArgumentException>(() => loss.Loss(Tensor.Zeros(B * K), Labels, z));
        Assert.Throws<ArgumentException>(() => loss.Loss(z, Labels.AsSpan(1), z));
        Assert.Throws<ArgumentException>(() => loss.Loss(z, Labels, Tensor.Zeros(B, K + 1)));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(0.3, 0.7)]
    [InlineData(0, 2)]
    public void RegressionLossIsTheClosedFormAndItsGradient(double hw, double sw)
    {
        var rng = new Rng(25);
        var g = Random(rng, 1f, 7, 1);
        var y = Random(rng, 1f, 7, 1);
        var f = Random(rng, 1f, 7, 1); // requires a gradient: the loss must treat it as a constant
        var loss = new MultiDomainDistillation(new MultiDomainSettings(hw, sw));
        double[] gd = ToDouble(g), yd = ToDouble(y), fd = ToDouble(f);
        double Closed(double[] p)
        {
            double a = 0, b = 0;
            for (int i = 0; i < p.Length; i++) { a += (p[i] - yd[i]) * (p[i] - yd[i]); b += (p[i] - fd[i]) * (p[i] - fd[i]); }
            return (hw * a + sw * b) / p.Length;
        }
        Assert.Equal(Closed(gd), loss.RegressionLoss(g, y, f).Item(), 5);
        float[] analytic = Analytic(p => loss.RegressionLoss(p, y, f), g);
        double[] numeric = Numeric(Closed, gd);
        for (int i = 0; i < numeric.Length; i++) Assert.Equal(numeric[i], analytic[i], 5);
        Assert.Null(f.Grad);
    }

    [Fact]
    public void RegressionWithoutTeacherWeightNeedsNoTeacher()
    {
        var rng = new Rng(26);
        var g = Random(rng, 1f, 6, 1);
        var y = Random(rng, 1f, 6, 1);
        double expected = g.ToArray().Zip(y.ToArray(), (a, b) => (double)(a - b) * (a - b)).Average();
        Assert.Equal(expected, new MultiDomainDistillation(new MultiDomainSettings(1, 0)).RegressionLoss(g, y, null).Item(), 5);
        Assert.Throws<ArgumentNullException>(() => new MultiDomainDistillation(new MultiDomainSettings()).RegressionLoss(g, y, null));
    }
}
