using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.Vid;

/// <summary>
/// The information term of all-to-all VID (methods.md §4.1): Σᵢⱼ λᵢⱼ · ℓᵢⱼ with ℓᵢⱼ the
/// <see cref="GaussianConnection.NegativeLogLikelihood"/> of teacher feature i given student feature j. One
/// <see cref="GaussianConnection"/> per non-zero λᵢⱼ, registered as child <c>t{i}_s{j}</c>; connections with λᵢⱼ = 0
/// are not built. The caller adds β·CE and the factor (1−β); see <see cref="GaussianConnection"/> for how the
/// mean-over-elements reduction changes the effective β.
/// </summary>
public sealed class VidLoss : Module
{
    private readonly GaussianConnection?[,] _connections;

    /// <summary>The weights.</summary>
    public VidLambda Lambda { get; }

    /// <summary>
    /// Builds the connections for teacher feature shapes <paramref name="teacherShapes"/> and student feature shapes
    /// <paramref name="studentShapes"/> (each without batch), initialised in row-major (i, j) order from <paramref name="rng"/>.
    /// </summary>
    public VidLoss(IReadOnlyList<IReadOnlyList<int>> teacherShapes, IReadOnlyList<IReadOnlyList<int>> studentShapes,
        VidLambda lambda, Rng rng, GaussianConnectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(teacherShapes);
        ArgumentNullException.ThrowIfNull(studentShapes);
        ArgumentNullException.ThrowIfNull(lambda);
        ArgumentNullException.ThrowIfNull(rng);
        if (teacherShapes.Count != lambda.TeacherLayers || studentShapes.Count != lambda.StudentLayers)
            throw new ArgumentException($"VidLoss: λ is {lambda.TeacherLayers} × {lambda.StudentLayers} but there are {teacherShapes.Count} teacher and {studentShapes.Count} student shapes.");
        Lambda = lambda;
        _connections = new GaussianConnection?[lambda.TeacherLayers, lambda.StudentLayers];
        for (int i = 0; i < lambda.TeacherLayers; i++)
            for (int j = 0; j < lambda.StudentLayers; j++)
                if (lambda[i, j] != 0)
                    _connections[i, j] = RegisterModule($"t{i}_s{j}", new GaussianConnection(teacherShapes[i], studentShapes[j], rng, options));
    }

    /// <summary>The connection for teacher layer <paramref name="i"/> and student layer <paramref name="j"/>, or null where λᵢⱼ = 0.</summary>
    public GaussianConnection? Connection(int i, int j) => _connections[i, j];

    /// <summary>Number of connections built (non-zero λᵢⱼ).</summary>
    public int ConnectionCount
    {
        get
        {
            int n = 0;
            foreach (var c in _connections) if (c is not null) n++;
            return n;
        }
    }

    /// <summary>Σᵢⱼ λᵢⱼ · ℓᵢⱼ over the built connections, as a [1] tensor; features are batched, [N, …shape].</summary>
    public Tensor Loss(IReadOnlyList<Tensor> teacherFeatures, IReadOnlyList<Tensor> studentFeatures)
    {
        ArgumentNullException.ThrowIfNull(teacherFeatures);
        ArgumentNullException.ThrowIfNull(studentFeatures);
        if (teacherFeatures.Count != Lambda.TeacherLayers || studentFeatures.Count != Lambda.StudentLayers)
            throw new ArgumentException($"VidLoss.Loss: expected {Lambda.TeacherLayers} teacher and {Lambda.StudentLayers} student features, got {teacherFeatures.Count} and {studentFeatures.Count}.");
        Tensor? total = null;
        for (int i = 0; i < Lambda.TeacherLayers; i++)
            for (int j = 0; j < Lambda.StudentLayers; j++)
            {
                var c = _connections[i, j];
                if (c is null) continue;
                var term = Ops.Scale(c.NegativeLogLikelihood(teacherFeatures[i], studentFeatures[j]), (float)Lambda[i, j]);
                total = total is null ? term : Ops.Add(total, term);
            }
        return total ?? Tensor.Zeros(1);
    }

    /// <inheritdoc/>
    /// <remarks>Not supported: the loss needs every feature; call <see cref="Loss"/>.</remarks>
    protected override Tensor ForwardCore(Tensor input) =>
        throw new NotSupportedException("VidLoss.Forward: the loss takes lists of teacher and student features; call Loss(teacher, student).");
}
