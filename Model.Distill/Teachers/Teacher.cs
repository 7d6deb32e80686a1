using System.Diagnostics.CodeAnalysis;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Layers;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.Teachers;

/// <summary>
/// A frozen teacher: everything a distillation method needs from one, its logits and its named intermediate features
/// on a batch, computed without gradient. A <see cref="ModuleTeacher"/> wraps a Model.Nn <see cref="Module"/>; a
/// teacher trained elsewhere (an ONNX graph run by ONNX Runtime) derives from this class in its own library. Every
/// method that needs a fixed teacher takes a <see cref="Teacher"/>, and a <see cref="Module"/> converts to one
/// implicitly, so code that passes a module keeps working.
/// <para>
/// A batch arrives as raw inputs [B, …] whose per-sample element count equals that of <see cref="InputShape"/> (flat
/// rows [B, 784] and images [B, 1, 28, 28] both fit [1, 28, 28]); the teacher reshapes it to [B, …InputShape], applies
/// <see cref="Normalisation"/>, then runs the network.
/// </para>
/// </summary>
public abstract class Teacher : IDisposable
{
    /// <summary>Creates a teacher with the declared per-sample input shape (null: any shape) and normalisation.</summary>
    protected Teacher(string name, IReadOnlyList<int>? inputShape, InputNormalisation? normalisation)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (inputShape is not null && (inputShape.Count == 0 || inputShape.Any(d => d < 1)))
            throw new ArgumentException($"Teacher '{name}': the input shape {Tensor.Format([.. inputShape])} must be non-empty with positive sizes.", nameof(inputShape));
        Name = name;
        InputShape = inputShape is null ? null : [.. inputShape];
        Normalisation = normalisation ?? InputNormalisation.None;
    }

    /// <summary>A name for messages and result files.</summary>
    public string Name { get; }

    /// <summary>The per-sample input shape the network expects (without the batch axis); null when not declared.</summary>
    public IReadOnlyList<int>? InputShape { get; }

    /// <summary>The per-channel normalisation applied to raw inputs before the network.</summary>
    public InputNormalisation Normalisation { get; }

    /// <summary>The names of the intermediate features this teacher can return (see <see cref="Run"/>).</summary>
    public abstract IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The logits [B, K] on a batch of raw inputs, without gradient.</summary>
    public Tensor Logits(Tensor batch) => Run(batch, []).Logits;

    /// <summary>
    /// The logits and the features named in <paramref name="features"/> (in that order) on a batch of raw inputs,
    /// without gradient. Throws when the batch does not fit <see cref="InputShape"/> or a name is not in
    /// <see cref="FeatureNames"/>.
    /// </summary>
    public TeacherOutput Run(Tensor batch, IReadOnlyList<string> features)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(features);
        var known = FeatureNames;
        var unknown = features.Where(f => !known.Contains(f)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"Teacher '{Name}': unknown feature(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))}; available: {Listing(known)}.", nameof(features));
        var input = Shaped(batch);
        using (GradMode.NoGrad())
        {
            // A per-channel identity still checks the channel count.
            var normalised = Normalisation.IsIdentity && Normalisation.Mean.Count == 1 ? input : Normalisation.Apply(input);
            var output = RunCore(normalised, features);
            if (output.Features.Count != features.Count)
                throw new InvalidOperationException($"Teacher '{Name}': returned {output.Features.Count} features for {features.Count} requested.");
            return output;
        }
    }

    /// <summary>
    /// Runs the network on a batch already shaped [B, …InputShape] and normalised; returns the logits and the
    /// requested features in order. Called without gradient.
    /// </summary>
    protected abstract TeacherOutput RunCore(Tensor input, IReadOnlyList<string> features);

    /// <summary>Releases what the teacher holds (hooks, native sessions).</summary>
    public virtual void Dispose() => GC.SuppressFinalize(this);

    /// <summary>
    /// Wraps a Model.Nn module as a teacher (<see cref="ModuleTeacher"/> in evaluation mode, shape and normalisation not
    /// declared); null stays null, so an optional module converts to an optional teacher.
    /// </summary>
    [return: NotNullIfNotNull(nameof(module))]
    public static implicit operator Teacher?(Module? module) => module is null ? null : new ModuleTeacher(module);

    /// <summary>The names for an error message: all of them up to 40, then the first 40 and the count.</summary>
    private static string Listing(IReadOnlyList<string> names) =>
        names.Count == 0 ? "none"
        : names.Count <= 40 ? string.Join(", ", names)
        : $"{string.Join(", ", names.Take(40))}, … ({names.Count} in all)";

    private Tensor Shaped(Tensor batch)
    {
        if (InputShape is null) return batch;
        int perSample = 1;
        foreach (var d in InputShape) perSample *= d;
        if (batch.Rank < 1 || batch.Dim(0) < 1 || batch.Length != batch.Dim(0) * perSample)
            throw new ArgumentException($"Teacher '{Name}': a batch of shape {batch.ShapeString} does not fit the input shape {Tensor.Format([.. InputShape])} ({perSample} values per sample).", nameof(batch));
        if (batch.Rank == InputShape.Count + 1 && batch.Shape[1..].SequenceEqual([.. InputShape])) return batch;
        return Ops.Reshape(batch, [batch.Dim(0), .. InputShape]);
    }
}

/// <summary>What <see cref="Teacher.Run"/> returns: the logits [B, K] and the requested features, batched.</summary>
/// <param name="Logits">The logits [B, K].</param>
/// <param name="Features">The requested features in the requested order, each [B, …].</param>
public sealed record TeacherOutput(Tensor Logits, IReadOnlyList<Tensor> Features);

/// <summary>
/// Per-channel input normalisation x ↦ (x − mean[c]) / std[c] over the channel axis 1 of [B, C, …] (or of [B, C] for
/// vectors); one value for all channels when the arrays have length one.
/// </summary>
public sealed class InputNormalisation
{
    /// <summary>No normalisation.</summary>
    public static InputNormalisation None { get; } = new([0f], [1f]);

    /// <summary>The normalisation with per-channel <paramref name="mean"/> and <paramref name="std"/> (positive).</summary>
    public InputNormalisation(IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count == 0 || mean.Count != std.Count)
            throw new ArgumentException($"InputNormalisation: mean and std need the same positive length, got {mean.Count} and {std.Count}.");
        if (std.Any(s => !(s > 0) || float.IsInfinity(s)) || mean.Any(m => !float.IsFinite(m)))
            throw new ArgumentException("InputNormalisation: every std must be positive and finite, every mean finite.");
        Mean = [.. mean];
        Std = [.. std];
    }

    /// <summary>The per-channel means.</summary>
    public IReadOnlyList<float> Mean { get; }

    /// <summary>The per-channel standard deviations.</summary>
    public IReadOnlyList<float> Std { get; }

    /// <summary>True when the map is the identity (mean 0, std 1 everywhere).</summary>
    public bool IsIdentity => Mean.All(m => m == 0) && Std.All(s => s == 1);

    /// <summary>The normalised copy of <paramref name="x"/> [B, C, …] (a new tensor without gradient history).</summary>
    public Tensor Apply(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        int channels = Mean.Count;
        if (channels > 1 && (x.Rank < 2 || x.Dim(1) != channels))
            throw new ArgumentException($"InputNormalisation: {channels} channels expected on axis 1, got a batch of shape {x.ShapeString}.", nameof(x));
        int inner = 1;
        for (int d = 2; d < x.Rank; d++) inner *= x.Dim(d);
        if (channels == 1) inner = x.Length / Math.Max(1, x.Dim(0));
        var result = Tensor.Zeros([.. x.Shape]);
        var src = x.Span;
        var dst = result.Span;
        int blocks = x.Length / inner;
        for (int b = 0; b < blocks; b++)
        {
            int c = channels == 1 ? 0 : b % channels;
            float m = Mean[c], inv = 1f / Std[c];
            var s = src.Slice(b * inner, inner);
            var t = dst.Slice(b * inner, inner);
            System.Numerics.Tensors.TensorPrimitives.Subtract(s, m, t);
            System.Numerics.Tensors.TensorPrimitives.Multiply(t, inv, t);
        }
        return result;
    }
}
