using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Probabilistic.Nn.Losses;

/// <summary>How a per-element loss is reduced to a scalar.</summary>
public enum Reduction
{
    /// <summary>Average over all elements (PyTorch's default).</summary>
    Mean,
    /// <summary>Sum over all elements.</summary>
    Sum,
}

/// <summary>
/// Loss functions returning one-element tensors. Classification losses take logits and work through a
/// max-shifted log-sum-exp (never log of a softmax), so they stay finite for any finite logits. Each loss is
/// one fused node with a closed-form gradient.
/// </summary>
public static class Loss
{
    /// <summary>
    /// Cross-entropy of [N, K] logits against integer labels in [0, K), averaged over the batch
    /// (torch.nn.functional.cross_entropy): mean over n of −log softmax(z_n)[y_n].
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, ReadOnlySpan<int> labels)
    {
        var (n, k) = Rows("CrossEntropy", logits);
        if (labels.Length != n)
            throw new ArgumentException($"CrossEntropy: {labels.Length} labels for logits {logits.Describe()}.");
        var copy = labels.ToArray();
        for (int r = 0; r < n; r++)
            if ((uint)copy[r] >= (uint)k)
                throw new ArgumentException($"CrossEntropy: label {copy[r]} at row {r} is outside [0, {k}) for logits {logits.Describe()}.");
        var logp = Tensor.CreateTemporary(logits.ShapeArray, clear: false);
        var lp = logp.Span;
        Ops.LogSoftmaxRows(logits.Span, lp, k, 1f);
        double total = 0;
        for (int r = 0; r < n; r++) total -= lp[r * k + copy[r]];
        var y = Scalar(total / n);
        return Node.ShouldRecord(logits) ? new CrossEntropyNode(logp, copy).Record(y, logits) : y;
    }

    private sealed class CrossEntropyNode(Tensor logp, int[] labels) : Node
    {
        public override string OpName => "CrossEntropy";
        internal override void Backward(Tensor g)
        {
            // d/dz = (softmax(z) − onehot(y)) / N
            var gx = GradBuffer(A!, out bool fresh);
            int n = A!.Dim(0), k = A.Dim(1);
            float scale = g.Span[0] / n;
            var d = fresh ? gx : Tensor.CreateTemporary(A.ShapeArray, clear: false).Span;
            TensorPrimitives.Exp(logp.Span, d);
            for (int r = 0; r < n; r++) d[r * k + labels[r]] -= 1f;
            TensorPrimitives.Multiply(d, scale, d);
            if (!fresh) TensorPrimitives.Add(gx, d, gx);
        }
    }

    /// <summary>
    /// Soft-target cross-entropy with temperature T (Hinton et al., 2015):
    /// T² · mean over n of −Σ_k q_nk · log softmax(z_n / T)_k, where q are target probabilities [N, K] (constants).
    /// The T² factor keeps the gradient's scale independent of T, so the term can be mixed with a hard-label loss
    /// without retuning; at T = 1 this is the ordinary soft-label cross-entropy.
    /// </summary>
    public static Tensor SoftCrossEntropy(Tensor logits, Tensor targetProbabilities, float temperature = 1f) =>
        SoftTarget("SoftCrossEntropy", logits, targetProbabilities, temperature, subtractEntropy: false);

    /// <summary>
    /// Distillation KL with temperature: T² · mean over n of KL(softmax(t_n/T) ‖ softmax(s_n/T)) for student
    /// logits s and teacher logits t (the teacher is a constant), equal to PyTorch's
    /// kl_div(log_softmax(s/T), softmax(t/T), reduction='batchmean') · T². Same gradient as
    /// <see cref="SoftCrossEntropy"/> on the teacher's tempered probabilities; the value differs by their entropy.
    /// </summary>
    public static Tensor DistillationKl(Tensor studentLogits, Tensor teacherLogits, float temperature)
    {
        var (n, k) = Rows("DistillationKl", studentLogits);
        if (!teacherLogits.Shape.SequenceEqual(studentLogits.Shape))
            throw new ArgumentException($"DistillationKl: student {studentLogits.Describe()} and teacher {teacherLogits.Describe()} shapes differ.");
        var q = Tensor.CreateTemporary(teacherLogits.ShapeArray, clear: false);
        Ops.LogSoftmaxRows(teacherLogits.Span, q.Span, k, temperature);
        TensorPrimitives.Exp(q.Span, q.Span);
        return SoftTarget("DistillationKl", studentLogits, q, temperature, subtractEntropy: true);
    }

    private static Tensor SoftTarget(string op, Tensor logits, Tensor q, float temperature, bool subtractEntropy)
    {
        var (n, k) = Rows(op, logits);
        if (!q.Shape.SequenceEqual(logits.Shape))
            throw new ArgumentException($"{op}: logits {logits.Describe()} and target probabilities {q.Describe()} shapes differ.");
        if (!(temperature > 0)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, $"{op}: temperature must be positive.");
        var logp = Tensor.CreateTemporary(logits.ShapeArray, clear: false);
        var qs = q.Span;
        double total = 0;
        Ops.LogSoftmaxRows(logits.Span, logp.Span, k, temperature);
        for (int r = 0; r < n; r++)
        {
            var row = logp.Span.Slice(r * k, k);
            for (int j = 0; j < k; j++)
            {
                float qj = qs[r * k + j];
                if (qj > 0) total -= qj * (row[j] - (subtractEntropy ? Math.Log(qj) : 0.0));
            }
        }
        var y = Scalar(total * temperature * temperature / n);
        return Node.ShouldRecord(logits) ? new SoftTargetNode(logp, q, temperature).Record(y, logits) : y;
    }

    private sealed class SoftTargetNode(Tensor logp, Tensor q, float temperature) : Node
    {
        public override string OpName => "SoftTarget";
        internal override void Backward(Tensor g)
        {
            // d/dz of T²·(−Σ q log softmax(z/T))/N = T·(softmax(z/T) − q)/N
            var gx = GradBuffer(A!, out bool fresh);
            int n = A!.Dim(0);
            float scale = g.Span[0] * temperature / n;
            var lp = logp.Span;
            var qs = q.Span;
            for (int i = 0; i < lp.Length; i++)
            {
                float v = scale * (MathF.Exp(lp[i]) - qs[i]);
                gx[i] = fresh ? v : gx[i] + v;
            }
        }
    }

    /// <summary>Mean (or sum) of squared differences (prediction − target)²; gradients flow to both.</summary>
    public static Tensor Mse(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean)
    {
        SameShape("Mse", prediction, target);
        var p = prediction.Span;
        var t = target.Span;
        double total = 0;
        for (int i = 0; i < p.Length; i++) { double d = p[i] - t[i]; total += d * d; }
        float scale = reduction == Reduction.Mean ? 1f / p.Length : 1f;
        var y = Scalar(total * scale);
        return Node.ShouldRecord(prediction, target) ? new MseNode(scale).Record(y, prediction, target) : y;
    }

    private sealed class MseNode(float scale) : Node
    {
        public override string OpName => "Mse";
        internal override void Backward(Tensor g)
        {
            float c = 2f * scale * g.Span[0];
            var p = A!.Span;
            var t = B!.Span;
            for (int side = 0; side < 2; side++)
            {
                var input = side == 0 ? A : B;
                if (!input.RequiresGrad) continue;
                var gx = GradBuffer(input, out bool fresh);
                float sign = side == 0 ? c : -c;
                for (int i = 0; i < gx.Length; i++)
                {
                    float v = sign * (p[i] - t[i]);
                    gx[i] = fresh ? v : gx[i] + v;
                }
            }
        }
    }

    /// <summary>
    /// Gaussian negative log-likelihood with a predicted mean and log-variance:
    /// per element ½·(log σ² + (y − μ)²/σ²), plus ½·log 2π when <paramref name="full"/> (PyTorch's GaussianNLLLoss
    /// also omits the constant by default; it takes the variance, this takes its logarithm for stability).
    /// The target is a constant.
    /// </summary>
    public static Tensor GaussianNll(Tensor mean, Tensor logVariance, Tensor target, Reduction reduction = Reduction.Mean, bool full = false)
    {
        SameShape("GaussianNll", mean, logVariance);
        SameShape("GaussianNll", mean, target);
        var m = mean.Span;
        var lv = logVariance.Span;
        var t = target.Span;
        double total = 0;
        for (int i = 0; i < m.Length; i++)
        {
            double d = t[i] - m[i];
            total += 0.5 * (lv[i] + d * d * Math.Exp(-lv[i]));
        }
        if (full) total += 0.5 * Math.Log(2 * Math.PI) * m.Length;
        float scale = reduction == Reduction.Mean ? 1f / m.Length : 1f;
        var y = Scalar(total * scale);
        return Node.ShouldRecord(mean, logVariance) ? new GaussianNllNode(target, scale).Record(y, mean, logVariance) : y;
    }

    private sealed class GaussianNllNode(Tensor target, float scale) : Node
    {
        public override string OpName => "GaussianNll";
        internal override void Backward(Tensor g)
        {
            float c = scale * g.Span[0];
            var m = A!.Span;
            var lv = B!.Span;
            var t = target.Span;
            bool meanFresh = false, lvFresh = false;
            var gm = A.RequiresGrad ? GradBuffer(A, out meanFresh) : default;
            var glv = B.RequiresGrad ? GradBuffer(B, out lvFresh) : default;
            for (int i = 0; i < m.Length; i++)
            {
                float precision = MathF.Exp(-lv[i]), d = t[i] - m[i];
                if (!gm.IsEmpty) { float v = -c * d * precision; gm[i] = meanFresh ? v : gm[i] + v; }
                if (!glv.IsEmpty) { float v = c * 0.5f * (1f - d * d * precision); glv[i] = lvFresh ? v : glv[i] + v; }
            }
        }
    }

    /// <summary>
    /// Bernoulli negative log-likelihood from logits (torch.nn.functional.binary_cross_entropy_with_logits):
    /// per element max(z, 0) − z·y + log(1 + exp(−|z|)) for targets y in [0, 1] (constants).
    /// </summary>
    public static Tensor BernoulliNllWithLogits(Tensor logits, Tensor targets, Reduction reduction = Reduction.Mean)
    {
        SameShape("BernoulliNllWithLogits", logits, targets);
        var z = logits.Span;
        var t = targets.Span;
        double total = 0;
        for (int i = 0; i < z.Length; i++)
            total += Math.Max(z[i], 0) - z[i] * t[i] + Math.Log(1 + Math.Exp(-Math.Abs(z[i])));
        float scale = reduction == Reduction.Mean ? 1f / z.Length : 1f;
        var y = Scalar(total * scale);
        return Node.ShouldRecord(logits) ? new BernoulliNode(targets, scale).Record(y, logits) : y;
    }

    private sealed class BernoulliNode(Tensor targets, float scale) : Node
    {
        public override string OpName => "BernoulliNllWithLogits";
        internal override void Backward(Tensor g)
        {
            float c = scale * g.Span[0];
            var gx = GradBuffer(A!, out bool fresh);
            var z = A!.Span;
            var t = targets.Span;
            for (int i = 0; i < z.Length; i++)
            {
                float v = c * (1f / (1f + MathF.Exp(-z[i])) - t[i]);
                gx[i] = fresh ? v : gx[i] + v;
            }
        }
    }

    private static Tensor Scalar(double value)
    {
        var y = Tensor.CreateTemporary([1], clear: false);
        y.Span[0] = (float)value;
        return y;
    }

    private static (int N, int K) Rows(string op, Tensor logits)
    {
        if (logits.Rank != 2) throw new ArgumentException($"{op}: expected logits [N, K], got {logits.Describe()}.");
        return (logits.Dim(0), logits.Dim(1));
    }

    private static void SameShape(string op, Tensor a, Tensor b)
    {
        if (!a.Shape.SequenceEqual(b.Shape))
            throw new ArgumentException($"{op}: shapes must match, got {a.Describe()} and {b.Describe()}.");
    }
}
