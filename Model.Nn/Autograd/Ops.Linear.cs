using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Nn.Autograd;

public static partial class Ops
{
    /// <summary>Matrix product a[m, k] · b[k, n].</summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        RankIs("MatMul", a, 2, "(left factor [m, k])");
        RankIs("MatMul", b, 2, "(right factor [k, n])");
        int m = a.Dim(0), k = a.Dim(1), n = b.Dim(1);
        if (b.Dim(0) != k)
            throw new ArgumentException($"MatMul: inner dimensions differ: {a.Describe()} · {b.Describe()}.");
        var y = Tensor.CreateTemporary([m, n], clear: false);
        Gemm.Sgemm(false, false, m, n, k, 1f, a.Span, k, b.Span, n, 0f, y.Span, n);
        return Node.ShouldRecord(a, b) ? new MatMulNode().Record(y, a, b) : y;
    }

    private sealed class MatMulNode : Node
    {
        public override string OpName => "MatMul";
        internal override void Backward(Tensor g)
        {
            int m = A!.Dim(0), k = A.Dim(1), n = B!.Dim(1);
            if (A.RequiresGrad)
            {
                var ga = GradBuffer(A, out bool fresh); // g[m,n] · bᵀ
                Gemm.Sgemm(false, true, m, k, n, 1f, g.Span, n, B.Span, n, fresh ? 0f : 1f, ga, k);
            }
            if (B.RequiresGrad)
            {
                var gb = GradBuffer(B, out bool fresh); // aᵀ · g
                Gemm.Sgemm(true, false, k, n, m, 1f, A.Span, k, g.Span, n, fresh ? 0f : 1f, gb, n);
            }
        }
    }

    /// <summary>
    /// Affine map as in torch.nn.functional.linear: x[N, in] · wᵀ + b with w[out, in] and optional b[out].
    /// </summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias)
    {
        RankIs("Linear", x, 2, "input [batch, in_features]");
        RankIs("Linear", weight, 2, "weight [out_features, in_features]");
        int n = x.Dim(0), inF = x.Dim(1), outF = weight.Dim(0);
        if (weight.Dim(1) != inF)
            throw new ArgumentException($"Linear: input {x.Describe()} has {inF} features but weight {weight.Describe()} expects {weight.Dim(1)}.");
        if (bias is not null && (bias.Rank != 1 || bias.Dim(0) != outF))
            throw new ArgumentException($"Linear: bias {bias.Describe()} must have shape [{outF}].");
        var y = Tensor.CreateTemporary([n, outF], clear: false);
        var ys = y.Span;
        if (UsesNarrowKernels(outF))
            NarrowLinearKernels.Dots(x.Span, weight.Span, bias is null ? default : bias.Span, ys, n, outF, inF);
        else
        {
            if (bias is not null)
            {
                var b = bias.Span;
                for (int r = 0; r < n; r++) b.CopyTo(ys.Slice(r * outF, outF));
            }
            Gemm.Sgemm(false, true, n, outF, inF, 1f, x.Span, inF, weight.Span, inF, bias is null ? 0f : 1f, ys, outF);
        }
        return Node.ShouldRecord(x, weight, bias) ? new LinearNode().Record(y, x, weight, bias) : y;
    }

    private sealed class LinearNode : Node
    {
        public override string OpName => "Linear";
        internal override bool HasPerSampleRule => true;
        internal override void Backward(Tensor g)
        {
            Tensor x = A!, w = B!;
            int n = x.Dim(0), inF = x.Dim(1), outF = w.Dim(0);
            var gs = g.Span;
            bool narrow = UsesNarrowKernels(outF);
            if (x.RequiresGrad)
            {
                var gx = GradBuffer(x, out bool fresh); // g[N,out] · w[out,in]
                if (narrow) NarrowLinearKernels.CombineRows(gs, outF, 1, w.Span, gx, n, inF, outF, accumulate: !fresh);
                else Gemm.Sgemm(false, false, n, inF, outF, 1f, gs, outF, w.Span, inF, fresh ? 0f : 1f, gx, inF);
            }
            bool weightCaptured = false, biasCaptured = false;
            if (PerSampleCapture.Current is { } capture)
            {
                // Per-sample mode: the view's parameters get per-sample gradients instead of the batch sum.
                weightCaptured = capture.Captures(w);
                biasCaptured = capture.Captures(C);
                if (weightCaptured || biasCaptured) capture.Linear(x, g, weightCaptured ? w : null, biasCaptured ? C : null);
            }
            if (w.RequiresGrad && !weightCaptured)
            {
                var gw = GradBuffer(w, out bool fresh); // gᵀ[out,N] · x[N,in]
                if (narrow) NarrowLinearKernels.CombineRows(gs, 1, outF, x.Span, gw, outF, inF, n, accumulate: !fresh);
                else Gemm.Sgemm(true, false, outF, inF, n, 1f, gs, outF, x.Span, inF, fresh ? 0f : 1f, gw, inF);
            }
            if (C is { RequiresGrad: true } b && !biasCaptured)
            {
                var gb = GradBuffer(b, out bool fresh);
                if (fresh) gb.Clear();
                for (int r = 0; r < n; r++) AddRowInto(gb, gs.Slice(r * outF, outF)); // column sums of g, row by row
            }
        }
    }

    /// <summary>Layers with few outputs (classifier heads) skip the packed GEMM: see <see cref="NarrowLinearKernels"/>.</summary>
    private static bool UsesNarrowKernels(int outFeatures) =>
        outFeatures <= NarrowLinearKernels.MaxOutputs && NarrowLinearKernels.IsSupported;
}
