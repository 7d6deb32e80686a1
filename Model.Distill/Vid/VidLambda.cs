using Probabilistic.Core.Random;

namespace Probabilistic.Distill.Vid;

/// <summary>Which constraint a <see cref="VidLambda"/> satisfies (methods.md §4.1, §4.4).</summary>
public enum VidLambdaForm
{
    /// <summary>λᵢⱼ ≥ 0 and every column sums to one, Σᵢ λᵢⱼ = 1 (the 2023 slides, eq. 2).</summary>
    ColumnStochastic,
    /// <summary>Every λᵢⱼ in [0, 1], unnormalised (the 2024 thesis).</summary>
    Free,
}

/// <summary>
/// The connection weights λ of the all-to-all VID loss, a matrix [teacher layers × student layers]: λᵢⱼ weighs the
/// information term between teacher feature i and student feature j. Built through the static constructors, which
/// check the form's constraint; zero entries mean the connection is not built.
/// </summary>
public sealed class VidLambda
{
    private readonly double[,] _values;

    /// <summary>The constraint this matrix satisfies.</summary>
    public VidLambdaForm Form { get; }
    /// <summary>Number of teacher layers (rows).</summary>
    public int TeacherLayers => _values.GetLength(0);
    /// <summary>Number of student layers (columns).</summary>
    public int StudentLayers => _values.GetLength(1);
    /// <summary>λᵢⱼ for teacher layer <paramref name="i"/> and student layer <paramref name="j"/>.</summary>
    public double this[int i, int j] => _values[i, j];

    private VidLambda(double[,] values, VidLambdaForm form)
    {
        _values = values;
        Form = form;
    }

    /// <summary>A copy of the matrix.</summary>
    public double[,] ToArray() => (double[,])_values.Clone();

    /// <summary>Σᵢ λᵢⱼ for student layer <paramref name="j"/>.</summary>
    public double ColumnSum(int j)
    {
        double s = 0;
        for (int i = 0; i < TeacherLayers; i++) s += _values[i, j];
        return s;
    }

    /// <summary>A column-stochastic λ: entries ≥ 0, each column summing to 1 (within 1e-9).</summary>
    public static VidLambda ColumnStochastic(double[,] values)
    {
        var v = CheckMatrix(values, nameof(ColumnStochastic));
        for (int j = 0; j < v.GetLength(1); j++)
        {
            double s = 0;
            for (int i = 0; i < v.GetLength(0); i++)
            {
                if (!(v[i, j] >= 0)) throw new ArgumentException($"VidLambda.ColumnStochastic: λ[{i},{j}] = {v[i, j]} is negative or NaN.");
                s += v[i, j];
            }
            if (Math.Abs(s - 1) > 1e-9) throw new ArgumentException($"VidLambda.ColumnStochastic: column {j} sums to {s}, not 1.");
        }
        return new VidLambda(v, VidLambdaForm.ColumnStochastic);
    }

    /// <summary>A free λ: every entry in [0, 1].</summary>
    public static VidLambda Free(double[,] values)
    {
        var v = CheckMatrix(values, nameof(Free));
        for (int i = 0; i < v.GetLength(0); i++)
            for (int j = 0; j < v.GetLength(1); j++)
                if (!(v[i, j] is >= 0 and <= 1)) throw new ArgumentException($"VidLambda.Free: λ[{i},{j}] = {v[i, j]} is outside [0, 1].");
        return new VidLambda(v, VidLambdaForm.Free);
    }

    /// <summary>
    /// VID's pairwise preset: each student layer j is tied to one teacher layer with weight 1, the identity when the
    /// counts agree, otherwise teacher round(j·(T−1)/(S−1)) (layers matched by relative depth). Column-stochastic, and
    /// also a valid free λ.
    /// </summary>
    public static VidLambda Pairwise(int teacherLayers, int studentLayers)
    {
        CheckCounts(teacherLayers, studentLayers, nameof(Pairwise));
        var v = new double[teacherLayers, studentLayers];
        for (int j = 0; j < studentLayers; j++)
        {
            int i = studentLayers == 1 ? teacherLayers - 1 : (int)Math.Round(j * (teacherLayers - 1.0) / (studentLayers - 1), MidpointRounding.AwayFromZero);
            v[i, j] = 1;
        }
        return new VidLambda(v, VidLambdaForm.ColumnStochastic);
    }

    /// <summary>
    /// Every connection: λᵢⱼ = 1 in the free form (the 2024 "all"), λᵢⱼ = 1/T in the column-stochastic form, so the
    /// free form's distillation term is T times the column-stochastic one.
    /// </summary>
    public static VidLambda All(int teacherLayers, int studentLayers, VidLambdaForm form)
    {
        CheckCounts(teacherLayers, studentLayers, nameof(All));
        double value = form == VidLambdaForm.Free ? 1.0 : 1.0 / teacherLayers;
        var v = new double[teacherLayers, studentLayers];
        for (int i = 0; i < teacherLayers; i++)
            for (int j = 0; j < studentLayers; j++) v[i, j] = value;
        return new VidLambda(v, form);
    }

    /// <summary>
    /// Random column-stochastic λ: each column an independent Dirichlet(1, …, 1) draw (the slides' λᵢ = xᵢ/Σx with
    /// xᵢ = −ln Uᵢ), from a generator seeded with <paramref name="seed"/>.
    /// </summary>
    public static VidLambda Random(int teacherLayers, int studentLayers, ulong seed)
    {
        CheckCounts(teacherLayers, studentLayers, nameof(Random));
        var rng = new Rng(seed);
        var v = new double[teacherLayers, studentLayers];
        var ones = new double[teacherLayers];
        Array.Fill(ones, 1.0);
        var column = new double[teacherLayers];
        for (int j = 0; j < studentLayers; j++)
        {
            rng.Dirichlet(ones, column);
            for (int i = 0; i < teacherLayers; i++) v[i, j] = column[i];
        }
        return new VidLambda(v, VidLambdaForm.ColumnStochastic);
    }

    /// <summary>Random free λ: independent U[0, 1) entries (the 2024 thesis's "random λ"), seeded with <paramref name="seed"/>.</summary>
    public static VidLambda RandomUniform(int teacherLayers, int studentLayers, ulong seed)
    {
        CheckCounts(teacherLayers, studentLayers, nameof(RandomUniform));
        var rng = new Rng(seed);
        var v = new double[teacherLayers, studentLayers];
        for (int i = 0; i < teacherLayers; i++)
            for (int j = 0; j < studentLayers; j++) v[i, j] = rng.NextDouble();
        return new VidLambda(v, VidLambdaForm.Free);
    }

    private static double[,] CheckMatrix(double[,] values, string method)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.GetLength(0) == 0 || values.GetLength(1) == 0)
            throw new ArgumentException($"VidLambda.{method}: the matrix must have at least one teacher and one student layer.");
        return (double[,])values.Clone();
    }

    private static void CheckCounts(int teacherLayers, int studentLayers, string method)
    {
        if (teacherLayers <= 0 || studentLayers <= 0)
            throw new ArgumentOutOfRangeException(nameof(teacherLayers), $"VidLambda.{method}: layer counts must be positive, got {teacherLayers} × {studentLayers}.");
    }
}
