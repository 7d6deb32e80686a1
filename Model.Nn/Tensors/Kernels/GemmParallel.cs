namespace Probabilistic.Nn.Tensors.Kernels;

/// <summary>Which micro-kernel family runs a GEMM.</summary>
internal enum GemmKernel
{
    /// <summary>The best one the processor supports.</summary>
    Auto,
    /// <summary>8×32 tile of <c>Vector512</c> FMAs.</summary>
    Avx512,
    /// <summary>6×16 tile of <c>Vector256</c> FMAs.</summary>
    Avx2,
    /// <summary>4×4 scalar tile, scalar packing.</summary>
    Scalar,
}

/// <summary>How a product is computed: packed panels, or one of the unpacked AVX-512 paths for thin shapes.</summary>
internal enum GemmPath
{
    /// <summary>Packed A and B panels and the register-tiled micro-kernel (<see cref="GemmDriver{TKernel}"/>).</summary>
    Packed,
    /// <summary>n ≤ 16: <see cref="GemmNarrow"/>.</summary>
    Narrow,
    /// <summary>m ≤ 4: <see cref="GemmFewRows"/>.</summary>
    FewRows,
}

/// <summary>
/// Splits C into disjoint blocks of whole tiles (column or row ranges) and runs them on the caller plus thread-pool
/// workers. Blocks are claimed with an atomic counter, so the caller finishes all of them itself if no worker
/// shows up; each block is computed by exactly one thread in the fixed k order, hence bitwise-deterministic output.
/// </summary>
internal sealed unsafe class GemmParallel : IThreadPoolWorkItem
{
    private readonly GemmProblem problem;
    private readonly GemmKernel kernel;
    private readonly GemmPath path;
    private readonly bool splitColumns;
    private readonly int[] bounds;
    private readonly ManualResetEventSlim done = new(false);
    private int next, remaining;
    private Exception? error;

    private GemmParallel(in GemmProblem problem, GemmKernel kernel, GemmPath path, bool splitColumns, int[] bounds)
    {
        this.problem = problem;
        this.kernel = kernel;
        this.path = path;
        this.splitColumns = splitColumns;
        this.bounds = bounds;
        remaining = bounds.Length - 1;
    }

    /// <summary>Runs the whole problem on up to <paramref name="threads"/> threads (1 = on the caller only).</summary>
    public static void Run(in GemmProblem p, GemmKernel kernel, int threads)
    {
        // With AVX-512, narrow (n ≤ 16) and few-row (m ≤ 4) products skip packing; the choice depends on the shape
        // only, so it is the same whatever the thread count.
        GemmPath path = kernel != GemmKernel.Avx512 ? GemmPath.Packed
            : p.N <= GemmNarrow.Width ? GemmPath.Narrow
            : p.M <= GemmFewRows.MaxRows ? GemmPath.FewRows
            : GemmPath.Packed;
        (int mr, int nr) = kernel switch
        {
            _ when path == GemmPath.Narrow => (GemmNarrow.Rows, GemmNarrow.Width),
            _ when path == GemmPath.FewRows => (GemmFewRows.MaxRows, GemmFewRows.Columns),
            GemmKernel.Avx512 => (Avx512Kernel8x32.MR, Avx512Kernel8x32.NR),
            GemmKernel.Avx2 => (Avx2Kernel6x16.MR, Avx2Kernel6x16.NR),
            _ => (ScalarKernel4x4.MR, ScalarKernel4x4.NR),
        };
        int rowTiles = (p.M + mr - 1) / mr, colTiles = (p.N + nr - 1) / nr;
        if (threads <= 1 || Math.Max(rowTiles, colTiles) < 2)
        {
            RunBlock(p, kernel, path, 0, p.M, 0, p.N);
            return;
        }
        bool splitColumns = ChooseColumnSplit(p, threads, mr, nr, rowTiles, colTiles);
        int tiles = splitColumns ? colTiles : rowTiles, tile = splitColumns ? nr : mr, extent = splitColumns ? p.N : p.M;
        int parts = Math.Min(threads, tiles);
        var bounds = new int[parts + 1];
        for (int i = 0; i <= parts; i++) bounds[i] = Math.Min(extent, (int)((long)tiles * i / parts) * tile);
        var job = new GemmParallel(p, kernel, path, splitColumns, bounds);
        for (int i = 1; i < parts; i++) ThreadPool.UnsafeQueueUserWorkItem(job, preferLocal: false);
        job.Execute();
        job.done.Wait();
        if (job.error is not null) throw new AggregateException("Gemm.Sgemm: a worker thread failed.", job.error);
    }

    /// <summary>Claims and computes blocks until none is left.</summary>
    public void Execute()
    {
        int i;
        while ((i = Interlocked.Increment(ref next) - 1) < bounds.Length - 1)
        {
            try
            {
                if (splitColumns) RunBlock(problem, kernel, path, 0, problem.M, bounds[i], bounds[i + 1]);
                else RunBlock(problem, kernel, path, bounds[i], bounds[i + 1], 0, problem.N);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref error, e, null);
            }
            if (Interlocked.Decrement(ref remaining) == 0) done.Set();
        }
    }

    /// <summary>Computes one rectangle of C on the calling thread with the given kernel family.</summary>
    private static void RunBlock(in GemmProblem p, GemmKernel kernel, GemmPath path, int row0, int row1, int col0, int col1)
    {
        if (path == GemmPath.Narrow)
        {
            GemmNarrow.Run(p, row0, row1);
            return;
        }
        if (path == GemmPath.FewRows)
        {
            GemmFewRows.Run(p, col0, col1);
            return;
        }
        switch (kernel)
        {
            case GemmKernel.Avx512: GemmDriver<Avx512Kernel8x32>.Run(p, row0, row1, col0, col1, simdPacking: true); break;
            case GemmKernel.Avx2: GemmDriver<Avx2Kernel6x16>.Run(p, row0, row1, col0, col1, simdPacking: true); break;
            default: GemmDriver<ScalarKernel4x4>.Run(p, row0, row1, col0, col1, simdPacking: false); break;
        }
    }

    /// <summary>
    /// Splitting columns makes every thread pack all of A (m·k extra copies); splitting rows makes every thread
    /// pack all of B (k·n). Pick the split with the smaller estimated time: the slowest part's multiply-adds
    /// plus the duplicated packing (weighted roughly as one multiply-add row of a tile per packed element).
    /// </summary>
    private static bool ChooseColumnSplit(in GemmProblem p, int threads, int mr, int nr, int rowTiles, int colTiles)
    {
        if (rowTiles < 2) return true;
        if (colTiles < 2) return false;
        double k = p.K;
        double columnCost = Math.Ceiling((double)colTiles / threads) * nr * p.M * k + 16.0 * p.M * k;
        double rowCost = Math.Ceiling((double)rowTiles / threads) * mr * p.N * k + 16.0 * p.N * k;
        return columnCost <= rowCost;
    }
}
