using Microsoft.ML.OnnxRuntime;
using Probabilistic.Distill.Teachers;
using Probabilistic.Nn.Tensors;

namespace Probabilistic.Onnx;

/// <summary>
/// How an <see cref="OnnxTeacher"/> reads its graph. Every member is optional.
/// </summary>
public sealed record OnnxTeacherOptions
{
    /// <summary>The graph input fed with the batch; default: the graph's only input (required when it has several).</summary>
    public string? InputName { get; init; }

    /// <summary>The graph output that holds the logits [B, K]; default: the first graph output.</summary>
    public string? LogitsOutput { get; init; }

    /// <summary>
    /// Intermediate tensors (node output names, see <see cref="OnnxTeacher.FeatureNames"/>) to expose from the start;
    /// those that are not graph outputs are added as outputs. Others can still be asked of
    /// <see cref="Teacher.Run"/> later, at the cost of one session rebuild each time new names appear.
    /// </summary>
    public IReadOnlyList<string> Features { get; init; } = [];

    /// <summary>
    /// The per-sample input shape; default: the graph input's shape without its batch axis (null when one of those
    /// axes is dynamic). When given it must agree with every fixed axis of the graph input.
    /// </summary>
    public IReadOnlyList<int>? InputShape { get; init; }

    /// <summary>The per-channel normalisation applied to raw batches before the graph; default none.</summary>
    public InputNormalisation? Normalisation { get; init; }

    /// <summary>Threads ONNX Runtime uses inside one operator (SessionOptions.IntraOpNumThreads); default 2.</summary>
    public int IntraOpThreads { get; init; } = 2;

    /// <summary>A name for messages; default: the file name without extension ("onnx" for a model given as bytes).</summary>
    public string? Name { get; init; }
}

/// <summary>
/// A <see cref="Teacher"/> exported from another framework as an ONNX graph and run by ONNX Runtime on the CPU. Its
/// logits are one graph output; its features are intermediate tensors named by their node output names (PyTorch's
/// exporter names them after the module path, e.g. <c>/features/features.2/Relu_output_0</c>). Features that are
/// not graph outputs are made outputs by editing the model's protobuf before the session is created.
/// <para>
/// Per batch, the (reshaped, normalised) input tensor's own float array is handed to ONNX Runtime without a copy; the
/// first batch of each size learns the output shapes, and later batches of that size have ONNX Runtime write every
/// output straight into the float array of the tensor returned. Returned tensors own their storage (a later batch
/// never overwrites them). Not safe for concurrent <see cref="Teacher.Run"/> calls from several threads (they are
/// serialised by a lock). Dispose to release the native session.
/// </para>
/// </summary>
public sealed class OnnxTeacher : Teacher
{
    private const int ListedNames = 40;
    private readonly object _gate = new();
    private readonly byte[] _model;
    private readonly string _source;
    private readonly string[] _featureNames;
    private readonly HashSet<string> _graphOutputs;
    private readonly List<string> _exposed;
    private readonly Dictionary<(string Name, int Batch), long[]> _outputShapes = new();
    private readonly int[] _graphInputDims;
    private readonly RunOptions _runOptions = new();
    private InferenceSession _session;
    private bool _disposed;

    /// <summary>Loads the ONNX model at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model ONNX Runtime can load (names the file).</exception>
    /// <exception cref="ArgumentException">An option names an input, output or feature the graph lacks, or disagrees with it.</exception>
    public OnnxTeacher(string path, OnnxTeacherOptions? options = null)
        : this(Prepare(ReadFile(path), $"'{path}'", options ?? new(), Path.GetFileNameWithoutExtension(path)))
    {
    }

    /// <summary>Loads an ONNX model from its serialised bytes (not copied; do not change them afterwards).</summary>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model ONNX Runtime can load.</exception>
    /// <exception cref="ArgumentException">An option names an input, output or feature the graph lacks, or disagrees with it.</exception>
    public OnnxTeacher(byte[] model, OnnxTeacherOptions? options = null)
        : this(Prepare(model ?? throw new ArgumentNullException(nameof(model)), "the model bytes", options ?? new(), "onnx"))
    {
    }

    private OnnxTeacher(Prepared p) : base(p.Name, p.InputShape, p.Options.Normalisation)
    {
        _model = p.Model;
        _source = p.Source;
        _featureNames = p.FeatureNames;
        _graphOutputs = p.GraphOutputs;
        _graphInputDims = p.GraphInputDims;
        InputName = p.InputName;
        LogitsOutput = p.LogitsOutput;
        IntraOpThreads = p.Options.IntraOpThreads;
        _exposed = [.. p.Options.Features.Distinct()];
        _session = p.Session;
    }

    /// <summary>The graph input fed with the batch.</summary>
    public string InputName { get; }

    /// <summary>The graph output that holds the logits.</summary>
    public string LogitsOutput { get; }

    /// <summary>The intra-op thread count of the session.</summary>
    public int IntraOpThreads { get; }

    /// <summary>Every node output name of the graph, in node order: the names <see cref="Teacher.Run"/> accepts as features.</summary>
    public override IReadOnlyList<string> FeatureNames => _featureNames;

    /// <summary>The features the current session computes as outputs (the declared ones and those asked for since).</summary>
    public IReadOnlyList<string> ExposedFeatures
    {
        get { lock (_gate) return [.. _exposed]; }
    }

    /// <inheritdoc/>
    protected override TeacherOutput RunCore(Tensor input, IReadOnlyList<string> features)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var added = features.Distinct().Where(f => !_exposed.Contains(f)).ToList();
            if (added.Count > 0)
            {
                var session = CreateSession(_model, _exposed.Concat(added).Append(LogitsOutput), _graphOutputs, IntraOpThreads, _source);
                _session.Dispose();
                _session = session;
                _exposed.AddRange(added);
            }

            int batch = input.Dim(0);
            string[] outputNames = [LogitsOutput, .. features.Distinct().Where(f => f != LogitsOutput)];
            var inputShape = Array.ConvertAll(input.Shape.ToArray(), d => (long)d);
            using var inputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input.Data.AsMemory(0, input.Length), inputShape);
            var results = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            try
            {
                if (outputNames.All(n => _outputShapes.ContainsKey((n, batch))))
                    RunIntoTensors(inputValue, outputNames, batch, results);
                else
                    RunAndLearnShapes(inputValue, outputNames, batch, results);
            }
            catch (OnnxRuntimeException e)
            {
                throw new ArgumentException($"OnnxTeacher '{Name}': ONNX Runtime rejected a batch of shape {input.ShapeString} for input '{InputName}' {FormatDims(_graphInputDims)}: {FirstLine(e.Message)}", nameof(input), e);
            }
            return new TeacherOutput(results[LogitsOutput], [.. features.Select(f => results[f])]);
        }
    }

    // Later batches of a known size: ONNX Runtime writes each output into the array of the tensor we return.
    private void RunIntoTensors(OrtValue inputValue, string[] outputNames, int batch, Dictionary<string, Tensor> results)
    {
        var outputValues = new OrtValue[outputNames.Length];
        try
        {
            for (int i = 0; i < outputNames.Length; i++)
            {
                var shape = _outputShapes[(outputNames[i], batch)];
                var tensor = Tensor.Zeros(Array.ConvertAll(shape, d => (int)d));
                results[outputNames[i]] = tensor;
                outputValues[i] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, tensor.Data.AsMemory(0, tensor.Length), shape);
            }
            _session.Run(_runOptions, [InputName], [inputValue], outputNames, outputValues);
        }
        finally
        {
            foreach (var v in outputValues) v?.Dispose();
        }
    }

    // The first batch of a size: ONNX Runtime allocates the outputs; we copy them out once and remember their shapes.
    private void RunAndLearnShapes(OrtValue inputValue, string[] outputNames, int batch, Dictionary<string, Tensor> results)
    {
        using var outputs = _session.Run(_runOptions, [InputName], [inputValue], outputNames);
        int i = 0;
        foreach (var value in outputs)
        {
            string name = outputNames[i++];
            var info = value.GetTensorTypeAndShape();
            if (info.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float)
                throw new InvalidOperationException($"OnnxTeacher '{Name}': output '{name}' holds {info.ElementDataType}, only float32 outputs are read.");
            var shape = info.Shape;
            if (shape.Length == 0 || shape[0] != batch)
                throw new InvalidOperationException($"OnnxTeacher '{Name}': output '{name}' has shape {FormatDims(shape)}, not a batch of {batch} on its first axis.");
            var tensor = Tensor.Zeros(Array.ConvertAll(shape, d => (int)d));
            value.GetTensorDataAsSpan<float>().CopyTo(tensor.Span);
            results[name] = tensor;
            _outputShapes[(name, batch)] = shape;
        }
    }

    /// <summary>Releases the native session.</summary>
    public override void Dispose()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _disposed = true;
                _session.Dispose();
                _runOptions.Dispose();
            }
        }
        base.Dispose();
    }

    private sealed record Prepared(byte[] Model, string Source, string Name, OnnxTeacherOptions Options, InferenceSession Session,
        string InputName, string LogitsOutput, IReadOnlyList<int>? InputShape, int[] GraphInputDims, string[] FeatureNames, HashSet<string> GraphOutputs);

    private static Prepared Prepare(byte[] model, string source, OnnxTeacherOptions options, string defaultName)
    {
        ArgumentNullException.ThrowIfNull(options.Features);
        string name = options.Name ?? defaultName;
        if (options.IntraOpThreads < 1)
            throw new ArgumentException($"OnnxTeacher '{name}': IntraOpThreads must be at least 1, got {options.IntraOpThreads}.", nameof(options));

        OnnxProto.Graph graph;
        try { graph = OnnxProto.ReadGraph(model); }
        catch (InvalidDataException e) { throw new InvalidDataException($"OnnxTeacher: {source} is not an ONNX model ({e.Message})."); }
        var featureNames = graph.NodeOutputs.Distinct().ToArray();
        var graphOutputs = graph.Outputs.ToHashSet(StringComparer.Ordinal);

        var unknown = options.Features.Where(f => !featureNames.Contains(f)).Distinct().ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"OnnxTeacher '{name}': unknown feature(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))}; the graph's node outputs are {ListNames(featureNames)}.", nameof(options));
        string logits = options.LogitsOutput ?? graph.Outputs.FirstOrDefault()
            ?? throw new InvalidDataException($"OnnxTeacher: {source} declares no graph output; name the logits with LogitsOutput.");
        if (!graphOutputs.Contains(logits) && !featureNames.Contains(logits))
            throw new ArgumentException($"OnnxTeacher '{name}': no output or node output '{logits}' for the logits; graph outputs: {string.Join(", ", graph.Outputs)}.", nameof(options));

        var session = CreateSession(model, options.Features.Append(logits), graphOutputs, options.IntraOpThreads, source);
        try
        {
            var inputs = session.InputMetadata;
            string inputName = options.InputName ?? (inputs.Count == 1 ? inputs.Keys.First()
                : throw new ArgumentException($"OnnxTeacher '{name}': the graph has {inputs.Count} inputs ({string.Join(", ", inputs.Keys)}); name one with InputName.", nameof(options)));
            if (!inputs.TryGetValue(inputName, out var meta))
                throw new ArgumentException($"OnnxTeacher '{name}': no graph input '{inputName}'; inputs: {string.Join(", ", inputs.Keys)}.", nameof(options));
            if (inputs.Count > 1)
                throw new ArgumentException($"OnnxTeacher '{name}': the graph has {inputs.Count} inputs ({string.Join(", ", inputs.Keys)}); a teacher feeds only one.", nameof(options));
            if (meta.ElementType != typeof(float))
                throw new ArgumentException($"OnnxTeacher '{name}': input '{inputName}' holds {meta.ElementType.Name}, only float32 inputs are fed.", nameof(options));
            var dims = meta.Dimensions;
            if (dims.Length < 2)
                throw new ArgumentException($"OnnxTeacher '{name}': input '{inputName}' has shape {FormatDims(dims)}; a batch axis and at least one more are needed.", nameof(options));
            IReadOnlyList<int>? inputShape;
            if (options.InputShape is { } given)
            {
                bool fits = given.Count == dims.Length - 1 && given.Select((d, i) => dims[i + 1] < 0 || dims[i + 1] == d).All(ok => ok);
                if (!fits)
                    throw new ArgumentException($"OnnxTeacher '{name}': InputShape {Tensor.Format([.. given])} does not fit input '{inputName}' {FormatDims(dims)}.", nameof(options));
                inputShape = given;
            }
            else inputShape = dims.Skip(1).Any(d => d < 0) ? null : [.. dims.Skip(1)];
            return new Prepared(model, source, name, options, session, inputName, logits, inputShape, dims, featureNames, graphOutputs);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static InferenceSession CreateSession(byte[] model, IEnumerable<string> wanted, HashSet<string> graphOutputs, int threads, string source)
    {
        var added = wanted.Distinct().Where(n => !graphOutputs.Contains(n)).ToList();
        var bytes = OnnxProto.AddOutputs(model, added);
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        try
        {
            return new InferenceSession(bytes, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"OnnxTeacher: ONNX Runtime cannot load {source}: {FirstLine(e.Message)}", e);
        }
    }

    private static byte[] ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"OnnxTeacher: no file '{path}'.", path);
        return File.ReadAllBytes(path);
    }

    private static string ListNames(IReadOnlyList<string> names) =>
        names.Count == 0 ? "none"
        : names.Count <= ListedNames ? string.Join(", ", names)
        : $"{string.Join(", ", names.Take(ListedNames))}, … ({names.Count} in all, see FeatureNames)";

    private static string FormatDims(IReadOnlyList<long> dims) => "[" + string.Join(", ", dims.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";

    private static string FormatDims(int[] dims) => FormatDims(Array.ConvertAll(dims, d => (long)d));

    private static string FirstLine(string message)
    {
        int nl = message.IndexOfAny(['\r', '\n']);
        return (nl < 0 ? message : message[..nl]).Trim();
    }
}
