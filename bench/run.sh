#!/usr/bin/env bash
# GEMM benchmark, ours against PyTorch/numpy on the system BLAS, in one run.
# Usage: bench/run.sh [--quick]
# Writes results/bench/gemm.csv (every measurement) and results/bench/gemm.md (table with ratios and % of peak).
# The machine may be shared: every number is the best of several repetitions; rerun when others are busy.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
quick=()
[ "${1:-}" = "--quick" ] && quick=(--quick)
out="$root/results/bench"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

echo "== build"
dotnet build bench/Bench -c Release -v q -nologo >/dev/null
bench=(dotnet "$root/bench/Bench/bin/Release/net10.0/Bench.dll")

echo "== machine"
"${bench[@]}" clock --csv "$work/clock.csv"

echo "== ours"
"${bench[@]}" gemm "${quick[@]}" --csv "$work/ours.csv"

if ! /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null; then
  echo "PyTorch is missing: run 'scripts/setup.sh --bench' (Debian package python3-torch); table without peers."
  /usr/bin/python3 bench/gemm_report.py "$work" "$out"
  exit 0
fi
case "$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null)" in
  *openblas*) ;;
  *) echo "note: the system BLAS is not OpenBLAS (apt-get install libopenblas0-pthread gives the usual peer)";;
esac

# Preset OpenBLAS variables (some machines set OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE): say so; 'default' keeps them.
env | grep '^OPENBLAS_' | sed 's/^/preset: /' || echo "preset: no OPENBLAS_* variables"

echo "== PyTorch/numpy, default environment"
/usr/bin/python3 bench/torch_gemm.py default "${quick[@]}" --csv "$work/torch-default.csv"

echo "== PyTorch/numpy, tuned environment"
tuned=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE
       MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824)
grep -q avx512f /proc/cpuinfo && tuned+=(OPENBLAS_CORETYPE=SkylakeX)
"${tuned[@]}" /usr/bin/python3 bench/torch_gemm.py tuned "${quick[@]}" --csv "$work/torch-tuned.csv"

echo "== report"
/usr/bin/python3 bench/gemm_report.py "$work" "$out"
echo "wrote $out/gemm.csv and $out/gemm.md"
