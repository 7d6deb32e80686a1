using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Distill.MultiDomain;

/// <summary>
/// φ(x) = the image stylised by <see cref="StyleTransfer"/> (methods.md §3.2: Adam from x̂ = x for the configured
/// steps). Inputs are flat rows [B, product of the image shape] (e.g. [B, 784] for 1×28×28); each batch is reshaped
/// to [B, …image shape] for the feature network and the result comes back as flat rows of the same shape.
/// Deterministic: the same batch always gives the same output.
/// </summary>
public sealed class StyleTransferMap : IDomainMap
{
    private readonly int[] _imageShape;
    private readonly int _rowLength;

    /// <summary>The transfer that stylises each batch.</summary>
    public StyleTransfer Transfer { get; }

    /// <summary>The map with <paramref name="transfer"/>, whose images have the style image's sample shape.</summary>
    public StyleTransferMap(StyleTransfer transfer)
    {
        ArgumentNullException.ThrowIfNull(transfer);
        Transfer = transfer;
        _imageShape = transfer.SampleShape.ToArray();
        long n = 1;
        foreach (int d in _imageShape) n *= d;
        _rowLength = (int)n;
    }

    /// <inheritdoc/>
    public string Name => "style transfer";

    /// <summary>The image shape one flat row is reshaped to (e.g. [1, 28, 28]).</summary>
    public ReadOnlySpan<int> ImageShape => _imageShape;

    /// <inheritdoc/>
    public int[] OutputSampleShape(ReadOnlySpan<int> inputSampleShape)
    {
        if (inputSampleShape.Length != 1 || inputSampleShape[0] != _rowLength)
            throw new ArgumentException($"StyleTransferMap: expected flat rows of {_rowLength} values (images {Tensor.Format(_imageShape)}), got samples {Tensor.Format(inputSampleShape)}.");
        return [_rowLength];
    }

    /// <inheritdoc/>
    public Tensor Apply(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Rank != 2 || batch.Dim(1) != _rowLength)
            throw new ArgumentException($"StyleTransferMap: expected a batch [B, {_rowLength}] (images {Tensor.Format(_imageShape)}), got {batch.ShapeString}.");
        var shape = new int[_imageShape.Length + 1];
        shape[0] = batch.Dim(0);
        _imageShape.CopyTo(shape, 1);
        Tensor images;
        using (GradMode.NoGrad()) images = Ops.Reshape(batch, shape);
        var stylised = Transfer.Run(images, evaluateFinal: false).Images;
        using (GradMode.NoGrad()) return Ops.Reshape(stylised, batch.Dim(0), _rowLength);
    }
}
