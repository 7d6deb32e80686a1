using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.Vid;

/// <summary>Settings of a <see cref="GaussianConnection"/> (methods.md §4.1, §4.4).</summary>
/// <param name="CompatScalarSigma">
/// One variance for the whole connection (the authors' 2023 code) instead of one per teacher channel or unit (VID).
/// </param>
/// <param name="InitialVariance">σ² at initialisation: α starts at softplus⁻¹(σ² − ε). VID uses 5.</param>
/// <param name="Epsilon">The floor ε in σ² = softplus(α) + ε (VID: 1e-5).</param>
/// <param name="IncludeLogTwoPi">
/// Adds ½ log 2π to every element, so the value is the exact mean Gaussian negative log density (needed to compare
/// with an entropy); VID's loss leaves it out, and it has no gradient.
/// </param>
/// <param name="CompatSigmaMultipliesBug">
/// The authors' bug 1 (methods.md §4.2), for reproduction only: ℓ = mean over the batch of Σ over the sample's elements
/// ½·σ²·(t − μ)² + ½ log σ² (σ² multiplies instead of dividing; the log term, averaged over channels when σ is per
/// channel, is not scaled by the dimension). With ε = 0 it goes to −∞ as α → −∞.
/// </param>
/// <param name="UpsampleStudent">
/// Map → map with the TEACHER's map the larger (methods.md §4.4, "smaller → larger"): true (the default) resizes the
/// student's map bilinearly (<see cref="Ops.UpsampleBilinear"/>) to the teacher's size before the 1×1 convolutions, so
/// q models the full teacher map; false average-pools the teacher's target down to the student's size instead
/// (RepDistiller's VID), so q models the pooled teacher map.
/// </param>
public sealed record GaussianConnectionOptions(
    bool CompatScalarSigma = false,
    double InitialVariance = 5.0,
    double Epsilon = 1e-5,
    bool IncludeLogTwoPi = false,
    bool CompatSigmaMultipliesBug = false,
    bool UpsampleStudent = true);

/// <summary>
/// The variational Gaussian q(t | s) of variational information distillation (Ahn et al., 2019; methods.md §4.1) for
/// one pair of a teacher feature t and a student feature s: mean μ(s) from a small learned regressor, variance
/// σ² = softplus(α) + ε per teacher channel (maps) or unit (vectors), or one scalar (<see cref="GaussianConnectionOptions.CompatScalarSigma"/>).
/// <para>
/// Shapes are given without the batch: a vector [D] or a map [C, H, W]. The regressor by pair:
/// vector → vector, map → vector and vector → map: flatten the student, one <see cref="Linear"/> to the teacher's
/// element count (reshaped to [C, H, W] for a map teacher); map → map: three 1×1 convolutions without bias,
/// Cs → Ct → ReLU → Ct → ReLU → Ct (RepDistiller's VID). Spatial sizes (§4.4): a student map larger than the
/// teacher's is adaptive-average-pooled down to the teacher's size before the convolutions; a student map smaller than
/// the teacher's is, by default (<see cref="GaussianConnectionOptions.UpsampleStudent"/>), upsampled bilinearly to the
/// teacher's size before the convolutions, so the target is the whole teacher map (a student larger along one axis
/// and smaller along the other is pooled along the first, then upsampled along the second). With
/// <see cref="GaussianConnectionOptions.UpsampleStudent"/> false, both maps are instead pooled to the smaller size
/// along each axis (RepDistiller's choice), which changes the objective: q then models the pooled teacher map.
/// </para>
/// <para>
/// <see cref="NegativeLogLikelihood"/> is VID's reduction: the MEAN over batch and elements of
/// ½[log σ² + (t − μ(s))²/σ²] (plus ½ log 2π when asked). For a teacher feature of d elements (after pooling) this is
/// 1/d times the per-sample −log q(t|s) (up to the constant), so in L = β·CE + (1−β)·Σ λᵢⱼ ℓᵢⱼ each connection's
/// information term is weighted (1−β)·λᵢⱼ/dᵢ against the sum-form objective of §4.1: the effective trade-off is
/// β' = β / (β + (1−β)/dᵢ) per connection, far nearer 1 than β for large maps (d = 16·15·15 = 3600), and connections
/// to large teacher maps are down-weighted relative to those to small ones.
/// </para>
/// </summary>
public sealed class GaussianConnection : Module
{
    private readonly int[] _teacherShape;
    private readonly int[] _studentShape;
    private readonly Linear? _linear;
    private readonly Conv2d? _conv1, _conv2, _conv3;
    private readonly int _poolH, _poolW;
    private readonly int _targetH, _targetW;

    /// <summary>The teacher feature shape without batch ([D] or [C, H, W]).</summary>
    public IReadOnlyList<int> TeacherShape => _teacherShape;
    /// <summary>The student feature shape without batch ([D] or [C, H, W]).</summary>
    public IReadOnlyList<int> StudentShape => _studentShape;
    /// <summary>The settings.</summary>
    public GaussianConnectionOptions Options { get; }
    /// <summary>α: [teacher channels or units], or [1] with <see cref="GaussianConnectionOptions.CompatScalarSigma"/>.</summary>
    public Tensor Alpha { get; }
    /// <summary>The target's shape without batch after any pooling: the shape of μ(s) for one sample.</summary>
    public IReadOnlyList<int> TargetShape { get; }

    /// <summary>Builds q(t | s) for the two feature shapes (without batch), initialising the regressor from <paramref name="rng"/>.</summary>
    public GaussianConnection(IReadOnlyList<int> teacherShape, IReadOnlyList<int> studentShape, Rng rng, GaussianConnectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(rng);
        _teacherShape = CheckShape(teacherShape, "teacher");
        _studentShape = CheckShape(studentShape, "student");
        Options = options ?? new GaussianConnectionOptions();
        if (!(Options.Epsilon >= 0)) throw new ArgumentOutOfRangeException(nameof(options), "GaussianConnection: epsilon must be ≥ 0.");
        if (!(Options.InitialVariance > Options.Epsilon))
            throw new ArgumentOutOfRangeException(nameof(options), "GaussianConnection: the initial variance must exceed epsilon.");

        int teacherUnits = _teacherShape[0];
        if (_teacherShape.Length == 3 && _studentShape.Length == 3)
        {
            _poolH = Math.Min(_teacherShape[1], _studentShape[1]);
            _poolW = Math.Min(_teacherShape[2], _studentShape[2]);
            (_targetH, _targetW) = Options.UpsampleStudent ? (_teacherShape[1], _teacherShape[2]) : (_poolH, _poolW);
            int ct = _teacherShape[0];
            _conv1 = RegisterModule("conv1", new Conv2d(_studentShape[0], ct, 1, rng, bias: false));
            _conv2 = RegisterModule("conv2", new Conv2d(ct, ct, 1, rng, bias: false));
            _conv3 = RegisterModule("conv3", new Conv2d(ct, ct, 1, rng, bias: false));
            TargetShape = [ct, _targetH, _targetW];
        }
        else
        {
            _linear = RegisterModule("linear", new Linear(Product(_studentShape), Product(_teacherShape), rng));
            TargetShape = (int[])_teacherShape.Clone();
        }

        // softplus(α) + ε = v  ⇔  α = log(exp(v − ε) − 1), computed stably for large v.
        double v = Options.InitialVariance - Options.Epsilon;
        float alpha0 = (float)(v > 20 ? v + Math.Log(1 - Math.Exp(-v)) : Math.Log(Math.Exp(v) - 1));
        Alpha = RegisterParameter("alpha", Tensor.Full(alpha0, Options.CompatScalarSigma ? 1 : teacherUnits));
    }

    /// <summary>The mean μ(s) for a batch of student features [N, …studentShape], shaped [N, …<see cref="TargetShape"/>].</summary>
    public Tensor Mean(Tensor studentFeature)
    {
        CheckBatch(studentFeature, _studentShape, "student");
        if (_linear is not null)
        {
            var y = _linear.Forward(Ops.Flatten(studentFeature));
            return _teacherShape.Length == 3 ? Ops.Reshape(y, y.Dim(0), _teacherShape[0], _teacherShape[1], _teacherShape[2]) : y;
        }
        var s = Pool(studentFeature);
        if (s.Dim(2) != _targetH || s.Dim(3) != _targetW) s = Ops.UpsampleBilinear(s, _targetH, _targetW);
        return _conv3!.Forward(Ops.Relu(_conv2!.Forward(Ops.Relu(_conv1!.Forward(s)))));
    }

    /// <summary>σ² = softplus(α) + ε, per teacher channel or unit ([1] with the scalar compat option).</summary>
    public Tensor Variance() => Ops.AddScalar(Ops.Softplus(Alpha), (float)Options.Epsilon);

    /// <summary>
    /// The mean over the batch and the target's elements of ½[log σ² + (t − μ(s))²/σ²] (+ ½ log 2π with
    /// <see cref="GaussianConnectionOptions.IncludeLogTwoPi"/>), as a [1] tensor. A teacher map larger than the
    /// student's is used whole (the student's map is upsampled in <see cref="Mean"/>), or average-pooled to the
    /// student's size with <see cref="GaussianConnectionOptions.UpsampleStudent"/> false.
    /// </summary>
    public Tensor NegativeLogLikelihood(Tensor teacherFeature, Tensor studentFeature)
    {
        CheckBatch(teacherFeature, _teacherShape, "teacher");
        if (teacherFeature.Dim(0) != studentFeature.Dim(0))
            throw new ArgumentException($"GaussianConnection.NegativeLogLikelihood: batch sizes differ (teacher {teacherFeature.Dim(0)}, student {studentFeature.Dim(0)}).");
        var target = _linear is null ? TeacherTarget(teacherFeature) : teacherFeature;
        var mu = Mean(studentFeature);
        var sq = Ops.Square(Ops.Sub(target, mu));
        var logVar = Ops.Log(Variance());
        if (Options.CompatSigmaMultipliesBug)
        {
            var variance = Variance();
            var weighted = Options.CompatScalarSigma ? Ops.Mul(Ops.Sum(sq), variance) : Ops.Sum(Ops.Mul(sq, Ops.ExpandChannels(variance, sq)));
            return Ops.Scale(Ops.Add(Ops.Scale(weighted, 1f / sq.Dim(0)), Ops.Mean(logVar)), 0.5f);
        }
        var precision = Ops.Exp(Ops.Scale(logVar, -1f));
        // Each channel (unit) has the same number of elements, so the element mean of log σ² is the mean over α.
        var fit = Options.CompatScalarSigma
            ? Ops.Mul(Ops.Mean(sq), precision)
            : Ops.Mean(Ops.Mul(sq, Ops.ExpandChannels(precision, sq)));
        var nll = Ops.Scale(Ops.Add(fit, Ops.Mean(logVar)), 0.5f);
        return Options.IncludeLogTwoPi ? Ops.AddScalar(nll, (float)(0.5 * Math.Log(2 * Math.PI))) : nll;
    }

    /// <inheritdoc/>
    /// <remarks>Returns μ(s), the same as <see cref="Mean"/>.</remarks>
    protected override Tensor ForwardCore(Tensor input) => Mean(input);

    private Tensor Pool(Tensor map) =>
        map.Dim(2) == _poolH && map.Dim(3) == _poolW ? map : Ops.AdaptiveAvgPool2d(map, _poolH, _poolW);

    /// <summary>The teacher's map at the target size: itself when upsampling the student, else pooled.</summary>
    private Tensor TeacherTarget(Tensor map) =>
        map.Dim(2) == _targetH && map.Dim(3) == _targetW ? map : Ops.AdaptiveAvgPool2d(map, _targetH, _targetW);

    private static int[] CheckShape(IReadOnlyList<int> shape, string who)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Count is not (1 or 3) || shape.Any(d => d <= 0))
            throw new ArgumentException($"GaussianConnection: the {who} shape must be [D] or [C, H, W] with positive sizes, got [{string.Join(", ", shape)}].");
        return shape.ToArray();
    }

    private static void CheckBatch(Tensor x, int[] shape, string who)
    {
        ArgumentNullException.ThrowIfNull(x);
        bool ok = x.Rank == shape.Length + 1;
        for (int i = 0; ok && i < shape.Length; i++) ok = x.Dim(i + 1) == shape[i];
        if (!ok)
            throw new ArgumentException($"GaussianConnection: expected a {who} feature [N, {string.Join(", ", shape)}], got {Tensor.Format(x.Shape)}.");
    }

    private static int Product(int[] shape)
    {
        int p = 1;
        foreach (int d in shape) p *= d;
        return p;
    }
}
