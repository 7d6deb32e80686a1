using MathNet.Numerics.LinearAlgebra;
using Probabilistic.Infer.Distributions;
using Probabilistic.Infer.Engine;
using Probabilistic.Infer.Factors;
using Probabilistic.Infer.Graph;

namespace Probabilistic.Infer.Graph
{
    public abstract partial class Variable
    {
        /// <summary>
        /// A jagged array g[i][c]: one array over the range of <paramref name="item"/> (c) for every element of
        /// <paramref name="range"/> (i), as Infer.NET's <c>Variable.Array(Variable.Array&lt;double&gt;(c), i)</c>. Its
        /// elements are defined by <c>g[i][c] = Variable.InnerProduct(B[c], x[i])</c> (class scores of softmax regression)
        /// and its rows are passed to <see cref="Softmax(VariableArray{double})"/>.
        /// </summary>
        public static JaggedVariableArray<T> Array<T>(VariableArray<T> item, Range range)
        {
            ArgumentNullException.ThrowIfNull(item);
            ArgumentNullException.ThrowIfNull(range);
            var proto = item.Node;
            if (proto.Parent != null || proto.IsObserved || proto.Jagged != null)
                throw new NotSupportedException($"Variable.Array(item, {range.Name}): the item array '{item.Name}' must be a fresh Variable.Array<{typeof(T).Name}>({item.Range.Name}) (it only gives the inner range).");
            if (item.Range == range)
                throw new ArgumentException($"Variable.Array(item, {range.Name}): the inner and outer ranges are the same range; a jagged array needs two ranges.");
            return new JaggedVariableArray<T>(new Node(null, range, null) { Jagged = new JaggedInfo(range, item.Range) }, range, item.Range);
        }

        /// <summary>
        /// p = softmax(g) for a row g[i] of a jagged array of class scores <c>g[i][c] = InnerProduct(B[c], x[i])</c>
        /// (B an array of VectorGaussian weights over the classes c, x observed vectors over the objects i). Its only
        /// use is <c>Variable.Discrete(p)</c>, which builds the same softmax factor as
        /// <see cref="DiscreteFromLinearSoftmax"/> (so <see cref="InferenceEngine.SoftmaxOperator"/> applies; VMP). Any
        /// other argument is refused when the model is built.
        /// </summary>
        public static Variable<Vector<double>> Softmax(VariableArray<double> g)
        {
            ArgumentNullException.ThrowIfNull(g);
            var node = g.Node;
            if (node.Jagged is not { } jagged)
                throw new NotSupportedException($"Variable.Softmax: the argument '{g.Name}' is an array over {g.Range.Name} ({(node.Parent != null ? "defined by " + node.Parent.Kind : node.IsObserved ? "observed" : "undefined")}); "
                                                + SoftmaxSupported + ".");
            if (jagged.Scores is not { } scores)
                throw new InvalidOperationException($"Variable.Softmax: the elements of '{g.Name}[{jagged.Outer.Name}]' are not defined yet; define {g.Name}[{jagged.Outer.Name}][{jagged.Inner.Name}] = Variable.InnerProduct(B[{jagged.Inner.Name}], x[{jagged.Outer.Name}]) first.");
            return new(new Node(null, jagged.Outer, null) { Pending = new PendingSoftmax(scores) });
        }

        /// <summary>
        /// Infer.NET's <c>Variable.Softmax(Variable&lt;Vector&gt;)</c>: not supported for a vector variable (this engine has
        /// no Gaussian-vector-to-probabilities factor); always refused with a message naming what is supported, a row
        /// g[i] of a jagged array of inner products (<see cref="Softmax(VariableArray{double})"/>).
        /// </summary>
        public static Variable<Vector<double>> Softmax(Variable<Vector<double>> g)
        {
            ArgumentNullException.ThrowIfNull(g);
            var node = g.Node;
            string what = node.Pending?.Description ?? (node.IsObserved ? "observed" : node.Family?.Describe() ?? "unconstrained");
            throw new NotSupportedException($"Variable.Softmax: the argument '{node.Name}' is a vector variable ({what}); {SoftmaxSupported}.");
        }

        internal const string SoftmaxSupported =
            "supported: a row g[i] of a jagged array g = Variable.Array(Variable.Array<double>(c), i) with g[i][c] = Variable.InnerProduct(B[c], x[i]), "
            + "B VectorGaussian weights over c and x observed vectors over i";
    }

    /// <summary>
    /// A jagged array g[i][c] (Infer.NET's <c>VariableArray&lt;VariableArray&lt;double&gt;, double[][]&gt;</c>), created by
    /// <see cref="Variable.Array{T}(VariableArray{T}, Range)"/>. Supported use: class scores
    /// <c>g[i][c] = Variable.InnerProduct(B[c], x[i])</c> whose rows feed <see cref="Variable.Softmax(VariableArray{double})"/>.
    /// </summary>
    public sealed class JaggedVariableArray<T> : Variable
    {
        private readonly VariableArray<T> _row;

        internal JaggedVariableArray(Node node, Range outer, Range inner) : base(node)
        {
            Range = outer;
            InnerRange = inner;
            _row = new VariableArray<T>(node, inner);
        }

        /// <summary>The outer range i.</summary>
        public Range Range { get; }

        /// <summary>The inner range c (the length of every row).</summary>
        public Range InnerRange { get; }

        /// <summary>The row g[i], an array over the inner range; <c>g[i][c] = …</c> defines every element.</summary>
        public VariableArray<T> this[Range index]
        {
            get
            {
                if (index != Range) throw new ArgumentException($"Jagged array '{Name}' is indexed by {Range.Name} on the outside, not {index.Name}.");
                return _row;
            }
        }

        /// <summary>Sets the name used in results and errors.</summary>
        public JaggedVariableArray<T> Named(string name) { Node.Name = name; return this; }
    }
}

namespace Probabilistic.Infer.Factors
{
    /// <summary>A composition held until the factor that consumes it is built (no other factor accepts it).</summary>
    internal abstract record PendingExpression
    {
        /// <summary>What it is, for messages (e.g. "InnerProduct(B[c], x[i]) over two ranges").</summary>
        public abstract string Description { get; }

        /// <summary>Where it may be used, for messages.</summary>
        public abstract string Supported { get; }
    }

    /// <summary>InnerProduct(B[c], x[i]) with B over c and x over i: the scores of softmax regression.</summary>
    internal sealed record PendingInnerProduct(Node Weights, Node X, Range Classes, Range Objects) : PendingExpression
    {
        public override string Description =>
            $"InnerProduct({Weights.Resolve().Name}[{Classes.Name}], {X.Resolve().Name}[{Objects.Name}]) over two ranges";

        public override string Supported =>
            $"supported: only as the elements g[{Objects.Name}][{Classes.Name}] of a jagged array g = Variable.Array(Variable.Array<double>({Classes.Name}), {Objects.Name}) passed to Variable.Softmax(g[{Objects.Name}])";

        /// <summary>Checks the arguments as the softmax factor will (VectorGaussian weights, observed vectors) and
        /// returns the pending node.</summary>
        public static Node Create(Node w, Node x)
        {
            const string factor = "InnerProduct";
            if (w.Family is not (null or Family<VectorGaussian>) || w.IsObserved || w.IsConstant)
                throw new NotSupportedException($"{factor}: the weights '{w.Name}[{w.Plate!.Name}]' are {(w.IsObserved || w.IsConstant ? "observed" : w.Family!.Describe())}; supported: an array of VectorGaussian random vectors (softmax regression's class weights).");
            if (x.Parent != null && !x.IsObserved)
                throw new NotSupportedException($"{factor}: the vector '{x.Name}' is random ({x.Parent.Kind}); supported: observed vectors (Variable.Observed, ObserveRows).");
            return new Node(null, null, Family<Gaussian>.Instance) { Pending = new PendingInnerProduct(w, x, w.Plate!, x.Plate!) };
        }
    }

    /// <summary>Softmax(g[i]) of a jagged row of inner products: consumed by Variable.Discrete.</summary>
    internal sealed record PendingSoftmax(PendingInnerProduct Scores) : PendingExpression
    {
        public override string Description => $"Softmax of {Scores.Description}";

        public override string Supported => "supported: only as the argument of Variable.Discrete(p) (softmax regression)";
    }

    /// <summary>The ranges of a jagged array and the definition of its elements (set once by g[i][c] = …).</summary>
    internal sealed class JaggedInfo(Range outer, Range inner)
    {
        public Range Outer { get; } = outer;
        public Range Inner { get; } = inner;
        public PendingInnerProduct? Scores { get; private set; }

        /// <summary>g[i][c] = value: accepts InnerProduct(B[c], x[i]) only.</summary>
        public void Define(Node array, Range index, Node value)
        {
            string target = $"{array.Name}[{Outer.Name}][{Inner.Name}]";
            if (Scores != null)
                throw new InvalidOperationException($"Assignment to {target}: the jagged array '{array.Name}' is already defined; it cannot be assigned again.");
            if (value.Pending is not PendingInnerProduct p)
                throw new NotSupportedException($"Assignment to {target}: the right-hand side is {(value.Parent != null ? value.Parent.Kind : value.IsObserved ? "observed" : value.Family?.Describe() ?? "unconstrained")} '{value.Name}'; "
                                                + $"supported: Variable.InnerProduct(B[{Inner.Name}], x[{Outer.Name}]) with B VectorGaussian weights over {Inner.Name} and x observed vectors over {Outer.Name}.");
            if (p.Classes != Inner || p.Objects != Outer)
                throw new ArgumentException($"Assignment to {target}: the right-hand side is {p.Description}; the weights must be indexed by {Inner.Name} (inner) and the vectors by {Outer.Name} (outer).");
            Scores = p;
            array.Graph.Touch();
        }
    }
}
