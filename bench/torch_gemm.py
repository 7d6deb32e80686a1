#!/usr/bin/python3
"""fp32 GEMM throughput of PyTorch (torch.mm) and numpy (np.matmul) on the shapes of bench/Bench/GemmBench.cs.

Same protocol as the C# side: warm-up, then several repetitions of a batch of calls (>= 0.15 s each), the best
repetition counts. Both libraries call the system BLAS here (Debian's torch 1.13 is built with BLAS_INFO=generic,
numpy links libblas.so.3 / libcblas.so.3), so the BLAS kernel selection (OPENBLAS_CORETYPE) applies to both.
Usage: torch_gemm.py LABEL [--quick] [--csv FILE]   (LABEL names the configuration in the CSV, e.g. default)
"""
import argparse
import ctypes
import sys
import time

import numpy as np
import torch

# name, m, n, k, transA, transB  (C[m x n] = op(A) op(B), op(A) is m x k) -- keep in sync with GemmBench.Shapes
SHAPES = [
    ("square 1024^3", 1024, 1024, 1024, False, False),
    ("fc fwd 128x784 * 784x800", 128, 800, 784, False, False),
    ("fc dW (128x784)^T * 128x800", 784, 800, 128, True, False),
    ("fc dX 128x800 * (784x800)^T", 128, 784, 800, False, True),
    ("logreg fwd 64x784 * 784x10", 64, 10, 784, False, False),
    ("logreg dW (64x784)^T * 64x10", 784, 10, 64, True, False),
    ("logreg dX 64x10 * (784x10)^T", 64, 784, 10, False, True),
    ("1 sample 1x784 * 784x800", 1, 800, 784, False, False),
]


def system_blas():
    """The BLAS library this process really loaded (from /proc/self/maps), its OpenBLAS core name, and a setter
    for its thread count: torch.set_num_threads does not reach an OpenBLAS built with pthreads."""
    paths = sorted({line.split()[-1] for line in open("/proc/self/maps") if ".so" in line and "blas" in line.split()[-1]})
    for path in paths:
        lib = ctypes.CDLL(path)
        if hasattr(lib, "openblas_get_corename"):
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            name = f"{lib.openblas_get_config().decode()}, core {lib.openblas_get_corename().decode()}"
            return path, name, lib.openblas_set_num_threads
    return ", ".join(paths) or "none found", "not OpenBLAS (thread count not controlled)", lambda n: None


def operands(m, n, k, trans_a, trans_b, rng):
    """Stored operands (A is k x m when transposed, B is n x k when transposed), as in the C# benchmark."""
    a = (rng.random((k, m) if trans_a else (m, k), dtype=np.float32) - 0.5)
    b = (rng.random((n, k) if trans_b else (k, n), dtype=np.float32) - 0.5)
    return a, b


def time_per_call(call, repetitions, min_seconds):
    start = time.perf_counter()
    calls = 0
    while calls < 3 or time.perf_counter() - start < min_seconds:
        call()
        calls += 1
    best = float("inf")
    for _ in range(repetitions):
        start = time.perf_counter()
        for _ in range(calls):
            call()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("label")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--csv")
    args = parser.parse_args()
    repetitions, min_seconds = (3, 0.05) if args.quick else (7, 0.15)
    rng = np.random.default_rng(12345)
    rows = ["impl,shape,m,n,k,trans_a,trans_b,threads,gflops,us_per_call"]
    torch.mm(torch.ones(2, 2), torch.ones(2, 2))  # make sure the BLAS is loaded before looking for it
    blas_path, blas_name, set_blas_threads = system_blas()
    print(f"torch {torch.__version__}, numpy {np.__version__}, config {args.label}: {blas_name} ({blas_path})",
          file=sys.stderr)
    if args.csv:
        with open(args.csv + ".blas", "w") as f:
            f.write(f"{args.label}: {blas_name} ({blas_path})\n")
    for name, m, n, k, ta, tb in SHAPES:
        a, b = operands(m, n, k, ta, tb, rng)
        ta_t, tb_t = torch.from_numpy(a), torch.from_numpy(b)
        # Transposed operands are passed as transposed views, so the BLAS call gets the transpose flag.
        op_a_t = ta_t.t() if ta else ta_t
        op_b_t = tb_t.t() if tb else tb_t
        out_t = torch.empty((m, n), dtype=torch.float32)
        op_a, op_b = (a.T if ta else a), (b.T if tb else b)
        out_np = np.empty((m, n), dtype=np.float32)
        for threads in (1, 2):
            torch.set_num_threads(threads)
            set_blas_threads(threads)
            for impl, call in (("torch", lambda: torch.mm(op_a_t, op_b_t, out=out_t)),
                               ("numpy", lambda: np.matmul(op_a, op_b, out=out_np))):
                seconds = time_per_call(call, repetitions, min_seconds)
                gflops = 2.0 * m * n * k / seconds / 1e9
                print(f"{impl:6} {args.label:8} {name:32} {threads} {gflops:8.1f} GFLOP/s {seconds * 1e6:10.1f} us",
                      file=sys.stderr)
                rows.append(f"{impl}-{args.label},{name},{m},{n},{k},{int(ta)},{int(tb)},{threads},"
                            f"{gflops:.2f},{seconds * 1e6:.2f}")
    if args.csv:
        with open(args.csv, "w") as f:
            f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
