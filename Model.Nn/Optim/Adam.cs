using System.Numerics;
using System.Runtime.InteropServices;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Optim;

/// <summary>
/// Adam (Kingma and Ba, 2015) with torch.optim.Adam's exact update, and AdamW (Loshchilov and Hutter, 2019) with
/// torch.optim.AdamW's. At step t with gradient g:
/// Adam adds L2 decay to the gradient, g ← g + wd·p; AdamW instead decays the weights, p ← p·(1 − lr·wd);
/// then m = β₁m + (1−β₁)g, v = β₂v + (1−β₂)g², and p ← p − (lr/(1−β₁ᵗ)) · m / (√v/√(1−β₂ᵗ) + ε)
/// (ε is added after the square root of the bias-corrected second moment). Step counts are per parameter.
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly StateStore _moments = new(2);
    private readonly Dictionary<Tensor, int> _steps = new(ReferenceEqualityComparer.Instance);

    /// <summary>β₁.</summary>
    public double Beta1 { get; }
    /// <summary>β₂.</summary>
    public double Beta2 { get; }
    /// <summary>ε.</summary>
    public double Eps { get; }
    /// <summary>True for AdamW's decoupled weight decay.</summary>
    public bool DecoupledWeightDecay { get; }

    /// <summary>Adam over one group (PyTorch defaults: lr 1e-3, β 0.9/0.999, ε 1e-8, no decay).</summary>
    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 0, bool decoupledWeightDecay = false)
        : this(OneGroup(parameters, lr, weightDecay), beta1, beta2, eps, decoupledWeightDecay) { }

    /// <summary>Adam over parameter groups.</summary>
    public Adam(IReadOnlyList<ParameterGroup> groups, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        bool decoupledWeightDecay = false) : base(groups)
    {
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), "Adam: betas must be in [0, 1).");
        if (!(eps >= 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "Adam: eps must be non-negative.");
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        DecoupledWeightDecay = decoupledWeightDecay;
    }

    /// <summary>AdamW with PyTorch's defaults (weight decay 1e-2).</summary>
    public static Adam AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double weightDecay = 1e-2,
        double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8) =>
        new(parameters, lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay: true);

    /// <inheritdoc/>
    protected override void Update(ParameterGroup group, Tensor parameter, Span<float> p, ReadOnlySpan<float> g)
    {
        var state = _moments.For(parameter, out _);
        int t = _steps.TryGetValue(parameter, out int s) ? s + 1 : 1;
        _steps[parameter] = t;
        double lr = group.LearningRate, wd = group.WeightDecay;
        float b1 = (float)Beta1, b2 = (float)Beta2;
        float stepSize = (float)(lr / (1 - Math.Pow(Beta1, t)));
        float sqrtBc2 = (float)Math.Sqrt(1 - Math.Pow(Beta2, t));
        float l2 = DecoupledWeightDecay ? 0f : (float)wd;
        float shrink = DecoupledWeightDecay ? (float)(1 - lr * wd) : 1f;

        // 1 − β is rounded from double, as PyTorch passes alpha = 1 − beta to add_/addcmul_ (1f − 0.9f ≠ (float)0.1).
        var rule = new Rule(b1, b2, (float)(1 - Beta1), (float)(1 - Beta2), stepSize, sqrtBc2, (float)Eps, l2, shrink);
        // Element-wise, so splitting a large parameter over the cores changes nothing in the result.
        int parts = p.Length >= 1 << 16 ? Parallelism.Partitions : 1;
        if (parts == 1)
        {
            rule.Apply(p, g, state[0], state[1]);
            return;
        }
        var pa = parameter.Data;
        var ga = parameter.Grad!.Data;
        int n = p.Length;
        Parallel.For(0, parts, k =>
        {
            int s0 = Parallelism.Start(n, parts, k), s1 = Parallelism.Start(n, parts, k + 1);
            rule.Apply(pa.AsSpan(s0, s1 - s0), ga.AsSpan(s0, s1 - s0), state[0].AsSpan(s0, s1 - s0), state[1].AsSpan(s0, s1 - s0));
        });
    }

    /// <summary>One Adam/AdamW update with the step's constants.</summary>
    private readonly record struct Rule(float B1, float B2, float OneMinusB1, float OneMinusB2, float StepSize, float SqrtBc2, float Eps, float L2, float Shrink)
    {
        public void Apply(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v)
        {
            float b1 = B1, b2 = B2, c1 = OneMinusB1, c2 = OneMinusB2, stepSize = StepSize, sqrtBc2 = SqrtBc2, eps = Eps, l2 = L2, shrink = Shrink;
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var pv = MemoryMarshal.Cast<float, Vector<float>>(p);
                var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
                var mv = MemoryMarshal.Cast<float, Vector<float>>(m);
                var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
                for (int k = 0; k < pv.Length; k++)
                {
                    var pk = pv[k] * shrink;
                    var gk = gv[k] + l2 * pv[k];
                    mv[k] = b1 * mv[k] + c1 * gk;
                    vv[k] = b2 * vv[k] + c2 * gk * gk;
                    pv[k] = pk - stepSize * mv[k] / (Vector.SquareRoot(vv[k]) / sqrtBc2 + new Vector<float>(eps));
                }
                i = pv.Length * Vector<float>.Count;
            }
            for (; i < p.Length; i++)
            {
                float pk = p[i] * shrink;
                float gk = g[i] + l2 * p[i];
                m[i] = b1 * m[i] + c1 * gk;
                v[i] = b2 * v[i] + c2 * gk * gk;
                p[i] = pk - stepSize * m[i] / (MathF.Sqrt(v[i]) / sqrtBc2 + eps);
            }
        }
    }
}
