using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Infer.Factors;

namespace Probabilistic.Infer.Graph;

/// <summary>
/// A random variable of a model, in the style of Infer.NET's <c>Variable</c>: static methods create variables
/// together with the factor that defines them; <c>ObservedValue</c> clamps them to data; an
/// <see cref="InferenceEngine"/> computes their marginals. Supported value types: double, bool, int and
/// MathNet <c>Vector&lt;double&gt;</c>.
/// </summary>
public abstract partial class Variable
{
    private readonly Node _node;
    private protected Variable(Node node) { _node = node; }

    internal Node Node => _node.Resolve();

    /// <summary>The name used in results and error messages.</summary>
    public string Name => Node.Name;

    /// <summary>True when an observed value is attached.</summary>
    public bool IsObserved => Node.IsObserved;

    /// <summary>The variable's name.</summary>
    public override string ToString() => Name;

    // ----- tempering (Infer.NET's Repeat block) -----

    [ThreadStatic] private static List<double>? t_powers;

    internal static double CurrentPower
    {
        get
        {
            double p = 1;
            if (t_powers != null) foreach (double x in t_powers) p *= x;
            return p;
        }
    }

    /// <summary>
    /// Raises every factor created inside the returned block to the power <paramref name="power"/>, as Infer.NET's
    /// <c>using (Variable.Repeat(count))</c> does: likelihood^λ, the tempered (power) form of a factor.
    /// </summary>
    public static IDisposable Repeat(double power)
    {
        if (!(power >= 0) || double.IsInfinity(power))
            throw new ArgumentOutOfRangeException(nameof(power), power, "Variable.Repeat: the power must be finite and >= 0.");
        (t_powers ??= new()).Add(power);
        return new PowerScope();
    }

    private sealed class PowerScope : IDisposable
    {
        private bool _done;
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            t_powers!.RemoveAt(t_powers.Count - 1);
        }
    }

    // ----- construction helpers -----


    /// <summary>
    /// The one plate shared by the plated arguments (null if none). Arguments indexed by two different ranges are
    /// refused, naming both arguments: a factor broadcasts shared arguments over its one range.
    /// </summary>
    internal static Range? CommonPlate(string factor, params (string Argument, Node Node)[] arguments)
    {
        Range? plate = null;
        string? first = null;
        foreach (var (argument, node) in arguments)
        {
            var n = node.Resolve();
            if (n.Plate == null) continue;
            if (plate != null && plate != n.Plate)
                throw new ArgumentException($"{factor}: the {argument} '{n.Name}' is indexed by {n.Plate.Name} but the {first} by {plate.Name}; "
                                            + "the arguments of one factor are shared or indexed by the same range.");
            plate ??= n.Plate;
            first ??= $"{argument} '{n.Name}'";
        }
        return plate;
    }

    /// <summary>The value types a variable may hold: double, bool, int and MathNet <c>Vector&lt;double&gt;</c>.</summary>
    internal static void RequireSupportedType<T>(string method)
    {
        var t = typeof(T);
        if (t != typeof(double) && t != typeof(bool) && t != typeof(int) && t != typeof(Vector<double>))
            throw new NotSupportedException($"{method}: variables of type {t.Name} are not supported; use double, bool, int or Vector<double>.");
    }

    /// <summary>A constant (a node observed at creation).</summary>
    public static Variable<T> Constant<T>(T value) where T : notnull => Variable<T>.ConstantOf(value, "Variable.Constant");

    /// <summary>A scalar variable observed at <paramref name="value"/>.</summary>
    public static Variable<T> Observed<T>(T value) where T : notnull
    {
        RequireSupportedType<T>("Variable.Observed");
        var v = new Variable<T>(new Node(null, null, null));
        v.ObservedValue = value;
        return v;
    }

    /// <summary>An array of variables over <paramref name="range"/>, defined later by <c>array[range] = …</c>.</summary>
    public static VariableArray<T> Array<T>(Range range)
    {
        ArgumentNullException.ThrowIfNull(range);
        RequireSupportedType<T>("Variable.Array");
        return new(new Node(null, range, null), range);
    }

    /// <summary>An array over <paramref name="range"/> observed at <paramref name="values"/>.</summary>
    public static VariableArray<T> Observed<T>(T[] values, Range range)
    {
        var a = Array<T>(range);
        a.ObservedValue = values;
        return a;
    }

    // ----- priors -----

    private static PriorFactor GaussianPrior(Distributions.Gaussian prior)
    {
        prior.RequireProper("Gaussian prior");
        return PriorFactor.Of<Distributions.Gaussian, double>(prior);
    }

    private static Variable<Vector<double>> VectorGaussianPrior(Distributions.VectorGaussian prior) =>
        new(PriorFactor.Of<Distributions.VectorGaussian, Vector<double>>(prior, prior.Dimension).Output);

    /// <summary>x ~ N(mean, variance) with constant parameters.</summary>
    public static Variable<double> GaussianFromMeanAndVariance(double mean, double variance) =>
        new(GaussianPrior(Distributions.Gaussian.FromMeanAndVariance(mean, variance)).Output);

    /// <summary>x ~ N(mean, 1/precision); constants give a prior, random mean (Gaussian) or precision (Gamma) a factor.</summary>
    public static Variable<double> GaussianFromMeanAndPrecision(Variable<double> mean, Variable<double> precision)
    {
        if (mean.Node.IsConstant && precision.Node.IsConstant)
            return new(GaussianPrior(Distributions.Gaussian.FromMeanAndPrecision(
                Convert.ToDouble(mean.Node.Observed), Convert.ToDouble(precision.Node.Observed))).Output);
        return new(new GaussianFactor(mean.Node, precision.Node).Output);
    }

    /// <summary>τ ~ Gamma(shape, rate).</summary>
    public static Variable<double> GammaFromShapeAndRate(double shape, double rate)
    {
        var g = Distributions.Gamma.FromShapeAndRate(shape, rate);
        g.RequireProper("Variable.GammaFromShapeAndRate");
        return new(PriorFactor.Of<Distributions.Gamma, double>(g).Output);
    }

    /// <summary>w ~ N(mean, precision⁻¹) over vectors.</summary>
    public static Variable<Vector<double>> VectorGaussianFromMeanAndPrecision(Vector<double> mean, Matrix<double> precision)
    {
        var d = Distributions.VectorGaussian.FromMeanAndPrecision(mean, precision);
        d.GetCholesky("Variable.VectorGaussianFromMeanAndPrecision");
        return new(PriorFactor.Of<Distributions.VectorGaussian, Vector<double>>(d, d.Dimension).Output);
    }

    /// <summary>w ~ N(mean, covariance) over vectors.</summary>
    public static Variable<Vector<double>> VectorGaussianFromMeanAndVariance(Vector<double> mean, Matrix<double> covariance) =>
        VectorGaussianPrior(Distributions.VectorGaussian.FromMeanAndVariance(mean, covariance));

    // ----- deterministic factors -----

    /// <summary>z = wᵀx for a VectorGaussian w and an observed vector (or array of vectors) x.</summary>
    /// <remarks>With an array of weight vectors B over a range c and observed vectors x over a range i,
    /// <c>InnerProduct(B[c], x[i])</c> is the score of class c for object i: it may only define the elements of a jagged
    /// array, <c>g[i][c] = InnerProduct(B[c], x[i])</c>, whose rows are passed to <see cref="Softmax(VariableArray{double})"/>.</remarks>
    public static Variable<double> InnerProduct(Variable<Vector<double>> w, Variable<Vector<double>> x)
    {
        var (wn, xn) = (w.Node, x.Node);
        if (wn.Plate != null && xn.Plate != null && wn.Plate != xn.Plate)
            return new(PendingInnerProduct.Create(wn, xn));
        return new(new InnerProductFactor(wn, xn).Output);
    }

    /// <summary>z = a + b.</summary>
    public static Variable<double> Plus(Variable<double> a, Variable<double> b) => new(new PlusFactor(a.Node, b.Node).Output);

    // ----- likelihoods with discrete outputs -----

    /// <summary>y ~ Bernoulli(σ(logOdds)) (logistic factor; EP with quadrature moments, VMP with the Jaakkola–Jordan bound).</summary>
    public static Variable<bool> BernoulliFromLogOdds(Variable<double> logOdds) =>
        new(new LogisticFactor(logOdds.Node).Output);

    /// <summary>
    /// y ~ Discrete(softmax(w₀ᵀx, …, w_{K−1}ᵀx)) for an array of K VectorGaussian weight vectors and an observed x
    /// (Infer.NET's <c>Discrete(Softmax(InnerProduct(w[c], x)))</c> fused into one factor; VMP with Böhning's bound).
    /// </summary>
    public static Variable<int> DiscreteFromLinearSoftmax(VariableArray<Vector<double>> weights, Variable<Vector<double>> x) =>
        new(new SoftmaxFactor(weights.Node, x.Node, softLabels: false).Output);

    /// <summary>
    /// Observed soft labels s (a probability vector per object) with log-likelihood Σ_k s_k log softmax_k(Wx):
    /// the labels enter as fractional counts of the softmax (Discrete) factor.
    /// </summary>
    public static Variable<Vector<double>> SoftLabelsFromLinearSoftmax(VariableArray<Vector<double>> weights, Variable<Vector<double>> x) =>
        new(new SoftmaxFactor(weights.Node, x.Node, softLabels: true).Output);
}

/// <summary>A scalar random variable (or one element x[i] of a variable array).</summary>
public class Variable<T> : Variable
{
    internal Variable(Node node) : base(node) { }

    /// <summary>The observed value of a scalar variable.</summary>
    public T ObservedValue
    {
        get => Node.Observed is T t ? t : throw new InvalidOperationException($"Variable '{Name}' has no observed value.");
        set
        {
            if (Node.Plate != null) throw new InvalidOperationException($"'{Name}' is an element of an array over {Node.Plate.Name}: set ObservedValue on the array.");
            Node.Observed = value ?? throw new ArgumentNullException(nameof(value));
        }
    }

    /// <summary>Sets the name used in results and errors.</summary>
    public Variable<T> Named(string name) { Node.Name = name; return this; }

    /// <summary>A constant variable holding <paramref name="value"/> (so that a number can be passed where a variable is expected).</summary>
    public static implicit operator Variable<T>(T value) => ConstantOf(value, "Variable (implicit conversion)");

    /// <summary>A node observed at creation; null is refused (a constant needs a value).</summary>
    internal static Variable<T> ConstantOf(T value, string method)
    {
        RequireSupportedType<T>(method);
        object boxed = value ?? throw new ArgumentNullException(nameof(value), $"{method}: a constant needs a value, got null.");
        return new(new Node("const", null, null) { IsConstant = true, Observed = boxed });
    }

    /// <summary>a + b for double variables.</summary>
    public static Variable<T> operator +(Variable<T> a, Variable<T> b)
    {
        if (typeof(T) != typeof(double)) throw new NotSupportedException($"Variable '+' is defined for double variables, not {typeof(T).Name}.");
        return new Variable<T>(new PlusFactor(a.Node, b.Node).Output);
    }
}

/// <summary>An array of random variables indexed by a <see cref="Range"/> (a plate).</summary>
public sealed class VariableArray<T> : Variable
{
    internal VariableArray(Node node, Range range) : base(node) { Range = range; }

    /// <summary>The range that indexes the array.</summary>
    public Range Range { get; }

    /// <summary>The element x[i] as a variable indexed by the range; assigning defines every element.</summary>
    public Variable<T> this[Range index]
    {
        get
        {
            CheckRange(index);
            return new Variable<T>(Node);
        }
        set
        {
            CheckRange(index);
            var target = value.Node;
            if (Node.Jagged is { } jagged)
            {
                jagged.Define(Node, index, target);
                return;
            }
            if (target.Pending is PendingInnerProduct pip)
                throw new NotSupportedException($"Assignment to {Name}[{index.Name}]: the right-hand side is {pip.Description}; {pip.Supported}.");
            if (target.Plate == null && target.Parent is { } parent && target.Children.Count == 0 && parent.Inputs.All(i => i.Plate == null))
            {
                // A factor with only shared arguments assigned into x[i] is replicated over the range.
                target.Plate = index;
                parent.Plate = index;
            }
            if (target.Plate != index)
                throw new ArgumentException($"Assignment to {Name}[{index.Name}]: the right-hand side {target.Parent?.Name ?? "'" + target.Name + "'"} "
                                            + $"is indexed by {target.Plate?.Name ?? "no range"}; it must be indexed by {index.Name}.");
            Node.ForwardTo(target);
        }
    }

    private void CheckRange(Range index)
    {
        if (index != Range) throw new ArgumentException($"Variable array '{Name}' is indexed by {Range.Name}, not {index.Name}.");
    }

    /// <summary>The observed values, one per element of the range.</summary>
    public T[] ObservedValue
    {
        get => Node.Observed as T[] ?? throw new InvalidOperationException($"Variable array '{Name}' has no observed array value.");
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (Node.Jagged != null)
                throw new NotSupportedException($"ObservedValue of '{Name}': a jagged array's rows cannot be observed; supported: defining its elements by InnerProduct (the scores of Variable.Softmax).");
            if (value.Length != Range.SizeAsInt)
                throw new ArgumentException($"ObservedValue of '{Name}': {value.Length} values for range {Range.Name} of size {Range.SizeAsInt}.");
            Node.Observed = value;
        }
    }

    /// <summary>Sets the name used in results and errors.</summary>
    public VariableArray<T> Named(string name) { Node.Name = name; return this; }
}

/// <summary>Observing an array of vectors as the rows of one matrix (no per-row Vector objects).</summary>
public static class VariableArrayExtensions
{
    /// <summary>Observes x[i] = row i of the row-major m×n array <paramref name="rowMajor"/>.</summary>
    public static void ObserveRows(this VariableArray<Vector<double>> x, double[] rowMajor, int columns)
    {
        ArgumentNullException.ThrowIfNull(rowMajor);
        int m = x.Range.SizeAsInt;
        if (columns <= 0 || rowMajor.Length != (long)m * columns)
            throw new ArgumentException($"ObserveRows of '{x.Name}': {rowMajor.Length} values do not form {m} rows of {columns} columns.");
        x.Node.Observed = new RowMajorMatrix(rowMajor, m, columns);
    }

    /// <summary>Observes x[i] = row i of <paramref name="matrix"/>.</summary>
    public static void ObserveRows(this VariableArray<Vector<double>> x, Matrix<double> matrix) =>
        x.ObserveRows(matrix.ToRowMajorArray(), matrix.ColumnCount);
}

/// <summary>Observed vectors stored as one row-major matrix.</summary>
internal sealed record RowMajorMatrix(double[] Data, int Rows, int Columns);
